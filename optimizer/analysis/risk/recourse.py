"""The plan's month under drawn inputs: what is held, and the recourse re-solved.

A plan commits some decisions before the month starts. ``Recourse`` holds them at the
plan's values (``uncertainty.hold``: every headcount, hire and departure always, the paid
leads bought in each tier with ``ads``) and, for each draw of the uncertain inputs,
re-solves the rest in one model held by HiGHS (warm, from the last draw's basis): how many
conversations at which length, which leads, what is built and shipped, and which service
band the held agents give a live line (``RECHOSEN``). That is the recourse; where it has
whole-number choices left (a band), each draw is a small MILP.

The recourse maximises profit over the horizon with the goals left out, so its profit is
the most the held plan can earn in that draw. The goals are then read from that plan: when
it meets every goal, the draw meets them. When it misses one, the draw is solved again with
every goal as a limit: if some plan meets them all, the draw meets them all (a cash goal may
need a plan that earns a little less). Otherwise the draw meets the goals the best-profit
plan meets. A draw whose held people cannot keep a limit at all (more tickets than the held
agents can answer) has no plan and meets no goal.

Each draw's model is the scenario's model with the drawn inputs moved along their straight
lines (``optimizer.analysis.patterns``: ``arrays(p + t) = arrays(p) + t D``, added input by
input where the inputs move different numbers, or where moving two together is checked to
add up). A draw beyond a line's verified span, or an input with no line (the quality floor,
an Erlang table), is built from the moved scenario instead. Every draw's plan is checked
against its own model's rows and bounds here, not by the solver's word (a plan that breaks
one by more than the check's tolerance counts as no plan, and is counted), and every draw is
validated as a file would be (a draw that breaks a rule across sections, such as more
organic leads than the market holds, stops the run with the rule it breaks); ``sample``
draws are also checked against the moved scenario independently (``solve.checked``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from optimizer.analysis.patterns import Pattern, Patterns, affine, same_shape
from optimizer.analysis.result import VERIFY_TOL
from optimizer.analysis.risk.draws import Drawn
from optimizer.model.chain import build_model
from optimizer.model.linear import ModelArrays
from optimizer.scenario.inputs import with_values
from optimizer.scenario.loading import ScenarioError
from optimizer.scenario.names import Objective
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Status
from optimizer.solvers.session import open_session, solve_fresh

_FIELDS = ("c", "c_tiebreak", "lb", "ub", "rhs", "vals")
EXAMINE = 20
"""Draws without a plan whose limits are examined (``Recourse.giving``): the first ones."""
RECHOSEN = ("_staffing",)
"""Whole-number columns a draw chooses again: a live line's staffing choice (which roster
and service band each month) follows the held agents and the drawn volume; holding it would
fix the volume's band, and a busier month would have no plan instead of a slower band."""


@dataclass
class Outcomes:
    """Every draw's result under the held plan (``Recourse.run``)."""

    drawn: Drawn
    held: dict[str, float]  # the held columns by name, at the plan's values
    months: list[str]
    solved: np.ndarray  # (draws,) bool: the held people found a plan
    profit: np.ndarray  # (draws, months) NaN without a plan
    cash: np.ndarray | None  # (draws, months) the bank balance at each month's end
    goals: list[str]  # goal rows' names
    goal_met: np.ndarray  # (draws, goals) bool
    all_met: np.ndarray  # (draws,) bool
    sample: list[int]  # the draws kept whole: their plans and targets
    sample_x: dict[int, np.ndarray]
    sample_scenarios: dict  # draw -> its company, validated (for its targets)
    worst: float  # the largest violation of a model row by any draw's plan (relative)
    checked: int  # draws checked against the moved scenario independently
    broken: dict[str, int] = field(default_factory=dict)  # limits that give, in draws without
    # a plan (``EXAMINE`` of them): row name -> draws
    examined: int = 0
    unverified: int = 0  # draws whose solver answer broke a row of their model: no plan
    routes: dict[str, int] = field(default_factory=dict)  # how each draw's model was found
    times: dict[str, float] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.solved)


