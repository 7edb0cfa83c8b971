"""Draws of a scenario's uncertain inputs (``optimizer.scenario.uncertainty``).

``draw(scenario, count, seed)`` gives a matrix of values, one row a draw and one column an
input path (a monthly input's months are columns of their own). The same scenario, count
and seed give the same matrix, bit for bit (numpy's PCG64 generator).

The copula. Each factor ``k`` is one standard normal ``F_k`` a draw; an input's normal
score is ``z = sum_k l_k F_k + sqrt(1 - sum_k l_k^2) e`` with its own standard normal ``e``,
so ``z`` is standard normal and two inputs' scores correlate ``sum_k l_k l'_k``. The value:

- normal: ``mean + spread * z``;
- uniform: ``low + (high - low) * Phi(z)``;
- triangular: the quantile at ``u = Phi(z)``: ``low + sqrt(u (high - low)(mode - low))``
  below ``c = (mode - low) / (high - low)``, ``high - sqrt((1 - u)(high - low)(high - mode))``
  above it.

A value outside what the schema accepts at its path is clipped to the nearest it accepts, and
counted per input (``Drawn.clipped``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimizer.scenario.inputs import numeric_inputs
from optimizer.scenario.names import Objective
from optimizer.scenario.paths import bounds_of
from optimizer.scenario.schema import Scenario
from optimizer.scenario.uncertainty import UncertainInput, monthly_paths

_erf = np.frompyfunc(math.erf, 1, 1)


def phi(z: np.ndarray) -> np.ndarray:
    """The standard normal distribution function, elementwise."""
    return 0.5 * (1.0 + _erf(np.asarray(z, float) / math.sqrt(2.0)).astype(float))


@dataclass(frozen=True)
class Drawn:
    """The draws: ``values[d, i]`` is input ``paths[i]`` in draw ``d``."""

    paths: list[str]
    keys: list[str]  # the key of uncertainty.inputs each path comes from
    base: np.ndarray  # each input's single-number value (the plan's)
    values: np.ndarray  # (draws, inputs)
    clipped: np.ndarray  # how many draws of each input were clipped to the schema's range
    seed: int

    @property
    def count(self) -> int:
        return self.values.shape[0]

    def changes(self, d: int) -> dict[str, float]:
        """Draw ``d`` as ``{path: value}``."""
        return dict(zip(self.paths, self.values[d].tolist()))


def draw(scenario: Scenario, count: int | None = None, seed: int | None = None) -> Drawn:
    """``count`` draws (the scenario's ``uncertainty.draws`` by default) with ``seed``
    (its ``uncertainty.seed`` by default) of every uncertain input."""
    u = scenario.uncertainty
    if u is None:
        raise ValueError("the scenario has no uncertainty: section (ranges on its inputs)")
    count = u.draws if count is None else int(count)
    seed = u.seed if seed is None else int(seed)
    rng = np.random.default_rng(seed)
    factor_names = list(u.factors)
    factors = rng.standard_normal((count, len(factor_names)))
    values = {
        path: value for path, value, _ in numeric_inputs(scenario, Objective.closest_to_current)
    }
    months = scenario.calendar.month_labels()
    paths, keys, base, columns = [], [], [], []
    for key, spec in u.inputs.items():
        expanded = monthly_paths(key, months, set(values), spec)
        for month, path in enumerate(expanded):
            value = values.get(path, values.get(key))  # a month of one number for every month
            score = _score(spec, factor_names, factors, rng, count)
            columns.append(_quantile(spec, score, value, month))
            paths.append(path)
            keys.append(key)
            base.append(value)
    matrix = np.column_stack(columns) if columns else np.zeros((count, 0))
    clipped = np.zeros(len(paths), dtype=int)
    for i, path in enumerate(paths):
        low, high = bounds_of(path)
        outside = (matrix[:, i] < low) | (matrix[:, i] > high)
        clipped[i] = int(outside.sum())
        matrix[:, i] = np.clip(matrix[:, i], low, high)
    return Drawn(paths, keys, np.array(base, float), matrix, clipped, seed)


def _score(spec: UncertainInput, names: list[str], factors: np.ndarray, rng, count: int):
    """The input's standard normal score in each draw (see the module docstring)."""
    score = spec.own_share * rng.standard_normal(count)
    for name, loading in spec.factors.items():
        score += loading * factors[:, names.index(name)]
    return score


def _quantile(spec: UncertainInput, z: np.ndarray, value: float, month: int) -> np.ndarray:
    """The input's values at normal scores ``z``; ``value`` is its single-number value."""
    d = spec.distribution
    if spec.kind == "normal":
        mean = d.mean[month] if isinstance(d.mean, list) else d.mean
        return (value if mean is None else mean) + d.spread * z
    u = phi(z)
    if spec.kind == "uniform":
        return d.low + (d.high - d.low) * u
    low, high = d.low, d.high
    mode = min(max(value if d.mode is None else d.mode, low), high)
    width = high - low
    c = (mode - low) / width
    below = low + np.sqrt(u * width * (mode - low))
    above = high - np.sqrt((1.0 - u) * width * (high - mode))
    return np.where(u < c, below, above)
