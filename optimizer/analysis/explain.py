"""What moves the plan: the value of each input's natural step, why each headcount is what
it is, and what the quality floor costs. Every figure is money in the objective's unit.

**Steps.** Each numeric input moves by its natural step (``labels.natural_step``: one hour
a day, one person, $1,000, one percentage point...) in the direction that helps: the sign
of its marginal value with the plan's people held, or, where that is zero or unknown, the
direction ``LOWER_HELPS`` names (costs, losses, minimums and goals down; the rest up). The
step is valued twice:

- ``value_people_held``: every headcount (and staffing choice) stays at the plan's, an LP.
  Where the step provably keeps the LP's optimal basis, the rate gives it exactly (method
  ``rate``): the input moves only limits and the costs or coefficients of held columns, so
  the step is ``step x (dc.x + y.(db - dA x))``, and the moved limits pass the 100 % rule
  of ranging (sum of each move over its allowable range at most one). ``valid_range`` is
  the input's interval where that holds. Otherwise the held LP is re-solved (``re-solved``).
- ``value_hiring_free``: the whole-number model solved again with every headcount free.

``value`` is the hiring-free value where there is one, and ``ranking`` orders the subjects
by it, most valuable first. An input is a subject; the binding limits it moves (``limits``)
are priced through it (a limit's ``parameter`` is its input). People are valued per whole
person, rates and shares per percentage point.

**Headcounts.** Each role's headcount is forced one person up and one down in every month
(everything else free) and the plan solved again: the gain in the objective plus the pay
saved is the person's margin. **Quality floor.** The floor is moved to each longer
conversation tier and the plan solved again.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from optimizer.analysis.result import Plan
from optimizer.runtime.deadline import Deadline
from optimizer.scenario import labels
from optimizer.scenario.inputs import is_int_field, numeric_inputs
from optimizer.scenario.labels import money, signed_money
from optimizer.scenario.schema import Scenario, bounds_of

LOWER_HELPS = re.compile(
    r"(cost|unit_cost|hours_lost_per_day\..*|admin_minutes_per_conversation|handle_.*|"
    r"shrinkage|\.min|fixed_bills_per_month|retained_earnings_per_month|"
    r"profit_target_per_month|min_minutes_per_quality_conversation|units_per_deal|"
    r"tickets_per_customer_per_month|contacts_per_customer_per_month|peak_factor|"
    r"service_level|minutes)$"
)
"""Inputs where less helps, for the direction of a step when the marginal value is zero."""

QUALITY_FLOOR = "sales.min_minutes_per_quality_conversation"
BUDGET_SECONDS = 60.0
"""The explanation's default time budget (the command line's and the app's), within any
--time-limit; steps not valued by then say so."""
RESOLVE_SECONDS = 10.0
"""The most one re-solve may take: a step whose whole-number re-solve runs longer (a far
harder model, for example every conversation forced long) is not valued, and says so."""
TOL = 1e-6
"""Money below TOL x max(1, |objective|) is no change (solver rounding)."""


@dataclass(frozen=True)
class StepValue:
    subject: str  # the input's path
    label: str
    step: float  # signed, in the input's unit (a percentage point is 0.01)
    step_unit: str
    step_words: str  # "one hour a day more"
    value: float | None
    value_people_held: float | None
    value_hiring_free: float | None
    method: str  # of the people-held value: "rate" or "re-solved"
    valid_range: tuple[float, float] | None  # input values where the rate holds
    limits: tuple[str, ...] = ()  # the binding limits this input moves
    note: str = ""


@dataclass(frozen=True)
class HeadcountChoice:
    role: str  # "reps[field]", "marketers", ...
    label: str  # "field team reps"
    people: tuple[float, ...]  # the plan's headcount by month
    pay: float  # per person per month
    up: dict | None  # {people, change, pay, margin} for one more in every month
    down: dict | None
    sentences: tuple[str, ...]


@dataclass
class Explanation:
    steps: list[StepValue] = field(default_factory=list)
    ranking: list[str] = field(default_factory=list)
    headcounts: list[HeadcountChoice] = field(default_factory=list)
    quality_floor: dict | None = None
    unpriced: list[dict] = field(default_factory=list)  # binding limits worth nothing
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def step(self, subject: str) -> StepValue:
        return next(s for s in self.steps if s.subject == subject)

    def to_json(self) -> dict:
        def clean(v):
            if isinstance(v, float):
                return v if math.isfinite(v) else None
            if isinstance(v, (list, tuple)):
                return [clean(i) for i in v]
            if isinstance(v, dict):
                return {k: clean(i) for k, i in v.items()}
            return v

        return clean({
            "steps": [asdict(s) for s in self.steps],
            "ranking": list(self.ranking),
            "headcounts": [asdict(h) for h in self.headcounts],
            "quality_floor": self.quality_floor,
            "unpriced_limits": self.unpriced,
            "notes": list(self.notes),
            "seconds": self.seconds,
        })  # fmt: skip

    def lines(self, top: int = 5) -> list[str]:
        """The leader's short version: top steps, headcount sentences, the quality floor."""
        out = []
        by_subject = {s.subject: s for s in self.steps}
        shown = 0
        for subject in self.ranking:
            s = by_subject[subject]
            if shown >= top or s.value is None or abs(s.value) < 0.5:
                break
            held = (
                f" ({signed_money(s.value_people_held)} with today's people)"
                if s.value_people_held is not None
                and s.value_hiring_free is not None
                and round(s.value_people_held) != round(s.value_hiring_free)
                else ""
            )
            out.append(f"{s.label}, {s.step_words}: {signed_money(s.value)}{held}")
            shown += 1
        for h in self.headcounts:
            out.extend(h.sentences)
        if self.quality_floor:
            out.append(self.quality_floor["sentence"])
        out.extend(u["sentence"] for u in self.unpriced)
        out.extend(self.notes)
        return out