class Recourse:
    """A scenario's plan held, ready to re-solve its recourse for many draws."""

    def __init__(
        self,
        scenario: Scenario,
        headcounts: dict[str, float],
        *,
        hold: tuple[str, ...] = ("people",),
        plan_values: dict[str, float] | None = None,
    ):
        """``headcounts`` (every whole-number column by name) are held; with ``"ads"`` in
        ``hold`` the paid leads too, at ``plan_values`` (every column by name)."""
        self.scenario = scenario
        # each draw is one company of certain numbers: validated without its ranges
        self._certain = scenario.model_copy(update={"uncertainty": None})
        self.patterns = Patterns(self._certain, Objective.max_profit.value)
        self.model, self.vars = self.patterns.model, self.patterns.vars
        base = self.patterns.base
        names = self.model.var_names()
        where = {name: j for j, name in enumerate(names)}
        chosen = np.zeros(base.num_vars, dtype=bool)  # re-chosen each draw: not held
        for block in self.model.var_blocks.values():
            if block.name.endswith(RECHOSEN):
                chosen[block.start : block.start + block.size] = True
        columns = [j for j in np.flatnonzero(base.integer & ~chosen)]
        self.held = {names[j]: float(round(headcounts[names[j]])) for j in columns}
        if "ads" in hold:
            block = self.model.var_blocks.get("paid_leads")
            if block is not None:
                for j in range(block.start, block.start + block.size):
                    self.held[names[j]] = float(plan_values[names[j]])
        self.columns = np.array([where[n] for n in self.held], dtype=np.int64)
        self.values = np.array(list(self.held.values()))
        self.goal_rows = np.array(
            [i for b in self.model.row_blocks.values() if b.kind == "goal"
             for i in range(b.start, b.stop)], dtype=np.int64,
        )  # fmt: skip
        self.goal_names = [self.model.row_names()[i] for i in self.goal_rows]
        self.base = self._holding(base)
        self._free = open_session("highs", self._free_of(self.base))
        self._goals = open_session("highs", self.base)
        self.lines: dict[str, Pattern | None] = {}

    def rehold(self, held: dict[str, float]) -> None:
        """Hold other values (the same columns): another plan's people."""
        self.held = {name: float(held[name]) for name in self.held}
        self.values = np.array(list(self.held.values()))
        self.base = self._holding(self.patterns.base)

    def model_integer(self, name: str) -> bool:
        """Whether the model keeps the column ``name`` to whole numbers."""
        return bool(self.patterns.base.integer[self.model.var_names().index(name)])

    def column_limits(self) -> tuple[dict[str, float], dict[str, float]]:
        """The lowest and highest value the model allows each held column."""
        names = list(self.held)
        lb, ub = self.patterns.base.lb[self.columns], self.patterns.base.ub[self.columns]
        return dict(zip(names, lb.tolist())), dict(zip(names, ub.tolist()))

    # ---- the model of one draw -----------------------------------------------------------
    def _holding(self, a: ModelArrays) -> ModelArrays:
        lb, ub, integer = a.lb.copy(), a.ub.copy(), a.integer.copy()
        lb[self.columns] = ub[self.columns] = self.values
        integer[self.columns] = False
        return replace(a, lb=lb, ub=ub, integer=integer)

    def _free_of(self, a: ModelArrays) -> ModelArrays:
        """The goals left out: their rows unbounded."""
        if not len(self.goal_rows):
            return a
        lower, upper = a.row_lower.copy(), a.row_upper.copy()
        lower[self.goal_rows], upper[self.goal_rows] = -np.inf, np.inf
        return replace(a, row_lower=lower, row_upper=upper)

    def prepare(self, drawn: Drawn) -> bool:
        """Learn each drawn input's straight line; True when draws can add them up (each
        input moves other numbers, or two moved together add up where they share one)."""
        for path in drawn.paths:
            if path not in self.lines:
                self.lines[path] = self.patterns.line(path) if affine(path) else None
        lines = [self.lines[p] for p in drawn.paths]
        if any(line is None for line in lines):
            return False
        for i in range(len(lines)):
            for k in range(i + 1, len(lines)):
                if _overlap(lines[i], lines[k]) and not self._adds_up(drawn, i, k):
                    return False
        return True

    def _adds_up(self, drawn: Drawn, i: int, k: int) -> bool:
        """Moving inputs ``i`` and ``k`` together to their lines' far ends gives the sum of
        their moves (no product of the two enters the model)."""
        li, lk = self.lines[drawn.paths[i]], self.lines[drawn.paths[k]]
        step = (li.high - drawn.base[i], lk.high - drawn.base[k])
        together = self.patterns.arrays_at({drawn.paths[i]: li.high, drawn.paths[k]: lk.high})
        summed = lk.at(li.at(self.patterns.base, step[0]), step[1])
        return all(
            np.allclose(getattr(together, n), getattr(summed, n), rtol=1e-12, atol=1e-12)
            for n in _FIELDS
        )

    def arrays(
        self, drawn: Drawn, d: int, additive: bool, held: bool = True, moved: Scenario | None = None
    ) -> tuple[ModelArrays, str]:
        """Draw ``d``'s model (held, unless ``held=False``), and the route it was found by;
        ``moved``: the draw's scenario, already validated (built from it off the lines)."""
        values = drawn.values[d]
        if additive and all(
            line.low <= v <= line.high
            for line, v in ((self.lines[p], v) for p, v in zip(drawn.paths, values))
        ):
            a = self.base if held else self.patterns.base
            changed: dict[str, np.ndarray] = {}
            c0 = a.c0
            for path, v, v0 in zip(drawn.paths, values, drawn.base):
                line, t = self.lines[path], v - v0
                if t == 0.0:
                    continue
                for name, (idx, slope) in line.slopes.items():
                    if len(idx):
                        if name not in changed:
                            changed[name] = getattr(a, name).copy()
                        changed[name][idx] += t * slope
                c0 += t * line.c0
            if held and ("lb" in changed or "ub" in changed):  # the held columns stay held
                for name in ("lb", "ub"):
                    if name in changed:
                        changed[name][self.columns] = self.values
            if "rhs" in changed:
                rhs = changed["rhs"]
                changed["row_lower"] = np.where(np.isfinite(a.row_lower), rhs, -np.inf)
                changed["row_upper"] = np.where(np.isfinite(a.row_upper), rhs, np.inf)
            return replace(a, c0=c0, **changed), "line"
        changes = drawn.changes(d)
        if moved is not None:  # validated already: built once, not stored
            built = build_model(moved, Objective.max_profit.value)[0].arrays(drop_zeros=False)
            if same_shape(self.patterns.base, built):
                return (self._holding(built) if held else built), "built"
        if not self.patterns.keeps_shape(changes):
            raise ValueError(
                f"draw {d} moves the model's shape ({changes}); the held plan cannot be "
                "re-solved for it"
            )
        built = self.patterns.arrays_at(changes)
        return (self._holding(built) if held else built), "built"

    # ---- all draws ----------------------------------------------------------------------
    def run(
        self, drawn: Drawn, *, sample: int = 200, validate: bool = True, progress=None
    ) -> Outcomes:
        """Every draw re-solved; ``sample`` draws (evenly spread) kept whole and checked
        against their moved scenario independently. ``progress(done)`` after each draw.
        ``validate=False`` skips validating each draw (draws validated by an earlier run;
        no draw is then kept or checked against its scenario)."""
        t_start = time.perf_counter()
        additive = self.prepare(drawn)
        months = list(self.vars.months)
        count = drawn.count
        profit_idx = _columns(self.vars, "profit")
        cash_idx = _columns(self.vars, "cash")
        profit = np.full((count, len(profit_idx)), np.nan)
        cash = np.full((count, len(cash_idx)), np.nan) if len(cash_idx) else None
        solved = np.zeros(count, dtype=bool)
        goal_met = np.zeros((count, len(self.goal_rows)), dtype=bool)
        all_met = np.zeros(count, dtype=bool)
        keep = set(np.unique(np.linspace(0, count - 1, min(sample, count)).round().astype(int)))
        if not validate:
            keep = set()
        kept: dict[int, np.ndarray] = {}
        kept_scenarios: dict[int, Scenario] = {}
        routes: dict[str, int] = {}
        worst, checked_count = 0.0, 0
        t_check = 0.0
        refused: list[tuple[int, str]] = []
        broken: dict[str, int] = {}
        examined = unverified = 0
        for d in range(count):
            if validate:
                try:  # every draw is a scenario the schema accepts, cross-section rules too
                    moved = with_values(self._certain, drawn.changes(d), f"draw {d + 1}")
                except ScenarioError as exc:
                    refused.append((d, "; ".join(str(p) for p in exc.problems)))
                    continue
            a, route = self.arrays(drawn, d, additive, moved=moved if validate else None)
            routes[route] = routes.get(route, 0) + 1
            self._free.load(self._free_of(a))
            out = self._free.solve(duals=False, ranging=False)
            if out.x is None or out.status not in (Status.OPTIMAL, Status.FEASIBLE):
                if examined < EXAMINE and out.status == Status.INFEASIBLE:
                    examined += 1
                    for name in self.giving(self._free_of(a)):
                        broken[name] = broken.get(name, 0) + 1
                if progress:
                    progress(d + 1)
                continue
            x = out.x
            excess = _violation(self._free_of(a), x)
            if excess > VERIFY_TOL:  # the solver's word is not taken: no plan for this draw
                unverified += 1
                if progress:
                    progress(d + 1)
                continue
            worst = max(worst, excess)
            solved[d] = True
            profit[d] = x[profit_idx]
            if cash is not None:
                cash[d] = x[cash_idx]
            met = _goals_met(a, x, self.goal_rows)
            goal_met[d] = met
            if met.all():
                all_met[d] = True
            else:
                self._goals.load(a)
                again = self._goals.solve(duals=False, ranging=False)
                if again.x is not None and again.status in (Status.OPTIMAL, Status.FEASIBLE):
                    if _violation(a, again.x) <= VERIFY_TOL:
                        all_met[d] = True
                        goal_met[d] = True
            if d in keep:
                t0 = time.perf_counter()
                kept[d] = x
                kept_scenarios[d] = moved
                self._check(moved, d, a, out)
                checked_count += 1
                t_check += time.perf_counter() - t0
            if progress:
                progress(d + 1)
        if refused:
            d, why = refused[0]
            raise ValueError(
                f"{len(refused):,} of {count:,} draws are scenarios the schema refuses (the "
                f"first, draw {d + 1}: {why}); narrow the ranges, or tie the inputs with a "
                "factor so they move together"
            )
        total = time.perf_counter() - t_start
        return Outcomes(
            drawn, dict(self.held), months, solved, profit, cash, self.goal_names, goal_met,
            all_met, sorted(kept), kept, kept_scenarios, worst, checked_count, broken,
            examined, unverified, routes,
            {"total": total, "independent_check": t_check},
        )  # fmt: skip

    def giving(self, a: ModelArrays) -> list[str]:
        """The limits a draw without a plan must break, and no more than it must: each limit
        row (not a definition) gets a break column, ``row - break <= upper`` and ``row +
        break >= lower``, and the breaks are minimised, each relative to its limit's size
        (the held people stay held). The names of the rows broken."""
        names = self.model.row_names()
        limit = np.zeros(a.num_rows, dtype=bool)
        for block in self.model.row_blocks.values():
            if block.kind == "limit":
                limit[block.start : block.stop] = True
        upper = np.flatnonzero(limit & np.isfinite(a.row_upper))
        lower = np.flatnonzero(limit & np.isfinite(a.row_lower))
        rows = np.concatenate([upper, lower])
        signs = np.concatenate([-np.ones(len(upper)), np.ones(len(lower))])
        n, k = a.num_vars, len(rows)
        size = np.maximum(1.0, np.abs(np.concatenate([a.row_upper[upper], a.row_lower[lower]])))
        elastic = replace(
            a,
            c=np.concatenate([np.zeros(n), 1.0 / size]),
            c0=0.0,
            c_tiebreak=np.zeros(n + k),
            lb=np.concatenate([a.lb, np.zeros(k)]),
            ub=np.concatenate([a.ub, np.full(k, np.inf)]),
            integer=np.concatenate([a.integer, np.zeros(k, dtype=bool)]),
            rows=np.concatenate([a.rows, rows]),
            cols=np.concatenate([a.cols, n + np.arange(k)]),
            vals=np.concatenate([a.vals, signs]),
            lhs_mask=np.concatenate([a.lhs_mask, np.ones(k, dtype=bool)]),
            sense="min",
        )
        out = solve_fresh("highs", elastic)
        if out.x is None:
            return []
        breaks = out.x[n:]
        return sorted({names[r] for r, b, z in zip(rows, breaks, size) if b > VERIFY_TOL * z})

    def _check(self, scenario: Scenario, d: int, a: ModelArrays, out) -> None:
        """Draw ``d``'s plan checked against its moved scenario (``solve.checked``)."""
        from optimizer.analysis.solve import checked

        verification, _, message = checked(scenario, self.vars, self._free_of(a), out)
        goals = {b.name for b in self.model.row_blocks.values() if b.kind == "goal"}
        broken = [v for v in verification.violations if v.split("[")[0] not in goals]
        if not verification.ok and (broken or not verification.violations):
            raise RuntimeError(f"draw {d}: {message or verification.worst}")


