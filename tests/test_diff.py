"""``kpi-optimizer diff``: changed targets, limits that started or stopped binding, profit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.analysis.diff import compare, read_result
from optimizer.analysis.solve import solve
from optimizer.cli import app
from optimizer.report.payload import to_json
from optimizer.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "seed_company.yaml"
runner = CliRunner()


def target(metric: str, value: float, role: str = "field", period: str = "2027-01") -> dict:
    department = "finance" if role == "finance" else "sales"
    return dict(
        department=department, role=role, metric=metric, period=period, value=value, unit="x"
    )


def limit(name: str, binding: bool, kind: str = "limit") -> dict:
    return {"name": name, "binding": binding, "kind": kind}


def result(targets: list[dict], constraints: list[dict], objective: float | None) -> dict:
    return {
        "status": "optimal" if objective is not None else "infeasible",
        "objective": {"name": "max_profit", "value": objective},
        "targets": targets,
        "constraints": constraints,
    }


def test_a_hand_made_pair():
    a = result(
        [
            target("reps", 5),
            target("calls_per_rep_per_day", 7.5),
            target("profit", 100, "finance"),
            target("profit", 50, "finance", "2027-02"),
            target("gone", 1),
        ],
        [
            limit("sales-selling_time[2027-01,field]", True),
            limit("marketing-ad_budget", True),
            limit("finance-profit_definition", True, kind="definition"),
        ],
        150,
    )
    b = result(
        [
            target("reps", 5 + 1e-9),
            target("calls_per_rep_per_day", 6),
            target("profit", 130, "finance"),
            target("profit", 50, "finance", "2027-02"),
            target("new", 2),
        ],
        [
            limit("sales-selling_time[2027-01,field]", False),
            limit("marketing-ad_budget", True),
            limit("sales-lead_supply", True),
            limit("finance-profit_definition", False, kind="definition"),
        ],
        180,
    )
    d = compare(a, b)
    changed = {(t["metric"], t["period"]): t for t in d.targets}
    assert set(changed) == {
        ("calls_per_rep_per_day", "2027-01"), ("profit", "2027-01"), ("gone", "2027-01"),
        ("new", "2027-01"),
    }  # fmt: skip  # reps moved by less than the tolerance
    calls = changed["calls_per_rep_per_day", "2027-01"]
    assert calls["change"] == pytest.approx(-1.5) and calls["relative"] == pytest.approx(-0.2)
    assert changed["gone", "2027-01"]["b"] is None and changed["new", "2027-01"]["a"] is None
    assert d.became_binding == ["sales-lead_supply"]
    assert d.stopped_binding == ["sales-selling_time[2027-01,field]"]  # definitions never bind
    assert (d.profit.a, d.profit.b, d.profit.change) == (150, 180, 30)
    assert d.objective.change == 30
    assert d.to_json()["profit"]["change"] == 30


def test_a_result_without_a_plan_has_no_profit_change():
    a = result([target("profit", 100, "finance")], [], 100)
    b = result([], [], None)
    d = compare(a, b)
    assert d.profit.change is None and d.status == ("optimal", "infeasible")


@pytest.fixture(scope="module")
def seed_results(tmp_path_factory) -> tuple[Path, Path, dict, dict]:
    folder = tmp_path_factory.mktemp("diff")
    base = to_json(solve(load_scenario(SEED)))
    longer = to_json(solve(load_scenario(SEED, ["calendar.hours_per_day=9"])))
    paths = folder / "base.json", folder / "long_days.json"
    for path, data in zip(paths, (base, longer)):
        path.write_text(json.dumps(data))
    return *paths, base, longer


def test_longer_days_on_the_seed_company(seed_results):
    a_path, b_path, a, b = seed_results
    d = compare(read_result(a_path), read_result(b_path))
    assert d.profit.change == pytest.approx(b["objective"]["value"] - a["objective"]["value"])
    assert d.profit.change > 0  # an hour more a day sells more
    # selling time was the limit; with a 9-hour day it has room
    assert "sales-selling_time[2027-01,field]" in d.stopped_binding
    minutes = {t["metric"]: t for t in d.targets if t["role"] == "field"}
    assert minutes["minutes_per_conversation"]["b"] > minutes["minutes_per_conversation"]["a"]


def test_the_command_prints_tables_or_json(seed_results):
    """Two results through ``versions`` (the command's one comparison): since the command
    takes two or more versions, its JSON is ``Versions.to_json`` (a list of versions, the
    first the base), no longer the pair's ``a``/``b`` shape."""
    a_path, b_path, a, b = seed_results
    table = runner.invoke(app, ["diff", str(a_path), str(b_path)], env={"COLUMNS": "160"})
    assert table.exit_code == 0, table.output
    assert "Profit over the horizon" in table.output and "$35,400" in table.output
    assert "limits that stop binding in B:" in table.output
    assert "Selling time, field team, Jan 2027 (sales-selling_time[2027-01,field])" in table.output
    out = runner.invoke(app, ["diff", str(a_path), str(b_path), "--format", "json"])
    assert out.exit_code == 0
    data = json.loads(out.output)
    assert data["versions"][1]["profit_change"] == pytest.approx(
        b["objective"]["value"] - a["objective"]["value"]
    )
    assert [v["status"] for v in data["versions"]] == ["optimal", "optimal"]
    assert data["versions"][0]["label"] == str(a_path) == data["base"]


def test_the_same_result_twice_has_no_changes(seed_results):
    a_path, *_ = seed_results
    d = compare(read_result(a_path), read_result(a_path))
    assert d.targets == [] and d.became_binding == [] and d.stopped_binding == []
    assert d.profit.change == 0


def test_a_file_that_is_not_a_result_is_bad_input(tmp_path, seed_results):
    a_path, *_ = seed_results
    (tmp_path / "x.json").write_text('{"name": "not a result"}')
    (tmp_path / "y.json").write_text("{half")
    for bad in ("x.json", "y.json", "missing.json"):
        out = runner.invoke(app, ["diff", str(a_path), str(tmp_path / bad)])
        assert out.exit_code == 2, bad