# ---- steps ----------------------------------------------------------------------------------


def _direction_sign(path: str, plan: Plan) -> float:
    marginal = np.nan
    if not plan.parameters.empty:
        rows = plan.parameters[plan.parameters["path"] == path]
        if len(rows):
            marginal = float(rows["marginal_value"].iloc[0])
    helps = 1.0 if plan.objective_sense == "max" else -1.0
    if np.isfinite(marginal) and abs(marginal) > 1e-9:
        return 1.0 if helps * marginal > 0 else -1.0
    return -1.0 if LOWER_HELPS.search(path) else 1.0


def _limit(deadline: Deadline) -> float:
    """Seconds one re-solve may take: ``RESOLVE_SECONDS``, or less when the budget ends first."""
    return deadline.capped(RESOLVE_SECONDS)


def _unfinished(result) -> bool:
    return result.status.value == "time_limit"


def _gain(plan: Plan, objective: float | None) -> float | None:
    """The objective's change from the plan's, as money gained (its sense folded in)."""
    if objective is None or plan.objective is None:
        return None
    change = objective - plan.objective
    change = change if plan.objective_sense == "max" else -change
    return 0.0 if abs(change) <= TOL * max(1.0, abs(plan.objective)) else change


def _rate(held, plan: Plan, path: str, value: float, step: float):
    """(value of the step, valid range) by the rate, or None where the rate is not proven."""
    line = held.direction(path)
    c = plan.constraints
    if line is None or len(c) != held.base.num_rows or held.base_result.x is None:
        return None
    fixed = held.base.integer
    x = held.base_result.x
    idx_c, slope_c = line.slopes["c"]
    for name in ("c", "lb", "ub"):
        if np.any(~fixed[line.slopes[name][0]]):
            return None  # moves a free column's cost or bound: the basis may change
    idx_v, slope_v = line.slopes["vals"]
    if np.any(~fixed[held.base.cols[idx_v]]):
        return None  # moves a coefficient of a free column
    shift = np.zeros(held.base.num_rows)
    idx_r, slope_r = line.slopes["rhs"]
    np.add.at(shift, idx_r, slope_r)
    np.add.at(shift, held.base.rows[idx_v], -slope_v * x[held.base.cols[idx_v]])
    y = c["shadow_price"].to_numpy(dtype=float)
    moved = np.flatnonzero(np.abs(shift) > 1e-12)
    if np.any(~np.isfinite(y[moved])):
        return None
    per_unit = float(slope_c @ x[idx_c] + line.c0 + y[moved] @ shift[moved])
    up = c["allowable_increase"].to_numpy(dtype=float)
    down = c["allowable_decrease"].to_numpy(dtype=float)
    reach = {}
    for sign in (1.0, -1.0):  # the 100 % rule, per unit of the input moved this way
        rows_up = sign * shift[moved] > 0
        room = np.where(rows_up, up[moved], down[moved])
        if np.any(np.isnan(room)):
            return None
        used = np.sum(np.abs(shift[moved]) / np.where(room > 0, room, 1e-300))
        reach[sign] = np.inf if used == 0 else 1.0 / used
    low = max(value - reach[-1.0], line.low)
    high = min(value + reach[1.0], line.high)
    low, high = (0.0 if abs(end) <= 1e-9 * max(1.0, abs(value)) else end for end in (low, high))
    if not (low - 1e-9 <= value + step <= high + 1e-9):
        return None
    return per_unit * step, (low, high)