def _columns(v, block: str) -> np.ndarray:
    """The columns of a variable block (one a month), or none."""
    idx = v.index.get(block)
    return np.array([], dtype=np.int64) if idx is None else np.asarray(idx).ravel()


def _overlap(a: Pattern, b: Pattern) -> bool:
    return any(
        len(np.intersect1d(a.slopes[n][0], b.slopes[n][0])) for n in a.slopes if n in b.slopes
    )


def _violation(a: ModelArrays, x: np.ndarray) -> float:
    """The largest relative excess of ``x`` over ``a``'s rows and bounds."""
    act = a.row_activity(x)
    scale = np.maximum(1.0, np.maximum(
        np.abs(np.nan_to_num(a.row_lower, posinf=0, neginf=0)),
        np.abs(np.nan_to_num(a.row_upper, posinf=0, neginf=0)),
    ))  # fmt: skip
    rows = np.maximum(a.row_lower - act, act - a.row_upper) / scale
    bounds = np.maximum(a.lb - x, x - a.ub) / np.maximum(1.0, np.abs(x))
    return float(max(rows.max(initial=0.0), bounds.max(initial=0.0)))


def _goals_met(a: ModelArrays, x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Whether ``x`` meets each goal row of ``a`` (to the check's tolerance)."""
    if not len(rows):
        return np.zeros(0, dtype=bool)
    act = a.row_activity(x)[rows]
    lower, upper = a.row_lower[rows], a.row_upper[rows]
    scale = np.maximum(1.0, np.maximum(np.abs(np.nan_to_num(lower, neginf=0)),
                                       np.abs(np.nan_to_num(upper, posinf=0))))  # fmt: skip
    return (lower - act <= VERIFY_TOL * scale) & (act - upper <= VERIFY_TOL * scale)
