"""A plan chosen for its odds: the people that give the best chance over drawn inputs.

Sample average approximation. ``choose`` draws ``draws`` versions of the uncertain inputs
(the *choosing* draws), builds one model holding every one of them with the people shared
(``extensive``), and solves it for the people that maximise, over those draws,

- ``probability``: the share of draws meeting every goal (a chance constraint made the
  objective), ties broken by mean profit; or
- ``expected_profit``: the mean profit.

The chosen people are then measured exactly, draw by draw (``Recourse.run``): on the
choosing draws (which must give the model's own value back), and beside the plan for the
single-number inputs on *fresh* draws of another seed, never on the draws that chose: a
choice fitted to its draws looks better on them than it is.

Size. The model has a copy of the scenario's model per choosing draw, so the draws are
capped at ``MAX_COLUMNS`` columns in all (the seed company: 200 draws are 5,400 columns);
the count used is stated. A solve stopped by its time limit gives its best people so far,
and says how far from proven they are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from optimizer.analysis.risk.draws import Drawn, draw
from optimizer.analysis.risk.recourse import Outcomes, Recourse

OBJECTIVES = ("probability", "expected_profit")


@dataclass(frozen=True)
class Measured:
    """One plan's people and how they fare on a set of draws."""

    held: dict[str, float]
    probability: float
    mean_profit: float
    p10: float
    p50: float
    p90: float
    no_plan: int
    draws: int

    @property
    def error(self) -> float:
        p = self.probability
        return float(np.sqrt(p * (1 - p) / self.draws)) if self.draws else float("nan")


@dataclass
class Chosen:
    """The single-number plan and the plan chosen for its odds, side by side."""

    objective: str
    choosing_draws: int
    choosing_seed: int
    fresh_draws: int
    fresh_seed: int
    single: Measured  # on the fresh draws
    chosen: Measured  # on the fresh draws
    single_fit: Measured  # on the choosing draws
    chosen_fit: Measured
    model_value: float = float("nan")  # the extensive model's objective
    gap: float | None = None  # how far from proven (a solve stopped by its time limit)
    status: str = ""
    times: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> dict[str, tuple[float, float]]:
        """The held columns the choice moves: name -> (single-number plan's, chosen)."""
        return {
            n: (v, self.chosen.held[n]) for n, v in self.single.held.items()
            if self.chosen.held[n] != v
        }  # fmt: skip


def measure(recourse: Recourse, held: dict[str, float], drawn: Drawn) -> Measured:
    """``held`` people over ``drawn``: every draw's recourse re-solved."""
    recourse.rehold(held)
    out = recourse.run(drawn, sample=0, validate=False)
    return _measured(held, out)


def _measured(held: dict[str, float], out: Outcomes) -> Measured:
    total = np.sum(out.profit, axis=1)
    ok = np.isfinite(total)
    p = np.percentile(total[ok], (10, 50, 90)) if ok.any() else [np.nan] * 3
    return Measured(
        dict(held), float(out.all_met.mean()), float(total[ok].mean()) if ok.any() else np.nan,
        float(p[0]), float(p[1]), float(p[2]), int((~ok).sum()), out.count,
    )  # fmt: skip


MAX_COLUMNS = 60_000
TIME_LIMIT = 60.0


def choose(
    scenario,
    plan,
    *,
    objective: str = "probability",
    draws: int = 200,
    seed: int | None = None,
    fresh: int = 10_000,
    time_limit: float = TIME_LIMIT,
) -> Chosen:
    """The plan chosen for its odds over ``draws`` choosing draws (seed ``seed``, by default
    the scenario's), measured beside ``plan`` (the single-number plan) on ``fresh`` draws
    of the next seed."""
    from optimizer.analysis.risk import extensive, held_plan
    from optimizer.solvers.session import solve_fresh

    if objective not in OBJECTIVES:
        raise ValueError(f"objective {objective!r}: expected one of {', '.join(OBJECTIVES)}")
    t0 = time.perf_counter()
    seed = scenario.uncertainty.seed if seed is None else seed
    recourse = held_plan(scenario, plan)
    draws = max(1, min(draws, MAX_COLUMNS // max(1, recourse.model.num_vars)))
    fitting = draw(scenario, draws, seed)
    recourse.run(fitting, sample=0)  # every choosing draw validated, once
    additive = recourse.prepare(fitting)
    copies = [recourse.arrays(fitting, s, additive, held=False)[0] for s in range(draws)]
    ads = recourse.columns[[n.startswith("paid_leads") for n in recourse.held]]
    shared = extensive.first_stage(copies[0], ads)
    goals = recourse.goal_rows
    big_m = extensive.shortfalls(copies, goals) if objective == "probability" else None
    model = extensive.stack(copies, shared, goals, objective, big_m)
    out = solve_fresh("highs", model, time_limit=time_limit)
    if out.x is None:
        raise ValueError(f"no people meet every limit in all {draws} choosing draws "
                         f"({out.solver_status}); fewer or narrower ranges may")  # fmt: skip
    names = recourse.model.var_names()
    x_shared = out.x[: int(shared.sum())]
    values = dict(zip([names[j] for j in np.flatnonzero(shared)], x_shared.tolist()))
    start = dict(recourse.held)
    held = {n: float(np.round(values[n])) if recourse.model_integer(n) else values[n]
            for n in start}  # fmt: skip
    single_fit = measure(recourse, start, fitting)
    chosen_fit = measure(recourse, held, fitting)
    fresh_seed = seed + 1
    fresh_draws = draw(scenario, fresh, fresh_seed)
    recourse.run(fresh_draws, sample=0)  # validated once
    single = measure(recourse, start, fresh_draws)
    chosen = measure(recourse, held, fresh_draws)
    recourse.rehold(start)
    gap = getattr(out, "mip_gap", None)
    return Chosen(
        objective, draws, seed, fresh, fresh_seed, single, chosen, single_fit, chosen_fit,
        model_value=float(out.objective) if out.objective is not None else float("nan"),
        gap=gap, status=out.status.value, times={"total": time.perf_counter() - t0},
    )  # fmt: skip