def _binding_moved(held, plan: Plan, path: str) -> tuple[str, ...]:
    c = plan.constraints
    by_parameter = c["binding"].astype(bool) & (c["parameter"] == path)
    names = set(c.loc[by_parameter, "name"])
    line = held.direction(path) if held is not None else None
    if line is not None and len(c) == held.base.num_rows:
        rows = np.concatenate([line.slopes["rhs"][0], held.base.rows[line.slopes["vals"][0]]])
        mask = np.zeros(len(c), dtype=bool)
        mask[rows] = True
        mask &= c["binding"].to_numpy(dtype=bool) & (c["kind"] != "definition").to_numpy()
        names |= set(c.loc[mask, "name"])
    return tuple(sorted(names))


def _step_words(step_info, step: float) -> str:
    more = "more" if step > 0 else "less"
    return f"{step_info.words} {more}"


def step_values(scenario, plan, objective, free, held, deadline, rates_only=False, notes=None):
    steps = []
    skipped = 0
    for path, value, unit in numeric_inputs(scenario, objective):
        info = labels.natural_step(path)
        sign = _direction_sign(path, plan)
        step = sign * info.size
        if is_int_field(scenario, path):
            step = sign * max(1.0, round(info.size))
        label = labels.input_label(path, scenario)
        limits = _binding_moved(held, plan, path) if held is not None else ()
        common = dict(subject=path, label=label, step=step, step_unit=unit,
                      step_words=_step_words(info, step), limits=limits)  # fmt: skip
        rate = _rate(held, plan, path, value, step) if held is not None else None
        if rate is None and rates_only:
            steps.append(StepValue(**common, value=None, value_people_held=None,
                                   value_hiring_free=None, method="none", valid_range=None,
                                   note="not valued: above the size limit only rates are given"))  # fmt: skip
            continue
        if deadline.expired():
            skipped += 1
            steps.append(StepValue(**common, value=None, value_people_held=None,
                                   value_hiring_free=None, method="none", valid_range=None,
                                   note="not valued: the time limit ran out"))  # fmt: skip
            continue
        note = ""
        try:
            if rate is not None:
                people_held, valid, method = rate[0], rate[1], "rate"
            else:
                people_held = _gain(
                    plan, held.resolve({path: value + step}, time_limit=_limit(deadline)).objective
                )
                valid, method = None, "re-solved"
            hiring_free = None
            if not rates_only and free is not None:
                result = free.resolve({path: value + step}, time_limit=_limit(deadline))
                hiring_free = _gain(plan, result.objective if result.solved else None)
                if _unfinished(result):
                    note = "not valued with hiring free: the re-solve ran out of time"
                elif hiring_free is None:
                    note = "no plan with hiring free: " + (result.message or result.status.value)
            if people_held is None and not note:
                note = "no plan with the plan's people held"
        except Exception:  # noqa: BLE001 - a step the schema refuses is no value
            people_held = hiring_free = valid = None
            method = "none"
            low, high = bounds_of(path)
            edge = "lowest" if value + step < low else "highest" if value + step > high else ""
            note = (
                f"not valued: already at its {edge} ({labels.number(value)})"
                if edge
                else f"not valued: {labels.number(value + step)} is not accepted there"
            )
        best = hiring_free if hiring_free is not None else people_held
        steps.append(StepValue(**common, value=best, value_people_held=people_held,
                               value_hiring_free=hiring_free, method=method, valid_range=valid,
                               note=note))  # fmt: skip
    if skipped and notes is not None:
        notes.append(f"{skipped} of {len(steps)} steps not valued: the time limit ran out")
    return steps


