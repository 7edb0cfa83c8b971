"""Bad scenario input fails at the edge with one clear line per problem.

Each bad file is the seed scenario with one thing broken, written to a temporary
directory. Every test checks that the error names the file, the field path, the
offending value and what was expected, both in ``str(err)`` and in ``err.problems``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import optimizer.scenario.loading
from optimizer.scenario.loading import (
    ScenarioError,
    apply_overrides,
    load_scenario,
    read_scenario_file,
)
from optimizer.scenario.schema import Marketing, SalesTeam, Scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SEED = SCENARIOS / "seed_company.yaml"


# ---- helpers ---------------------------------------------------------------------------


@pytest.fixture
def seed() -> dict:
    """The seed scenario as a raw mapping, fresh for each test."""
    return yaml.safe_load(SEED.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def broken(tmp_path: Path, seed: dict, mutate: Callable[[dict], object], name: str) -> Path:
    data = copy.deepcopy(seed)
    mutate(data)
    return write(tmp_path, data, name)


def load_error(path: Path, overrides: list[str] | None = None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides=overrides)
    return info.value


def assert_names_file(err: ScenarioError, path: Path) -> None:
    """The file is named in the error's source and on every line of its message."""
    assert err.source == str(path)
    lines = str(err).splitlines()
    assert lines[0] == f"{path}: {len(err.problems)} problem(s)"
    assert len(lines) == 1 + len(err.problems)
    for line in lines[1:]:
        assert line.startswith(f"  {path}: ")
    assert path.name in str(err)


def only_problem(err: ScenarioError) -> optimizer.scenario.loading.Problem:
    assert len(err.problems) == 1, [str(p) for p in err.problems]
    return err.problems[0]


def assert_field_problem(
    err: ScenarioError, path: Path, field: str, value: object, shown: str, expected: str
) -> None:
    """One problem at ``field`` with ``value``, shown as ``field = shown: expected ...``."""
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == field
    assert problem.value == value
    assert expected in problem.expected
    line = f"{field} = {shown}: expected {expected}"
    assert line in str(problem)
    assert f"{path}: {line}" in str(err)


# ---- out-of-range numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "key", "field"),
    [
        (("marketing",), "qualified_lead_share", "marketing.qualified_lead_share"),
        (("support",), "max_occupancy", "support.max_occupancy"),
    ],
)
def test_a_share_of_1_7_is_refused(tmp_path, seed, section, key, field):
    def mutate(d):
        node = d
        for part in section:
            node = node[part]
        node[key] = 1.7

    path = broken(tmp_path, seed, mutate, "share.yaml")
    err = load_error(path)
    assert_field_problem(err, path, field, 1.7, "1.7", "a number <= 1")


def test_a_conversion_rate_of_1_7_is_refused(tmp_path, seed):
    path = broken(
        tmp_path,
        seed,
        lambda d: d["sales"]["conversation_tiers"][1].update(conversion_rate=1.7),
        "rate.yaml",
    )
    err = load_error(path)
    field = "sales.conversation_tiers[1].conversion_rate"
    assert_field_problem(err, path, field, 1.7, "1.7", "a number <= 1")


def test_negative_hours_lost_are_refused(tmp_path, seed):
    path = broken(
        tmp_path,
        seed,
        lambda d: d["sales"]["teams"][0]["hours_lost_per_day"].update(travel=-2),
        "negative.yaml",
    )
    err = load_error(path)
    field = "sales.teams[field].hours_lost_per_day.travel"
    assert_field_problem(err, path, field, -2, "-2", "a number >= 0")


def test_a_negative_working_day_is_refused(tmp_path, seed):
    path = broken(tmp_path, seed, lambda d: d["calendar"].update(hours_per_day=-8), "day.yaml")
    err = load_error(path)
    assert_field_problem(err, path, "calendar.hours_per_day", -8, "-8", "a number > 0")


