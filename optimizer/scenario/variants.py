"""Scenario variants: small override blocks on a base scenario, kept in the same file.

    variants:
      lean_budget:
        marketing.ad_budget_per_month: 30000
        sales.teams[field].reps.max: 8
      long_days: {calendar.hours_per_day: 9}
      busy_march: {marketing.ad_budget_per_month[2027-03]: 45000}

A variant is the base with its values set at those paths (the paths of ``--set``: list
items by name or index, one month of a monthly input by its month or index), validated
like any scenario. Its result records the overrides
that produced it as ``path=value`` strings. A path the scenario format does not know is
an error that names the path; the base itself never sees the ``variants`` key.

A variant's name becomes part of a result file's name: it is a letter, then letters,
digits, ``_`` or ``-``, at most ``MAX_NAME`` characters. A variant's values may hold at
most ``MAX_ITEMS`` items once YAML aliases are expanded (an alias bomb is refused without
being expanded), and messages quote at most a short ``excerpt`` of a name or value.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

from optimizer.scenario.loading import (
    Problem,
    ScenarioError,
    read_scenario_file,
    set_path,
    split_path,
    validate,
    without_variants,
)
from optimizer.scenario.paths import resolve
from optimizer.scenario.schema import NAME_PATTERN, Scenario

KEY = "variants"
BASE = "base"
"""The name under which a file's base scenario is solved; no variant may take it."""
MAX_NAME = 64
MAX_ITEMS = 10_000
"""Items (mappings, lists and values) a variant's values may hold, aliases expanded."""
EXCERPT = 60
"""Characters of a name or value that an error message quotes."""
RECORDED = 1_000
"""Characters of a value that a result's ``overrides`` records."""


@dataclass(frozen=True)
class Variant:
    name: str
    values: tuple[tuple[str, Any], ...] = ()

    @property
    def overrides(self) -> tuple[str, ...]:
        """``path=value`` strings, the form ``--set`` takes and results record."""
        return tuple(f"{path}={excerpt(value, RECORDED)}" for path, value in self.values)


def split(data: dict, source: str) -> tuple[dict, dict[str, Variant]]:
    """The base mapping without ``variants``, and the variants it declares, by name."""
    variants, problems = declared(data)
    if problems:
        raise ScenarioError(source, problems)
    return without_variants(data), variants


def declared(data: dict) -> tuple[dict[str, Variant], list[Problem]]:
    """The well-formed variants of a raw scenario mapping, and a problem for each other one."""
    block = data.get(KEY)
    if block is None:
        return {}, []
    if not isinstance(block, dict):
        return {}, [Problem(KEY, Shown(block), "a mapping of variant name to overrides")]
    variants, problems = {}, []
    for name, values in block.items():
        if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name) or name == BASE:
            problems.append(
                Problem(
                    KEY, Shown(name), f"a variant name matching {NAME_PATTERN}, other than {BASE!r}"
                )
            )
        elif len(name) > MAX_NAME:
            problems.append(
                Problem(KEY, Shown(name), f"a variant name of at most {MAX_NAME} characters")
            )
        elif not isinstance(values, dict) or not values:
            where = f"{KEY}.{name}"
            problems.append(Problem(where, Shown(values), "a mapping of scenario path to value"))
        elif count_items(values, MAX_ITEMS) > MAX_ITEMS:
            problems.append(
                Problem(
                    f"{KEY}.{name}",
                    Shown(values),
                    f"values of at most {MAX_ITEMS} items, YAML aliases expanded",
                )
            )
        else:
            variants[name] = Variant(name, tuple((str(p), v) for p, v in values.items()))
    return variants, problems


def check_file(data: dict, source: str) -> tuple[list[str], list[ScenarioError]]:
    """Every variant of a raw scenario mapping validated: the good names and the errors."""
    variants, problems = declared(data)
    errors = [ScenarioError(source, problems)] if problems else []
    good = []
    if variants:
        base = without_variants(data)
        for name, variant in variants.items():
            try:
                validate(apply(base, variant, source), f"{source} (variant {name})")
                good.append(name)
            except ScenarioError as exc:
                errors.append(exc)
    return good, errors


class Shown:
    """A value as a message quotes it: a short excerpt, never the whole of a huge value."""

    def __init__(self, value: Any):
        self.value = value

    def __str__(self) -> str:
        return excerpt(self.value, EXCERPT)

    __repr__ = __str__


def excerpt(value: Any, limit: int = EXCERPT) -> str:
    """``value`` as JSON, cut to at most ``limit`` characters (ending in ``...`` when cut).

    The JSON is made a piece at a time and only as far as it is shown, so a value that
    YAML aliases make huge, or a deeply nested one, costs no more than ``limit``.
    """
    text, pieces = "", json.JSONEncoder(default=str, check_circular=False).iterencode(value)
    try:
        for piece in pieces:
            text += piece
            if len(text) > limit:
                return text[: max(0, limit - 3)] + "..."
    except (ValueError, RecursionError):  # a value that refers to itself
        return text[: max(0, limit - 3)] + "..."
    return text


def count_items(value: Any, limit: int) -> int:
    """How many mappings, lists and values ``value`` holds, counting stops past ``limit``."""
    count, stack = 0, [value]
    while stack and count <= limit:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack += item.keys()
            stack += item.values()
        elif isinstance(item, list | tuple):
            stack += item
    return count


def load_variant(path: str, name: str = BASE) -> tuple[Scenario, Variant]:
    """The validated scenario of one variant of a file (``base`` for the file itself)."""
    return variant_scenario(read_scenario_file(path), name, str(path))


def variant_scenario(data: dict, name: str, source: str) -> tuple[Scenario, Variant]:
    """Validate variant ``name`` of a raw scenario mapping."""
    base, variants = split(data, source)
    if name == BASE:
        return validate(base, source), Variant(BASE)
    if name not in variants:
        declared = ", ".join(sorted(variants)) or "none"
        raise ScenarioError(source, [Problem(KEY, name, f"a declared variant ({declared})")])
    where = f"{source} (variant {name})"
    return validate(apply(base, variants[name], source), where), variants[name]


def apply(base: dict, variant: Variant, source: str) -> dict:
    """A copy of ``base`` with the variant's values set; unknown paths raise ScenarioError."""
    data = copy.deepcopy(base)
    problems = []
    for path, value in variant.values:
        unknown = unknown_part(split_path(path))
        if unknown is not None:
            problems.append(
                Problem(
                    path, Shown(value), f"a path the scenario format knows ({unknown!r} is not one)"
                )
            )
            continue
        try:
            set_path(data, path, value)
        except (KeyError, IndexError, TypeError) as exc:
            reason = exc.args[0] if exc.args else type(exc).__name__
            problems.append(Problem(path, Shown(value), f"an existing scenario path ({reason})"))
    if problems:
        raise ScenarioError(f"{source} (variant {variant.name})", problems)
    return data


def unknown_part(parts: list[str]) -> str | None:
    """The leading part of a path that the Scenario schema has no field for, or None."""
    return resolve(parts).unknown