def ranking(steps: list[StepValue]) -> list[str]:
    """Subjects by the money value of their step (hiring free where valued), largest first."""
    valued = [s for s in steps if s.value is not None]
    order = sorted(valued, key=lambda s: (-s.value, s.subject))
    return [s.subject for s in order] + [s.subject for s in steps if s.value is None]


# ---- headcounts -----------------------------------------------------------------------------


def roles(scenario: Scenario, model) -> list[tuple[str, str, str, float, list[str]]]:
    """(role, label, the word for one person, pay a month, variable names) of each headcount."""
    names = model.var_names()
    found = []

    def columns(prefix: str, suffix: str = "]") -> list[str]:
        return [n for n in names if n.startswith(prefix) and n.endswith(suffix)]

    for team in scenario.sales.teams:
        cols = [n for n in columns("reps[") if n.endswith(f",{team.name}]")]
        found.append((f"reps[{team.name}]", f"{team.name} team", "rep",
                      team.reps.cost_per_person_per_month, cols))  # fmt: skip
    m = scenario.marketing.marketers
    found.append(("marketers", "marketing", "marketer", m.cost_per_person_per_month,
                  columns("marketers[")))  # fmt: skip
    if scenario.delivery is not None:
        w = scenario.delivery.workers
        found.append(("workers", "delivery", "delivery worker", w.cost_per_person_per_month,
                      columns("workers[")))  # fmt: skip
    if scenario.support is not None:
        a = scenario.support.agents
        found.append(("agents", "support", "support agent", a.cost_per_person_per_month,
                      columns("agents[")))  # fmt: skip
        for line in scenario.support.live_channels or []:
            found.append((f"{line.name}_agents", line.name, f"{line.name} agent",
                          line.agents.cost_per_person_per_month,
                          columns(f"{line.name}_agents[")))  # fmt: skip
    return [r for r in found if r[4]]


ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth",
           7: "seventh", 8: "eighth", 9: "ninth", 10: "tenth", 11: "eleventh", 12: "twelfth"}  # fmt: skip


def _nth(n: float) -> str:
    n = int(round(n))
    return ORDINAL.get(n, f"{n}th")


