"""What is at a path of the scenario: the one walk of the schema that the loader, variants,
the inputs, the app's sliders and the repairs share.

A path names one value the way ``--set`` does: ``marketing.ad_budget_per_month``,
``sales.teams[field].reps.max``, ``marketing.ad_budget_per_month[2027-03]``.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from optimizer.scenario.schema import Scenario, _monthly_constraints, _unit


@dataclass(frozen=True)
class FieldSpec:
    """What the schema says about the value at one path (``resolve``).

    ``field`` is the pydantic ``FieldInfo`` that holds the value (for a list item or a
    dict entry, the list's or dict's field); ``annotation`` is the value's own type (a
    list's item type, a dict's value type, ``Annotated`` taken off); ``model`` is the
    section model at the path (``Scenario`` for the empty path), or None for a value;
    ``constraints`` are the bounds (``annotated_types`` ``Ge``, ``Gt``, ``Le``, ``Lt``) the
    value must meet, a dict entry's own included; ``unknown`` is the path up to its first
    part the schema has no field for (``None`` when the schema knows the whole path).
    """

    field: FieldInfo | None
    annotation: Any
    model: type[BaseModel] | None
    constraints: tuple = ()
    unit: str = ""
    unknown: str | None = None

    @property
    def whole(self) -> bool:
        """True when the schema types the value as a whole number (a headcount, months),
        whatever Python type a default such as ``0`` happens to have."""
        kinds = [_bare(k) for k in (typing.get_args(self.annotation) or (self.annotation,))]
        return int in kinds and float not in kinds

    @property
    def bounds(self) -> tuple[float, float]:
        """The lowest and highest value the schema accepts (infinite where it states none)."""
        from annotated_types import Ge, Gt, Le, Lt

        low, high = -float("inf"), float("inf")
        for rule in self.constraints:
            if isinstance(rule, Ge | Gt):
                low = float(rule.ge if isinstance(rule, Ge) else rule.gt)
            elif isinstance(rule, Le | Lt):
                high = float(rule.le if isinstance(rule, Le) else rule.lt)
        return low, high


def split_path(path: str) -> list[str]:
    """``a.b[c].d`` (or ``a.b.c.d``) as its parts ``['a', 'b', 'c', 'd']``."""
    return [p for p in re.split(r"[.\[\]]+", path) if p]


def resolve(path: str | Sequence[str | int]) -> FieldSpec:
    """What is at ``path`` (``--set`` form, or its parts as in a pydantic error's ``loc``):
    the one walk of the schema that ``field_at``, ``bounds_of``, ``holds_whole_number``,
    the loader's list of allowed keys, variants' unknown paths and the app's sliders share.

    A list's next part is an item (an index or a name), a dict's next part a key.
    """
    parts = split_path(path) if isinstance(path, str) else list(path)
    node: Any = Scenario
    field, constraints, unit, shown = None, (), "", ""
    for part in parts:
        kind, inner = _shape(node)
        shown += f"[{part}]" if kind == "list" else (f".{part}" if shown else str(part))
        if kind == "model" and part in inner.model_fields:
            field = inner.model_fields[part]
            node, constraints, unit = field.annotation, tuple(field.metadata), _unit(field)
            constraints += _monthly_constraints(field)
        elif kind in ("list", "dict"):
            node, constraints = inner, _annotated_constraints(inner)
        else:
            return FieldSpec(field, _bare(node), None, constraints, unit, unknown=shown)
    kind, inner = _shape(node)
    return FieldSpec(field, _bare(node), inner if kind == "model" else None, constraints, unit)


def field_at(path: str) -> Any:
    """The schema's field (pydantic ``FieldInfo``) of an input path, or None."""
    spec = resolve(path)
    return spec.field if spec.unknown is None else None


def holds_whole_number(path: str) -> bool:
    """True when the schema types the input at ``path`` as a whole number (a headcount,
    months), whatever Python type a default such as ``0`` happens to have."""
    spec = resolve(path)
    return spec.unknown is None and spec.whole


def bounds_of(path: str) -> tuple[float, float]:
    """The lowest and highest value the schema accepts at an input path (``--set`` form)."""
    return resolve(path).bounds


def unit_of(model: type[BaseModel], field: str) -> str:
    return _unit(model.model_fields[field])


def _shape(annotation: Any) -> tuple[str, Any]:
    """("model", the model), ("list", its item type), ("dict", its value type) or
    ("value", None), looking through ``Annotated`` and ``X | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list:
        return "list", args[0]
    if origin is dict:
        return "dict", args[1]
    if origin is Annotated:
        return _shape(args[0])
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            shape = _shape(arg)
            if shape[0] != "value":
                return shape
    return "value", None


def _bare(annotation: Any) -> Any:
    """``annotation`` without ``Annotated[...]``."""
    return (
        typing.get_args(annotation)[0] if typing.get_origin(annotation) is Annotated else annotation
    )


def _annotated_constraints(annotation: Any) -> tuple:
    """The bounds stated inside ``Annotated[int, Field(ge=0)]`` (a dict entry's own)."""
    if typing.get_origin(annotation) is not Annotated:
        return ()
    return tuple(m for x in typing.get_args(annotation)[1:] for m in getattr(x, "metadata", [x]))


def canonical(path: str) -> str:
    """Normalise ``a.b.0.c`` and ``a.b[0].c`` to the bracket form."""
    return re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", path)
