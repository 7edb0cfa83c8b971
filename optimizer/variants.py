"""Scenario variants: small override blocks on a base scenario, kept in the same file.

    variants:
      lean_budget:
        marketing.ad_budget_per_month: 30000
        sales.teams[field].reps.max: 8
      long_days: {calendar.hours_per_day: 9}

A variant is the base with its values set at those paths (the paths of ``--set``: list
items by name or index), validated like any scenario. Its result records the overrides
that produced it as ``path=value`` strings. A path the scenario format does not know is
an error that names the path; the base itself never sees the ``variants`` key.
"""

from __future__ import annotations

import copy
import json
import re
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from optimizer.loading import (
    Problem,
    ScenarioError,
    read_scenario_file,
    set_path,
    split_path,
    validate,
    without_variants,
)
from optimizer.schema import NAME_PATTERN, Scenario

KEY = "variants"
BASE = "base"
"""The name under which a file's base scenario is solved; no variant may take it."""


@dataclass(frozen=True)
class Variant:
    name: str
    values: tuple[tuple[str, Any], ...] = ()

    @property
    def overrides(self) -> tuple[str, ...]:
        """``path=value`` strings, the form ``--set`` takes and results record."""
        return tuple(f"{path}={json.dumps(value, default=str)}" for path, value in self.values)


def split(data: dict, source: str) -> tuple[dict, dict[str, Variant]]:
    """The base mapping without ``variants``, and the variants it declares, by name."""
    base = without_variants(data)
    block = data.get(KEY)
    if block is None:
        return base, {}
    if not isinstance(block, dict):
        raise ScenarioError(source, [Problem(KEY, block, "a mapping of variant name to overrides")])
    variants, problems = {}, []
    for name, values in block.items():
        where = f"{KEY}.{name}"
        if not isinstance(name, str) or not re.match(NAME_PATTERN, name) or name == BASE:
            problems.append(
                Problem(KEY, name, f"a variant name matching {NAME_PATTERN}, other than {BASE!r}")
            )
        elif not isinstance(values, dict) or not values:
            problems.append(Problem(where, values, "a mapping of scenario path to value"))
        else:
            variants[name] = Variant(name, tuple((str(p), v) for p, v in values.items()))
    if problems:
        raise ScenarioError(source, problems)
    return base, variants


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
                Problem(path, value, f"a path the scenario format knows ({unknown!r} is not one)")
            )
            continue
        try:
            set_path(data, path, value)
        except (KeyError, IndexError, TypeError) as exc:
            reason = exc.args[0] if exc.args else type(exc).__name__
            problems.append(Problem(path, value, f"an existing scenario path ({reason})"))
    if problems:
        raise ScenarioError(f"{source} (variant {variant.name})", problems)
    return data


def unknown_part(parts: list[str]) -> str | None:
    """The leading part of a path that the Scenario schema has no field for, or None."""
    node: Any = Scenario
    shown = ""
    for part in parts:
        kind, inner = _shape(node)
        if kind == "list":
            shown += f"[{part}]"  # a list index or an item's name
        else:
            shown += f".{part}" if shown else part
        if kind == "model" and part in inner.model_fields:
            node = inner.model_fields[part].annotation
        elif kind in ("list", "dict"):
            node = inner  # a dict's keys are free (team names, target names)
        else:
            return shown
    return None


def _shape(annotation: Any) -> tuple[str, Any]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list:
        return "list", args[0]
    if origin is dict:
        return "dict", args[1]
    if origin is typing.Annotated:
        return _shape(args[0])
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            shape = _shape(arg)
            if shape[0] != "value":
                return shape
    return "value", None
