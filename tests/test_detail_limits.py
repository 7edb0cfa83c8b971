"""Large models: what is left out by default, and said so."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import ROOT
from typer.testing import CliRunner

from optimizer.analysis import pricing
from optimizer.analysis import solve as solve_module
from optimizer.analysis.solve import solve
from optimizer.cli import app
from optimizer.report import payload
from optimizer.scenario.loading import load_scenario

SEED = ROOT / "scenarios" / "seed_company.yaml"
SOFTWARE = ROOT / "scenarios" / "software_company.yaml"


def test_a_model_above_the_detail_limit_leaves_out_marginals_and_whole_steps(monkeypatch):
    monkeypatch.setattr(solve_module, "DETAIL_LIMIT", 10)  # the seed model has 27 variables
    plan = solve(load_scenario(SEED))
    assert plan.solved and plan.objective == pytest.approx(35_400)
    assert plan.parameters.empty and plan.constraints["whole_step_value"].isna().all()
    # the tie stages go by their own size limit (solve.FULL_TIES_LIMIT): the seed gets all
    assert [n for n in plan.notes if n.startswith("ties:")] == []
    notes = [n for n in plan.notes if not n.startswith(("ties:", "Cash is lowest"))]
    assert len(notes) == 2 and "27 variables" in notes[0]
    assert payload.to_json(plan)["notes"] == list(plan.notes)
    asked = solve(load_scenario(SEED), marginals=True, whole_steps=True)
    assert [n for n in asked.notes if not n.startswith(("ties:", "Cash is lowest"))] == []
    assert len(asked.parameters) > 20
    regional = load_scenario(ROOT / "scenarios" / "regional_sales.yaml")
    left_out = solve(regional, marginals=False)
    assert left_out.constraints["whole_step_value"].isna().all()
    priced = solve(regional, marginals=False, whole_steps=True).constraints["whole_step_value"]
    assert priced.notna().sum() >= 1


def test_under_the_limit_everything_is_computed_without_notes():
    plan = solve(load_scenario(SEED))
    assert plan.notes == ("Cash is lowest at the end of Jan 2027: $74,300.",)
    assert len(plan.parameters) > 20


def test_only_the_largest_degenerate_limits_are_re_solved(monkeypatch):
    full = solve(load_scenario(SOFTWARE), marginals=False, whole_steps=False)
    degenerate = full.constraints[full.constraints["degenerate"]]
    assert len(degenerate) >= 3
    monkeypatch.setattr(pricing, "FORWARD_LIMIT", 2)
    capped = solve(load_scenario(SOFTWARE), marginals=False, whole_steps=False)
    priced = capped.constraints["shadow_price"].notna() & capped.constraints["degenerate"]
    assert priced.sum() == 2
    kept = capped.constraints[priced]
    np.testing.assert_allclose(
        kept["shadow_price"], full.constraints.loc[kept.index, "shadow_price"]
    )
    assert any("degenerate binding limits show no shadow price" in n for n in capped.notes)
    assert capped.objective == pytest.approx(full.objective)
    monkeypatch.setattr(solve_module, "DETAIL_LIMIT", 10)  # a "large" model: fewer re-solves
    monkeypatch.setattr(pricing, "FORWARD_LIMIT_LARGE", 1)
    large = solve(load_scenario(SOFTWARE), marginals=False, whole_steps=False)
    assert (large.constraints["shadow_price"].notna() & large.constraints["degenerate"]).sum() == 1


def test_cli_switches_and_the_mip_gap():
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "solve",
            str(SEED),
            "-f",
            "json",
            "--no-marginals",
            "--no-whole-steps",
            "--mip-gap",
            "1e-4",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["parameters"] == [] and data["objective"]["value"] == pytest.approx(35_400)
    assert all(c["whole_step_value"] is None for c in data["constraints"])
    refused = runner.invoke(app, ["solve", str(SEED), "--backend", "cbc", "--mip-gap", "1e-3"])
    assert refused.exit_code == 2 and "HiGHS" in refused.output