def test_25_hours_in_a_day_is_refused(tmp_path, seed):
    path = broken(tmp_path, seed, lambda d: d["calendar"].update(hours_per_day=25), "day25.yaml")
    err = load_error(path)
    assert_field_problem(err, path, "calendar.hours_per_day", 25, "25", "a number <= 24")


def test_a_fractional_headcount_is_refused(tmp_path, seed):
    path = broken(
        tmp_path, seed, lambda d: d["sales"]["teams"][0]["reps"].update(max=2.5), "half.yaml"
    )
    err = load_error(path)
    assert_field_problem(err, path, "sales.teams[field].reps.max", 2.5, "2.5", "a whole number")


def test_text_where_a_number_belongs_is_refused(tmp_path, seed):
    path = broken(
        tmp_path, seed, lambda d: d["calendar"].update(hours_per_day="eight"), "text.yaml"
    )
    err = load_error(path)
    assert_field_problem(err, path, "calendar.hours_per_day", "eight", "'eight'", "a number")


# ---- unknown and missing keys ---------------------------------------------------------


def test_an_unknown_key_is_named_with_the_allowed_field_names(tmp_path, seed):
    path = broken(
        tmp_path, seed, lambda d: d["marketing"].update(ad_budjet_per_month=5000), "typo.yaml"
    )
    err = load_error(path)
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "marketing.ad_budjet_per_month"
    assert problem.value == 5000
    assert "marketing.ad_budjet_per_month = 5000: expected a known field name" in str(err)
    allowed = ", ".join(Marketing.model_fields)
    assert f"one of: {allowed}" in problem.expected
    assert "ad_budget_per_month" in str(err)


def test_an_unknown_key_inside_a_list_item_lists_that_items_fields(tmp_path, seed):
    path = broken(tmp_path, seed, lambda d: d["sales"]["teams"][0].update(quota=90000), "team.yaml")
    err = load_error(path)
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "sales.teams[field].quota"
    assert problem.value == 90000
    assert "sales.teams[field].quota = 90000: expected a known field name" in str(err)
    assert f"one of: {', '.join(SalesTeam.model_fields)}" in str(err)


def test_a_misspelt_section_lists_the_sections(tmp_path, seed):
    path = broken(tmp_path, seed, lambda d: d.update(finanse={"fixed": 1}), "section.yaml")
    err = load_error(path)
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "finanse"
    assert "finanse = " in str(err)
    assert f"one of: {', '.join(Scenario.model_fields)}" in str(err)


def test_a_missing_section_is_named(tmp_path, seed):
    path = broken(tmp_path, seed, lambda d: d.pop("sales"), "nosales.yaml")
    err = load_error(path)
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "sales"
    assert f"{path}: sales: missing; expected this required field" in str(err)


def test_a_missing_field_inside_a_list_item_is_named(tmp_path, seed):
    path = broken(
        tmp_path, seed, lambda d: d["sales"]["teams"][0].pop("average_deal_value"), "deal.yaml"
    )
    err = load_error(path)
    assert_names_file(err, path)
    assert only_problem(err).path == "sales.teams[field].average_deal_value"
    assert "sales.teams[field].average_deal_value: missing; expected this required field" in str(
        err
    )


# ---- lists in the wrong order ---------------------------------------------------------


def test_conversation_tiers_out_of_order_are_refused(tmp_path, seed):
    path = broken(
        tmp_path, seed, lambda d: d["sales"]["conversation_tiers"].reverse(), "tiers.yaml"
    )
    err = load_error(path)
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "sales.conversation_tiers"
    # reversed: 45, 30, 20, 9.6 minutes; the first step down is tier 1 (30) after tier 0 (45)
    assert "tier 1 is 30 min, not longer than tier 0 (45 min)" in problem.expected
    assert "list tiers from shortest to longest" in problem.expected
    assert "sales.conversation_tiers: expected tier 1 is 30 min" in str(err)


