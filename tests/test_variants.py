"""Scenario variants: override blocks on a base in the same file (optimizer.scenario.variants)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from optimizer.analysis.solve import solve
from optimizer.report.payload import to_json
from optimizer.scenario.loading import ScenarioError, load_scenario, read_scenario_file
from optimizer.scenario.variants import BASE, load_variant, split, unknown_part, variant_scenario

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "seed_company.yaml"


def seed_with(variants) -> dict:
    data = read_scenario_file(SEED)
    data["variants"] = variants
    return data


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    text = SEED.read_text().split("\nvariants:")[0] + (  # the seed's own variant left out
        "\nvariants:\n"
        "  lean_budget:\n"
        "    marketing.ad_budget_per_month: 30000\n"
        "    sales.teams[field].reps.max: 8\n"
        "  long_days: {calendar.hours_per_day: 9}\n"
    )
    path = tmp_path / "seed.yaml"
    path.write_text(text)
    return path


def test_load_scenario_reads_the_base_of_a_file_with_variants(seed_file):
    assert load_scenario(seed_file) == load_scenario(SEED)


def test_a_variant_is_the_base_with_its_overrides(seed_file):
    base = load_scenario(SEED)
    scenario, variant = load_variant(seed_file, "lean_budget")
    assert scenario.marketing.ad_budget_per_month == 30000
    assert scenario.sales.teams[0].reps.max == 8
    assert scenario.calendar == base.calendar and scenario.finance == base.finance
    assert variant.overrides == (
        "marketing.ad_budget_per_month=30000",
        "sales.teams[field].reps.max=8",
    )
    assert load_variant(seed_file, BASE)[0] == base


def test_variants_do_not_leak_into_each_other_or_the_base(seed_file):
    data = read_scenario_file(seed_file)
    long_days, _ = variant_scenario(data, "long_days", "seed")
    assert long_days.calendar.hours_per_day == 9
    assert long_days.marketing.ad_budget_per_month == 40000  # lean_budget is not applied
    assert data["calendar"]["hours_per_day"] == 8  # the raw mapping is untouched


def test_a_solved_variant_records_the_overrides_that_produced_it(seed_file):
    scenario, variant = load_variant(seed_file, "long_days")
    plan = solve(scenario, source=str(seed_file), overrides=variant.overrides)
    assert to_json(plan)["overrides"] == ["calendar.hours_per_day=9"]
    # the same as the command line's --set
    assert solve(load_scenario(SEED, ["calendar.hours_per_day=9"])).objective == pytest.approx(
        plan.objective
    )


@pytest.mark.parametrize(
    ("path", "unknown"),
    [
        ("calendar.hours_per_dy", "calendar.hours_per_dy"),
        ("marketing.budget", "marketing.budget"),
        ("salez.teams[field].reps.max", "salez"),
        ("sales.teams[field].reps.max.extra", "sales.teams[field].reps.max.extra"),
    ],
)
def test_an_unknown_path_is_an_error_that_names_it(path, unknown):
    data = seed_with({"typo": {path: 9}})
    with pytest.raises(ScenarioError) as err:
        variant_scenario(data, "typo", "seed.yaml")
    message = str(err.value)
    assert "seed.yaml (variant typo)" in message
    assert f"{path} = 9" in message and f"{unknown!r} is not one" in message


def test_a_missing_list_item_is_an_error_that_names_the_path():
    data = seed_with({"ghost": {"sales.teams[inside].reps.max": 4}})
    with pytest.raises(ScenarioError, match=r"sales\.teams\[inside\]\.reps\.max = 4: .*'inside'"):
        variant_scenario(data, "ghost", "seed.yaml")


def test_every_bad_path_of_a_variant_is_listed_at_once():
    data = seed_with({"bad": {"calendar.hours_per_dy": 9, "finance.profit": 1}})
    with pytest.raises(ScenarioError) as err:
        variant_scenario(data, "bad", "seed.yaml")
    assert len(err.value.problems) == 2


def test_a_variant_value_out_of_range_names_the_variant_and_the_field():
    data = seed_with({"long": {"calendar.hours_per_day": 25}})
    with pytest.raises(ScenarioError) as err:
        variant_scenario(data, "long", "seed.yaml")
    assert "seed.yaml (variant long): calendar.hours_per_day = 25: expected a number <= 24" in str(
        err.value
    )


def test_free_keys_and_optional_sections_are_known_paths():
    assert unknown_part(["current_targets", "reps", "field"]) is None
    assert unknown_part(["current_targets", "weights", "reps"]) is None
    assert unknown_part(["marketing", "total_addressable_market_leads"]) is None
    assert unknown_part(["marketing", "channels", "search", "tiers", "0", "cost_per_lead"]) is None
    data = seed_with({"tam": {"marketing.total_addressable_market_leads": 5000}})
    scenario, _ = variant_scenario(data, "tam", "seed.yaml")
    assert scenario.marketing.total_addressable_market_leads == 5000


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ([1, 2], "a mapping of variant name to overrides"),
        ({"base": {"calendar.hours_per_day": 9}}, "other than 'base'"),
        ({"bad name": {"calendar.hours_per_day": 9}}, "a variant name matching"),
        ({"empty": {}}, "a mapping of scenario path to value"),
        ({"listy": ["calendar.hours_per_day=9"]}, "a mapping of scenario path to value"),
    ],
)
def test_a_malformed_variants_block_is_an_error(block, expected):
    with pytest.raises(ScenarioError, match=expected):
        split(seed_with(block), "seed.yaml")


def test_asking_for_an_undeclared_variant_lists_the_declared_ones(seed_file):
    with pytest.raises(ScenarioError, match=r"a declared variant \(lean_budget, long_days\)"):
        load_variant(seed_file, "short_days")


def test_variants_survive_a_yaml_round_trip(seed_file):
    data = yaml.safe_load(seed_file.read_text())
    _, variants = split(data, "seed")
    assert list(variants) == ["lean_budget", "long_days"]
