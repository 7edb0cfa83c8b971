"""Issue 11 in the app: nothing a user types or uploads may crash, hang or lose work.

The page's solves run in a child process (``optimizer.app.guard``). The stand-ins for
``analysis.analyse`` below are pickled by reference, so the child imports this module:
its top stays light (AppTest is imported where a test needs it). Each stand-in misbehaves
only for the scenario named for it and otherwise runs the real analysis.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from pathlib import Path

import pytest

from optimizer.analysis import answers
from optimizer.analysis.result import Verification
from optimizer.app import analysis, guard, headline
from optimizer.app.scenario_files import SaveError, read_upload, save_new
from optimizer.report.sentences import money
from optimizer.runtime import isolation
from optimizer.scenario.loading import MAX_SCENARIO_BYTES, ScenarioError, load_scenario
from optimizer.solvers import Status

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SEED = ROOT / "scenarios" / "seed_company.yaml"
REAL_ANALYSE = analysis.analyse
CRASH_IN_SOLVE = "Crashes in the solve"
CRASH_IN_DIAGNOSIS = "Crashes in the diagnosis"
HANGS = "Hangs in the solve"


def analyse_or_crash(scenario, objective=None):
    """The real analysis, whose solve (or diagnosis) dies of SIGSEGV for the named scenarios."""
    assert isolation.in_child()  # the patches below live and die with the child
    from optimizer.analysis import diagnose, solve  # the use cases import them when called

    if scenario.name == CRASH_IN_SOLVE:
        solve.solve = lambda *args, **kwargs: isolation.crash_for_tests()  # in the child
    if scenario.name == CRASH_IN_DIAGNOSIS:
        diagnose.diagnose = lambda *args, **kwargs: isolation.crash_for_tests()
    return REAL_ANALYSE(scenario, objective)


def analyse_or_hang(scenario, objective=None):
    if scenario.name == HANGS:
        isolation.stage(answers.SOLVING)
        time.sleep(600)
    return REAL_ANALYSE(scenario, objective)


def compare_and_crash(scenario, objective=None):
    assert isolation.in_child()
    analysis.compare = lambda *args, **kwargs: isolation.crash_for_tests()
    return analysis.compare_today(scenario, objective)


def analyse_never(scenario, objective=None):
    raise AssertionError("solved again")


def analyse_unless_the_page_ran(scenario, objective=None):
    """The real analysis, if the child did not run the page script as its main module."""
    if getattr(sys.modules.get("__mp_main__"), "__file__", None) == APP:
        raise AssertionError("the child ran the page script again")
    return REAL_ANALYSE(scenario, objective)


def seed_named(name: str, *changes: tuple[str, str]) -> str:
    text = SEED.read_text().replace("name: Seed company (50 calls a day)", f"name: {name}")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    return text


IMPOSSIBLE = ("profit_target_per_month: 15000", "profit_target_per_month: 60000")


def page():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def paste(at, text: str):
    at.text_area(key="yaml_text").input(text)
    at.button(key="load_yaml_text").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> str:
    return "\n".join(e.value for e in elements)


def profit(at) -> str:
    return next(m for m in at.metric if m.label.startswith("Profit")).value


@pytest.fixture
def uncached():
    import streamlit as st

    st.cache_data.clear()  # every solve below runs in a child, none comes from a cache
    yield
    st.cache_data.clear()


# ---- a native crash or a hang is a message; the server serves on -------------------------


def test_a_solver_crash_is_a_message_and_the_page_serves_on(monkeypatch, uncached):
    monkeypatch.setattr(analysis, "analyse", analyse_or_crash)
    at = paste(page(), seed_named(CRASH_IN_SOLVE))
    assert at.error[0].value == (
        f"The solver crashed (SIGSEGV) during the solve, on the scenario “{CRASH_IN_SOLVE}” "
        "(pasted). No plan is shown for it. The app is still running: choose, upload or paste "
        "another scenario, or change this one's inputs."
    )
    assert not at.metric and not at.success and at.button(key="solve_again")
    at.run()  # a rerun shows the crash again, from the cache: no second crash
    assert "crashed (SIGSEGV)" in at.error[0].value
    # the next action works: a bundled scenario, solved (in a child) and shown
    at.selectbox(key="scenario_file").set_value("software_company.yaml").run()
    assert not at.exception and not at.error
    scenario = load_scenario(ROOT / "scenarios" / "software_company.yaml")
    plan = REAL_ANALYSE(scenario).plan  # profit, not the objective (which credits customers)
    assert profit(at) == money(
        plan.targets.query("role == 'finance' and metric == 'profit'")["value"].sum()
    )
    assert "Optimal plan" in next(c.value for c in at.caption if c.value.startswith("✓"))


def test_a_crash_names_the_stage_it_happened_in():
    crashing = read_upload(seed_named(CRASH_IN_SOLVE).encode(), "a.yaml")
    assert guard.attempt(analyse_or_crash, crashing) == (
        None,
        guard.Failure("crash", "the solve", signal="SIGSEGV"),
    )
    impossible = read_upload(seed_named(CRASH_IN_DIAGNOSIS, IMPOSSIBLE).encode(), "b.yaml")
    _, failure = guard.attempt(analyse_or_crash, impossible)
    assert failure.stage == "the diagnosis of why there is no plan"
    _, failure = guard.attempt(compare_and_crash, load_scenario(SEED))
    assert failure.stage == "the comparison with today's targets"
    # a scenario that does not crash comes back whole from the child
    a, failure = guard.attempt(analyse_or_crash, load_scenario(SEED))
    assert failure is None and a.plan.objective == pytest.approx(35400)


@pytest.mark.slow  # waits out a time limit
def test_a_hang_is_stopped_at_the_wall_limit_and_can_be_tried_again(monkeypatch, uncached):
    monkeypatch.setattr(analysis, "analyse", analyse_or_hang)
    monkeypatch.setattr(guard, "WALL_LIMIT", 4.0)
    started = time.monotonic()
    at = paste(page(), seed_named(HANGS))
    assert time.monotonic() - started < 30
    assert at.error[0].value.startswith(
        f"The solver did not finish within 4 s (stopped during the solve), on the scenario "
        f"“{HANGS}” (pasted). No plan is shown for it."
    )
    monkeypatch.setattr(analysis, "analyse", REAL_ANALYSE)  # whatever hung has passed
    at.button(key="solve_again").click().run()
    assert not at.error and profit(at) == money(35400)


def test_a_solve_child_does_not_run_the_page_again(monkeypatch, uncached):
    monkeypatch.setattr(analysis, "analyse", analyse_unless_the_page_ran)
    at = page()
    assert not at.error and profit(at) == money(35400)


def test_a_rerun_does_not_solve_again(monkeypatch):
    at = page()
    shown = profit(at)
    monkeypatch.setattr(analysis, "analyse", analyse_never)  # would show "optimizer failed"
    at.run()
    assert not at.error and profit(at) == shown == money(35400)


# ---- a refused file or text never passes for the plan on the page ----------------------------


def test_a_refused_paste_keeps_the_text_and_says_whose_plan_is_shown():
    at = paste(page(), "name: [unclosed")
    # the problem beside the pasted text, and no plan: the seed's is not the paste's answer
    assert "pasted YAML: line 1, column 16: not valid YAML" in texts(at.sidebar.error)
    assert at.main.error[0].value.startswith(
        "“pasted YAML” was not loaded: 1 problem, listed beside the pasted YAML in the sidebar."
    )
    assert not at.metric
    assert at.text_area(key="yaml_text").value == "name: [unclosed"  # the work is kept
    at.selectbox(key="scenario_file").set_value("software_company.yaml").run()
    assert not at.error and not at.warning  # a scenario that loads clears both


def test_a_refused_bundled_file_leaves_the_list_on_the_file_shown(scenarios_copy):
    (scenarios_copy / "broken.yaml").write_text("name: [unclosed")
    at = page()
    at.selectbox(key="scenario_file").set_value("broken.yaml").run()
    assert "broken.yaml: line 1, column 16: not valid YAML" in texts(at.sidebar.error)
    assert at.main.error[0].value.startswith(
        "“broken.yaml” was not loaded: 1 problem, listed beside"
    )
    assert at.selectbox(key="scenario_file").value == "seed_company.yaml"
    at.button(key="back_to_plan").click().run()  # the scenario on the page, its plan again
    assert profit(at) == money(35400) and not at.error


@pytest.fixture
def scenarios_copy(tmp_path, monkeypatch):
    import shutil

    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", folder)
    monkeypatch.setenv("KPI_OPTIMIZER_SCENARIOS", str(folder))
    return folder


# ---- uploads: size cap, YAML bombs, anything raised --------------------------------------------

BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi")
)
DEEP = "".join("  " * i + f"k{i}:\n" for i in range(400)) + "  " * 400 + "v: 1\n"


def upload(at, name: str, data: bytes):
    at.file_uploader[0].upload(name, data, "application/x-yaml").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.metric  # no plan on the page: the last one is not the refused file's
    return texts(at.sidebar.error)  # beside the uploader


def test_an_alias_bomb_and_a_400_deep_map_give_the_error_list():
    at = page()
    errors = upload(at, "bomb.yaml", BOMB.encode())
    assert errors.startswith("bomb.yaml: ") and "alias" in errors
    assert at.main.error[0].value.startswith("“bomb.yaml” was not loaded: 1 problem")
    errors = upload(at, "deep.yaml", DEEP.encode())
    assert errors.startswith("deep.yaml: ") and "deep" in errors
    assert "Traceback" not in texts(at.error)
    at.button(key="back_to_plan").click().run()
    assert profit(at) == money(35400)


def test_an_upload_over_5_mib_is_refused():
    at = page()
    errors = upload(at, "big.yaml", b"#" * (MAX_SCENARIO_BYTES + 1))
    assert errors == f"big.yaml: a file of at most 5242880 bytes, found {MAX_SCENARIO_BYTES + 1}"


@pytest.mark.parametrize(
    "raised, shown",
    [
        (RecursionError, "nested too deeply to read (sections inside sections, hundreds deep)"),
        (MemoryError, "too large to read: it would not fit in memory"),
        (KeyError, "could not be read (KeyError); nothing was loaded"),
    ],
)
def test_anything_raised_while_reading_is_a_listed_problem(monkeypatch, raised, shown):
    def parse(text, source):
        raise raised("boom")

    monkeypatch.setattr("optimizer.app.scenario_files.parse_yaml", parse)
    at = page()
    assert upload(at, "odd.yaml", b"name: x\n") == f"odd.yaml: {shown}"
    paste(at, "name: y\n")
    assert texts(at.sidebar.error) == f"pasted YAML: {shown}"
    assert at.main.error[0].value.startswith("“pasted YAML” was not loaded")


def test_read_upload_raises_only_scenario_errors(monkeypatch):
    monkeypatch.setattr(
        "optimizer.app.scenario_files.parse_yaml",
        lambda text, source: (_ for _ in ()).throw(RecursionError("deep")),
    )
    with pytest.raises(ScenarioError) as err:
        read_upload(b"a: 1\n", "x.yaml")
    assert [str(p) for p in err.value.problems] == [
        "nested too deeply to read (sections inside sections, hundreds deep)"
    ]


# ---- save names --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["plan\n", "pl\nan", "plan\r", "plan\t1", "plan\x00", "\x1b[2J"])
def test_save_refuses_control_characters(tmp_path, name):
    with pytest.raises(SaveError) as err:
        save_new("a: 1\n", tmp_path, name)
    assert str(err.value) == (
        f"{name!r} is not a usable file name: it contains a control character (a line break, "
        "a tab or another invisible character)"
    )
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_long_names_and_echoes_an_excerpt(tmp_path):
    with pytest.raises(SaveError) as err:
        save_new("a: 1\n", tmp_path, "x" * 100_000)
    assert str(err.value) == (
        f"'{'x' * 40}'… is not a usable file name: 100,000 characters, at most 64"
    )
    assert save_new("a: 1\n", tmp_path, "y" * 64).name == "y" * 64 + ".yaml"
    with pytest.raises(SaveError, match="65 characters, at most 64"):
        save_new("a: 1\n", tmp_path, "z" * 65 + ".yaml")


def test_the_page_refuses_a_save_name_with_a_line_break(scenarios_copy):
    at = page()
    at.text_input(key="save_name").input("my\nplan")
    at.button(key="save_scenario").click().run()
    assert not at.exception
    assert texts(at.error) == (
        "'my\\nplan' is not a usable file name: it contains a control character (a line "
        "break, a tab or another invisible character)"
    )
    assert not [p for p in scenarios_copy.iterdir() if "\n" in p.name or p.name.startswith("my")]


# ---- the headline: only a plan that exists can fail the check -----------------------------------


@pytest.fixture(scope="module")
def solved():
    return REAL_ANALYSE(load_scenario(SEED)).plan


def no_plan(plan, status, solver_status="", message=""):
    empty = Verification(ok=False, max_violation=math.nan, worst="no plan")
    return dataclasses.replace(
        plan, status=status, objective=None, targets=plan.targets.iloc[0:0], verified=empty,
        solver_status=solver_status, message=message,
    )  # fmt: skip


def test_no_plan_says_why_and_never_that_it_failed_the_check(solved):
    cases = {
        (Status.ERROR, "Solve error", ""): (
            "warning",
            "No plan: the solver stopped with an error before finding any plan. "
            "Solver status: Solve error.",
        ),
        (Status.TIME_LIMIT, "", ""): (
            "warning",
            "No plan: the solver stopped at its time limit before finding any plan. "
            "The solver gave no reason.",
        ),
        (Status.ERROR, "Unknown", "CBC failed: no binary."): (
            "warning",
            "No plan: the solver stopped with an error before finding any plan. "
            "CBC failed: no binary.",
        ),
        (Status.INFEASIBLE, "Infeasible", ""): (
            "error",
            "No plan: impossible: no plan meets every limit and goal.",
        ),
    }
    for (status, solver_status, message), expected in cases.items():
        assert headline.status_line(no_plan(solved, status, solver_status, message)) == expected


def test_a_plan_that_exists_can_fail_the_check_or_be_unproven(solved):
    failed = Verification(ok=False, max_violation=0.02, worst="delivery-capacity[2027-01]")
    bad = dataclasses.replace(solved, status=Status.ERROR, verified=failed, message="")
    assert headline.status_line(bad) == (
        "error",
        "Not trusted: the solver's plan failed the independent check against the scenario, "
        "so it is not shown. Building capacity, Jan 2027 is off by 0.02 (relative).",
    )
    unproven = dataclasses.replace(
        solved, status=Status.TIME_LIMIT, solver_status="Time limit reached"
    )
    assert headline.status_line(unproven) == (
        "warning",
        "No proven plan: the solver stopped at its time limit before proving its best plan "
        "optimal, so it is not shown. Solver status: Time limit reached.",
    )


def test_a_plan_proven_only_within_a_gap_is_not_called_optimal(solved):
    """A large company's plan under the gap policy (or a time limit with a plan in hand)
    is feasible within its proven gap: the headline says so, in the plan's own words."""
    message = (
        "feasible, within 0.415% of the best possible (the solver stopped at the gap it was "
        "given): no plan reaches more than 307,733,432"
    )
    feasible = dataclasses.replace(solved, status=Status.FEASIBLE, message=message)
    kind, text = headline.status_line(feasible)
    assert kind == "success" and not text.startswith("Optimal")
    assert text.startswith(f"Plan for max profit, {message}. Checked independently")
    assert headline.status_line(solved)[1].startswith("Optimal plan for max profit, checked")
