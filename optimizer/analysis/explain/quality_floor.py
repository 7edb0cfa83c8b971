"""The quality floor: whether the minimum minutes of a quality conversation limit the plan.

``sales.min_minutes_per_quality_conversation`` (``QUALITY_FLOOR``) is moved to each
conversation tier and the plan solved again:

- lowered to the shortest tier below it, hiring free: the floor limits the plan when that
  gains money (``limits_plan``), else it holds every conversation by itself;
- raised to each longer tier, hiring free and with the plan's people held: what requiring
  it earns or costs (``raised``).

The plan's conversations are counted by tier minutes as well (``conversations_by_minutes``).
"""

from __future__ import annotations

import re

from optimizer.analysis.explain.resolves import RESOLVE_SECONDS, gain_of, ran_out, resolve_seconds
from optimizer.scenario.labels import money, signed_money
from optimizer.scenario.names import QUALITY_FLOOR

__all__ = ["QUALITY_FLOOR", "quality_floor"]


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
        result = free.resolve(
            {QUALITY_FLOOR: float(lower[0])}, time_limit=resolve_seconds(deadline)
        )
        gain = gain_of(plan, result.objective if result.solved else None)
        limits = {"floor": float(lower[0]), "value_hiring_free": gain,
                  "unfinished": ran_out(result)}  # fmt: skip
    raised = []
    for minutes in [m for m in tiers if m > floor]:
        if deadline.expired():
            break
        entry = {"floor": float(minutes)}
        for key, model in (("value_hiring_free", free), ("value_people_held", held)):
            result = model.resolve(
                {QUALITY_FLOOR: float(minutes)}, time_limit=resolve_seconds(deadline)
            )
            entry[key] = gain_of(plan, result.objective if result.solved else None)
            if ran_out(result):
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
