"""The Excel workbook that compares scenarios side by side.

- ``Compare``: one column per scenario and variant, one row per field of the summary
  (status, objective, targets, binding limits, gaps), so options read across a row;
- ``Summary``: the summary table, one row per scenario and variant, filterable;
- ``Failures``: the scenarios that gave no plan, with their errors.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HIDDEN_IN_COMPARE = ("scenario", "variant", "source", "content_hash")
CELL_LIMIT = 32_767
"""Excel's longest text in a cell; longer lists of binding limits are cut to fit."""


def write_workbook(table: pd.DataFrame, path: Path) -> None:
    table = table.map(
        lambda v: v[: CELL_LIMIT - 1] + "…" if isinstance(v, str) and len(v) > CELL_LIMIT else v
    )
    label = table["scenario"].where(
        table["variant"] == "base", table["scenario"] + "@" + table["variant"]
    )
    compare = table.drop(columns=list(HIDDEN_IN_COMPARE)).set_axis(label).T
    compare.index.name = "field"
    failures = table.loc[table["error"].notna(), ["scenario", "variant", "status", "error"]]
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        compare.to_excel(writer, sheet_name="Compare")
        table.to_excel(writer, sheet_name="Summary", index=False)
        failures.to_excel(writer, sheet_name="Failures", index=False)
        for sheet in writer.book.worksheets:
            _tidy(sheet)


def _tidy(sheet) -> None:
    """Freeze the header row and first column, filter the header, size the columns."""
    sheet.freeze_panes = "B2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for column in sheet.columns:
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, longest + 2))
