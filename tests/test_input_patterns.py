"""Input patterns and the store of built models (``optimizer.analysis.patterns``).

One answer (the plan's marginal values and its explanation) asks for the model at many
input values. With one ``Patterns`` shared by them, each ``(input, value)`` is validated
and built once, and every number is what fresh builds give: the same bits, on every
bundled scenario and on generated companies (``benchmarks/scale.py``). The reference is
the answer computed as before the store: marginal values built per input by
``solve``, and each what-if model of the explanation with its own patterns that keep no
build (``limit=0``: every ask validates and builds afresh). Nothing here is timed.
"""

from __future__ import annotations

import collections
import functools
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import optimizer.analysis.marginal as marginal
import optimizer.analysis.patterns as patterns_module
import optimizer.analysis.solve as solve_module
import optimizer.analysis.whatif as whatif
import optimizer.scenario.inputs as inputs
from optimizer.analysis.explain import explain
from optimizer.analysis.patterns import Patterns, affine, same_numbers
from optimizer.analysis.solve import solve
from optimizer.model.chain import build_model
from optimizer.scenario.inputs import is_int_field, numeric_inputs, with_values
from optimizer.scenario.loading import ScenarioError, load_scenario, validate
from optimizer.scenario.names import Objective

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import scale  # noqa: E402

BUNDLED = ["seed_company", "software_company", "regional_sales"]
GENERATED = [(2, 1, 1, 3), (3, 1, 2, 7), (1, 2, 1, 11)]
"""Small generated companies: teams, months, channels, seed."""

CASES = [
    *BUNDLED[:2],
    pytest.param(BUNDLED[2], marks=pytest.mark.slow),  # 20 s: its whole-number re-solves
    "generated 2x1x1@3",
    *(
        pytest.param(f"generated {t}x{m}x{c}@{s}", marks=pytest.mark.slow)
        for t, m, c, s in GENERATED[1:]
    ),
]
"""Every bundled scenario and the generated companies; the inner loop leaves out the
slowest (CI runs them)."""

ARRAYS = ("c", "c_tiebreak", "lb", "ub", "integer", "rows", "cols", "vals", "lhs_mask",
          "row_lower", "row_upper", "rhs")  # fmt: skip


@functools.cache
def scenario_of(case: str):
    if case.startswith("generated"):
        teams, months, channels, seed = map(int, case.split()[1].replace("@", "x").split("x"))
        return validate(scale.generate(teams, months, channels, seed=seed), case)
    return load_scenario(ROOT / "scenarios" / f"{case}.yaml")


def bitwise_equal(a, b) -> bool:
    """Two models' numbers, the same bits (a -0.0 is not a 0.0)."""
    if a.sense != b.sense or np.float64(a.c0).tobytes() != np.float64(b.c0).tobytes():
        return False
    return all(
        getattr(a, name).dtype == getattr(b, name).dtype
        and getattr(a, name).tobytes() == getattr(b, name).tobytes()
        for name in ARRAYS
    )


# ---- counting builds and validations ---------------------------------------------------------
class Count:
    """Every model built and every moved scenario validated, by the inputs it moves."""

    def __init__(self, monkeypatch, scenario):
        self.base = self._values(scenario)
        self.builds: collections.Counter = collections.Counter()
        self.validations: collections.Counter = collections.Counter()

        def counted_build(moved, objective=None):
            self.builds[self._moves(moved)] += 1
            return build_model(moved, objective)

        def counted_with_values(s, changes, source=""):
            self.validations[tuple(sorted((p, float(v)) for p, v in changes.items()))] += 1
            return with_values(s, changes, source)

        for module in (patterns_module, marginal, solve_module, whatif):
            monkeypatch.setattr(module, "build_model", counted_build)
        monkeypatch.setattr(patterns_module, "with_values", counted_with_values)
        monkeypatch.setattr(inputs, "with_values", counted_with_values)  # marginal's ``moved``

    @staticmethod
    def _values(scenario) -> dict[str, float]:
        return {p: v for p, v, _ in numeric_inputs(scenario, Objective.closest_to_current)}

    def _moves(self, scenario) -> tuple:
        now = self._values(scenario)
        return tuple(sorted((p, v) for p, v in now.items() if self.base.get(p) != v))


