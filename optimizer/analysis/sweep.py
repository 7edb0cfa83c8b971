"""Sensitivity sweeps: many what-ifs of one scenario, re-solved warm, over worker processes.

Each worker process holds one ``WhatIf`` (the scenario's model in HiGHS) and re-solves
its share of the what-ifs in it; a what-if the schema refuses, or that fails, is a row
with its reason, never the end of the sweep. ``grid`` makes the usual study: every
chosen input moved over a range of factors of its value, one input at a time.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np
import pandas as pd

from optimizer.scenario.inputs import is_int_field
from optimizer.scenario.loading import ScenarioError
from optimizer.scenario.schema import Scenario

COLUMNS = [
    "whatif",
    "path",
    "value",
    "base_value",
    "status",
    "objective",
    "objective_change",
    "verified",
    "binding",
    "route",
    "seconds",
    "message",
]

CHUNKS_PER_WORKER = 8
"""Work is handed out in chunks so a slow chunk does not leave the other worker idle."""


def grid(
    scenario: Scenario,
    paths: Iterable[str] | None = None,
    *,
    low: float = 0.5,
    high: float = 1.5,
    points: int = 11,
    objective: str | None = None,
) -> list[dict[str, float]]:
    """One-input what-ifs: each path at ``points`` factors from ``low`` to ``high`` of its value.

    Whole-number inputs are rounded and repeated values dropped; an input at zero moves
    over ``low..high`` itself (a share at 0 goes to 0.5 ... 1.5, which the schema may
    refuse: that row then says why).
    """
    from optimizer.scenario.inputs import numeric_inputs

    values = {p: v for p, v, _ in numeric_inputs(scenario, objective or scenario.objective)}
    chosen = list(paths) if paths is not None else list(values)
    unknown = [p for p in chosen if p not in values]
    if unknown:
        raise KeyError(f"not a numeric input of the scenario: {', '.join(unknown)}")
    out = []
    for path in chosen:
        base = values[path]
        factors = np.linspace(low, high, points)
        moved = factors * base if base != 0 else factors
        if is_int_field(scenario, path):
            moved = np.unique(np.round(moved))
        out.extend({path: float(v)} for v in moved)
    return out


def sweep(
    scenario: Scenario,
    changes: list[Mapping[str, float]],
    *,
    objective: str | None = None,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    hold_headcounts: bool = False,
) -> pd.DataFrame:
    """Re-solve every what-if in ``changes``; one row each, in order (see ``COLUMNS``).

    ``progress(n)`` is called as each chunk of ``n`` what-ifs finishes. ``hold_headcounts``
    keeps the base plan's people in every what-if (``WhatIf``'s short-term question).
    """
    items = list(enumerate(dict(c) for c in changes))
    if jobs <= 1 or len(items) < 2:
        session = _Session(scenario, objective, hold_headcounts)
        rows = []
        for chunk in _chunks(items, max(1, math.ceil(len(items) / CHUNKS_PER_WORKER))):
            rows.extend(session.run(chunk))
            if progress:
                progress(len(chunk))
        return _table(rows)
    size = max(1, math.ceil(len(items) / (jobs * CHUNKS_PER_WORKER)))
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    rows = []
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_start,
        initargs=(scenario, objective, hold_headcounts),
    ) as pool:
        futures = [pool.submit(_run, chunk) for chunk in _chunks(items, size)]
        for future in as_completed(futures):
            done = future.result()
            rows.extend(done)
            if progress:
                progress(len(done))
    return _table(rows)


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _table(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values("whatif", kind="stable").reset_index(drop=True)


class _Session:
    """One process's held model."""

    def __init__(self, scenario: Scenario, objective: str | None, hold_headcounts: bool):
        from optimizer.analysis.whatif import WhatIf

        self.whatif = WhatIf(scenario, objective, hold_headcounts=hold_headcounts)
        self.base = self.whatif.base_result.objective

    def run(self, chunk: list[tuple[int, dict]]) -> list[dict]:
        return [self.one(i, changes) for i, changes in chunk]

    def one(self, i: int, changes: dict[str, float]) -> dict:
        path = ", ".join(changes)
        value = next(iter(changes.values())) if len(changes) == 1 else math.nan
        base_value = self.whatif.values.get(path, math.nan) if len(changes) == 1 else math.nan
        row = {"whatif": i, "path": path, "value": value, "base_value": base_value}
        t0 = time.perf_counter()
        try:
            result = self.whatif.resolve(changes)
        except ScenarioError as exc:
            problems = "; ".join(str(p) for p in exc.problems)
            return {
                **row,
                "status": "bad_input",
                "verified": False,
                "message": problems,
                "seconds": time.perf_counter() - t0,
            }
        except Exception as exc:  # one what-if never stops the sweep
            return {
                **row,
                "status": "error",
                "verified": False,
                "message": repr(exc),
                "seconds": time.perf_counter() - t0,
            }
        objective = result.objective
        change = objective - self.base if objective is not None and self.base is not None else None
        return {
            **row,
            "status": result.status.value,
            "objective": objective,
            "objective_change": change,
            "verified": result.verified.ok,
            "binding": "; ".join(result.binding()),
            "route": result.route,
            "seconds": time.perf_counter() - t0,
            "message": result.message,
        }


