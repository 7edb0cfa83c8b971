"""Ranges on a scenario's inputs: the ``uncertainty:`` section of a scenario file.

Any numeric input (named by its path, as ``--set`` names it) may carry a distribution
beside its single-number value, which the plan still uses::

    uncertainty:
      draws: 10000            # how many draws `risk` makes (default 1,000)
      seed: 7                 # the same seed gives the same draws
      hold: [people]          # decided before the month: people (always), ads (paid leads)
      factors:                # shared causes that move several inputs together
        market: Demand in the market
      inputs:
        sales.conversation_tiers[4].conversion_rate:
          normal: {mean: 0.10, spread: 0.01}         # mean: the input's value if left out
          factors: {market: 0.6}                     # correlation with the factor
        marketing.market_size_leads_per_month:
          triangular: {low: 5000, high: 6500}        # mode: the input's value if left out
          factors: {market: 0.8}
        marketing.organic_leads_per_month:
          uniform: {low: 200, high: 400}
        marketing.ad_budget_per_month:                # a monthly input, month by month
          normal: {mean: [40000, 42000, 45000], spread: 2000}

How the draws are made (``optimizer.analysis.risk.draws``). Inputs are tied through a
Gaussian copula with one standard normal per factor: an input's normal score is
``z = sum(loading_k * F_k) + sqrt(1 - sum(loading_k^2)) * e``, with its own ``e``, so two
inputs loading ``a`` and ``b`` on one factor have normal scores correlated ``a * b``; the
score is then turned into the input's own distribution (a normal's ``mean + spread * z``,
the others through their quantile function at ``Phi(z)``). A monthly input's months are
drawn each with its own ``e`` (a factor moves them together). A draw outside what the schema
accepts (a share above 1) is clipped to it, and counted.

The checks that need the scenario (the path names an input, the range lies within what the
schema accepts, the mean list has one value a month) are ``problems(scenario)``, called from
the scenario's cross-section checks so that each is reported at its field path.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

HOLDS = ("people", "ads")
"""What the plan fixes before the month starts and a draw cannot change: every headcount,
hire and departure (``people``, always held; a live line's service band is chosen again in
each draw, within its held agents), and the paid leads bought in each tier (``ads``: ad
commitments, optional)."""

LIMIT = 1e12
Number = Annotated[float, Field(ge=-LIMIT, le=LIMIT)]


class _Strict(BaseModel):
    # as the scenario's own sections: no unknown keys, `true` is not 1, no .inf or .nan
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Normal(_Strict):
    """Normal around ``mean`` (the input's value if left out; a list: one a month)."""

    mean: Number | list[Number] | None = None
    spread: float = Field(gt=0, le=LIMIT)  # the standard deviation, in the input's unit


class Triangular(_Strict):
    """Triangular from ``low`` to ``high``, most likely at ``mode`` (if left out, the input's
    value, or the nearer end of the range when a what-if has moved the value outside it)."""

    low: Number
    mode: Number | None = None
    high: Number

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        mode = self.low if self.mode is None else self.mode
        if not self.low < self.high or not self.low <= mode <= self.high:
            raise ValueError(
                f"low < high with the mode between them (low {self.low:g}, mode "
                f"{'the input' if self.mode is None else f'{self.mode:g}'}, high {self.high:g})"
            )
        return self


class Uniform(_Strict):
    """Every value from ``low`` to ``high`` equally likely."""

    low: Number
    high: Number

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"low < high (low {self.low:g}, high {self.high:g})")
        return self