def answer_as_before(scenario):
    """The plan and its explanation as computed before the store: marginal values built per
    input, and each what-if model of the explanation with patterns that keep no build."""

    class Unshared(whatif.WhatIf):
        def __init__(self, scenario, objective=None, **options):
            options["patterns"] = Patterns(scenario, objective, limit=0)
            super().__init__(scenario, objective, **options)

    plan = solve(scenario)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(whatif, "WhatIf", Unshared)
        return plan, explain(scenario, plan)


def answer_with_patterns(scenario, patterns):
    """The plan (its marginal values asked of ``patterns``, as ``answers.answer`` hands them
    to ``solve``: read off each input's line where it covers p + h) and its explanation
    from the same patterns."""
    plan = solve(scenario, patterns=patterns)
    return plan, explain(scenario, plan, patterns=patterns)


def without_seconds(explanation) -> dict:
    found = explanation.to_json()
    found.pop("seconds")
    return found


@pytest.mark.parametrize("case", CASES)
def test_an_answer_from_the_patterns_is_the_answer_from_fresh_builds_with_each_built_once(
    case, monkeypatch
):
    scenario = scenario_of(case)
    # the service band's story re-solves other scenarios (the line held to one band, one
    # more agent), each its own build: counted in tests/test_money.py, not here
    monkeypatch.setattr("optimizer.analysis.explain.service_band", lambda *args: None)
    before = Count(monkeypatch, scenario)
    plan_before, explained_before = answer_as_before(scenario)
    builds_before = sum(before.builds.values())

    now = Count(monkeypatch, scenario)
    shared = Patterns(scenario)
    plan, explained = answer_with_patterns(scenario, shared)

    # the same numbers: marginal values (read off the lines: to rounding, 1e-9) and their
    # notes; every step (held and hiring free, method, valid range), headcounts, the
    # quality floor and unpriced limits bit for bit
    assert plan.solved and plan_before.solved
    for column in ("note", "path"):
        np.testing.assert_array_equal(
            plan.parameters[column].to_numpy(), plan_before.parameters[column].to_numpy()
        )
    np.testing.assert_allclose(
        plan.parameters["marginal_value"].to_numpy(dtype=float),
        plan_before.parameters["marginal_value"].to_numpy(dtype=float),
        rtol=1e-9, atol=1e-9 * max(1.0, abs(plan.objective)),
    )  # fmt: skip
    assert without_seconds(explained) == without_seconds(explained_before)
    priced = [s for s in explained.steps if s.value is not None]
    assert len(priced) > len(explained.steps) // 2, case  # most steps are valued
    assert any(s.method == "rate" for s in explained.steps), case

    # each (input, value) built once: the base is built twice, once by ``solve`` itself
    # (its own model) and once by the patterns; nothing else twice
    builds = dict(now.builds)
    assert builds.pop(()) == 2, case
    assert max(builds.values(), default=1) == 1, case
    assert shared.builds == len(builds) + 1
    assert max(now.validations.values()) == 1, case  # no moved scenario validated twice
    assert sum(now.builds.values()) < builds_before, case
    assert sum(now.validations.values()) < sum(before.validations.values()), case


@pytest.mark.parametrize(
    "case", [*BUNDLED[:2], *(f"generated {t}x{m}x{c}@{s}" for t, m, c, s in GENERATED)]
)
def test_every_line_holds_at_values_inside_it_and_undeclared_inputs_have_none(case):
    """The affinity the what-ifs rely on: arrays(p + t) = arrays(p) + t * D inside the
    line's range, checked against builds at its two ends' midpoints with the base, and no
    line for an input declared a step or a table (``patterns.NOT_AFFINE``)."""
    scenario = scenario_of(case)
    held = whatif.WhatIf(scenario)
    lines = 0
    for path, value, _ in held.inputs():
        line = held.direction(path)
        if not affine(path):
            assert line is None, path
        if line is None:
            continue
        lines += 1
        assert line.low <= value <= line.high and line.low < line.high, path
        for moved in ((line.low + value) / 2, (value + line.high) / 2):
            if is_int_field(scenario, path):
                moved = float(round(moved))
            built = build_model(with_values(scenario, {path: moved}), held.objective)[0]
            predicted = line.at(held.base, moved - value)
            assert same_numbers(predicted, built.arrays(drop_zeros=False)), (case, path, moved)
    assert lines > 15, case


