"""The odds of a plan, summarised from its draws (``Recourse.run``'s ``Outcomes``).

- **Goals.** The share of draws meeting each goal, and all of them at once. Its sampling
  error is stated: ``sqrt(p (1 - p) / draws)``.
- **Spread.** P10, P50 and P90 of profit and cash each month (the fan chart), of the
  horizon's profit, and of each per-role target (from the draws kept whole).
- **What drives it** (the tornado, from the draws, every input moving at once): for each
  uncertain input, the mean profit and the odds of meeting every goal in the draws where the
  input was in its lowest tenth, and in its highest tenth; the rank correlation of the input
  with profit; and its effect from its P10 to its P90 with the others held at their mean,
  ``b_i (P90_i - P10_i)`` from the least-squares line of profit on all the inputs at once
  (``effect``), with the share of profit's variance that line gives it (``share``,
  ``(b_i sd_i)^2 / var(profit)``). Sorted by the size of the effect; ``clear`` marks the
  inputs whose slope is beyond two standard errors of none, the ones worth a sentence (an
  input that moves with a factor but has no effect of its own is not clear: the decile
  means show the factor, the slope shows the input).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimizer.analysis import targets as target_rules
from optimizer.analysis.risk.recourse import Outcomes, Recourse
from optimizer.scenario import labels

PERCENTILES = (10, 50, 90)
TAIL = 0.1
"""The tornado compares the draws in each input's lowest and highest tenth."""


@dataclass
class Risk:
    """The odds of one plan (see the module docstring). Money in the scenario's currency."""

    scenario: str
    draws: int
    seed: int
    hold: tuple[str, ...]
    held: dict[str, float]
    plan_profit: float  # the plan's profit over the horizon with the single-number inputs
    goals: pd.DataFrame  # name, label, goal, probability
    all_goals: float
    no_plan: int
    money: pd.DataFrame  # measure, period, p10, p50, p90, mean, plan
    targets: pd.DataFrame  # department, role, metric, period, unit, p10, p50, p90, plan
    tornado: pd.DataFrame  # path, label, low, high, profit_low, profit_high, odds_low, ...
    inputs: pd.DataFrame  # path, label, distribution, value, mean, p10, p90, clipped
    giving: pd.DataFrame  # the limits draws without a plan break: name, label, draws, examined
    verified: dict = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)
    plan_variables: pd.DataFrame | None = None  # the plan's variables (names, labels)
    profit_draws: np.ndarray | None = None  # each draw's profit over the plan (NaN: no plan)

    @property
    def error(self) -> float:
        """The sampling error (one standard error) of the odds of meeting every goal."""
        p = self.all_goals
        return float(np.sqrt(p * (1 - p) / self.draws))


def summarise(scenario, plan, recourse: Recourse, out: Outcomes) -> Risk:
    """The ``Risk`` of ``plan`` from its draws ``out``."""
    drawn = out.drawn
    months = out.months
    total = np.sum(out.profit, axis=1)  # NaN without a plan
    plan_q = _plan_quantities(plan, recourse)
    goals = pd.DataFrame(
        {
            "name": out.goals,
            "label": [_row_words(recourse, n) for n in out.goals],
            "goal": [float(recourse.base.row_lower[i]) for i in recourse.goal_rows],
            "probability": out.goal_met.mean(axis=0) if out.count else [],
        }
    )
    money_rows = []
    for measure, values, planned in (
        ("profit", out.profit, plan_q.get("profit")),
        ("cash", out.cash, plan_q.get("cash")),
    ):
        if values is None:
            continue
        for m, month in enumerate(months):
            money_rows.append(_spread(measure, month, values[:, m], planned[m]))
    money_rows.append(_spread("profit", "horizon", total, float(np.sum(plan_q["profit"]))))
    return Risk(
        scenario=scenario.name,
        draws=out.count,
        seed=drawn.seed,
        hold=tuple(scenario.uncertainty.hold),
        held=out.held,
        plan_profit=float(np.sum(plan_q["profit"])),
        goals=goals,
        all_goals=float(out.all_met.mean()),
        no_plan=int((~out.solved).sum()) - out.unverified,  # the held people found none
        money=pd.DataFrame(money_rows),
        targets=_targets(scenario, plan, recourse, out),
        tornado=_tornado(scenario, drawn, total, out.all_met),
        inputs=_inputs(scenario, drawn),
        giving=pd.DataFrame(
            [
                {"name": n, "label": _row_words(recourse, n), "draws": k, "examined": out.examined}
                for n, k in sorted(out.broken.items(), key=lambda item: -item[1])
            ],
            columns=["name", "label", "draws", "examined"],
        ),  # fmt: skip
        verified={
            "draws": int(out.solved.sum()),
            "worst_row_excess": out.worst,
            "failed_check": out.unverified,
            "checked_against_scenario": out.checked,
            "routes": dict(out.routes),
        },
        times=dict(out.times),
        plan_variables=plan.variables[["name", "label", "value"]],
        profit_draws=total,
    )


def _row_words(recourse: Recourse, name: str) -> str:
    family = name.split("[")[0]
    return labels.row_label(family, labels.row_axes(name, family))


