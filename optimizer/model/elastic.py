"""Elastic limits: every limit and goal may be broken, at a price, so a plan always exists.

For a row ``lhs <= rhs`` the elastic form is ``lhs - broken <= rhs`` with ``broken >= 0``
(and ``lhs + broken >= rhs`` for ``>=`` rows). Minimising the weighted breaks, stage by
stage (capacities first, then policies, then goals), shows which limits a set of
targets breaks and by how much, in each limit's own unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.model.linear import LinearModel, RowBlock

STAGES = ("capacity", "leads", "policy", "goal")


def stage_of(block: RowBlock) -> str:
    return "goal" if block.kind == "goal" else block.nature


@dataclass
class Breaks:
    """Which variable measures how far each row is broken, and in which stage."""

    rows: np.ndarray  # row index of each break variable
    cols: np.ndarray  # the break variable
    stage: np.ndarray  # its stage name
    coef: np.ndarray | None = None  # how much of the row's unit one unit of it is (default 1)

    def __add__(self, other: Breaks) -> Breaks:
        return Breaks(
            np.concatenate([self.rows, other.rows]),
            np.concatenate([self.cols, other.cols]),
            np.concatenate([self.stage, other.stage]),
            np.concatenate([self.coefs(), other.coefs()]),
        )

    def coefs(self) -> np.ndarray:
        return np.ones(len(self.cols)) if self.coef is None else self.coef

    def amount(self, x: np.ndarray, num_rows: int) -> np.ndarray:
        """How far each row of the model is broken at ``x`` (0 where it holds)."""
        out = np.zeros(num_rows)
        np.add.at(out, self.rows, self.coefs() * x[self.cols])
        return out


def add_breaks(model: LinearModel, skip: set[str] = frozenset()) -> Breaks:
    """Give every limit and goal row (except the families in ``skip``) a break variable.

    Facts of the market (lead prices, market size) never give, so they get none.
    """
    rows, cols, stages = [], [], []
    for block in list(model.row_blocks.values()):
        if block.kind == "definition" or block.nature == "fact" or block.name in skip:
            continue
        axes = [(a.name, list(a.labels)) for a in block.axes]
        signs = {"<=": [-1.0], ">=": [1.0], "==": [-1.0, 1.0]}[block.sense]
        for k, sign in enumerate(signs):
            name = f"broken_{block.name}" + ("_down" if k else "")
            var = model.add_vars(name, axes, unit=block.unit).ravel()
            ids = np.arange(block.start, block.stop)
            model.add_row_terms(ids, var, sign)
            rows.append(ids)
            cols.append(var)
            stages.append(np.full(block.size, stage_of(block)))
    if not rows:
        return Breaks(np.zeros(0, int), np.zeros(0, int), np.zeros(0, str))
    return Breaks(np.concatenate(rows), np.concatenate(cols), np.concatenate(stages))
