"""What the department modules share: the variable index arrays and headcount rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from optimizer.model.linear import LinearModel
from optimizer.scenario import families
from optimizer.scenario.schema import Headcount


@dataclass
class Vars:
    """Index arrays of the model's variables, by name; month is always the first axis."""

    months: list[str]
    index: dict[str, np.ndarray] = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.index[name]

    def __setitem__(self, name: str, value: np.ndarray) -> None:
        self.index[name] = value

    def __contains__(self, name: str) -> bool:
        return name in self.index


def add_family(
    model: LinearModel,
    key: str,
    *,
    fill: dict | None = None,
    variant: str = "",
    unit: str | None = None,
    **rows,
) -> None:
    """Add the rows of family ``key`` as ``optimizer.scenario.families`` declares it.

    The declaration gives the department, the sentence (``fill`` puts in its fields, of
    ``variant`` if given), the unit (``unit`` only where it declares none: a target's own),
    the model's kind of row and its nature; ``rows`` are the equation's terms, as
    ``LinearModel.add_rows`` takes them.
    """
    found = families.lookup(key)
    if found is None:
        raise ValueError(
            f"constraint family {key!r} is not declared in optimizer.scenario.families"
        )
    family, _ = found
    sentence, declared = family.says(variant, **(fill or {}))
    department, name = key.split("-", 1)
    model.add_rows(
        name,
        department=department,
        description=sentence,
        unit=declared or unit or "",
        kind=family.model_kind,
        nature=family.nature,
        **rows,
    )


def add_headcount(
    model: LinearModel,
    v: Vars,
    *,
    var: str,
    department: str,
    role: str,
    axes: list[tuple[str, list[str]]],
    minimum: np.ndarray | float,
    maximum: np.ndarray | float,
    path: str,
) -> np.ndarray:
    """Whole people in a role: ``min <= people[...] <= max`` each month.

    The bounds are rows, not variable bounds, so that each has a shadow price: what
    one more allowed person would be worth. A minimum of zero for every element is
    the variable's own bound, so it gets no row.
    """
    people = model.add_vars(var, axes, integer=True, unit="people")
    v[var] = people
    add_family(
        model,
        f"{department}-{var}_max",
        fill={"role": role},
        axes=axes,
        lhs=[(1.0, people)],
        sense="<=",
        rhs=maximum,
        parameter=f"{path}.max",
    )
    if not np.any(np.asarray(minimum) > 0):
        return people
    add_family(
        model,
        f"{department}-{var}_min",
        fill={"role": role},
        axes=axes,
        lhs=[(1.0, people)],
        sense=">=",
        rhs=minimum,
        parameter=f"{path}.min",
    )
    return people


def headcount_arrays(items: list[Headcount]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """min, max and monthly cost of a list of headcounts, as arrays."""
    return (
        np.array([h.min for h in items], dtype=float),
        np.array([h.max for h in items], dtype=float),
        np.array([h.cost_per_person_per_month for h in items], dtype=float),
    )
