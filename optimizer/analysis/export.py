"""The model as an LP or MPS file, for a modeller to read or to solve elsewhere.

HiGHS writes the file (``writeModel``) from the same arrays every backend solves, with the
model's own row and column names made safe for both formats:

- ``-`` becomes ``.``, ``[`` becomes ``(`` and ``]`` becomes ``)``, so
  ``sales-selling_time[field,2027-01]`` is written ``sales.selling_time(field,2027.01)``;
- any other character that is not a letter, digit, ``_``, ``.``, ``(``, ``)`` or ``,``
  (a space in a team's name, say) becomes ``_``;
- a name that would start with a digit or a period gets a leading ``_``;
- a name already taken gets ``~2``, ``~3``, ... appended.

The objective is the one the solvers optimise: the reported objective plus any tie-break
terms, which are tiny costs that pick one plan among equally good ones. Headcounts are
integer columns.

The LP file states the objective as the model does (its sense, its constant). The MPS
file is written so that every solver reads it the same way (``portable_mps``): readers
disagree on the parts of MPS that are extensions, so the file uses none of them.

- It always minimises. A maximising model is written as the minimisation of its negative
  objective (the CBC binary ignores an ``OBJSENSE MAX`` section; PuLP's reader takes the
  sense from its caller), and a comment line at the top says so.
- The objective's constant is left out, and a comment line states it (readers disagree
  on the sign of a constant written on the objective row, and PuLP's reader refuses one).
- Integer columns are marked by ``MARKER`` lines only, with their bounds as plain ``LO``
  and ``UP``/``PL`` bounds (PuLP's reader refuses the ``LI``/``UI`` bound types, and an
  integer column without an upper bound is binary to some readers, so ``PL`` says it is
  unbounded).

So, for a maximising model, the objective the product reports is
``-(the file's optimum) + constant``.
"""

from __future__ import annotations

import re
from dataclasses import replace
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
    """The model (a ``LinearModel``) as LP or MPS text (MPS: ``portable_mps``)."""
    from optimizer.solvers import highs

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected lp or mps")
    a = model.arrays()
    cols, rows = safe_names(model.var_names()), safe_names(model.row_names())
    if fmt == "lp":
        return highs.model_text(a, cols, rows, fmt)
    flip = -1.0 if a.sense == "max" else 1.0
    minimised = replace(a, sense="min", c=flip * a.c, c_tiebreak=flip * a.c_tiebreak, c0=0.0)
    return portable_mps(highs.model_text(minimised, cols, rows, fmt), a.sense, float(a.c0))


def portable_mps(text: str, sense: str, constant: float) -> str:
    """HiGHS's MPS text of the minimised model made portable (see the module docstring):
    ``LI``/``UI`` bounds as ``LO``/``UP``, ``PL`` for an integer column with no upper
    bound, no ``OBJSENSE`` section, and a comment line on the sense and the constant."""
    out: list[str] = []
    integer, bounded = [], set()
    in_sense = False
    for line in text.splitlines():
        if line.startswith("OBJSENSE"):
            in_sense = True
            continue
        if in_sense and line.startswith(" "):
            continue  # the section's MAX or MIN line
        in_sense = False
        kind, *rest = line.split() if line.startswith(" ") else ("",)
        if kind == "LI":
            line = f" LO {line[4:]}"
            integer.append(rest[1])
        elif kind == "UI":
            line = f" UP {line[4:]}"
            bounded.add(rest[1])
        elif kind in ("UP", "BV", "FX", "MI"):
            bounded.add(rest[1])
        out.append(line)
    unbounded = [f" PL BOUND     {name}" for name in integer if name not in bounded]
    if unbounded:  # before the LO lines: PuLP's reader takes PL as "lower bound 0" too
        at = out.index("BOUNDS") + 1
        out[at:at] = unbounded
    said = "maximises" if sense == "max" else "minimises"
    head = (
        f"* kpi-optimizer: the model {said} its objective; this file minimises "
        f"{'its negative' if sense == 'max' else 'it'}"
        + (f", without its constant {constant:.17g}" if constant else "")
    )
    return "\n".join([head, *out]) + "\n"


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
