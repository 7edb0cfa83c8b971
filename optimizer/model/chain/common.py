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

    def working(self, name: str) -> np.ndarray:
        """The people of role ``name`` who do the work: its productive people when new hires
        ramp up (``optimizer.model.chain.workforce``), else everyone employed."""
        return self.index.get(f"{name}_productive", self.index[name])


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
    staff: Headcount | list[Headcount] | None = None,
) -> np.ndarray:
    """Whole people in a role: ``min <= people[...] <= max`` each month.

    The bounds are rows, not variable bounds, so that each has a shadow price: what
    one more allowed person would be worth. A minimum of zero for every element is
    the variable's own bound, so it gets no row.

    ``staff`` (one headcount, or one per element of the role's second axis) adds the
    workforce flow of those that state an opening headcount
    (``optimizer.model.chain.workforce``): their people follow from whole hires and
    departures (with attrition, as full-time equivalents). Capacity rows take
    ``v.working(var)``.
    """
    from optimizer.model.chain import workforce

    staff = [staff] if isinstance(staff, Headcount) else list(staff or [])
    # a flowing role's people follow from its whole starts and departures: not integer
    # columns of their own, so that in the LP with whole numbers fixed a start can still
    # move and the hiring limits have prices
    whole = np.array([not h.flows for h in staff]) if staff else True
    people = model.add_vars(var, axes, integer=whole, unit="people")
    v[var] = people
    if staff:
        workforce.add_flow(
            model, v, var=var, department=department, role=role, axes=axes, staff=staff,
            people=people, path=path,
        )  # fmt: skip
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