def test_lead_cost_tiers_out_of_order_are_refused(tmp_path, seed):
    def cheaper_second_tier(d):
        d["marketing"]["channels"][0]["tiers"][1]["cost_per_lead"] = 30

    path = broken(tmp_path, seed, cheaper_second_tier, "costs.yaml")
    err = load_error(path)
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "marketing.channels[search].tiers"
    assert "tier 1 costs $30/lead, not more than tier 0 ($40)" in problem.expected
    assert "list tiers from cheapest to dearest" in problem.expected
    assert "marketing.channels[search].tiers: expected tier 1 costs $30/lead" in str(err)


def test_an_unlimited_lead_tier_before_the_last_is_refused(tmp_path, seed):
    path = broken(
        tmp_path,
        seed,
        lambda d: d["marketing"]["channels"][1]["tiers"][0].pop("leads_per_month"),
        "unlimited.yaml",
    )
    err = load_error(path)
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "marketing.channels[social].tiers"
    assert "only the last tier may be unlimited; tier 0 has no leads_per_month" in str(err)


# ---- files that are not scenarios -----------------------------------------------------


def file_problem(err: ScenarioError, path: Path) -> str:
    """The text of the single file-level problem (no field path)."""
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "" or problem.path.startswith("line ")  # no field path
    return str(problem)


def test_a_yaml_syntax_error_gives_line_and_column(tmp_path):
    path = tmp_path / "syntax.yaml"
    path.write_text("name: x\ncalendar: [1, 2\nfoo: bar\n", encoding="utf-8")
    err = load_error(path)
    assert_names_file(err, path)
    problem = only_problem(err)
    # the place, then what is wrong: never "expected line 3, column 4"
    assert str(problem) == "line 3, column 4: not valid YAML: expected ',' or ']', but got ':'"


def test_a_yaml_list_is_not_a_scenario(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- name: x\n- name: y\n", encoding="utf-8")
    text = file_problem(load_error(path), path)
    assert "a YAML mapping of scenario sections, found a list" in text


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n"])
def test_an_empty_file_is_not_a_scenario(tmp_path, content):
    path = tmp_path / "empty.yaml"
    path.write_text(content, encoding="utf-8")
    text = file_problem(load_error(path), path)
    assert "a YAML mapping of scenario sections, found an empty file" in text


def test_a_key_given_twice_is_refused_with_its_line(tmp_path):
    lines = SEED.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("objective:"))
    lines.insert(at + 1, "objective: min_cost")
    path = tmp_path / "twice.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = file_problem(load_error(path), path)
    assert "key 'objective' appears twice in one mapping" in text
    assert f"line {at + 2}, column 1" in text  # the second 'objective', 1-based


def test_a_nested_key_given_twice_is_refused(tmp_path):
    path = tmp_path / "nested.yaml"
    path.write_text("calendar:\n  hours_per_day: 8\n  hours_per_day: 9\n", encoding="utf-8")
    text = file_problem(load_error(path), path)
    assert "key 'hours_per_day' appears twice in one mapping" in text
    assert "line 3, column 3" in text


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Caf\u00e9 Solutions\n".encode("latin-1"))
    text = file_problem(load_error(path), path)
    assert "a UTF-8 text file" in text


def test_a_file_over_the_size_cap_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(optimizer.scenario.loading, "MAX_SCENARIO_BYTES", 100)
    path = tmp_path / "big.yaml"
    path.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    size = path.stat().st_size
    assert size > 100
    text = file_problem(load_error(path), path)
    assert f"a file of at most 100 bytes, found {size}" in text


def test_a_missing_file_is_refused(tmp_path):
    path = tmp_path / "nowhere.yaml"
    text = file_problem(load_error(path), path)
    assert "a readable file" in text


def test_python_tags_are_not_executed(tmp_path):
    path = tmp_path / "tag.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    text = file_problem(load_error(path), path)
    assert "not valid YAML" in text


# ---- several problems and cross-checks ------------------------------------------------