def headcount_choices(scenario, plan, free, deadline, notes=None) -> list[HeadcountChoice]:
    values = dict(zip(plan.variables["name"], plan.variables["value"]))
    months = max(1, scenario.calendar.horizon_months)
    money_objective = plan.objective_unit == "$"
    out = []
    for role, where, person, pay, cols in roles(scenario, free.model):
        people = tuple(float(round(values[n])) for n in cols)
        ways = {}
        for delta in (1, -1):
            if deadline.expired():
                if notes is not None:
                    notes.append(f"headcount of {where} {person}s not explained: out of time")
                break
            moved = {n: round(values[n]) + delta for n in cols}
            if any(v < 0 for v in moved.values()):
                continue
            result = free.forced(moved, time_limit=_limit(deadline))
            change = _gain(plan, result.objective if result.solved else None)
            if change is None:
                ways[delta] = None
                continue
            pay_change = delta * pay * len(cols)
            ways[delta] = {
                "people": [v + delta for v in people], "change": change, "pay": pay_change,
                "margin": change + pay_change if money_objective else None,
            }  # fmt: skip
        out.append(HeadcountChoice(role, where, people, pay, ways.get(1), ways.get(-1),
                                   _sentences(person, where, people, ways, months,
                                              money_objective)))  # fmt: skip
    return out


def _sentences(person, where, people, ways, months, money_objective) -> tuple[str, ...]:
    same = len(set(people)) == 1
    who = f"{person} ({where})" if where not in ("marketing", "delivery", "support") else person
    texts = []
    for delta in (1, -1):
        if delta not in ways:
            continue
        w = ways[delta]
        if same:
            n = people[0] + 1 if delta > 0 else people[0]
            article = "An" if _nth(n)[0] in "ae" else "A"
            head = (f"{article} {_nth(n)} {who}" if delta > 0
                    else f"Without the {_nth(n)} {who}")  # fmt: skip
        else:
            head = f"One {who} {'more' if delta > 0 else 'fewer'} every month"
        if w is None:
            texts.append(f"{head}: no plan meets every limit.")
            continue
        if not money_objective:
            texts.append(f"{head}: the objective changes by {w['change']:+.4g}.")
            continue
        period = "" if months == 1 else f" over {months} months"
        if delta > 0:
            texts.append(f"{head}: {signed_money(w['margin'])} of margin {_minus()} "
                         f"{money(abs(w['pay']))} of pay = {signed_money(w['change'])}{period}.")  # fmt: skip
        else:
            texts.append(f"{head}: {signed_money(w['margin'])} of margin + "
                         f"{money(abs(w['pay']))} of pay saved = {signed_money(w['change'])}"
                         f"{period}.")  # fmt: skip
    return tuple(texts)


def _minus() -> str:
    return labels.MINUS


# ---- the quality floor ----------------------------------------------------------------------


def quality_floor(scenario, plan, free, held, deadline) -> dict | None:
    floor = scenario.sales.min_minutes_per_quality_conversation
    tiers = sorted(t.minutes for t in scenario.sales.conversation_tiers)
    values = dict(zip(plan.variables["name"], plan.variables["value"]))
    held_by_tier: dict[float, float] = {}
    for name, v in values.items():
        found = re.fullmatch(r"conversations\[.*,(\d+(?:\.\d+)?)min\]", name)
        if found:
            held_by_tier[float(found.group(1))] = held_by_tier.get(float(found.group(1)), 0) + v
    total = sum(held_by_tier.values())
    used = [m for m, v in sorted(held_by_tier.items()) if v > 1e-6]
    shortest = min(used) if used else None
    lower = [m for m in tiers if m < floor]
    limits = None
    if lower and not deadline.expired():  # would the plan gain from a lower floor?
        result = free.resolve({QUALITY_FLOOR: float(lower[0])}, time_limit=_limit(deadline))
        gain = _gain(plan, result.objective if result.solved else None)
        limits = {"floor": float(lower[0]), "value_hiring_free": gain,
                  "unfinished": _unfinished(result)}  # fmt: skip
    raised = []
    for minutes in [m for m in tiers if m > floor]:
        if deadline.expired():
            break
        entry = {"floor": float(minutes)}
        for key, model in (("value_hiring_free", free), ("value_people_held", held)):
            result = model.resolve({QUALITY_FLOOR: float(minutes)}, time_limit=_limit(deadline))
            entry[key] = _gain(plan, result.objective if result.solved else None)
            if _unfinished(result):
                entry.setdefault("unfinished", []).append(key)
        raised.append(entry)
    binds = bool(limits and limits["value_hiring_free"] and limits["value_hiring_free"] > 0)
    months = max(1, scenario.calendar.horizon_months)
    period = "a month" if months == 1 else f"over {months} months"
    words = [f"The quality floor ({floor:g} minutes)"]
    if binds:
        words.append(f"limits the plan: {lower[0]:g}-minute conversations would add "
                     f"{signed_money(limits['value_hiring_free'])} {period}.")  # fmt: skip
    else:
        at = f" at {shortest:g} minutes or longer" if shortest is not None else ""
        words.append(f"does not limit the plan: it holds every conversation{at} by itself.")
    for entry in raised:
        v = entry["value_hiring_free"]
        text = (f"could not be re-solved within {RESOLVE_SECONDS:g} s"
                if v is None and "value_hiring_free" in entry.get("unfinished", ())
                else "leaves no plan") if v is None else (
            "changes nothing" if v == 0 else f"{'earns' if v > 0 else 'costs'} "
            f"{money(abs(v), cents=abs(v) < 100)} {period}")  # fmt: skip
        words.append(f"Requiring {entry['floor']:g} minutes {text}.")
    return {
        "floor": float(floor), "limits_plan": binds, "lower": limits, "raised": raised,
        "conversations_by_minutes": {f"{m:g}": v for m, v in sorted(held_by_tier.items())},
        "conversations": total, "sentence": " ".join(words),
    }  # fmt: skip


