"""Each limit in plain words: who it is about, what it says, where it stands, and what one
natural step of it is worth. Nothing here solves anything."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from optimizer.scenario import labels
from optimizer.scenario.names import Objective


def effect(price: float, objective_name: str, objective_unit: str) -> str:
    """'add $260 to profit', 'cut cost by $1.60', ... for a change of ``price``."""
    amount = money(abs(price)) if objective_unit == "$" else f"{abs(price):.4g}"
    if objective_name == Objective.max_profit:
        return f"add {amount} to profit" if price > 0 else f"take {amount} off profit"
    if objective_name == Objective.min_cost:
        return f"raise cost by {amount}" if price > 0 else f"cut cost by {amount}"
    what = "the deviation from today's targets"
    return f"raise {what} by {amount}" if price > 0 else f"cut {what} by {amount}"


money = labels.dollars
"""'$3.47', '$12,300', '−$31,100' (``labels.dollars``)."""


def per_unit(unit: str) -> str:
    """'minutes/month' -> 'minute a month' for 'one more ...'."""
    singular = {
        "minutes": "minute",
        "leads": "lead",
        "conversations": "conversation",
        "people": "person",
        "units": "unit",
        "tickets": "ticket",
        "$": "dollar",
        "deals": "deal",
    }
    head, _, tail = unit.partition("/")
    head = singular.get(head, head)
    return f"{head} a {tail}" if tail else head


def rate_words(price: float, unit: str) -> str:
    """A price per unit a leader can read: '$3.47 a minute a month'; a price under ten cents
    per 1,000 units ('$5.33 per $1,000 a month'), never '$0.01 a dollar'."""
    if not math.isfinite(price) or abs(price) >= 0.1 or price == 0:
        return f"{money(price)} a {per_unit(unit)}"
    head, _, tail = unit.partition("/")
    per = "$1,000" if head == "$" else f"1,000 {head}"
    return f"{money(price * 1000)} per {per}" + (f" a {tail}" if tail else "")


def _who(row) -> str:
    """'Selling time, field team, Jan 2027: ' where the row has a label."""
    label = row.get("label") if hasattr(row, "get") else None
    return f"{label}: " if isinstance(label, str) and label else ""


HELD_AT_ZERO = {
    "sales-quality_floor": (
        "The plan's conversations already meet the quality floor: it chooses no conversation "
        "shorter than the floor by itself, so the floor does not limit the plan."
    ),
}


def sentence(row: pd.Series | dict, objective_name: str, objective_unit: str) -> str:
    """One plain sentence for a constraint: who it is about, what it says, where it stands,
    what one natural step of it is worth."""
    return _who(row) + _plain(row, objective_name, objective_unit)


def _plain(row, objective_name: str, objective_unit: str) -> str:
    unit = row["unit"]
    if row.get("held_at_zero"):
        return HELD_AT_ZERO.get(
            row.get("family"),
            f"{row['description']} It holds at zero and is worth nothing: not a binding limit.",
        )
    if row["kind"] == "definition":
        return f"{row['description']} It holds: {labels.amount(row['activity'], unit)}."
    if row.get("binds_in_whole_people") and not row["binding"]:
        return (
            f"{row['description']} It binds in whole people: "
            f"{labels.amount(row['activity'], unit)} against {labels.amount(row['limit'], unit)} "
            f"for the agents planned; one agent fewer would handle only "
            f"{labels.number(row['step_limit'])}."
        )
    state = "binds" if row["binding"] else "has room"
    text = (
        f"{row['description']} It {state}: {labels.bare(row['activity'], unit)} against a limit "
        f"of {labels.amount(row['limit'], unit)}."
    )
    price = row["shadow_price"]
    if not row["binding"] or price is None or math.isnan(price):
        return text
    return text + _worth(row, price, objective_name, objective_unit)


def _worth(row, price: float, objective_name: str, objective_unit: str) -> str:
    """The end of a binding limit's sentence: what raising it is worth."""
    if math.isinf(price):
        return " It cannot rise without more staff than the plan has."
    if abs(price) < 1e-9:
        return (
            " Raising this limit alone, with the plan's people held, would not change total profit."
            if (objective_name == Objective.max_profit)
            else " Raising this limit alone, with the plan's people held, would not change the "
            "objective."
        )
    unit = row["unit"]
    whole = row.get("whole_step_value")
    if whole is not None and math.isfinite(whole):
        text = f" One more {per_unit(unit)} would {effect(whole, objective_name, objective_unit)}"
        fewer = row.get("whole_fewer_value")
        if fewer is not None and math.isfinite(fewer):  # a floor: it relaxes downwards
            text += "; one fewer would " + (
                effect(fewer, objective_name, objective_unit)
                if abs(fewer) >= 0.005  # half a cent: what a leader reads as nothing
                else "change nothing"
            )
        return text + " (re-solved in whole people)."  # never a rate per fraction of a person
    rate = effect(price, objective_name, objective_unit)
    size, words = row.get("step"), row.get("step_words")
    if size is None or not isinstance(words, str) or size != size or size == 1:
        return f" One more {per_unit(unit)} would {rate}."
    room = row.get("allowable_increase")
    room = room if room is not None and room == room and room > 1e-9 else math.inf
    each = rate_words(abs(price), unit)
    if room < size:
        return (
            f" A step of {words}: the rate ({each}) holds for the first {labels.number(room)} "
            f"only, which would {effect(price * room, objective_name, objective_unit)}; past "
            "that it needs a re-solve."
        )
    return (
        f" A step of {words} would {effect(price * size, objective_name, objective_unit)} ({each})."
    )


