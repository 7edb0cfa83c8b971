"""Batch solving: ``kpi-optimizer batch`` and ``optimizer.batch``.

A folder of good, broken and infeasible scenarios; results in the JSON of ``solve``;
the summary in CSV, Parquet and Excel; atomic writes under interruption; resume and
``--force``; and a Dask LocalCluster giving the same summary as local processes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.batch import NoScenarios, Settings, run_batch
from optimizer.batch.summary import TIMING_COLUMNS
from optimizer.cli import app
from optimizer.runtime import files as batch_files

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "seed_company.yaml"
SEED_BASE = SEED.read_text().split("\nvariants:")[0] + "\n"
"""The seed's text without its own variant (fifty_dials): these tests count and name jobs."""
SOFTWARE = ROOT / "scenarios" / "software_company.yaml"
VARIANTS = """
variants:
  lean_budget: {marketing.ad_budget_per_month: 30000}
  long_days: {calendar.hours_per_day: 9}
  typo: {calendar.hours_per_dy: 9}
"""
runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Good (with variants), broken YAML, invalid values and an infeasible goal."""
    d = tmp_path / "scenarios"
    d.mkdir()
    (d / "seed.yaml").write_text(SEED_BASE + VARIANTS)
    shutil.copy(SOFTWARE, d / "software.yaml")
    (d / "broken.yaml").write_text("name: broken\ncalendar: [1, 2\n")
    (d / "invalid.yaml").write_text(
        SEED_BASE.replace("qualified_lead_share: 0.55", "qualified_lead_share: 1.7")
    )
    (d / "infeasible.yaml").write_text(
        SEED_BASE.replace("profit_target_per_month: 15000", "profit_target_per_month: 1e7")
    )
    (d / "notes.txt").write_text("not a scenario: skipped in a folder")
    return d


def by_name(report) -> dict[str, dict]:
    return {
        r["scenario"] if r["variant"] == "base" else f"{r['scenario']}@{r['variant']}": r
        for r in report.rows
    }


@pytest.fixture
def batch(folder: Path, tmp_path: Path):
    out = tmp_path / "out"
    return run_batch([folder], out, workers=1, progress=False), out


def test_good_scenarios_complete_and_the_rest_get_rows_with_their_errors(batch):
    report, out = batch
    rows = by_name(report)
    assert set(rows) == {
        "seed",
        "seed@lean_budget",
        "seed@long_days",
        "seed@typo",
        "software",
        "broken",
        "invalid",
        "infeasible",
    }
    for name in ("seed", "seed@lean_budget", "seed@long_days", "software"):
        assert rows[name]["status"] == "optimal" and rows[name]["verified"] is True, name
        assert rows[name]["error"] is None
    assert rows["broken"]["error_kind"] == "bad_input"
    assert "not valid YAML" in rows["broken"]["error"]
    assert "qualified_lead_share = 1.7: expected a number <= 1" in rows["invalid"]["error"]
    assert "calendar.hours_per_dy" in rows["seed@typo"]["error"]
    assert rows["infeasible"]["status"] == "infeasible"
    assert rows["infeasible"]["error_kind"] == "no_plan"
    assert (report.solved, report.failed, report.reused) == (4, 4, 0)
    assert not report.ok
    names = sorted(p.name for p in (out / "results").iterdir())
    assert names == sorted(f"{n}.json" for n in rows)


@pytest.mark.parametrize("name", ["software", "infeasible"])
def test_a_result_is_the_json_of_solve_plus_the_batch_fields(batch, folder, name):
    _, out = batch
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "optimizer.cli",
            "solve",
            str(folder / f"{name}.yaml"),
            "-f",
            "json",
            "--no-explain",
        ],  # a batch result is the plan without the explanation's re-solves
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    solved = json.loads(proc.stdout)
    result = json.loads((out / "results" / f"{name}.json").read_text())
    extra = {"variant", "content_hash", "settings", "error", "gap_to_current", "solve_seconds"}
    assert set(result) == set(solved) | extra
    for key in set(solved) - {"timings_seconds"}:
        assert result[key] == solved[key], key
    assert result["variant"] == "base"


def test_an_infeasible_row_carries_its_diagnosis(batch):
    report, _ = batch
    error = by_name(report)["infeasible"]["error"]
    assert "conflicting limits: " in error and "finance-profit_goal[2027-01]" in error
    assert "cheapest repair: lower the profit target" in error


def test_a_variant_result_records_its_overrides(batch):
    _, out = batch
    result = json.loads((out / "results" / "seed@long_days.json").read_text())
    assert result["variant"] == "long_days"
    assert result["overrides"] == ["calendar.hours_per_day=9"]
    typo = json.loads((out / "results" / "seed@typo.json").read_text())
    assert typo["status"] == "error" and typo["overrides"] == ["calendar.hours_per_dy=9"]


def test_the_summary_has_one_row_per_scenario_and_variant_in_three_formats(batch):
    report, out = batch
    csv = pd.read_csv(out / "summary.csv")
    parquet = pd.read_parquet(out / "summary.parquet")
    assert len(csv) == len(parquet) == len(report.rows) == 8
    assert list(csv.columns) == list(parquet.columns)
    for column in (
        "scenario",
        "variant",
        "status",
        "verified",
        "objective",
        "profit_total",
        "reps[field]",
        "calls_per_rep_per_day[field]",
        "leads_per_month",
        "ad_spend_per_month",
        "binding_constraints",
        "gap.calls_per_rep_per_day",
        "gap_total",
        "solve_seconds",
        "error",
    ):
        assert column in csv.columns, column
    seed = parquet[(parquet.scenario == "seed") & (parquet.variant == "base")].iloc[0]
    result = json.loads((out / "results" / "seed.json").read_text())
    assert seed["objective"] == pytest.approx(result["objective"]["value"])
    binding = [c["name"] for c in result["constraints"] if c["binding"]]
    assert seed["binding_constraints"].split("; ") == binding
    assert "sales-selling_time[2027-01,field]" in binding
    # the seed asks 50 calls a day; the plan holds 7.5
    assert seed["calls_per_rep_per_day[field]"] == pytest.approx(7.5)
    assert seed["gap.calls_per_rep_per_day"] == pytest.approx(7.5 - 50)
    assert seed["gap.reps[field]"] == pytest.approx(seed["reps[field]"] - 6)


def test_the_workbook_compares_scenarios_side_by_side(batch):
    _, out = batch
    book = openpyxl.load_workbook(out / "summary.xlsx")
    assert book.sheetnames == ["Compare", "Summary", "Failures"]
    compare = book["Compare"]
    header = [c.value for c in compare[1]]
    assert header[0] == "field" and "seed" in header and "seed@long_days" in header
    fields = [row[0].value for row in compare.iter_rows(min_row=2)]
    assert {"status", "objective", "reps[field]", "binding_constraints"} <= set(fields)
    failures = {row[0].value for row in book["Failures"].iter_rows(min_row=2)}
    assert failures == {"seed", "broken", "invalid", "infeasible"}  # seed: its typo variant


def test_the_command_exits_1_when_any_scenario_failed_and_0_when_none(folder, tmp_path):
    result = runner.invoke(app, ["batch", str(folder), "--out", str(tmp_path / "a"), "-j", "1"])
    assert result.exit_code == 1, result.output
    assert "4 solved, 4 failed" in result.output
    good = runner.invoke(
        app, ["batch", str(folder / "software.yaml"), "--out", str(tmp_path / "b"), "-j", "1"]
    )
    assert good.exit_code == 0, good.output


def test_paths_can_be_files_folders_and_globs(folder, tmp_path):
    report = run_batch(
        [folder / "software.yaml", str(folder / "inf*.yaml")],
        tmp_path / "out",
        workers=1,
        progress=False,
    )
    assert [r["scenario"] for r in report.rows] == ["software", "infeasible"]
    with pytest.raises(NoScenarios, match="nothing.yaml"):
        run_batch([folder / "nothing.yaml"], tmp_path / "out", progress=False)
    missing = runner.invoke(app, ["batch", str(folder / "none*.yaml"), "--out", str(tmp_path)])
    assert missing.exit_code == 2


def test_only_the_named_variants_are_solved(folder, tmp_path):
    report = run_batch(
        [folder / "seed.yaml"],
        tmp_path / "out",
        workers=1,
        variants=["long_days"],
        progress=False,
    )
    assert [(r["scenario"], r["variant"]) for r in report.rows] == [("seed", "long_days")]


def test_a_process_pool_gives_the_same_results(batch, folder, tmp_path):
    one, _ = batch
    two = run_batch([folder], tmp_path / "pool", workers=2, progress=False)
    assert drop_timings(two).equals(drop_timings(one))


# ---- atomic writes ---------------------------------------------------------------------
def test_a_write_interrupted_midway_leaves_no_file(tmp_path, monkeypatch):
    target = tmp_path / "results" / "a.json"

    def half_then_fail(self, text, encoding=None):
        with open(self, "w", encoding=encoding) as handle:
            handle.write(text[: len(text) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_text", half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        batch_files.write_text(target, '{"status": "optimal"}')
    monkeypatch.undo()
    assert list(target.parent.iterdir()) == []


def test_an_interrupted_overwrite_keeps_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "a.json"
    batch_files.write_text(target, '{"old": true}')

    def fail(path):
        path.write_text('{"new": ')
        raise OSError("disk full")

    with pytest.raises(OSError):
        batch_files.write_with(target, fail)
    assert json.loads(target.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_a_killed_run_leaves_only_whole_files_and_a_rerun_finishes(tmp_path):
    scenarios = tmp_path / "many"
    scenarios.mkdir()
    for i in range(30):
        (scenarios / f"seed_{i:02d}.yaml").write_text(SEED_BASE)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "optimizer.cli",
            "batch",
            str(scenarios),
            "--out",
            str(out),
            "-j",
            "1",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "results").glob("*.json"))) < 3:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    written = list((out / "results").glob("*.json"))
    assert 3 <= len(written) < 30, "the run should be killed midway"
    for path in written:
        json.loads(path.read_text())  # every result file is whole
    assert not (out / "summary.csv").exists()
    report = run_batch([scenarios], out, workers=1, progress=False)
    assert report.reused >= len(written) and report.ok and len(report.rows) == 30
    leftovers = [p for p in out.rglob("*") if p.name.endswith(batch_files.TEMP_SUFFIX)]
    assert leftovers == []


def test_a_stale_temporary_file_is_swept(tmp_path):
    stale = tmp_path / "out" / "results" / f".seed.json.123{batch_files.TEMP_SUFFIX}"
    stale.parent.mkdir(parents=True)
    stale.write_text("{half")
    run_batch([SEED], tmp_path / "out", workers=1, progress=False)
    assert not stale.exists()


# ---- resume and --force ----------------------------------------------------------------
def mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (out / "results").iterdir()}


def test_a_rerun_skips_unchanged_scenarios_and_gives_the_same_summary(batch, folder):
    first, out = batch
    before = mtimes(out)
    again = run_batch([folder], out, workers=1, progress=False)
    assert again.reused == len(again.rows) == 8
    assert mtimes(out) == before
    assert pd.DataFrame(again.rows).equals(pd.DataFrame(first.rows))


def test_a_changed_scenario_or_setting_is_solved_again(batch, folder):
    _, out = batch
    software = folder / "software.yaml"
    software.write_text(software.read_text().replace("hours_per_day: 8", "hours_per_day: 7.5"))
    report = run_batch([folder], out, workers=1, progress=False)
    assert report.reused == 7
    row = by_name(report)["software"]
    assert (
        json.loads((out / "results" / "software.json").read_text())["content_hash"]
        == row["content_hash"]
    )
    changed = run_batch(
        [folder], out, workers=1, settings=Settings(objective="min_cost"), progress=False
    )
    assert changed.reused == 0
    assert by_name(changed)["seed"]["objective_name"] == "min_cost"


def test_solver_threads_are_a_setting_and_leave_later_solves_as_they_were(batch, folder):
    from optimizer.solvers import highs

    first, out = batch
    pinned = run_batch(
        [folder / "seed.yaml"],
        out,
        workers=1,
        settings=Settings(solver_threads=2),
        progress=False,
    )
    assert pinned.reused == 0
    result = json.loads((out / "results" / "seed.json").read_text())
    assert result["settings"]["solver_threads"] == 2 and result["status"] == "optimal"
    assert result["objective"]["value"] == pytest.approx(35_400)
    assert highs.threads() == highs.DEFAULT_THREADS  # reset for this process


def test_force_solves_everything_again(batch, folder):
    _, out = batch
    before = mtimes(out)
    result = runner.invoke(app, ["batch", str(folder), "--out", str(out), "-j", "1", "--force"])
    assert "0 unchanged" in result.output
    after = mtimes(out)
    assert all(after[name] > before[name] for name in before)


def explode(job) -> None:
    """A worker hook (``worker.BEFORE_JOB``): every job's solve raises."""
    raise RuntimeError("solver exploded")