class UncertainInput(_Strict):
    """One input's distribution (exactly one of ``normal``, ``triangular``, ``uniform``) and
    its loadings on the shared factors (each between -1 and 1, their squares adding up to
    at most 1)."""

    normal: Normal | None = None
    triangular: Triangular | None = None
    uniform: Uniform | None = None
    factors: dict[str, Annotated[float, Field(ge=-1, le=1)]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one(self) -> UncertainInput:
        given = [name for name in ("normal", "triangular", "uniform") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError(
                "exactly one distribution: normal, triangular or uniform "
                f"(given: {', '.join(given) or 'none'})"
            )
        total = sum(v * v for v in self.factors.values())
        if total > 1 + 1e-12:
            raise ValueError(
                f"factor loadings whose squares add up to at most 1 (they add up to {total:g})"
            )
        return self

    @property
    def kind(self) -> str:
        return next(n for n in ("normal", "triangular", "uniform") if getattr(self, n))

    @property
    def distribution(self) -> Normal | Triangular | Uniform:
        return getattr(self, self.kind)

    @property
    def own_share(self) -> float:
        """The weight of the input's own noise: sqrt(1 - sum of squared loadings)."""
        return math.sqrt(max(0.0, 1.0 - sum(v * v for v in self.factors.values())))


class Uncertainty(_Strict):
    """The ``uncertainty:`` section (see the module docstring)."""

    draws: int = Field(1000, ge=1, le=1_000_000)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    hold: list[Literal[HOLDS]] = Field(default_factory=lambda: ["people"])
    factors: dict[str, str] = Field(default_factory=dict)
    inputs: dict[str, UncertainInput] = Field(min_length=1)


def problems(scenario) -> list[tuple[tuple, object, str]]:
    """(field path, value, what was expected) for each uncertain input the scenario cannot
    take: an undeclared factor, an unknown or structural path, a range outside what the schema accepts, a mean list
    of the wrong length or on an input that is not monthly."""
    from optimizer.scenario.inputs import numeric_inputs
    from optimizer.scenario.names import Objective
    from optimizer.scenario.paths import bounds_of

    u = scenario.uncertainty
    if u is None:
        return []
    known = {
        path: value for path, value, _ in numeric_inputs(scenario, Objective.closest_to_current)
    }
    months = scenario.calendar.month_labels()
    found = []
    for path, spec in u.inputs.items():
        loc = ("uncertainty", "inputs", path)
        for name in spec.factors:
            if name not in u.factors:
                declared = sorted(u.factors) or "none declared under uncertainty.factors"
                found.append((loc + ("factors", name), name, f"a declared factor: {declared}"))
        expanded = monthly_paths(path, months, set(known), spec)
        if expanded is None:
            found.append((loc, path, "the path of a numeric input of this scenario, as --set "
                          "names it (for example sales.conversation_tiers[4].conversion_rate)"))  # fmt: skip
            continue
        if path.startswith("current_targets"):
            found.append((loc, path, "an input of the company, not one of today's targets"))
            continue
        d = spec.distribution
        mean = getattr(d, "mean", None)
        if isinstance(mean, list) and len(mean) != len(expanded):
            found.append((loc + ("normal", "mean"), mean,
                          f"one mean a month ({len(months)}) for a monthly input"))  # fmt: skip
            continue
        low, high = bounds_of(expanded[0])
        for name in ("low", "mode", "high"):
            value = getattr(d, name, None)
            if value is not None and not low <= value <= high:
                found.append((loc + (spec.kind, name), value, f"a value from {low:g} to {high:g}"))
        for value in mean if isinstance(mean, list) else [mean]:
            if value is not None and not low <= value <= high:
                found.append((loc + ("normal", "mean"), value, f"a value from {low:g} to {high:g}"))
    return found


def monthly_paths(
    path: str, months: list[str], known: set[str], spec: UncertainInput
) -> list[str] | None:
    """The input paths a key of ``uncertainty.inputs`` draws: itself, or a monthly input's
    months (``path[2027-01]``, ...) when the input is given month by month in the file or
    its distribution gives a mean a month; None if it names no input."""
    from optimizer.scenario.paths import field_at
    from optimizer.scenario.schema import is_monthly

    each = [f"{path}[{m}]" for m in months]
    by_month = isinstance(getattr(spec.distribution, "mean", None), list)
    if path in known and not (by_month and len(months) > 1 and is_monthly(field_at(path))):
        return [path]
    if path in known or all(p in known for p in each):
        return each
    return None