# ---- binding limits worth nothing -----------------------------------------------------------

MOVES_SHOWN = 3
"""Targets named in a 'what moves' sentence; the rest are counted."""


def unpriced_limits(scenario, plan, free, deadline) -> list[dict]:
    """Binding limits with a shadow price of zero, by the input that sets them (an input
    with a priced binding row is priced there, not here): raising the input one natural
    step, re-solved with hiring free, confirms whether the objective changes. Where the plan itself would move, say what moves: the targets that change,
    largest change first; else say that nothing moves.

    Returns ``{parameter, label, limits, step, step_words, value, moves, sentence}`` each.
    """
    b = plan.binding()
    if b.empty:
        return []
    b = b[(b["row_kind"] != "identity") & (b["parameter"].fillna("").astype(str) != "")]
    priced = set(b.loc[~(b["shadow_price"].abs() < 1e-9), "parameter"])
    zero = b[(b["shadow_price"].abs() < 1e-9) & ~b["parameter"].isin(priced)]
    values = {p: v for p, v, _ in numeric_inputs(scenario, plan.objective_name)}
    horizon = sorted(set(plan.targets["period"]) - {"horizon"}) if not plan.targets.empty else []
    months = max(1, scenario.calendar.horizon_months)
    period = "a month" if months == 1 else f"over {months} months"
    whole = "total profit" if plan.objective_name == "max_profit" else "the objective"
    out = []
    for parameter, rows in zero.groupby("parameter", sort=False):
        if parameter not in values or deadline.expired():
            continue
        info = labels.natural_step(parameter)
        step = info.size if not is_int_field(scenario, parameter) else max(1.0, round(info.size))
        try:
            result = free.resolve(
                {parameter: values[parameter] + step}, time_limit=_limit(deadline)
            )
        except Exception:  # noqa: BLE001 - a step the schema refuses: nothing to say
            continue
        gain = _gain(plan, result.objective if result.solved else None)
        family = labels.family_label(str(rows["family"].iloc[0]))
        when = labels.months_phrase(list(rows["period"].astype(str)), horizon)
        label = f"{family}, {when}" if len(rows) > 1 else str(rows["label"].iloc[0])
        words = f"{info.words} more"
        moves = _moves(plan, result) if gain == 0 else []
        if gain is None:
            tail = "would leave no plan."
        elif gain != 0:  # the rate was zero with people held; a whole step hiring free is not
            tail = (f"would change {whole} by {signed_money(gain)} {period} once hiring is "
                    "free (re-solved), though with the plan's people held it is worth nothing.")  # fmt: skip
        elif moves:
            shown = "; ".join(m["words"] for m in moves[:MOVES_SHOWN])
            more = len(moves) - MOVES_SHOWN
            tail = (f"would not change {whole}, but the plan would move: {shown}"
                    + (f"; and {more} more targets." if more > 0 else "."))  # fmt: skip
        else:
            tail = f"would not change {whole}, and nothing in the plan would move."
        sentence = (f"{label} binds at a price of zero: raising it "
                    f"({labels.input_label(parameter, scenario).lower()}, {words}) {tail}")  # fmt: skip
        out.append({
            "parameter": parameter, "label": label, "limits": list(rows["name"]),
            "step": step, "step_words": words, "value": gain, "moves": moves,
            "sentence": sentence,
        })  # fmt: skip
    return out


