"""Versions side by side (``optimizer.analysis.versions``): a hand-made three-way comparison
checked on paper, the seed company against its least-cost variant, ``kpi-optimizer diff``
with YAML, YAML@variant and JSON mixed, bad arguments, and the app's "Side by side" tab."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.analysis.solve import solve
from optimizer.analysis.versions import compare, differs
from optimizer.cli import app
from optimizer.report import versions as words
from optimizer.report.payload import to_json
from optimizer.scenario import labels
from optimizer.scenario.variants import load_variant

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "seed_company.yaml"
runner = CliRunner()


def target(metric, value, role="field", period="2027-01", unit="x") -> dict:
    department = "finance" if role == "finance" else "sales"
    return dict(department=department, role=role, metric=metric, period=period, value=value,
                unit=unit)  # fmt: skip


def limit(name, binding, kind="limit", label=None) -> dict:
    return {"name": name, "binding": binding, "kind": kind, "label": label or name.upper()}


def result(targets, constraints, status="optimal", message="") -> dict:
    return {"status": status, "message": message, "objective": {"name": "max_profit",
            "value": 0.0}, "targets": targets, "constraints": constraints}  # fmt: skip


def three() -> list[tuple[str, dict]]:
    """A (the base), B (a plan that moved), C (no plan)."""
    a = result(
        [target("reps", 5), target("calls", 7.5),
         target("profit", 100, "finance", unit="$/month"),
         target("profit", 50, "finance", "2027-02", unit="$/month"),
         target("cash", 1000, "finance", unit="$"),
         target("cash", 1200, "finance", "2027-02", unit="$")],
        [limit("time", True), limit("budget", True), limit("def", True, kind="definition")],
    )  # fmt: skip
    b = result(
        [target("reps", 5 + 1e-9), target("calls", 6),
         target("profit", 130, "finance", unit="$/month"),
         target("profit", 50, "finance", "2027-02", unit="$/month"),
         target("cash", 1000, "finance", unit="$"),
         target("cash", 900, "finance", "2027-02", unit="$")],
        [limit("time", False), limit("budget", True), limit("leads", True, label="Lead supply"),
         limit("def", False, kind="definition")],
    )  # fmt: skip
    c = result([], [limit("budget", True)], status="infeasible", message="no room")
    return [("A", a), ("B", b), ("C", c)]


def test_the_tolerance_rule():
    assert not differs(5, 5 + 1e-9) and differs(5, 5.001)
    assert not differs(1e9, 1e9 + 100) and differs(1e9, 1e9 + 2000)  # relative above 1
    assert differs(None, 1) and differs(1, None) and not differs(None, None)


def test_three_hand_made_versions():
    v = compare(three())
    rows = {(t["metric"], t["period"]): t for t in v.targets}
    assert list(rows) == [("reps", "2027-01"), ("calls", "2027-01"), ("profit", "2027-01"),
                          ("profit", "2027-02"), ("cash", "2027-01"),
                          ("cash", "2027-02")]  # fmt: skip  # every row kept
    assert rows["reps", "2027-01"]["differs"] == (False, False, False)  # 1e-9: within tolerance
    assert rows["calls", "2027-01"]["differs"] == (False, True, False)  # C has no plan
    assert rows["calls", "2027-01"]["values"] == (7.5, 6, None)
    assert [k for k, t in rows.items() if t["changed"]] == [
        ("calls", "2027-01"), ("profit", "2027-01"), ("cash", "2027-02")]  # fmt: skip
    assert [v.differing(i) for i in range(3)] == [0, 3, 0]
    # money: profit summed over the two months (150, 180), cash at the end (1200, 900)
    money = {m["metric"]: m for m in v.money}
    assert list(money) == ["profit", "cash"]
    assert money["profit"]["values"] == (150, 180, None)
    assert money["profit"]["changes"] == (None, 30, None)
    assert money["cash"]["over"] == "end" and money["cash"]["changes"] == (None, -300, None)
    assert v.profit == [150, 180, None] and v.profit_change == [None, 30, None]
    # binding: definitions never; B starts binding on the lead supply, stops on time
    a, b, c = v.versions
    assert a.binding == {"time": "TIME", "budget": "BUDGET"}
    assert b.starts_binding == {"leads": "Lead supply"} and b.stops_binding == {"time": "TIME"}
    assert not c.has_plan and c.binding == {} and c.starts_binding == c.stops_binding == {}
    assert c.message == "no room" and c.objective is None
    frame = v.target_frame(only_changed=True)
    assert list(frame.columns) == ["department", "role", "metric", "period", "unit", "A", "B",
                                   "C", "changed"]  # fmt: skip
    assert frame["B"].tolist() == [6, 130, 900] and len(v.target_frame()) == 6
    assert v.differs_frame(only_changed=True)["B"].tolist() == [True, True, True]
    assert v.money_frame()["B change"].tolist() == [30, -300]
    data = json.loads(json.dumps(v.to_json()))
    assert data["base"] == "A" and [x["targets_differing"] for x in data["versions"]] == [0, 3, 0]
    assert data["versions"][1]["starts_binding"] == [{"name": "leads", "label": "Lead supply"}]
    assert data["versions"][2]["profit_change"] is None


def test_three_hand_made_versions_in_words():
    v = compare(three())
    assert words.takeaway(v, 1) == (
        "B: profit $180, $30 more than the base; 3 targets differ; 1 limit starts binding; "
        "1 limit stops binding"
    )
    assert words.takeaway(v, 2) == "C: no plan (infeasible), nothing to compare"
    assert words.status_line(v, 2) == "C: no plan (infeasible): no room"
    money, flags = words.money_table(v)
    assert money.to_dict("records") == [
        {"money": "Profit over the horizon", "A": "$150", "B": "$180 (+$30)", "C": "—"},
        {"money": "Cash in the bank at the end", "A": "$1,200", "B": "$900 (−$300)", "C": "—"},
    ]
    assert flags.values.tolist() == [[False, False, True, False]] * 2
    table, marks = words.targets_table(v, only_changed=True)
    assert table[words.TARGET].tolist() == ["Calls, field, Jan 2027", "Profit, Jan 2027",
                                            "Cash in the bank, Feb 2027"]  # fmt: skip
    assert table["B"].tolist() == ["6", "$130", "$900"]
    assert marks["B"].all() and not marks[["target", "A", "C"]].any().any()
    assert words.limits_table(v).values.tolist() == [
        ["B", "starts binding", "Lead supply"], ["B", "stops binding", "TIME"]]  # fmt: skip


def test_labels_given_twice_are_kept_apart_and_one_version_is_refused():
    a = three()[0][1]
    assert compare([("x", a), ("x", a), ("x", a)]).labels == ["x", "x #2", "x #3"]
    with pytest.raises(ValueError, match="two or more"):
        compare([("x", a)])


# ---- the seed company against its least-cost variant -------------------------------------


@pytest.fixture(scope="module")
def seed_pair():
    """The seed's base and least-cost plans, solved directly, and their results."""
    plans = [solve(load_variant(str(SEED), name)[0]) for name in ("base", "least_cost")]
    assert all(p.solved for p in plans)
    return plans, [to_json(p) for p in plans]


