"""The model as an LP or MPS file, for a modeller to read or to solve elsewhere.

HiGHS writes the file (``writeModel``) from the same arrays every backend solves, with the
model's own row and column names made safe for both formats:

- ``-`` becomes ``.``, ``[`` becomes ``(`` and ``]`` becomes ``)``, so
  ``sales-selling_time[field,2027-01]`` is written ``sales.selling_time(field,2027.01)``;
- any other character that is not a letter, digit, ``_``, ``.``, ``(``, ``)`` or ``,``
  (a space in a team's name, say) becomes ``_``;
- a name that would start with a digit or a period gets a leading ``_``;
- a name already taken gets ``~2``, ``~3``, ... appended.

The objective is the one the solvers optimise: the reported objective (same sense, its
constant as the objective offset) plus any tie-break terms, which are tiny costs that pick
one plan among equally good ones. Headcounts are integer columns.
"""

from __future__ import annotations

import re
from pathlib import Path

FORMATS = ("lp", "mps")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.(),]")


def safe_name(name: str) -> str:
    """One name in the export's alphabet (see the module docstring)."""
    out = _UNSAFE.sub("_", name.replace("-", ".").replace("[", "(").replace("]", ")"))
    if not out or out[0].isdigit() or out[0] == ".":
        out = "_" + out
    return out


def safe_names(names: list[str]) -> list[str]:
    """Safe, unique names, in order."""
    seen: set[str] = set()
    out = []
    for name in names:
        base = candidate = safe_name(name)
        k = 1
        while candidate in seen:
            k += 1
            candidate = f"{base}~{k}"
        seen.add(candidate)
        out.append(candidate)
    return out


def model_text(model, fmt: str) -> str:
    """The model (a ``LinearModel``) as LP or MPS text."""
    from optimizer.solvers import highs

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected lp or mps")
    a = model.arrays()
    return highs.model_text(a, safe_names(model.var_names()), safe_names(model.row_names()), fmt)


def scenario_text(scenario, objective: str | None, fmt: str) -> str:
    from optimizer.model.chain import build_model

    model, _ = build_model(scenario, objective or scenario.objective)
    return model_text(model, fmt)


def write(scenario, objective: str | None, fmt: str, out: Path) -> None:
    """Write the model to ``out`` atomically (a temporary file renamed over it)."""
    from optimizer.runtime.files import write_text

    write_text(Path(out), scenario_text(scenario, objective, fmt))


def name_map(model) -> dict[str, dict[str, str]]:
    """Model name -> exported name, for ``rows`` and ``columns``."""
    rows, cols = model.row_names(), model.var_names()
    return {
        "rows": dict(zip(rows, safe_names(rows))),
        "columns": dict(zip(cols, safe_names(cols))),
    }