def test_an_internal_error_becomes_a_row_and_is_retried(folder, tmp_path, monkeypatch):
    from optimizer.batch import worker

    monkeypatch.setattr(worker, "BEFORE_JOB", explode)  # carried to the worker process
    crashed = run_batch([folder / "software.yaml"], tmp_path / "out", workers=1, progress=False)
    assert crashed.rows[0]["error_kind"] == "internal"
    assert "RuntimeError: solver exploded" in crashed.rows[0]["error"]
    monkeypatch.undo()
    retried = run_batch([folder / "software.yaml"], tmp_path / "out", workers=1, progress=False)
    assert retried.reused == 0 and retried.ok


# ---- Dask ------------------------------------------------------------------------------
def drop_timings(report) -> pd.DataFrame:
    return pd.DataFrame(report.rows).drop(columns=list(TIMING_COLUMNS))


def test_a_dask_local_cluster_gives_the_same_summary_as_local_processes(batch, folder, tmp_path):
    local, _ = batch
    dask = run_batch([folder], tmp_path / "dask", workers=2, executor="dask", progress=False)
    pd.testing.assert_frame_equal(drop_timings(dask), drop_timings(local))
    for path in (tmp_path / "dask" / "results").iterdir():
        a = json.loads(path.read_text())
        b = json.loads((batch[1] / "results" / path.name).read_text())
        for result in (a, b):
            result.pop("timings_seconds"), result.pop("solve_seconds")
        assert a == b, path.name