_WORDS = ("description", "kind", "unit")
_NUMBERS = ("activity", "limit", "shadow_price")
_OPTIONAL = (
    "whole_step_value",
    "whole_fewer_value",
    "allowable_increase",
    "step_limit",
    "step",
    "step_words",
)


def sentences(frame: pd.DataFrame, objective_name: str, objective_unit: str) -> list[str]:
    """``sentence`` for every row of a constraint table, built a column at a time.

    The numbers are formatted once per row; the words are joined column-wise; only
    binding limits with a shadow price get their worth (``_worth``) row by row.
    """
    if _sentence_columns(frame):
        try:
            return _sentences(frame, objective_name, objective_unit)
        except TypeError:  # a word that is not text (a gap): formatted row by row
            pass
    return [sentence(row, objective_name, objective_unit) for _, row in frame.iterrows()]


def _sentences(frame: pd.DataFrame, objective_name: str, objective_unit: str) -> list[str]:
    n = len(frame)
    words = {c: frame[c].to_numpy(dtype=object) for c in _WORDS}
    desc, unit = words["description"], words["unit"]
    activity, limit, price = (frame[c].to_numpy() for c in _NUMBERS)
    binding = frame["binding"].to_numpy()
    stepped = np.zeros(n, dtype=bool)
    if "binds_in_whole_people" in frame:
        stepped = frame["binds_in_whole_people"].to_numpy() & ~binding
    definition = words["kind"] == "definition"
    stepped &= ~definition
    plain = ~definition & ~stepped
    units = unit.tolist()
    d, s, p = definition, stepped, plain
    act = _formatted(labels.bare, activity, units, p)  # each row's numbers, only where said
    lim = _formatted(labels.amount, limit, units, s | p)
    held = _formatted(labels.amount, activity, units, d | s)
    out = np.empty(n, dtype=object)
    out[d] = desc[d] + " It holds: " + held[d] + "."
    if s.any():
        step = [labels.number(x) for x in frame["step_limit"].to_numpy()[s].tolist()]
        out[s] = (
            desc[s]
            + " It binds in whole people: "
            + held[s]
            + " against "
            + lim[s]
            + " for the agents planned; one agent fewer would handle only "
            + np.array(step, dtype=object)
            + "."
        )
    state = np.where(binding[p], " It binds: ", " It has room: ").astype(object)
    out[p] = desc[p] + state + act[p] + " against a limit of " + lim[p] + "."
    extra = {c: frame[c].to_numpy() for c in _OPTIONAL if c in frame}
    for i in np.flatnonzero(p & binding & ~np.isnan(price)).tolist():
        row = {"unit": unit[i], **{c: values[i] for c, values in extra.items()}}
        out[i] += _worth(row, price[i], objective_name, objective_unit)
    if "held_at_zero" in frame:
        family = frame["family"].to_numpy(dtype=object)
        for i in np.flatnonzero(frame["held_at_zero"].to_numpy(dtype=bool)).tolist():
            out[i] = _plain(
                {"held_at_zero": True, "family": family[i], "description": desc[i], "unit": ""},
                objective_name,
                objective_unit,
            )
    if "label" in frame:
        out = frame["label"].to_numpy(dtype=object) + ": " + out
    return out.tolist()


def _formatted(fn, values: np.ndarray, units: list, rows: np.ndarray) -> np.ndarray:
    """``fn(value, unit)`` at the ``rows`` (a mask), as text; other positions empty."""
    out = np.full(len(values), "", dtype=object)
    at = np.flatnonzero(rows).tolist()
    picked = values.tolist()
    out[at] = [fn(picked[i], units[i]) for i in at] if at else []
    return out


def _sentence_columns(frame: pd.DataFrame) -> bool:
    """True when the frame has a constraint table's columns and number types."""
    if not all(c in frame for c in (*_WORDS, *_NUMBERS, "binding")) or not frame.columns.is_unique:
        return False
    floats = [c for c in (*_NUMBERS, *_OPTIONAL) if c in frame and c != "step_words"]
    bools = [c for c in ("binding", "binds_in_whole_people") if c in frame]
    return all(frame[c].dtype == np.float64 for c in floats) and all(
        frame[c].dtype == np.bool_ for c in bools
    )
