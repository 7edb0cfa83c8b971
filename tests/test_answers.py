"""The use-case layer (``optimizer.analysis.answers``): each question's rules once, and the
command line, the app and the batch worker as thin callers of it."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from typer.testing import CliRunner

from optimizer.analysis.answers import answer, compare_today, diagnose_no_plan
from optimizer.analysis.solve import solve
from optimizer.cli import app
from optimizer.report.payload import answer_json
from optimizer.scenario.inputs import with_values
from optimizer.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "seed_company.yaml"
OUT_OF_REACH = {"finance.profit_target_per_month": 10_000_000.0}


def test_only_a_proven_impossible_scenario_is_diagnosed():
    scenario = load_scenario(SEED)
    impossible = with_values(scenario, OUT_OF_REACH)
    plan = solve(impossible, marginals=False, whole_steps=False)
    found = diagnose_no_plan(impossible, None, plan)
    assert plan.status.value == "infeasible" and found is not None
    assert "Profit goal, Jan 2027" in set(found.conflict["label"])
    solved = solve(scenario, marginals=False, whole_steps=False)
    assert diagnose_no_plan(scenario, None, solved) is None
    cut_short = solve(impossible, time_limit=1e-6, marginals=False, whole_steps=False)
    if cut_short.status.value != "infeasible":  # presolve may prove it within any limit
        assert diagnose_no_plan(impossible, None, cut_short) is None


def test_the_answer_json_is_what_solve_prints():
    scenario = load_scenario(SEED)
    found = answer(scenario, source=str(SEED), explain=True, hiring_free=False)
    assert found.ok and found.explanation is not None and found.diagnosis is None
    run = CliRunner().invoke(app, ["solve", str(SEED), "--format", "json"])
    assert run.exit_code == 0, run.output
    printed, built = json.loads(run.stdout), answer_json(found)
    for key in ("timings_seconds",):
        printed.pop(key, None), built.pop(key, None)
    printed["explanation"].pop("seconds"), built["explanation"].pop("seconds")
    assert printed == json.loads(json.dumps(built))


def test_a_cross_check_and_an_impossible_comparison_come_with_the_answer():
    scenario = load_scenario(SEED)
    found = answer(scenario, backends=("highs", "cbc"))
    assert found.cross_check is not None and found.cross_check.ok and found.ok
    today = compare_today(with_values(scenario, OUT_OF_REACH))
    assert not today.comparison.plan.solved and today.diagnosis is not None


def test_diagnose_when_infeasible_is_written_once():
    """Only the use-case layer calls ``diagnose``: the front ends ask ``answers``."""
    callers = []
    for path in sorted((ROOT / "optimizer").rglob("*.py")):
        if path.name == "answers.py" or path.parent.name == "diagnose":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "diagnose":
                callers.append(str(path.relative_to(ROOT)))
    assert callers == [], callers


def test_a_plan_from_another_backend_is_diagnosed_on_that_backend():
    run = CliRunner().invoke(
        app,
        [
            "solve",
            str(SEED),
            "--backend",
            "cbc",
            "--format",
            "json",
            "--no-explain",
            "--set",
            "finance.profit_target_per_month=10000000",
        ],
    )
    assert run.exit_code == 1, run.output
    found = json.loads(run.stdout)
    assert found["backend"] == "cbc" and found["diagnosis"]["backend"] == "cbc"
    assert "Profit goal, Jan 2027" in {row["label"] for row in found["diagnosis"]["conflict"]}