def plan_value(plan, role: str, metric: str) -> float:
    rows = plan.targets[(plan.targets.role == role) & (plan.targets.metric == metric)]
    return float(rows.value.sum())


def test_the_seed_against_its_least_cost_variant(seed_pair):
    (base, least), payloads = seed_pair
    v = compare(list(zip(["base", "least cost"], payloads)))
    assert v.profit[0] == pytest.approx(35_400)  # the README's plan
    assert v.profit[1] == pytest.approx(plan_value(least, "finance", "profit"))
    assert v.profit_change[1] == pytest.approx(v.profit[1] - 35_400) and v.profit_change[1] < 0
    people = {(t["role"], t["metric"]): t for t in v.targets if t["unit"] == "people"}
    for role, metric in [("field", "reps"), ("marketing", "marketers"), ("delivery", "workers")]:
        row = people[role, metric]
        assert row["values"] == (plan_value(base, role, metric), plan_value(least, role, metric))
        assert float(row["values"][1]).is_integer()  # whole people, as the product publishes
    assert people["company", "headcount"]["differs"] == (False, True)
    binding = [set(p.constraints[p.constraints.binding & (p.constraints.kind != "definition")]
                   .name) for p in (base, least)]  # fmt: skip
    assert set(v.versions[1].starts_binding) == binding[1] - binding[0] != set()
    assert set(v.versions[1].stops_binding) == binding[0] - binding[1] != set()
    assert v.versions[1].objective_name == "min_cost"
    goal = v.versions[1].starts_binding.get("finance-profit_goal[2027-01]")
    assert goal == "Profit goal, Jan 2027"  # least cost stops at the goal
    assert words.takeaway(v, 1).startswith(
        f"least cost: profit {labels.money(v.profit[1])}, "
        f"{labels.money(35_400 - v.profit[1])} less than the base; "
    )


