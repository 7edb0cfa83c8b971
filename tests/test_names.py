"""One fact, one definition (#13): objectives, backends, the quality floor's path and what
the schema holds at a path are each defined once, and every front end reads that one."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest
import yaml

from optimizer.scenario.names import OBJECTIVES, QUALITY_FLOOR, Objective
from optimizer.scenario.paths import bounds_of, field_at, holds_whole_number, resolve
from optimizer.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "seed_company.yaml"


def _choices(command: str, option: str) -> list[str]:
    """The values the command line's ``command`` takes for ``option`` (its enum's)."""
    from optimizer import cli

    hint = typing.get_type_hints(getattr(cli, command), include_extras=True)[option]
    kind = typing.get_args(hint)[0]  # Annotated[Enum | None, typer.Option(...)]
    kind = next((k for k in typing.get_args(kind) if k is not type(None)), kind)
    return [member.value for member in kind]


# ---- objectives ----------------------------------------------------------------------------


def test_an_objective_is_the_plain_name_a_file_writes():
    assert OBJECTIVES == ("max_profit", "min_cost", "closest_to_current")
    assert [o.value for o in Objective] == list(OBJECTIVES)
    for o in Objective:
        assert o == o.value and str(o) == o.value and f"{o}" == o.value
        assert {o.value: 1}[o] == 1 and json.dumps(o) == json.dumps(o.value)
        assert o.sense in ("max", "min") and o.unit and o.label
    assert Objective.max_profit.sense == "max" and Objective.min_cost.sense == "min"
    assert Objective.closest_to_current.unit == "weighted relative deviation"


def test_the_schema_the_cli_and_the_app_offer_the_same_objectives():
    assert typing.get_args(Scenario.model_fields["objective"].annotation) == OBJECTIVES
    assert Scenario.model_fields["objective"].default == "max_profit"
    assert type(Scenario.model_fields["objective"].default) is str  # YAML-safe when dumped
    for command in ("solve", "compare", "export", "sweep", "batch"):
        assert _choices(command, "objective") == list(OBJECTIVES)
    from optimizer.app.workbook import OBJECTIVES as WORDS

    assert WORDS == {o.value: o.label for o in Objective}


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_each_objective_builds_with_its_sense_and_unit(objective):
    from optimizer.model.chain import build_model
    from optimizer.scenario.loading import load_scenario

    model, _ = build_model(load_scenario(SEED), objective)
    assert model.sense == Objective(objective).sense
    assert model.objective_unit == Objective(objective).unit
    assert model.objective_name == objective and type(model.objective_name) is str


def test_an_unknown_objective_is_refused():
    from optimizer.model.chain import build_model
    from optimizer.scenario.loading import load_scenario

    with pytest.raises(ValueError, match="most_fun"):
        build_model(load_scenario(SEED), "most_fun")


# ---- backends ------------------------------------------------------------------------------


def test_the_cli_accepts_exactly_the_backends_the_api_accepts():
    from optimizer.solvers import ALIASES, BACKENDS, NAMES, backend

    assert list(NAMES) == [*BACKENDS, *ALIASES]
    assert "scip" in NAMES and "mathopt" in NAMES  # README "Solvers"
    for option in ("backend", "check_backend"):
        assert _choices("solve", option) == list(NAMES)
    assert _choices("compare", "backend") == list(NAMES)
    for name in NAMES:
        assert backend(name).name in BACKENDS


def test_the_cli_solves_with_an_alias_the_readme_lists():
    from typer.testing import CliRunner

    from optimizer.cli import app

    args = ["solve", str(SEED), "--backend", "scip", "--format", "json", "--no-explain"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["backend"] == "ortools"
    refused = CliRunner().invoke(app, ["solve", str(SEED), "--backend", "gurobi"])
    assert refused.exit_code == 2


def test_backend_capabilities_come_from_the_registry():
    from optimizer.solvers import REGISTRY, backend

    for name, spec in REGISTRY.items():
        made = backend(name)
        assert (made.description, made.ranging, made.takes_mip_gap) == (
            spec.description,
            spec.ranging,
            spec.takes_mip_gap,
        )
    assert [n for n, s in REGISTRY.items() if s.takes_mip_gap] == ["highs"]


def test_the_api_refuses_a_mip_gap_on_a_backend_without_one():
    from optimizer.analysis.solve import solve
    from optimizer.scenario.loading import load_scenario

    with pytest.raises(ValueError, match="HiGHS only"):
        solve(load_scenario(SEED), backend="scip", mip_gap=1e-3)


# ---- the quality floor ---------------------------------------------------------------------


def test_the_quality_floor_path_is_a_schema_field_with_a_label():
    from optimizer.scenario import labels
    from optimizer.scenario.loading import load_scenario

    spec = resolve(QUALITY_FLOOR)
    assert spec.unknown is None and spec.field is not None and spec.unit == "minutes/conversation"
    scenario = load_scenario(SEED)
    assert QUALITY_FLOOR in scenario.lever_paths()
    assert labels.input_label(QUALITY_FLOOR, scenario) == "Quality floor (shortest conversation)"


def test_every_copy_of_the_quality_floor_is_the_constant():
    from optimizer.analysis import diagnose, explain, marginal, whatif

    assert QUALITY_FLOOR in diagnose.WORDS and QUALITY_FLOOR in diagnose.LOWER
    assert explain.QUALITY_FLOOR == QUALITY_FLOOR
    assert QUALITY_FLOOR in marginal.STEP and QUALITY_FLOOR in whatif.NOT_AFFINE


# ---- what is at a path ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "unit", "bounds", "whole"),
    [
        ("calendar.hours_per_day", "hours/day", (0.0, 24.0), False),
        ("calendar.horizon_months", "months", (1.0, 120.0), True),
        ("sales.teams[field].reps.max", "people", (0.0, 1e6), True),
        ("sales.teams.0.reps.max", "people", (0.0, 1e6), True),
        ("marketing.channels[search].tiers[1].cost_per_lead", "$/lead", (0.0, 1e6), False),
        ("current_targets.workers", "people", (0.0, 1e6), True),  # int | None
        ("current_targets.calls_per_rep_per_day", "conversations/rep/day", (0.0, 1e4), False),
        ("current_targets.reps[field]", "", (0.0, 1e6), True),  # a dict entry's own bounds
        ("current_targets.weights[reps]", "", (0.0, 1e6), False),
        ("finance.profit_target_per_month", "$/month", (-1e10, 1e10), False),
        ("finance.goal_period", "", (-float("inf"), float("inf")), False),
    ],
)
def test_resolve_answers_unit_bounds_and_whole_numbers(path, unit, bounds, whole):
    spec = resolve(path)
    assert spec.unknown is None and spec.model is None
    assert (spec.unit, spec.bounds, spec.whole) == (unit, bounds, whole)
    assert bounds_of(path) == bounds and holds_whole_number(path) == whole
    assert field_at(path) is spec.field is not None


def test_resolve_finds_sections_and_list_items():
    from optimizer.scenario.schema import LeverSetting, SalesTeam, Support

    assert resolve("").model is Scenario and resolve(()).model is Scenario
    assert resolve("support").model is Support  # Support | None
    assert resolve("sales.teams[field]").model is SalesTeam
    assert resolve(("sales", "teams", 0)).model is SalesTeam  # a pydantic error's loc
    assert resolve(("levers", "marketing.ad_budget_per_month")).model is LeverSetting
    assert resolve("sales.teams").model is None  # the list itself


@pytest.mark.parametrize(
    ("path", "unknown"),
    [
        ("sales.no_such", "sales.no_such"),
        ("marketing.channels[search].cost", "marketing.channels[search].cost"),
        ("calendar.hours_per_day.minutes", "calendar.hours_per_day.minutes"),
        ("nope.deeper", "nope"),
    ],
)
def test_resolve_names_the_first_unknown_part(path, unknown):
    from optimizer.scenario.variants import unknown_part

    assert resolve(path).unknown == unknown
    assert unknown_part(path.replace("[", ".").replace("]", "").split(".")) == unknown
    assert field_at(path) is None and not holds_whole_number(path)


def test_an_unknown_key_anywhere_lists_the_keys_that_section_takes():
    from optimizer.scenario.loading import ScenarioError, validate

    data = yaml.safe_load(SEED.read_text())
    data["sales"]["teams"][0]["bogus"] = 1
    data["levers"] = {"marketing.ad_budget_per_month": {"weight": 1.0, "bogus": 2}}
    with pytest.raises(ScenarioError) as err:
        validate(data, "test")
    text = str(err.value)
    assert "sales.teams[field].bogus" in text and "one of: name, reps," in text
    assert "one of: weight, fixed" in text  # a dict's entries are models too


def test_the_app_slider_reads_bounds_from_the_resolver():
    from optimizer.app.moves import slider
    from optimizer.scenario.loading import load_scenario

    scenario = load_scenario(SEED)
    share = slider(scenario, "marketing.qualified_lead_share")
    assert share.high <= 1 and not share.integer
    reps = slider(scenario, "current_targets.reps[field]")
    assert reps.integer and reps.low >= 0


def test_each_input_is_described_once_from_the_schema_and_the_labels():
    """``input_specs``: value, unit, label, natural step, whole or not, the schema's range
    and whether leadership controls it, for every input ``numeric_inputs`` lists."""
    from optimizer.scenario.inputs import input_specs, numeric_inputs
    from optimizer.scenario.loading import load_scenario
    from optimizer.scenario.paths import bounds_of

    scenario = load_scenario("scenarios/seed_company.yaml")
    specs = {s.path: s for s in input_specs(scenario, "max_profit")}
    assert list(specs) == [p for p, _, _ in numeric_inputs(scenario, "max_profit")]
    day = specs["calendar.hours_per_day"]
    assert (day.value, day.label, day.step.words, day.whole, day.lever) == (
        8.0, "Working day", "one hour a day", False, True,
    )  # fmt: skip
    assert (day.low, day.high) == bounds_of("calendar.hours_per_day")
    reps = specs["sales.teams[field].reps.max"]
    assert (reps.whole, reps.lever, reps.step_size, reps.unit) == (True, True, 1.0, "people")
    share = specs["marketing.qualified_lead_share"]
    assert (share.step_size, share.step.per_point, share.lever) == (0.01, True, False)
    assert specs["marketing.ad_budget_per_month"].label == "Ad budget"