def _moves(plan: Plan, result) -> list[dict]:
    """Targets that differ between the plan and a re-solved plan, largest relative change first."""
    if result.x is None or result._parts is None:
        return []
    moved = result.plan(marginals=False, whole_steps=False).targets
    keys = ["department", "role", "metric", "period"]
    both = plan.targets.merge(moved, on=keys, suffixes=("", "_moved"))
    change = (both["value_moved"] - both["value"]).abs().to_numpy()
    scale = np.maximum(1.0, both["value"].abs().to_numpy())
    both = both.assign(relative=change / scale)[change > 1e-6 * scale]
    both = both.sort_values("relative", ascending=False, kind="stable")
    out = []
    for _, r in both.iterrows():
        who = "" if r["role"] in (r["department"], "company") else f", {r['role']}"
        when = "" if r["period"] == "horizon" else f", {labels.month_label(r['period'])}"
        words = (f"{labels.metric_label(r['metric'])}{who}{when} "
                 f"{labels.figure(r['value'], r['unit'])} {labels.ARROW} "
                 f"{labels.figure(r['value_moved'], r['unit'])}")  # fmt: skip
        out.append({"metric": r["metric"], "role": r["role"], "period": r["period"],
                    "before": float(r["value"]), "after": float(r["value_moved"]),
                    "words": words})  # fmt: skip
    return out


# ---- the whole explanation ------------------------------------------------------------------


def explain(
    scenario: Scenario, plan: Plan, objective: str | None = None, deadline=None
) -> Explanation:
    """The explanation of a solved plan (an empty one, with a note, for no plan)."""
    from optimizer.analysis.solve import DETAIL_LIMIT
    from optimizer.analysis.whatif import WhatIf

    t0 = time.perf_counter()
    objective = objective or plan.objective_name
    deadline = Deadline.of(deadline)
    result = Explanation()
    if not plan.solved:
        result.notes.append("no explanation: there is no checked plan")
        return result
    large = len(plan.variables) > DETAIL_LIMIT
    headcounts = {
        n: v for n, v in zip(plan.variables["name"], plan.variables["value"])
    }  # the held model takes the integer columns it needs
    held = WhatIf(scenario, objective, hold_headcounts=True, headcounts=headcounts)
    free = None if large else WhatIf(scenario, objective)
    if large:
        result.notes.append(
            f"only rates: the model has {len(plan.variables):,} variables (more than "
            f"{DETAIL_LIMIT:,}); steps outside their rate's range and headcounts not re-solved"
        )
    result.steps = step_values(scenario, plan, objective, free, held, deadline,
                               rates_only=large, notes=result.notes)  # fmt: skip
    result.ranking = ranking(result.steps)
    if free is not None:
        result.headcounts = headcount_choices(scenario, plan, free, deadline, result.notes)
        if not deadline.expired():
            result.quality_floor = quality_floor(scenario, plan, free, held, deadline)
        else:
            result.notes.append("quality floor not re-solved: the time limit ran out")
        result.unpriced = unpriced_limits(scenario, plan, free, deadline)
    result.seconds = time.perf_counter() - t0
    return result
