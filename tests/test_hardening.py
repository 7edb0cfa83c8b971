"""The smallest reproducer of each failure in the reliability sweep (issue 11), on the CLI.

Batch and app reproducers are in test_batch_hardening.py and test_app_hardening.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer import cli
from optimizer.analysis.diagnose import diagnose
from optimizer.analysis.result import OPTIMAL_GAP
from optimizer.analysis.solve import solve
from optimizer.runtime.deadline import Deadline
from optimizer.runtime.isolation import SolverCrash, crash_for_tests, isolated
from optimizer.scenario.loading import ScenarioError, apply_overrides, load_scenario, parse_yaml
from optimizer.solvers import Status

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "seed_company.yaml"
runner = CliRunner()
BOMB = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)
)


def kpi(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """The command as a user runs it: its own process, exit code and both streams."""
    return subprocess.run(
        [sys.executable, "-m", "optimizer.cli", *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )  # fmt: skip


# 1. a valid input crashed the process (SIGSEGV) ---------------------------------------


def test_the_crashing_deal_value_is_refused_with_the_bound(run):
    done = run("solve", str(SEED), "--set", "sales.teams[field].average_deal_value=1e12")
    assert done.returncode == 2
    assert "sales.teams[field].average_deal_value = 1000000000000: expected a number <= " \
           "1000000000" in done.stderr  # fmt: skip
    assert "Traceback" not in done.stderr


def test_a_native_crash_in_the_solve_is_a_message_and_the_caller_lives(monkeypatch):
    def crash(*args, **kwargs):
        crash_for_tests()

    monkeypatch.setattr(cli, "_answer", crash)
    result = runner.invoke(
        cli.app, ["solve", str(SEED), "--set", "sales.teams[field].average_deal_value=9e8"]
    )
    assert result.exit_code == 3
    assert "the solver process died of SIGSEGV" in result.output
    assert "sales.teams[field].average_deal_value = 9e+08" in result.output  # named first
    assert "Traceback" not in result.output
    # the process that asked is alive and solves the next scenario
    assert solve(load_scenario(SEED), marginals=False).objective == pytest.approx(35_400)


def test_isolation_names_the_signal_and_the_last_stage():
    with pytest.raises(SolverCrash) as caught:
        isolated(_crash_after_a_stage, method="fork")
    assert caught.value.signal == "SIGSEGV"
    assert caught.value.stage == "the repair search"
    assert isolated(pow, 2, 10, method="fork") == 1024
    with pytest.raises(ZeroDivisionError):  # an exception comes back with its own type
        isolated(divmod, 1, 0, method="fork")


def _crash_after_a_stage():
    from optimizer.runtime.isolation import stage

    stage("the repair search")
    crash_for_tests()


def test_the_largest_deal_value_allowed_solves_and_only_helps():
    base = solve(load_scenario(SEED), marginals=False)
    top = solve(load_scenario(SEED, ["sales.teams[field].average_deal_value=1e9"]), marginals=False)
    assert top.status is Status.OPTIMAL and top.verified.ok
    assert top.objective > base.objective  # a higher deal value never hurts (was "infeasible")


# 2. YAML alias bombs and 5. deep nesting -----------------------------------------------


@pytest.mark.parametrize("where", ["top", "description", "unknown key", "variants"])
def test_an_alias_bomb_is_refused_at_once_wherever_it_sits(tmp_path, where, run):
    text = SEED.read_text(encoding="utf-8")
    indented = "".join(f"  {line}\n" for line in BOMB.splitlines())
    body = {
        "top": BOMB + text,
        "description": text.replace("\ndescription: >", "\nold: >") + "description:\n" + indented,
        "unknown key": text + "whatever:\n" + indented,
        "variants": text + "variants:\n" + indented,
    }[where]
    path = tmp_path / "bomb.yaml"
    path.write_text(body, encoding="utf-8")
    start = time.perf_counter()
    for command in (["validate", str(path)], ["solve", str(path)], ["compare", str(path)]):
        done = run(*command)
        assert done.returncode == 2, command
        assert f"{path}: " in done.stderr and "over the budget of 10,000" in done.stderr
        assert len(done.stderr) < 1_000 and "Traceback" not in done.stderr
    assert time.perf_counter() - start < 30


def test_an_alias_bomb_in_a_set_value_is_refused():
    value = "[" + ", ".join(["&a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"] + ["*a"] * 20000) + "]"
    with pytest.raises(ScenarioError) as caught:
        apply_overrides({"name": "x"}, [f"description={value}"], "cli")
    assert "over the budget of 10,000" in str(caught.value)


def test_deep_nesting_is_refused_with_its_line(tmp_path, run):
    path = tmp_path / "deep.yaml"
    path.write_text(SEED.read_text() + "deep: " + "{a: " * 400 + "1" + "}" * 400 + "\n")
    done = run("validate", str(path))
    assert done.returncode == 2
    assert "sections and lists nested more than 32 deep are refused" in done.stderr
    lines = SEED.read_text().count("\n") + 1  # the line 'deep:' is on
    assert f"{path}: line {lines}, column 131: sections and lists" in done.stderr
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr


def test_an_alias_loop_is_refused():
    with pytest.raises(ScenarioError) as caught:
        parse_yaml("a: &x [1, *x]\n", "loop.yaml")
    assert "alias *x is used inside its own block (a loop)" in str(caught.value)


# 3. the diagnosis honours the time limit -----------------------------------------------


@pytest.mark.slow  # waits out a time limit
def test_the_diagnosis_stops_at_the_time_limit_and_says_what_it_left():
    scenario = load_scenario(SEED, ["calendar.horizon_months=24"])
    start = time.perf_counter()
    plan = solve(scenario, time_limit=Deadline(3.0))
    assert plan.status is Status.INFEASIBLE
    found = diagnose(scenario, time_limit=Deadline(3.0))
    spent = time.perf_counter() - start
    assert spent < 3.0 + 3.0 + 4.0  # two limits, plus model builds between solves
    assert found.notes, "what the limit cut short is said"
    assert any("time limit" in note for note in found.notes)
    assert len(found.conflict) > 0  # what was found still conflicts


@pytest.mark.slow  # waits out a time limit
def test_the_command_line_time_limit_covers_the_whole_answer():
    start = time.perf_counter()
    run = kpi("solve", str(SEED), "--set", "calendar.horizon_months=24", "--time-limit", "4",
              "--format", "json")  # fmt: skip
    assert time.perf_counter() - start < 4 + 8  # the limit, plus start-up and reporting
    assert run.returncode == 1
    result = json.loads(run.stdout)
    assert result["status"] == "infeasible"
    assert any("time limit" in note for note in result["diagnosis"]["notes"])


@pytest.mark.parametrize("bad", ["-1", "0", "nan", "inf"])
def test_a_time_limit_must_be_seconds_above_zero(bad):
    result = runner.invoke(cli.app, ["solve", str(SEED), "--time-limit", bad])
    assert result.exit_code == 2
    assert "expected a number of seconds above 0" in result.output


# 6. a loose gap is never called optimal ------------------------------------------------


def test_a_plan_at_a_loose_gap_is_feasible_with_a_true_bound():
    scenario = load_scenario(SEED)
    best = solve(scenario, marginals=False).objective
    loose = solve(scenario, mip_gap=0.3, marginals=False)
    if loose.mip_gap is not None and loose.mip_gap > OPTIMAL_GAP:
        assert loose.status is Status.FEASIBLE and loose.solved
        assert "within" in loose.message and "of the best possible" in loose.message
        bound = float(loose.message.rsplit(" ", 1)[1].replace(",", ""))
        assert loose.objective <= best <= bound + 1e-6  # the bound stated holds
    else:
        assert loose.status is Status.OPTIMAL


# 7. --cross-check --format json --------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["software_company", pytest.param("regional_sales", marks=pytest.mark.slow)]
)  # regional: a heavy end-to-end run (two solvers, each with its ties); CI runs it
def test_cross_check_json_is_valid_json(name):
    result = runner.invoke(
        cli.app,
        [
            "solve",
            str(ROOT / "scenarios" / f"{name}.yaml"),
            "--cross-check",
            "--format",
            "json",
            "--no-explain",
        ],  # the cross-check is under test, not the explanation
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["cross_check"]["ok"] is True


# 8. extreme but valid, or refused with the range -----------------------------------------


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("finance.profit_target_per_month=-1e308", "expected a number >= -10000000000"),
        ("marketing.channels[search].tiers[0].cost_per_lead=1e-300",
         "expected 0 or a number of at least 0.01 $/lead"),
        ("sales.teams[field].average_deal_value=1e15", "expected a number <= 1000000000"),
        ("sales.conversation_tiers[0].conversion_rate=1e-9", "at least 1e-06 deals/conversation"),
    ],
)  # fmt: skip
def test_values_beyond_what_the_solver_handles_are_refused(override, expected):
    result = runner.invoke(cli.app, ["compare", str(SEED), "--set", override])
    assert result.exit_code == 2
    assert expected in result.output


def test_no_solution_has_a_message_never_an_empty_one():
    plan = solve(load_scenario(SEED), time_limit=1e-9)
    assert plan.status is Status.TIME_LIMIT and plan.objective is None
    assert not plan.solved
    assert plan.message == (
        "the time limit ran out before any plan was found (solver: Time limit reached)"
    )


# 9. shadow prices of a minimum headcount held at its cap ---------------------------------


def test_a_minimum_held_at_its_cap_is_priced_alike_by_every_solver():
    """marketers min = max = 3: the minimum cannot rise at all. HiGHS said -inf and OR-Tools
    -$6,500 a marketer (a step inside GLOP's tolerance); a re-solve says no plan."""
    scenario = load_scenario(SEED, ["marketing.marketers.min=3"])
    prices = {}
    for backend in ("highs", "ortools"):
        plan = solve(scenario, backend=backend)
        row = plan.constraint("marketing-marketers_min[2027-01]")
        assert row["binding"] and row["degenerate"]
        prices[backend] = row["shadow_price"]
    assert prices["highs"] == prices["ortools"] == -float("inf")
    with pytest.raises(ScenarioError, match=r"min \(4\) must not exceed max \(3\)"):
        load_scenario(SEED, ["marketing.marketers.min=4"])  # on paper: it cannot rise
    result = runner.invoke(cli.app, ["solve", str(SEED), "--set", "marketing.marketers.min=3"])
    assert "-inf" not in result.output and "inf;" not in result.output


# 11. small ones --------------------------------------------------------------------------


def test_a_fifo_is_not_called_a_folder(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = runner.invoke(cli.app, ["validate", str(fifo)])
    assert result.exit_code == 2
    assert "a special file (a pipe, socket or device)" in result.output


def test_a_long_name_is_quoted_short():
    with pytest.raises(ScenarioError) as caught:
        load_scenario(SEED, ["name=" + "x" * 100_000])
    text = str(caught.value)
    assert len(text) < 600 and "… (100,000 characters)" in text


@pytest.mark.parametrize("bad", ["a\nb", "tab\there", "bell\x07"])
def test_control_characters_in_names_are_refused(bad):
    for path in ("name", "sales.teams[0].name", "marketing.channels[0].name"):
        with pytest.raises(ScenarioError):
            load_scenario(SEED, [f"{path}={json.dumps(bad)}"])


def test_sweep_into_an_unwritable_path_is_one_line():
    result = runner.invoke(
        cli.app, ["sweep", str(SEED), "-i", "marketing.ad_budget_per_month", "--out",
                  "/nonexistent/x.csv"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "is not a folder this user can write to" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow  # waits out a time limit
def test_a_batch_time_limit_covers_the_diagnosis(tmp_path):
    """The batch's --time-limit bounds the diagnosis of an infeasible job too."""
    from optimizer.batch import Settings, run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8").replace("horizon_months: 1", "horizon_months: 24")
    text = text.split("\nvariants:")[0]  # one job: the file itself, not its variants
    (folder / "long.yaml").write_text(text, encoding="utf-8")
    start = time.perf_counter()
    report = run_batch([folder], tmp_path / "out", workers=1, progress=False,
                       settings=Settings(time_limit=3.0))  # fmt: skip
    assert time.perf_counter() - start < 3.0 + 12  # the limit, plus a worker's start-up
    result = json.loads((tmp_path / "out" / "results" / "long.json").read_text())
    assert result["status"] == "infeasible" and report.failed == 1
    assert any("time limit" in note for note in result["diagnosis"]["notes"])


def test_the_app_stops_its_own_solves_before_the_guard_kills_them():
    """The page's deadline ends the solve and diagnosis (with notes) before the guard's
    wall limit would stop the child with no answer at all."""
    from optimizer.app.analysis import ANSWER_SECONDS
    from optimizer.app.guard import WALL_LIMIT

    assert 0 < ANSWER_SECONDS <= WALL_LIMIT / 2


def test_compare_when_the_solver_gives_up_on_todays_targets_is_an_answer(tmp_path):
    """$100 billion of opening receivables beside $30 leads: HiGHS calls the evaluation of
    today's targets infeasible (its tolerances, not the company). compare says so in one
    line and exits 1 (no answer), not 3 (an internal error); found by the fuzz run."""
    import yaml
    from typer.testing import CliRunner

    from optimizer.cli import app

    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["finance"]["cash"]["opening_receivables"][0] = 100_000_000_000
    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    found = CliRunner().invoke(app, ["compare", str(path), "--no-why", "--time-limit", "10"])
    assert found.exit_code == 1, found.output
    assert "today's targets could not be evaluated" in found.output
    assert "internal error" not in found.output and "Traceback" not in found.output