def test_several_problems_give_one_problem_each(tmp_path, seed):
    def three_mistakes(d):
        d["marketing"]["qualified_lead_share"] = 1.7
        d["calendar"]["hours_per_day"] = 25
        d["support"]["shrinkage"] = 1.0

    path = broken(tmp_path, seed, three_mistakes, "several.yaml")
    err = load_error(path)
    assert_names_file(err, path)
    found = {p.path: (p.value, p.expected) for p in err.problems}
    assert found == {
        "marketing.qualified_lead_share": (1.7, "a number <= 1"),
        "calendar.hours_per_day": (25, "a number <= 24"),
        "support.shrinkage": (1.0, "a number < 1"),
    }
    assert str(err).startswith(f"{path}: 3 problem(s)\n")
    assert f"{path}: marketing.qualified_lead_share = 1.7: expected a number <= 1" in str(err)
    assert f"{path}: calendar.hours_per_day = 25: expected a number <= 24" in str(err)
    assert f"{path}: support.shrinkage = 1: expected a number < 1" in str(err)


@pytest.mark.parametrize(("travel", "meetings", "total"), [(4, 4, "8"), (5, 4.5, "9.5")])
def test_hours_lost_that_fill_the_day_are_refused(tmp_path, seed, travel, meetings, total):
    def no_selling_time(d):
        d["sales"]["teams"][0]["hours_lost_per_day"] = {"travel": travel, "meetings": meetings}

    path = broken(tmp_path, seed, no_selling_time, "lost.yaml")
    err = load_error(path)
    assert_names_file(err, path)
    text = str(only_problem(err))
    assert f"sales.teams[field].hours_lost_per_day = {total}: expected hours lost" in text
    assert f"they add up to {total} h of an 8-hour day (calendar.hours_per_day)" in text
    assert text in str(err)


def test_current_targets_naming_an_unknown_team_are_refused(tmp_path, seed):
    path = broken(
        tmp_path, seed, lambda d: d["current_targets"]["reps"].update(inside=3), "team.yaml"
    )
    err = load_error(path)
    assert_names_file(err, path)
    text = str(only_problem(err))
    assert "current_targets.reps.inside = 'inside'" in text
    assert "expected the name of a sales team, one of ['field']" in text


def test_min_above_max_headcount_is_refused(tmp_path, seed):
    path = broken(
        tmp_path, seed, lambda d: d["sales"]["teams"][0]["reps"].update(min=20), "minmax.yaml"
    )
    err = load_error(path)
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "sales.teams[field].reps"
    assert "min (20) must not exceed max (12)" in problem.expected


def test_a_team_name_given_twice_is_refused(tmp_path, seed):
    def twin(d):
        d["sales"]["teams"].append(copy.deepcopy(d["sales"]["teams"][0]))

    path = broken(tmp_path, seed, twin, "twins.yaml")
    err = load_error(path)
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "sales.teams"
    assert "team name 'field' appears twice; names must be unique" in problem.expected


def test_an_unknown_objective_lists_the_choices(tmp_path, seed):
    path = broken(tmp_path, seed, lambda d: d.update(objective="max_fun"), "objective.yaml")
    err = load_error(path)
    expected = "'max_profit', 'min_cost' or 'closest_to_current'"
    assert_field_problem(err, path, "objective", "max_fun", "'max_fun'", expected)


# ---- --set overrides ------------------------------------------------------------------


def test_a_good_override_by_team_name_changes_the_value(seed):
    scenario = load_scenario(SEED, overrides=["sales.teams[field].reps.max=3"])
    assert scenario.sales.teams[0].name == "field"
    assert scenario.sales.teams[0].reps.max == 3
    assert load_scenario(SEED).sales.teams[0].reps.max == seed["sales"]["teams"][0]["reps"]["max"]


def test_overrides_by_index_and_by_number_value_work():
    scenario = load_scenario(
        SEED,
        overrides=[
            "sales.teams[0].average_deal_value=4200",
            "calendar.hours_per_day=7.5",
            "marketing.channels[social].tiers[1].cost_per_lead=60",
        ],
    )
    assert scenario.sales.teams[0].average_deal_value == 4200
    assert scenario.calendar.hours_per_day == 7.5
    assert scenario.marketing.channels[1].tiers[1].cost_per_lead == 60


