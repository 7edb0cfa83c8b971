"""The command line, end to end: ``kpi-optimizer solve`` / ``validate``.

The stdout-cleanliness tests of the JSON answers and the import-laziness tests run the
real entry point in a fresh process (``sys.executable -m optimizer.cli``), because the HiGHS
banner or an eager import only show up there. The CSV and error-path tests take ``run``
(tests/conftest.py): in this process in the inner loop, and in CI in a fresh process too,
where a banner or a stray traceback would show. The rest use typer's CliRunner.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import Ran, own_process
from typer.testing import CliRunner

from optimizer import cli
from optimizer.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "seed_company.yaml"
BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))
INFEASIBLE = "finance.profit_target_per_month=10000000"

TOP_KEYS = {"status", "objective", "verified", "targets", "constraints", "parameters", "overrides"}
OBJECTIVE_KEYS = {"name", "sense", "value", "unit"}
VERIFIED_KEYS = {"ok", "max_violation"}
TARGET_KEYS = {"department", "role", "metric", "period", "value", "unit"}
CONSTRAINT_KEYS = {
    "name", "department", "description", "period", "activity", "limit", "slack", "binding",
    "shadow_price", "allowable_increase", "allowable_decrease", "parameter", "sentence",
}  # fmt: skip
PARAMETER_KEYS = {"path", "value", "marginal_value", "unit"}

runner = CliRunner()


# ---- helpers ---------------------------------------------------------------------------
def _plain(args) -> list[str]:
    """A ``solve`` without the explanation's re-solves unless a test asks for it: the plan is
    under test here; the explanation (on by default) in test_explain and test_readme."""
    args = [str(a) for a in args]
    if args[:1] == ["solve"] and not {"--explain", "--no-explain"} & set(args):
        args.append("--no-explain")
    return args


def run_cli(*args: str | Path, timeout: float = 180) -> Ran:
    """The real entry point in a fresh interpreter, from the repository root."""
    return own_process(*_plain(args), timeout=timeout)


def _no_constant(name: str):
    raise AssertionError(f"{name} in JSON output (not valid JSON)")


def strict_json(text: str) -> dict:
    """json.loads that also refuses NaN / Infinity, which are not JSON."""
    data = json.loads(text, parse_constant=_no_constant)
    assert isinstance(data, dict)
    return data


def invoke(*args: str | Path):
    result = runner.invoke(app, _plain(args), env={"COLUMNS": "200"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args} raised {result.exception!r}") from result.exception
    return result


def solve_json(*args: str | Path, code: int = 0) -> dict:
    result = invoke("solve", SEED, "--format", "json", *args)
    assert result.exit_code == code, result.stderr
    return strict_json(result.stdout)


def target(data: dict, metric: str, role: str | None = None) -> float:
    rows = [
        t for t in data["targets"] if t["metric"] == metric and (role is None or t["role"] == role)
    ]
    assert len(rows) == 1, f"{len(rows)} targets match {metric!r} {role!r}"
    return rows[0]["value"]


def assert_problem_report(stderr: str, source: str, at_least: int = 1) -> list[str]:
    """``SOURCE: N problem(s)`` then exactly N lines ``  SOURCE: ...``; returns those lines."""
    assert "Traceback" not in stderr
    lines = stderr.rstrip("\n").split("\n")
    head = re.fullmatch(rf"{re.escape(source)}: (\d+) problem\(s\)", lines[0])
    assert head, f"unexpected first line: {lines[0]!r}"
    count = int(head.group(1))
    assert count >= at_least
    problems = lines[1:]
    assert len(problems) == count, stderr
    for line in problems:
        assert line.startswith(f"  {source}: "), line
        assert len(line.strip()) > len(source) + 2
    return problems


# ---- the default plan, solved once in a real process ----------------------------------
@pytest.fixture(scope="module")
def seed_proc() -> Ran:
    return run_cli("solve", SEED, "--format", "json")


@pytest.fixture(scope="module")
def seed(seed_proc) -> dict:
    assert seed_proc.returncode == 0, seed_proc.stderr
    return strict_json(seed_proc.stdout)


@pytest.fixture(scope="module")
def seed_yaml() -> dict:
    return yaml.safe_load(SEED.read_text())


# ---- stdout is the answer and nothing else ---------------------------------------------
def test_json_stdout_is_only_json(seed_proc):
    assert seed_proc.returncode == 0, seed_proc.stderr
    out = seed_proc.stdout
    assert out.startswith("{"), out[:200]  # no HiGHS banner or log line before the JSON
    assert out.endswith("}\n")
    assert "HiGHS" not in out.replace('"solver_status"', "")
    strict_json(out)  # the whole of stdout, not a slice of it
    assert "Traceback" not in seed_proc.stderr


def test_csv_stdout_is_only_csv(run):
    proc = run(*_plain(["solve", SEED, "--format", "csv"]))
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.split("\n", 1)[0]
    assert first.split(",")[:4] == ["department", "role", "metric", "period"], first
    frame = pd.read_csv(io.StringIO(proc.stdout))
    assert len(frame) > 0


def test_infeasible_exits_1_with_valid_json_on_stdout():
    proc = run_cli("solve", SEED, "--format", "json", "--set", INFEASIBLE)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("{")
    data = strict_json(proc.stdout)
    assert data["status"] == "infeasible"
    assert data["verified"]["ok"] is False
    assert data["objective"]["value"] is None
    assert data["targets"] == []
    assert data["overrides"] == [INFEASIBLE]
    assert "Traceback" not in proc.stdout + proc.stderr


# ---- solve --format json: shape --------------------------------------------------------
def test_json_has_every_documented_key(seed):
    assert TOP_KEYS <= seed.keys()
    assert OBJECTIVE_KEYS <= seed["objective"].keys()
    assert VERIFIED_KEYS <= seed["verified"].keys()
    for key, keys in (
        ("targets", TARGET_KEYS),
        ("constraints", CONSTRAINT_KEYS),
        ("parameters", PARAMETER_KEYS),
    ):
        assert seed[key], f"no {key}"
        for row in seed[key]:
            missing = keys - row.keys()
            assert not missing, f"{key} row {row} lacks {missing}"


def test_json_types(seed):
    for t in seed["targets"]:
        assert all(isinstance(t[k], str) for k in ("department", "role", "metric", "period"))
        assert isinstance(t["value"], int | float) and math.isfinite(t["value"])
    for c in seed["constraints"]:
        assert isinstance(c["binding"], bool)
        assert isinstance(c["sentence"], str) and c["sentence"].strip()
        for k in ("activity", "limit", "slack"):
            assert isinstance(c[k], int | float), (c["name"], k)
        # no limit / not available is null, never a string
        for k in ("shadow_price", "allowable_increase", "allowable_decrease"):
            assert c[k] is None or isinstance(c[k], int | float), (c["name"], k)
        assert c["parameter"] is None or isinstance(c["parameter"], str)
    for p in seed["parameters"]:
        assert isinstance(p["path"], str)
        assert p["marginal_value"] is None or isinstance(p["marginal_value"], int | float)


# ---- solve --format json: values -------------------------------------------------------
def test_default_plan_is_optimal_and_verified(seed):
    assert seed["status"] == "optimal"
    assert seed["verified"]["ok"] is True
    assert seed["verified"]["max_violation"] <= 1e-6
    assert seed["objective"]["name"] == "max_profit"
    assert seed["objective"]["sense"] == "max"
    assert seed["objective"]["unit"] == "$"
    assert seed["objective"]["value"] == pytest.approx(target(seed, "profit", role="finance"))
    assert seed["overrides"] == []


def test_calls_per_rep_per_day_is_conversations_over_rep_days(seed, seed_yaml):
    days = seed_yaml["calendar"]["business_days_per_month"]
    assert days == 20
    conversations = target(seed, "conversations_per_month", role="field")
    reps = target(seed, "reps", role="field")
    assert reps >= 1 and float(reps).is_integer()
    assert target(seed, "calls_per_rep_per_day", role="field") == pytest.approx(
        conversations / (reps * days)
    )


def test_targets_are_unique_per_role_metric_period(seed):
    keys = [(t["department"], t["role"], t["metric"], t["period"]) for t in seed["targets"]]
    assert len(keys) == len(set(keys))


def test_constraint_names_are_unique(seed):
    names = [c["name"] for c in seed["constraints"]]
    assert len(names) == len(set(names))


def test_some_limit_binds_with_a_nonzero_shadow_price(seed):
    priced = [
        c
        for c in seed["constraints"]
        if c["binding"] and c["shadow_price"] is not None and abs(c["shadow_price"]) > 1e-6
    ]
    assert priced
    # a priced binding limit gets a money sentence for a $ objective
    assert any(re.search(r"\$\d", c["sentence"]) for c in priced)


def test_binding_agrees_with_slack(seed):
    for c in seed["constraints"]:
        tol = 1e-6 * max(1.0, abs(c["limit"]))
        assert c["slack"] >= -tol, c
        if c["row_kind"] == "identity" or c["held_at_zero"]:
            assert not c["binding"], c  # identities, and limits at zero worth nothing, never bind
        elif c["kind"] != "definition":  # equalities that define a quantity are never "binding"
            assert c["binding"] == (c["slack"] <= tol), c


# ---- --objective and --set --------------------------------------------------------------
def test_min_cost_changes_objective(seed):
    data = solve_json("--objective", "min_cost")
    assert data["status"] == "optimal"
    assert data["verified"]["ok"] is True
    assert data["objective"]["name"] == "min_cost"
    assert data["objective"]["sense"] == "min"
    assert data["objective"]["value"] != pytest.approx(seed["objective"]["value"])


def test_set_reps_max_changes_the_plan_and_is_recorded(seed):
    reps_max = "sales.teams[field].reps.max=3"
    # three reps cannot earn the seed's profit goal, so the goal is lowered as well
    lower_goal = "finance.profit_target_per_month=-20000"
    data = solve_json("--set", reps_max, "--set", lower_goal)
    assert data["status"] == "optimal"
    assert data["verified"]["ok"] is True
    assert data["overrides"] == [reps_max, lower_goal]
    assert target(data, "reps", role="field") <= 3
    assert target(seed, "reps", role="field") > 3
    assert data["objective"]["value"] < seed["objective"]["value"]


def test_set_reps_max_alone_is_infeasible_but_recorded():
    reps_max = "sales.teams[field].reps.max=3"
    data = solve_json("--set", reps_max, code=1)
    assert data["status"] == "infeasible"
    assert data["overrides"] == [reps_max]


def test_set_bigger_ad_budget_raises_profit(seed):
    data = solve_json("--set", "marketing.ad_budget_per_month=50000")
    assert data["status"] == "optimal"
    assert data["overrides"] == ["marketing.ad_budget_per_month=50000"]
    assert target(data, "ad_spend_per_month", role="marketing") > 40000
    assert data["objective"]["value"] > seed["objective"]["value"] + 1


# ---- --format csv -----------------------------------------------------------------------
def test_csv_targets(seed):
    result = invoke("solve", SEED, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert TARGET_KEYS <= set(frame.columns)
    assert len(frame) == len(seed["targets"])
    calls = frame[(frame["metric"] == "calls_per_rep_per_day") & (frame["role"] == "field")]
    assert calls["value"].iloc[0] == pytest.approx(target(seed, "calls_per_rep_per_day", "field"))


def test_csv_constraints(seed):
    result = invoke("solve", SEED, "--format", "csv", "--table", "constraints")
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert (CONSTRAINT_KEYS - {"sentence"}) <= set(frame.columns)
    assert sorted(frame["name"]) == sorted(c["name"] for c in seed["constraints"])
    assert frame["binding"].dtype == bool
    # every row has the same number of fields (descriptions with commas are quoted)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len({len(r) for r in rows}) == 1


def test_csv_parameters(seed):
    result = invoke("solve", SEED, "--format", "csv", "--table", "parameters")
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert PARAMETER_KEYS <= set(frame.columns)
    assert len(frame) == len(seed["parameters"])


# ---- table format ------------------------------------------------------------------------
def test_table_shows_binding_limits_in_plain_words():
    result = invoke("solve", SEED)
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())  # rich wraps long lines
    assert "Binding limits" in text
    assert "Targets" in text
    sentence = re.search(
        r"Selling time, field team, Jan 2027: .* A step of one person-hour a day for a month "
        r"would add \$4,160 to profit \(\$3\.47 a minute a month\)\.",
        text,
    )
    assert sentence, text[-3000:]


def test_table_all_lists_every_limit():
    result = invoke("solve", SEED, "--all")
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "All limits" in text
    assert "has room" in text


def test_table_infeasible_exits_1():
    result = invoke("solve", SEED, "--set", INFEASIBLE)
    assert result.exit_code == 1
    assert "infeasible" in result.stdout


# ---- bad input: exit 2, one line per problem, no traceback -------------------------------
@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    files = {
        "broken_yaml": "calendar: [1, 2\n",
        "plain_text": "this is not a scenario\n",
        "empty": "",
        "list": "- 1\n- 2\n",
        "duplicate_key": "name: a\nname: b\n",
    }
    out = {k: d / f"{k}.yaml" for k in files}
    for k, text in files.items():
        out[k].write_text(text)
    out["binary"] = d / "binary.yaml"
    out["binary"].write_bytes(bytes(range(128, 256)) * 4)
    data = yaml.safe_load(SEED.read_text())
    data["calendar"]["hours_per_day"] = -8
    out["bad_value"] = d / "bad_value.yaml"
    out["bad_value"].write_text(yaml.safe_dump(data))
    data["delivery"]["unit_cost"] = "cheap"
    data["marketing"]["no_such_field"] = 1
    out["three_bad_values"] = d / "three_bad_values.yaml"
    out["three_bad_values"].write_text(yaml.safe_dump(data))
    out["missing"] = d / "no_such_file.yaml"
    return out


@pytest.mark.parametrize(
    "kind",
    [
        "missing", "broken_yaml", "plain_text", "empty", "list", "duplicate_key", "binary",
        "bad_value",
    ],
)  # fmt: skip
def test_bad_scenario_file_exits_2(bad_files, kind, run):
    path = bad_files[kind]
    proc = run(*_plain(["solve", path, "--format", "json"]))
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert_problem_report(proc.stderr, str(path))


def test_bad_value_names_the_field_and_the_value(bad_files, run):
    proc = run(*_plain(["solve", bad_files["bad_value"]]))
    assert proc.returncode == 2
    (line,) = assert_problem_report(proc.stderr, str(bad_files["bad_value"]))
    assert "calendar.hours_per_day" in line and "-8" in line


def test_every_problem_gets_its_own_line(bad_files, run):
    path = bad_files["three_bad_values"]
    proc = run(*_plain(["solve", path]))
    assert proc.returncode == 2
    problems = assert_problem_report(proc.stderr, str(path), at_least=3)
    text = "\n".join(problems)
    for field in ("calendar.hours_per_day", "delivery.unit_cost", "marketing.no_such_field"):
        assert sum(field in p for p in problems) == 1, text


@pytest.mark.parametrize(
    "override",
    [
        "no_such_section.x=1",
        "sales.teams[nobody].reps.max=3",
        "sales.teams[7].reps.max=3",
        "marketing.no_such_field=3",
        "calendar.hours_per_day.deeper=1",
        "no_equals_sign",
        "calendar.hours_per_day=eight",
    ],
)
def test_bad_set_exits_2(override, run):
    proc = run(*_plain(["solve", SEED, "--format", "json", "--set", override]))
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert_problem_report(proc.stderr, str(SEED))


def test_two_bad_sets_are_two_lines():
    result = invoke("solve", SEED, "--set", "nope.a=1", "--set", "nope.b=2")
    assert result.exit_code == 2
    problems = assert_problem_report(result.stderr, str(SEED), at_least=2)
    assert any("nope.a" in p for p in problems) and any("nope.b" in p for p in problems)


def test_directory_as_scenario_exits_2(tmp_path, run):
    proc = run(*_plain(["solve", tmp_path]))
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2
    assert_problem_report(proc.stderr, str(tmp_path))


def test_internal_error_is_one_line_exit_3(monkeypatch):
    import optimizer.analysis.solve

    def broken(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(optimizer.analysis.solve, "solve", broken)
    result = invoke("solve", SEED, "--format", "json")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "RuntimeError: solver exploded" in result.stderr
    assert "Traceback" not in result.stderr


# ---- objectives on every bundled scenario ------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=pytest.mark.slow) if p.name == "regional_sales.yaml" else p
     for p in BUNDLED],  # regional: a heavy end-to-end run; CI runs it
    ids=[p.name for p in BUNDLED],
)  # fmt: skip
def test_closest_to_current_solves(path):
    result = invoke(
        "solve", path, "--format", "json", "--objective", "closest_to_current", "--no-explain"
    )  # the explanation of this objective is tested on the seed below (30 s on regional)
    assert result.exit_code == 0, result.stderr
    data = strict_json(result.stdout)
    assert data["status"] == "optimal" and data["verified"]["ok"] is True
    assert data["objective"]["name"] == "closest_to_current"
    assert data["objective"]["sense"] == "min"
    assert data["objective"]["value"] >= 0
    assert "explanation" not in data


def test_closest_to_current_is_explained():
    result = invoke("solve", SEED, "--format", "json", "--objective",
                    "closest_to_current", "--hiring-free")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    why = strict_json(result.stdout)["explanation"]
    assert sorted(why["ranking"]) == sorted(s["subject"] for s in why["steps"])
    assert why["quality_floor"]["sentence"].startswith("The quality floor (20 minutes)")
    assert why["headcounts"] and all(h["sentences"] for h in why["headcounts"])


def test_closest_to_current_without_current_targets_exits_2(tmp_path):
    data = yaml.safe_load(SEED.read_text())
    data.pop("current_targets")
    path = tmp_path / "no_current.yaml"
    path.write_text(yaml.safe_dump(data))
    result = invoke("solve", path, "--objective", "closest_to_current")
    assert result.exit_code == 2
    assert "current target" in result.stderr
    assert result.stderr.count("\n") == 1


# ---- validate -----------------------------------------------------------------------------
def test_validate_all_bundled_scenarios():
    assert BUNDLED, "no scenarios/*.yaml"
    result = invoke("validate", *BUNDLED)
    assert result.exit_code == 0, result.stderr
    declared = {p: list(yaml.safe_load(Path(p).read_text()).get("variants", {})) for p in BUNDLED}
    assert result.stdout.splitlines() == [
        f"{p}: ok" + (f" (variants: {', '.join(declared[p])})" if declared[p] else "")
        for p in BUNDLED
    ]
    assert result.stderr == ""


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=pytest.mark.slow) if p.name == "regional_sales.yaml" else p
     for p in BUNDLED],  # regional: 13 s with its explanation; CI runs it
    ids=[p.name for p in BUNDLED],
)  # fmt: skip
def test_every_bundled_scenario_solves(path):
    result = invoke("solve", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = strict_json(result.stdout)
    assert data["status"] == "optimal" and data["verified"]["ok"] is True


def test_validate_bad_scenario_exits_2(bad_files, run):
    proc = run("validate", bad_files["three_bad_values"])
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_problem_report(proc.stderr, str(bad_files["three_bad_values"]), at_least=3)


def test_validate_mixed_reports_every_file(bad_files):
    result = invoke("validate", SEED, bad_files["bad_value"], bad_files["missing"])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [f"{SEED}: ok (variants: fifty_dials, least_cost)"]
    assert f"{bad_files['bad_value']}: 1 problem(s)" in result.stderr
    assert f"{bad_files['missing']}: 1 problem(s)" in result.stderr
    assert "Traceback" not in result.stderr


# ---- help and import cost ----------------------------------------------------------------
def _console_script() -> str:
    beside = Path(sys.executable).parent / "kpi-optimizer"
    found = str(beside) if beside.exists() else shutil.which("kpi-optimizer")
    if not found:
        pytest.skip("kpi-optimizer console script not installed")
    return found


def test_console_script_help():
    proc = subprocess.run(
        [_console_script(), "--help"], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    assert "solve" in proc.stdout and "validate" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_solve_help():
    result = invoke("solve", "--help")
    assert result.exit_code == 0
    for option in ("--objective", "--set", "--format", "--table", "--time-limit", "--all"):
        assert option in result.stdout


HEAVY = ("pandas", "highspy", "numpy", "pulp", "ortools", "scipy")


def test_importing_the_cli_does_not_import_heavy_libraries():
    code = (
        "import json, sys, optimizer.cli; "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    assert "pandas" not in loaded and "highspy" not in loaded, loaded
    assert loaded == [], loaded
    # the import-time log agrees: no pandas or highspy module was imported
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    assert not {m for m in imported if m.split(".")[0] in ("pandas", "highspy")}


def test_help_does_not_import_heavy_libraries():
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "optimizer.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    assert not {m for m in imported if m.split(".")[0] in ("pandas", "highspy")}


def test_json_is_indented_for_a_person_and_compact_for_a_large_company():
    """Python's indenting JSON encoder is its slow one: above DETAIL_LIMIT variables the
    command line writes compact JSON (the same content)."""
    from optimizer.analysis.solve import DETAIL_LIMIT

    payload = {"a": [1, 2], "b": {"c": "d"}}
    assert cli._json_text(payload, DETAIL_LIMIT) == json.dumps(payload, indent=2)
    assert cli._json_text(payload, DETAIL_LIMIT + 1) == '{"a": [1, 2], "b": {"c": "d"}}'


def test_compare_and_solve_take_a_variant_the_file_declares():
    """The seed's fifty_dials variant: 50 dials a rep a day, 150 dialing minutes today."""
    result = invoke("compare", SEED, "--variant", "fifty_dials", "--format", "json", "--no-why")
    assert result.exit_code == 0, result.stderr
    side = json.loads(result.stdout)["side_by_side"]
    dialing = [r for r in side if r["metric"] == "dialing_minutes_per_rep_per_day"]
    assert [round(r["current"], 6) for r in dialing] == [150]
    solved = invoke("solve", SEED, "--variant", "fifty_dials", "--set",
                    "sales.teams[field].reps.max=6", "--format", "json", "--no-explain")  # fmt: skip
    assert solved.exit_code == 0, solved.stderr
    reps = [t for t in json.loads(solved.stdout)["targets"] if t["metric"] == "reps"]
    assert [t["value"] for t in reps] == [6]
    wrong = invoke("compare", SEED, "--variant", "no_such")
    assert wrong.exit_code == 2
    assert "fifty_dials" in wrong.stderr and "Traceback" not in wrong.stderr
