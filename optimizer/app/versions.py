"""The "Side by side" tab: the page's scenario (as edited), the bundled files and the
variants they declare, two or more of them compared as ``kpi-optimizer diff`` compares them
(``analysis.versions``, in words by ``report.versions``).

Each version is solved as the page solves its plan (``analysis.analyse`` in a guarded child
process), cached on the scenario's JSON and the objective: the page's scenario with the
page's objective, a file or variant with its own (a least-cost variant is solved for least
cost). Picking versions reruns this tab only (a fragment).
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import streamlit as st

from optimizer.analysis.versions import KEY, Versions, compare
from optimizer.app import analysis, guard
from optimizer.app.scenario_files import scenario_files
from optimizer.report import versions as words
from optimizer.report.payload import to_json
from optimizer.scenario.loading import read_scenario_file
from optimizer.scenario.schema import Scenario
from optimizer.scenario.variants import BASE, split, variant_scenario

PAGE = "This page's scenario (as edited)"
PICKED = "versions_picked"
ONLY_CHANGED = "versions_only_changed"
MOST = 5
"""Versions compared at once: the targets table keeps a readable column for each at 1280 px."""
FITS = 790
"""Pixels a table may take at 1280 px with the sidebar open (app.py's ``FITS``)."""
CHANGED = "background-color: #fff3b0; font-weight: 600"
"""A cell that differs from the base: pale yellow, bold."""


@st.cache_data(max_entries=64, show_spinner=False)
def bundled(folder: str, stamps: tuple[tuple[str, float], ...]) -> tuple[dict, list[str]]:
    """{label: (scenario JSON, objective)} of each file in ``folder`` and each variant it
    declares ('seed_company.yaml [least_cost]'), and the files or variants left out (not
    valid); read again when a file changes (``stamps``)."""
    found, left_out = {}, []
    for name, _ in stamps:
        source = str(Path(folder) / name)
        try:
            data = read_scenario_file(source)
            names = [BASE, *split(data, source)[1]]
        except Exception:  # noqa: BLE001 - a broken file is left out, named in a caption
            left_out.append(name)
            continue
        for variant in names:
            label = name if variant == BASE else f"{name} [{variant}]"
            try:
                scenario = variant_scenario(data, variant, source)[0]
            except Exception:  # noqa: BLE001
                left_out.append(label)
                continue
            found[label] = (scenario.model_dump_json(), scenario.objective)
    return found, left_out


@st.cache_data(max_entries=32, show_spinner="Solving the versions…")
def result(scenario_json: str, objective: str) -> dict:
    """The version's result (``solve --format json``), or one without a plan saying why."""
    scenario = Scenario.model_validate_json(scenario_json)
    try:
        found, failure = guard.attempt(analysis.analyse, scenario, objective)
    except Exception as exc:  # noqa: BLE001 - e.g. closest to today with no targets today
        return _no_plan("error", f"{type(exc).__name__}: {exc}")
    if failure is not None:
        return _no_plan(failure.kind, failure.text(scenario.name, "this version", ""))
    return to_json(found.plan, found.diagnosis)


def _no_plan(status: str, message: str) -> dict:
    return {"status": status, "message": message, "targets": [], "constraints": []}


def section(current_label: str, current_json: str, objective: str, folder: Path) -> None:
    st.caption(
        f"The first version picked is the base; “{PAGE}” is {current_label} with the page's "
        "objective and edits, each file or variant is solved for its own objective. Cells "
        "that differ from the base are highlighted."
    )
    _compared(current_label, current_json, objective, str(folder))


@st.fragment
def _compared(current_label: str, current_json: str, objective: str, folder: str) -> None:
    stamps = tuple((n, (Path(folder) / n).stat().st_mtime) for n in scenario_files(Path(folder)))
    files, left_out = bundled(folder, stamps)
    choices = {PAGE: (current_json, objective)} | {
        label: found for label, found in files.items() if label != current_label
    }
    if PICKED not in st.session_state or not set(st.session_state[PICKED]) <= set(choices):
        st.session_state[PICKED] = default_pick(current_label, list(choices))
    picked = st.multiselect(
        "Versions (the first is the base)", list(choices), key=PICKED, max_selections=MOST
    )
    if left_out:
        st.caption("Left out, not valid: " + ", ".join(left_out) + ".")
    if len(picked) < 2:
        st.info("Pick two or more versions to compare.")
        return
    v = compare([(label, result(*choices[label])) for label in picked])
    base = "the page's plan" if picked[0] == PAGE else picked[0]
    for i, version in enumerate(v.versions):
        if not version.has_plan:
            st.warning(words.status_line(v, i))
    for i in range(1, len(v.versions)):
        st.markdown(_md(f"**{words.takeaway(v, i, base)}**"))
    st.subheader("Money")
    money, flags = words.money_table(v)
    st.dataframe(highlighted(money, flags), hide_index=True, key="versions_money",
                 column_config=widths(money), height=rows_high(len(money)))  # fmt: skip
    st.subheader("Targets")
    only = st.toggle("Only what differs", value=True, key=ONLY_CHANGED)
    targets, flags = words.targets_table(v, only_changed=only)
    if targets.empty:
        st.caption("No target differs from the base.")
    else:
        st.dataframe(highlighted(targets, flags), hide_index=True, key="versions_targets",
                     column_config=widths(targets), height=rows_high(min(len(targets), 20)))  # fmt: skip
    st.subheader("Limits that start or stop binding")
    moved = words.limits_table(v)
    if moved.empty:
        st.caption("The same limits bind in every version.")
    else:
        st.dataframe(moved, hide_index=True, key="versions_limits",
                     column_config=_text(version=230, change=130, limit=FITS - 360))  # fmt: skip
    st.download_button(
        "Download the comparison (XLSX)",
        workbook(v),
        file_name="versions_side_by_side.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="versions_download",
        on_click="ignore",
    )


def default_pick(current_label: str, labels: list[str]) -> list[str]:
    """The page's scenario and, after it, the first other version of the page's file (its
    first variant), else the first other version."""
    file = current_label.split(" [")[0].split(" (")[0]
    others = labels[1:]
    same = [label for label in others if label.startswith(f"{file} [")]
    second = (same or [x for x in others if x == file] or others)[:1]
    return [labels[0], *second]


def highlighted(table: pd.DataFrame, flags: pd.DataFrame):
    """``table`` with the cells ``flags`` marks highlighted (``CHANGED``)."""
    css = pd.DataFrame("", index=table.index, columns=table.columns)
    css[flags.to_numpy()] = CHANGED
    return table.style.apply(lambda _: css, axis=None)


def widths(table: pd.DataFrame) -> dict:
    """The first column (the label) and one equal column a version, ``FITS`` in all; a
    version's column headed by its short name, its full label on hover."""
    first, *rest = table.columns
    each = min(250, (FITS - 260) // len(rest))
    return {first: st.column_config.TextColumn(first, width=FITS - each * len(rest))} | {
        label: st.column_config.TextColumn(short(label), width=each, help=label) for label in rest
    }


def short(label: str) -> str:
    """A column's header: 'this page', a variant's name in words ('least cost'), or a file's
    stem in words ('growth plan')."""
    if label == PAGE:
        return "this page"
    file, _, variant = label.partition(" [")
    return (variant.rstrip("]") or Path(file).stem).replace("_", " ")


def rows_high(rows: int) -> int:
    """Pixels that show ``rows`` rows and the header without scrolling (35 px a row)."""
    return 35 * (rows + 1) + 3


def _text(**pixels: int) -> dict:
    return {name: st.column_config.TextColumn(name, width=w) for name, w in pixels.items()}


def _md(text: str) -> str:
    return str(text).replace("$", r"\$")


def workbook(v: Versions) -> bytes:
    """The comparison as a workbook: each version (status, profit, counts), money and
    targets in numbers (cells that differ from the base filled yellow), the limits that moved."""
    from openpyxl.styles import PatternFill

    summary = pd.DataFrame(
        [{"version": x.label, "status": x.status, "message": x.message,
          "objective": x.objective_name, "profit": p, "profit change": c,
          "targets differing": v.differing(i), "limits starting to bind": len(x.starts_binding),
          "limits stopping binding": len(x.stops_binding)}
         for i, (x, p, c) in enumerate(zip(v.versions, v.profit, v.profit_change))]
    )  # fmt: skip
    targets = v.target_frame()
    targets.insert(0, "target", [words.target_label(t) for t in v.targets])
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as book:
        summary.to_excel(book, sheet_name="Versions", index=False)
        v.money_frame().to_excel(book, sheet_name="Money", index=False)
        targets.to_excel(book, sheet_name="Targets", index=False)
        words.limits_table(v).to_excel(book, sheet_name="Limits", index=False)
        sheet, fill = book.sheets["Targets"], PatternFill("solid", fgColor="FFF3B0")
        first = len(KEY) + 3  # target, KEY, unit, then one column a version (1-based)
        for r, t in enumerate(v.targets, start=2):
            for c, flag in enumerate(t["differs"]):
                if flag:
                    sheet.cell(row=r, column=first + c).fill = fill
    return out.getvalue()