_session: _Session | None = None


def _start(scenario: Scenario, objective: str | None, hold_headcounts: bool) -> None:
    global _session
    _session = _Session(scenario, objective, hold_headcounts)


def _run(chunk: list[tuple[int, dict]]) -> list[dict]:
    return _session.run(chunk)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per input: its value, the objective at the lowest and highest value, and the swing.

    Sorted by swing, largest first (a tornado chart's order). ``no_plan`` counts the
    values with no verified plan (refused by the schema, infeasible).
    """
    rows = []
    for path, group in table.groupby("path", sort=False):
        ok = group[group["verified"].astype(bool)]
        ok = ok.sort_values("value")
        objective = ok["objective"].astype(float)
        rows.append(
            {
                "path": path,
                "base_value": group["base_value"].iloc[0],
                "lowest_value": ok["value"].iloc[0] if len(ok) else math.nan,
                "objective_at_lowest": objective.iloc[0] if len(ok) else math.nan,
                "highest_value": ok["value"].iloc[-1] if len(ok) else math.nan,
                "objective_at_highest": objective.iloc[-1] if len(ok) else math.nan,
                "swing": objective.max() - objective.min() if len(ok) else math.nan,
                "no_plan": int(len(group) - len(ok)),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values("swing", ascending=False, na_position="last").reset_index(drop=True)


def write(table: pd.DataFrame, path) -> None:
    """Write every what-if to .csv, .parquet or .xlsx, atomically."""
    from pathlib import Path

    from optimizer.runtime.files import write_with

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_with(path, lambda temp: table.to_csv(temp, index=False))
    elif suffix == ".parquet":
        write_with(path, lambda temp: table.to_parquet(temp, index=False))
    else:
        write_with(path, lambda temp: table.to_excel(temp, index=False, sheet_name="what-ifs"))


def print_summary(table: pd.DataFrame, scenario_name: str, scenario=None) -> None:
    """The swing of each input, largest first, by its label (the path stays in --out)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from optimizer.scenario.labels import dollars as money
    from optimizer.scenario.labels import input_label

    solved = int(table["verified"].astype(bool).sum())
    view = Table(title=f"{scenario_name}: {len(table)} what-ifs, {solved} with a verified plan")
    for column in (
        "input",
        "value",
        "lowest",
        "objective there",
        "highest",
        "objective there",
        "swing",
        "no plan",
    ):
        view.add_column(column, justify="left" if column == "input" else "right")
    for r in summary(table).itertuples():
        view.add_row(
            escape(", ".join(input_label(p, scenario) for p in r.path.split(", "))),
            f"{r.base_value:,.6g}",
            f"{r.lowest_value:,.6g}",
            money(r.objective_at_lowest),
            f"{r.highest_value:,.6g}",
            money(r.objective_at_highest),
            money(r.swing),
            str(r.no_plan),
        )
    console = Console()
    if not console.is_terminal:  # a file or a pipe: whole input paths, not cut to 80 columns
        console = Console(width=160)
    console.print(view)