def _plan_quantities(plan, recourse: Recourse) -> dict[str, np.ndarray]:
    values = dict(zip(plan.variables["name"], plan.variables["value"]))
    names = recourse.model.var_names()
    x = np.array([values.get(n, np.nan) for n in names])
    return {name: x[np.asarray(idx)] for name, idx in recourse.vars.index.items()}


def _spread(measure: str, period: str, values: np.ndarray, planned: float) -> dict:
    found = values[np.isfinite(values)]
    p = np.percentile(found, PERCENTILES) if len(found) else [np.nan] * 3
    return {
        "measure": measure,
        "period": period,
        "p10": float(p[0]),
        "p50": float(p[1]),
        "p90": float(p[2]),
        "mean": float(found.mean()) if len(found) else np.nan,
        "plan": float(planned),
    }


def _targets(scenario, plan, recourse: Recourse, out: Outcomes) -> pd.DataFrame:
    """Each per-role target's P10/P50/P90 over the draws kept whole (``out.sample``)."""
    keys = ["department", "role", "metric", "period", "unit"]
    frames = []
    for d in out.sample:
        x = out.sample_x[d]
        moved = out.sample_scenarios[d]  # validated by the run
        q = {name: x[np.asarray(idx)] for name, idx in recourse.vars.index.items()}
        frames.append(target_rules.derive(moved, q, out.months)["value"].to_numpy())
    base = plan.targets[keys + ["value"]].rename(columns={"value": "plan"}).reset_index(drop=True)
    if not frames:
        return base.assign(p10=np.nan, p50=np.nan, p90=np.nan)
    stacked = np.vstack(frames)
    p = np.percentile(stacked, PERCENTILES, axis=0)
    if stacked.shape[1] != len(base):  # the targets' rows follow the model: the same rows
        raise RuntimeError("a draw's targets have other rows than the plan's")
    return base.assign(p10=p[0], p50=p[1], p90=p[2], kept=len(frames))


def _tornado(scenario, drawn, total: np.ndarray, met: np.ndarray) -> pd.DataFrame:
    """Each input's lowest and highest tenth of draws: mean profit, odds of every goal."""
    rows = []
    ok = np.isfinite(total)
    for i, path in enumerate(drawn.paths):
        values = drawn.values[:, i]
        low_cut, high_cut = np.quantile(values, [TAIL, 1 - TAIL])
        low, high = values <= low_cut, values >= high_cut
        rows.append(
            {
                "path": path,
                "label": labels.input_label(path, scenario),
                "low": float(values[low].mean()),
                "high": float(values[high].mean()),
                "profit_low": _mean(total[low & ok]),
                "profit_high": _mean(total[high & ok]),
                "odds_low": float(met[low].mean()),
                "odds_high": float(met[high].mean()),
                "rank_correlation": _rank_correlation(values[ok], total[ok]),
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    effect, share, t = _regression(drawn.values[ok], total[ok])
    frame["effect"], frame["share"] = effect, share
    frame["clear"] = np.abs(t) > 2
    size = np.nan_to_num(np.abs(effect), nan=-1.0)
    return frame.iloc[np.argsort(-size, kind="stable")].reset_index(drop=True)


def _regression(x: np.ndarray, y: np.ndarray):
    """Each input's effect from its P10 to its P90 on the least-squares line of ``y`` on all
    inputs at once, the share of ``y``'s variance it gives that input, and its slope over
    the slope's standard error (beyond 2: an effect of its own, clear of the noise)."""
    k = x.shape[1]
    n = len(y)
    if n <= k + 2 or np.var(y) == 0:
        return np.full(k, np.nan), np.full(k, np.nan), np.zeros(k)
    spread = x.std(axis=0)
    moving = spread > 0
    b, t = np.zeros(k), np.zeros(k)
    design = np.column_stack([np.ones(n), x[:, moving]])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    s2 = float(residual @ residual) / (n - design.shape[1])
    cov = s2 * np.linalg.pinv(design.T @ design)
    se = np.sqrt(np.maximum(np.diag(cov)[1:], 0.0))
    b[moving] = coef[1:]
    t[moving] = np.where(se > 0, coef[1:] / np.where(se > 0, se, 1.0), np.inf)
    p10, p90 = np.percentile(x, [10, 90], axis=0)
    return b * (p90 - p10), (b * spread) ** 2 / np.var(y), t


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else float("nan")


def _rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation (average ranks for ties); NaN for a constant side."""
    if len(a) < 2:
        return float("nan")
    ra, rb = _ranks(a), _ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def _ranks(values: np.ndarray) -> np.ndarray:
    return pd.Series(values).rank(method="average").to_numpy()


def _inputs(scenario, drawn) -> pd.DataFrame:
    from optimizer.scenario.paths import resolve

    specs = scenario.uncertainty.inputs
    rows = []
    for i, path in enumerate(drawn.paths):
        spec = specs[drawn.keys[i]]
        values = drawn.values[:, i]
        rows.append(
            {
                "path": path,
                "label": labels.input_label(path, scenario),
                "unit": resolve(path).unit,
                "distribution": spec.kind,
                "factors": dict(spec.factors),
                "value": float(drawn.base[i]),
                "mean": float(values.mean()),
                "p10": float(np.percentile(values, 10)),
                "p90": float(np.percentile(values, 90)),
                "clipped": int(drawn.clipped[i]),
            }
        )
    return pd.DataFrame(rows)