def test_a_batch_runs_on_an_existing_scheduler_by_address(folder, tmp_path):
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, dashboard_address=None, processes=True
    ) as cluster:
        result = runner.invoke(
            app,
            [
                "batch",
                str(folder / "software.yaml"),
                "--out",
                str(tmp_path / "out"),
                "--executor",
                "dask",
                "--scheduler",
                cluster.scheduler_address,
            ],
        )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out" / "results" / "software.json").read_text())["status"] == (
        "optimal"
    )
    no_dask = runner.invoke(
        app, ["batch", str(folder), "--out", str(tmp_path), "--scheduler", "tcp://x:1"]
    )
    assert no_dask.exit_code == 2


def test_variants_are_solved_in_the_held_base_model_and_match_solve(tmp_path):
    """A variant moving numbers is re-solved in its file's held model; its result is the
    one ``solve`` gives (limits, prices, marginal values), whichever route it took."""
    from optimizer.analysis.solve import solve
    from optimizer.batch import worker
    from optimizer.batch.jobs import plan_jobs
    from optimizer.report.payload import to_json
    from optimizer.scenario.loading import load_scenario

    variants = {
        "lean": {"marketing.ad_budget_per_month": 30000},
        "long": {"calendar.hours_per_day": 9, "calendar.business_days_per_month": 22},
        "shape": {"marketing.marketers.min": 0},
        "cheap": {"objective": "min_cost"},
    }
    text = (
        SEED_BASE
        + "\nvariants:\n"
        + "".join(f"  {name}: {json.dumps(values)}\n" for name, values in variants.items())
    )
    path = tmp_path / "seed.yaml"
    path.write_text(text)
    worker._HELD.clear()  # solved here, in this process, to see the held model
    outcomes = {o.job.variant: o for o in worker.solve_chunk(plan_jobs([path], Settings()))}
    assert all(o.row["error"] is None for o in outcomes.values()) and len(worker._HELD) == 1
    report = run_batch([path], tmp_path / "out", workers=1, progress=False)
    assert report.ok
    for name, values in variants.items():
        got = json.loads((tmp_path / "out" / "results" / f"seed@{name}.json").read_text())
        assert got["objective"] == pytest.approx(json.loads(outcomes[name].text)["objective"])
        sets = [f"{p}={v}" for p, v in values.items()]
        want = to_json(solve(load_scenario(path, sets), source=str(path)))
        assert got["objective"] == want["objective"], name
        for table, column in (
            ("constraints", "shadow_price"),
            ("targets", "value"),
            ("parameters", "marginal_value"),
        ):
            assert _numbers(got[table], column) == pytest.approx(
                _numbers(want[table], column), rel=1e-7, abs=1e-6, nan_ok=True
            ), (name, table)


def _numbers(rows: list[dict], column: str) -> list[float]:
    """A JSON column as numbers: null (no value) as NaN."""
    return [float("nan") if r[column] is None else r[column] for r in rows]