def test_apply_overrides_returns_a_copy(seed):
    before = copy.deepcopy(seed)
    out = apply_overrides(seed, ["sales.teams[field].reps.max=3"], "inline")
    assert out["sales"]["teams"][0]["reps"]["max"] == 3
    assert seed == before


def override_error(overrides: list[str]) -> tuple[ScenarioError, Path]:
    return load_error(SEED, overrides=overrides), SEED


def test_an_override_of_an_unknown_path_names_the_path():
    err, path = override_error(["sales.teams[field].repz.max=3"])
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "sales.teams[field].repz.max"
    assert problem.value == 3
    assert "an existing scenario path" in problem.expected
    assert "repz" in problem.expected
    assert "sales.teams[field].repz.max = 3: expected an existing scenario path" in str(err)


def test_an_override_of_an_unknown_section_names_it():
    err, path = override_error(["nosuch.thing=3"])
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "nosuch.thing"
    assert "no 'nosuch' in the scenario" in problem.expected


def test_an_override_of_an_unknown_team_lists_the_team_names():
    err, path = override_error(["sales.teams[inside].reps.max=3"])
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "sales.teams[inside].reps.max"
    assert "no item named 'inside'; names are ['field']" in problem.expected


def test_an_override_past_the_end_of_a_list_says_how_long_it_is():
    err, path = override_error(["sales.teams[3].reps.max=3"])
    problem = only_problem(err)
    assert problem.path == "sales.teams[3].reps.max"
    assert "the list has 1 item(s)" in problem.expected


def test_an_override_into_a_value_is_refused():
    err, path = override_error(["calendar.hours_per_day.minutes=3"])
    problem = only_problem(err)
    assert problem.path == "calendar.hours_per_day.minutes"
    assert "'calendar.hours_per_day' is a value, not a section" in problem.expected


def test_an_override_without_equals_is_refused():
    err, path = override_error(["sales.teams[field].reps.max"])
    assert_names_file(err, path)
    text = str(only_problem(err))
    assert "an override PATH=VALUE, found 'sales.teams[field].reps.max'" in text


def test_an_override_with_a_bad_value_is_validated_like_the_file():
    err, path = override_error(["sales.teams[field].reps.max=-3"])
    assert_names_file(err, path)
    problem = only_problem(err)
    assert problem.path == "sales.teams[field].reps.max"
    assert problem.value == -3
    assert "sales.teams[field].reps.max = -3: expected a number >= 0" in str(err)


def test_an_override_adding_an_unknown_key_is_refused():
    err, path = override_error(["calendar.hours_a_day=7"])
    problem = only_problem(err)
    assert problem.path == "calendar.hours_a_day"
    assert "a known field name" in problem.expected
    assert "hours_per_day" in problem.expected


def test_several_bad_overrides_give_one_problem_each():
    err, path = override_error(["nosuch.x=1", "sales.teams[x].reps.max=2", "no_equals_sign"])
    assert_names_file(err, path)
    assert len(err.problems) == 3
    assert [p.path for p in err.problems] == ["nosuch.x", "sales.teams[x].reps.max", ""]


def test_apply_overrides_names_its_source(seed):
    with pytest.raises(ScenarioError) as info:
        apply_overrides(seed, ["sales.teams[field].repz.max=3"], "my-run")
    err = info.value
    assert err.source == "my-run"
    assert str(err).startswith("my-run: 1 problem(s)")
    assert only_problem(err).path == "sales.teams[field].repz.max"


# ---- the bundled scenarios ------------------------------------------------------------

BUNDLED = sorted(SCENARIOS.glob("*.yaml"))


def test_the_bundled_scenarios_are_found():
    names = {p.name for p in BUNDLED}
    assert {"seed_company.yaml", "software_company.yaml", "regional_sales.yaml"} <= names


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_bundled_scenario_validates(path):
    raw = read_scenario_file(path)
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.name == raw["name"]
    assert scenario.description.strip()
    assert len(scenario.sales.teams) == len(raw["sales"]["teams"])
    assert set(scenario.current_targets.reps) <= {t.name for t in scenario.sales.teams}