# ---- the command ----------------------------------------------------------------------------


def test_the_command_mixes_json_yaml_and_variants(seed_pair, tmp_path):
    (base, least), payloads = seed_pair
    base_json = tmp_path / "base.json"
    base_json.write_text(json.dumps(payloads[0]))
    versions = [str(base_json), f"{SEED}@least_cost", str(SEED)]
    out = runner.invoke(app, ["diff", *versions, "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert [x["label"] for x in data["versions"]] == versions
    profit = plan_value(least, "finance", "profit")
    assert data["versions"][1]["profit"] == pytest.approx(profit)
    assert data["versions"][1]["profit_change"] == pytest.approx(profit - 35_400)
    assert data["versions"][2]["profit_change"] == 0 == data["versions"][2]["targets_differing"]
    assert data["versions"][2]["starts_binding"] == data["versions"][2]["stops_binding"] == []
    starts = {x["name"] for x in data["versions"][1]["starts_binding"]}
    assert "finance-profit_goal[2027-01]" in starts
    table = runner.invoke(app, ["diff", *versions[:2]], env={"COLUMNS": "160"})
    assert table.exit_code == 0, table.output
    change = f"{labels.money(profit)} ({labels.signed_money(profit - 35_400)})"
    assert (
        change in table.output and "A = " in table.output and "Targets that differ" in table.output
    )
    assert "limits that start binding in B:" in table.output
    everything = runner.invoke(app, ["diff", *versions[:2], "--all"], env={"COLUMNS": "160"})
    assert "Targets: " in everything.output and len(everything.output) > len(table.output)


@pytest.mark.parametrize(
    "arguments, words_expected",
    [
        ([f"{SEED}@nope"], "(fifty_dials, least_cost)"),
        (["README.md"], "expected a result JSON (solve --format json), a scenario YAML"),
        (["missing.yaml"], "missing.yaml: expected a readable file"),
        (["missing.json"], "missing.json: cannot be read"),
        ([], "diff compares two or more versions, got 1"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(arguments, words_expected):
    out = runner.invoke(app, ["diff", str(SEED), *arguments])
    assert out.exit_code == 2, out.output
    assert words_expected in out.output and "Traceback" not in out.output
    assert len(out.output.strip().splitlines()) == 1, out.output


def test_the_workbook_holds_the_comparison_with_differing_cells_filled():
    from optimizer.app.versions import workbook

    v = compare(three())
    book = openpyxl.load_workbook(io.BytesIO(workbook(v)))
    assert book.sheetnames == ["Versions", "Money", "Targets", "Limits"]
    rows = list(book["Targets"].iter_rows(values_only=True))
    assert rows[0][:9] == ("target", "department", "role", "metric", "period", "unit", "A", "B",
                           "C")  # fmt: skip
    calls = rows[2]  # the second target: calls, 7.5 then 6
    assert calls[0] == "Calls, field, Jan 2027" and calls[6:9] == (7.5, 6, None)
    filled = {(c.row, c.column) for row in book["Targets"].iter_rows() for c in row
              if c.fill.fgColor.rgb in ("00FFF3B0", "FFFFF3B0")}  # fmt: skip
    assert filled == {(3, 8), (4, 8), (7, 8)}  # B's calls, January profit, February cash
    versions_sheet = list(book["Versions"].iter_rows(values_only=True))
    assert versions_sheet[2][:2] == ("B", "optimal") and versions_sheet[2][4:7] == (180, 30, 3)


# ---- the app's "Side by side" tab --------------------------------------------------------


@pytest.fixture
def seed_folder(tmp_path, monkeypatch):
    """The page's scenarios: the seed company alone (opened first), with its variants."""
    pytest.importorskip("streamlit")
    where = tmp_path / "scenarios"
    where.mkdir()
    (where / "seed_company.yaml").write_bytes(SEED.read_bytes())
    monkeypatch.setenv("KPI_OPTIMIZER_SCENARIOS", str(where))
    return where


def test_the_first_pick_is_the_page_and_another_version_of_its_file():
    from optimizer.app.versions import PAGE, default_pick

    found = [PAGE, "growth_plan.yaml", "seed_company.yaml [fifty_dials]", "seed_company.yaml [x]"]
    assert default_pick("seed_company.yaml", found) == [PAGE, "seed_company.yaml [fifty_dials]"]
    assert default_pick("seed_company.yaml (edited)", found)[1] == "seed_company.yaml [fifty_dials]"
    assert default_pick("seed_company.yaml [fifty_dials]", [PAGE, "growth_plan.yaml",
                        "seed_company.yaml"]) == [PAGE, "seed_company.yaml"]  # fmt: skip
    assert default_pick("pasted", found) == [PAGE, "growth_plan.yaml"]


def test_a_versions_column_is_headed_by_its_short_name_and_fits():
    from optimizer.app.versions import FITS, PAGE, short, widths

    assert [short(x) for x in (PAGE, "seed_company.yaml [least_cost]", "growth_plan.yaml")] == [
        "this page", "least cost", "growth plan"]  # fmt: skip
    for n in range(2, 6):
        table = pd.DataFrame(columns=["target", *(f"v{i}" for i in range(n))])
        assert sum(c["width"] for c in widths(table).values()) == FITS


def highlighted_cells(frame_element) -> set[tuple[int, int]]:
    """(row, column) of each cell the table's Styler gives a background."""
    styles = frame_element.proto.arrow_data.styler.styles
    cells = set()
    for block in styles.split("}"):
        selectors, _, rule = block.partition("{")
        if "background-color" in rule:
            cells |= {(int(r), int(c)) for r, c in re.findall(r"_row(\d+)_col(\d+)", selectors)}
    return cells


@pytest.mark.slow  # the page and two versions solved in guarded children: about 7 s
def test_the_side_by_side_tab_shows_the_seed_against_its_variants(seed_folder, seed_pair):
    from streamlit.testing.v1 import AppTest

    from optimizer.app.versions import ONLY_CHANGED, PAGE, PICKED

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["section"] = "Side by side"
    at.session_state[PICKED] = [PAGE, "seed_company.yaml [least_cost]"]  # one solve less
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.multiselect(key=PICKED)
    assert box.options == [
        PAGE,
        "seed_company.yaml [fifty_dials]",
        "seed_company.yaml [least_cost]",
    ]
    assert box.value == [PAGE, "seed_company.yaml [least_cost]"]
    _, payloads = seed_pair  # the same versions, solved directly
    v = compare(list(zip([PAGE, "seed_company.yaml [least_cost]"], payloads)))
    takeaway = words.takeaway(v, 1, "the page's plan")
    assert takeaway.startswith(
        f"seed_company.yaml [least_cost]: profit {labels.money(v.profit[1])}"
    )
    assert f"**{takeaway}**".replace("$", r"\$") in [m.value for m in at.markdown]
    money, targets, limits = (d.value for d in at.dataframe)
    pd.testing.assert_frame_equal(money, words.money_table(v)[0])
    expected, flags = words.targets_table(v, only_changed=True)
    pd.testing.assert_frame_equal(targets, expected)
    assert len(targets) == v.differing(1) > 0
    marked = {(r, c) for r, row in enumerate(flags.to_numpy()) for c, f in enumerate(row) if f}
    assert highlighted_cells(at.dataframe[1]) == marked == {(r, 2) for r in range(len(targets))}
    assert highlighted_cells(at.dataframe[0]) == {
        (r, 2) for r, m in enumerate(v.money) if m["changes"][1] and abs(m["changes"][1]) >= 0.5
    }
    pd.testing.assert_frame_equal(limits, words.limits_table(v))
    assert set(limits["limit"]) >= {"Profit goal, Jan 2027"}
    at.toggle(key=ONLY_CHANGED).set_value(False)
    at.run()
    everything = at.dataframe[1]
    assert len(everything.value) == len(v.targets) > len(targets)
    unchanged = [r for r, t in enumerate(v.targets) if not t["changed"]]
    assert unchanged and not {r for r, _ in highlighted_cells(everything)} & set(unchanged)