@pytest.mark.parametrize("case", ["seed_company", "software_company"])
def test_the_model_from_the_store_is_the_build_bit_for_bit(case):
    scenario = scenario_of(case)
    store = Patterns(scenario)
    moves = [
        {path: float(round(value + 1)) if is_int_field(scenario, path) else value * 1.07 + 0.5}
        for path, value in list(store.values.items())[::3]
    ]
    moves.append({"calendar.hours_per_day": 9.0, "calendar.business_days_per_month": 22.0})
    checked = 0
    for changes in moves:
        try:
            moved = with_values(scenario, changes)
        except ScenarioError:
            with pytest.raises(ScenarioError):
                store.arrays_at(changes)
            continue
        fresh = build_model(moved, store.objective)[0]
        assert bitwise_equal(store.arrays_at(changes), fresh.arrays(drop_zeros=False)), changes
        assert bitwise_equal(store.arrays_at(changes).without_zeros(), fresh.arrays()), changes
        checked += 1
    assert checked > 10
    # a model of another shape is kept whole: a minimum of 0 people has no row
    shape = {"marketing.marketers.min": 0.0}
    assert not store.keeps_shape(shape)
    model, _ = store.model_at(shape)
    fresh = build_model(with_values(scenario, shape), store.objective)[0]
    assert model.row_names() == fresh.row_names()
    assert bitwise_equal(store.arrays_at(shape), fresh.arrays(drop_zeros=False))


def test_a_refused_value_is_refused_each_time_and_never_built():
    scenario = scenario_of("seed_company")
    store = Patterns(scenario)
    built = store.builds
    for _ in range(2):
        with pytest.raises(ScenarioError, match="qualified_lead_share"):
            store.scenario_at({"marketing.qualified_lead_share": 1.5})
        with pytest.raises(ScenarioError):
            store.arrays_at({"marketing.qualified_lead_share": 1.5})
    assert store.builds == built
    held = whatif.WhatIf(scenario, patterns=store)
    with pytest.raises(ScenarioError):
        held.resolve({"marketing.qualified_lead_share": 1.5})


def test_a_what_if_met_again_is_neither_validated_nor_built_again(monkeypatch):
    scenario = scenario_of("seed_company")
    count = Count(monkeypatch, scenario)
    store = Patterns(scenario)
    held = whatif.WhatIf(scenario, patterns=store)
    free = whatif.WhatIf(scenario, patterns=store)
    for engine in (held, free, held):
        off_line = engine.resolve(
            {"calendar.hours_per_day": 9.0, "marketing.ad_budget_per_month": 45e3}
        )
        on_line = engine.resolve({"marketing.ad_budget_per_month": 41_000.0})
        shape = engine.resolve({"marketing.marketers.min": 0.0})
        assert (off_line.route, on_line.route, shape.route) == (
            "warm, data rebuilt",
            "warm",
            "rebuilt",
        )
    assert max(count.builds.values()) == 1 and max(count.validations.values()) == 1
    # the line of the ad budget: its two ends, built once for both what-ifs
    assert count.builds[(("marketing.ad_budget_per_month", 20_000.0),)] == 1
    assert count.builds[(("marketing.ad_budget_per_month", 60_000.0),)] == 1
    assert count.builds[(("marketing.ad_budget_per_month", 41_000.0),)] == 0  # on the line
    # ``rebuild`` is the long way: it builds every time
    held.rebuild({"marketing.ad_budget_per_month": 41_000.0})
    assert count.builds[(("marketing.ad_budget_per_month", 41_000.0),)] == 1


def test_a_handed_over_model_is_not_built_again_and_the_store_is_bounded():
    scenario = scenario_of("seed_company")
    store = Patterns(scenario, built=build_model(scenario), limit=4)
    assert store.builds == 0
    assert bitwise_equal(store.base, build_model(scenario)[0].arrays(drop_zeros=False))
    for value in range(10):
        store.arrays_at({"marketing.ad_budget_per_month": 30_000.0 + value})
    assert store.builds == 10 and store.held == 4
    store.arrays_at({"marketing.ad_budget_per_month": 30_009.0})  # still held: the latest
    assert store.builds == 10


def test_patterns_of_another_scenario_or_objective_are_refused():
    seed, software = scenario_of("seed_company"), scenario_of("software_company")
    store = Patterns(seed)
    with pytest.raises(ValueError, match="another scenario"):
        whatif.WhatIf(software, patterns=store)
    with pytest.raises(ValueError, match="another scenario"):
        whatif.WhatIf(seed, Objective.closest_to_current, patterns=store)
    with pytest.raises(ValueError, match="another scenario"):
        marginal.marginal_values(software, software.objective, store.base, None, None, None,
                                 None, math.nan, patterns=store)  # fmt: skip
