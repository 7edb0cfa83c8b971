"""A diagnosis without waste (#14): one model built, questions asked of held models.

The scenario's model is built once for the conflict set and the repairs, every moved model
(a lever one step on, a working day) at most once; every feasibility question is asked of
one LP and one MILP that HiGHS holds, and gives the answer a fresh solve gives; the LP
relaxation answers first where its "infeasible" decides; the working day's bisection
loads the numbers of its straight line and finds the day the builds find; the repaired
plan is solved once, without marginal values unless asked.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from test_diagnose import SEED, small

from optimizer.analysis import solve as solve_module
from optimizer.analysis.diagnose import HeldDiagnosis, diagnose, held
from optimizer.analysis.diagnose.conflicts import feasible, keep_only
from optimizer.analysis.solve import solve
from optimizer.model.chain import build_model
from optimizer.scenario.inputs import with_values
from optimizer.scenario.loading import load_scenario

IMPOSSIBLE = {"finance.profit_target_per_month": 10_000_000}
REPAIRS = sys.modules["optimizer.analysis.diagnose.repairs"]


def seed_10m():
    return with_values(load_scenario(SEED), IMPOSSIBLE)


class Builds:
    """Every model built, by the diagnosis (``held.build_model``) or by the repaired
    plan's solve (``solve.build_model``), as the scenario it was built for."""

    def __init__(self, monkeypatch):
        self.diagnosis: list[str] = []
        self.solve: list[str] = []
        for module, seen in ((held, self.diagnosis), (solve_module, self.solve)):
            monkeypatch.setattr(module, "build_model", self._counting(seen))

    @staticmethod
    def _counting(seen: list[str]):
        def counted(scenario, objective=None):
            seen.append(scenario.model_dump_json())
            return build_model(scenario, objective)

        return counted


def test_a_diagnosis_builds_the_scenarios_model_once_and_no_model_twice(monkeypatch):
    scenario = seed_10m()
    builds = Builds(monkeypatch)
    d = diagnose(scenario)
    assert len(d.conflict) == 4 and d.repaired.solved  # the answer of test_backend_sessions
    own = scenario.model_dump_json()
    assert builds.diagnosis.count(own) == 1  # the scenario's model: once, for everything
    assert len(set(builds.diagnosis)) == len(builds.diagnosis)  # each moved model once
    assert d.work["builds"] == len(builds.diagnosis)
    # the moved models: one per lever (how far its limits move), the longest working day
    assert len(builds.diagnosis) <= 1 + len(REPAIRS.levers(scenario)) + 1
    assert builds.solve == [d.cheapest.apply(scenario).model_dump_json()]  # the repaired plan
    assert d.work["repaired_plan"] == 1
    # every feasibility question on the held LP (and MILP, had one been asked): handed
    # over once; here every question is the LP's (the conflict is outright, and the longest
    # day's LP relaxation is already infeasible)
    assert d.work["held_models"] == 1 and d.work["milp"] == 0
    assert d.work["lp"] >= 6  # the relaxation, the IIS confirmed, four members, the day
    assert d.work["iis"] == 1 and "cpsat" not in d.work  # the LP relaxation conflicts


def test_the_same_answers_as_before_on_the_seeds_impossible_goal():
    """Measured before this change: 71 builds for this diagnosis (60 of them the repaired
    plan's marginal values), 24 HiGHS models handed over; the answer stays."""
    d = diagnose(seed_10m())
    assert sorted(d.conflict["name"]) == [
        "delivery-capacity[2027-01]",
        "delivery-on_time[2027-01]",
        "delivery-workers_max[2027-01]",
        "finance-profit_goal[2027-01]",
    ]
    assert list(d.cheapest.changes["path"]) == ["finance.profit_target_per_month"]
    assert d.cheapest.changes["proposed"].iloc[0] == pytest.approx(25_399.0025398992, rel=1e-12)
    assert d.repaired.objective == pytest.approx(35_400, rel=1e-9)
    assert d.work["builds"] <= 12


@pytest.mark.parametrize("integer", [False, True])
def test_held_questions_give_the_fresh_solves_answers(integer):
    """Random sets of limits dropped, asked in turn of the held models (warm, LP first or
    not) and of a fresh solve each: the same answer every time."""
    rng = np.random.default_rng(7)
    for scenario in (seed_10m(), small()):
        h = HeldDiagnosis(scenario)
        limits = np.flatnonzero(h.limit)
        for _ in range(12):
            keep = h.definitions.copy()
            keep[rng.choice(limits, size=rng.integers(0, len(limits) + 1), replace=False)] = True
            fresh = feasible(keep_only(h.arrays, keep), integer)
            assert h.feasible(keep, integer) is fresh
            assert h.feasible(keep, integer, lp_first=False) is fresh
        assert h.work["held_models"] == (2 if integer else 1)


def test_the_lp_relaxation_answers_first_where_it_decides():
    h = HeldDiagnosis(seed_10m())
    assert h.feasible(integer=True) is False  # the LP relaxation is already infeasible
    assert h.work["lp"] == 1 and h.work["milp"] == 0
    assert h.feasible(~h.limit, integer=True) is True  # no limits: the MILP must say so
    assert h.work["lp"] == 2 and h.work["milp"] == 1


def test_the_working_days_line_finds_the_day_the_builds_find(monkeypatch):
    """The bisection of the working day on its straight line (two builds) against a build
    of every day tried: the same shortest day, fewer builds."""
    scenario = small()
    d = diagnose(scenario)
    on_line = _hours(d)
    assert on_line is not None

    class EveryDayBuilt(REPAIRS._Hours):
        def __init__(self, *args):
            super().__init__(*args)
            self.line, self.checked = None, True

    monkeypatch.setattr(REPAIRS, "_Hours", EveryDayBuilt)
    built = diagnose(scenario)
    assert _hours(built) == on_line  # to the bit
    assert built.work["builds"] >= d.work["builds"] + 10


def _hours(d):
    for r in d.alternatives:
        if r.changes["path"].iloc[0] == "calendar.hours_per_day":
            return float(r.changes["proposed"].iloc[0])
    return None


def test_the_repaired_plan_is_solved_once_without_marginal_values_unless_asked():
    scenario = seed_10m()
    d = diagnose(scenario)
    assert d.repaired.solved and d.repaired.parameters.empty
    priced = diagnose(scenario, price_repaired=True)
    full = solve(d.cheapest.apply(scenario))
    assert not priced.repaired.parameters.empty
    assert priced.repaired.parameters["marginal_value"].tolist() == pytest.approx(
        full.parameters["marginal_value"].tolist(), nan_ok=True
    )
    # what the diagnosis shows of the repaired plan is the same either way
    assert d.repaired.objective == priced.repaired.objective == full.objective
    assert d.repaired.targets.equals(full.targets)


def generated_without_plan(count: int = 3):
    """The first scenarios of the benchmark batch's generator that have no plan."""
    import tempfile
    from pathlib import Path

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_scenarios import generate

    found = []
    with tempfile.TemporaryDirectory() as folder:
        for path in generate(Path(folder), 24):
            scenario = load_scenario(path)
            if not solve(scenario, marginals=False, whole_steps=False).solved:
                found.append(scenario)
            if len(found) == count:
                break
    return found


def test_generated_scenarios_without_a_plan_are_diagnosed_without_a_model_built_twice(
    monkeypatch,
):
    """The batch's diagnoses (seed and software companies, outright and whole-people
    conflicts): the scenario's model once, every moved model once (the software company's
    working day enters through its support staffing, not in a straight line, so each day it
    tries is built, once), every question of one held LP and one held MILP."""
    cases = generated_without_plan()
    assert len(cases) == 3
    for scenario in cases:
        builds = Builds(monkeypatch)
        d = diagnose(scenario)
        assert builds.diagnosis.count(scenario.model_dump_json()) == 1
        assert len(set(builds.diagnosis)) == len(builds.diagnosis) == d.work["builds"]
        assert len(builds.solve) == d.work["repaired_plan"] == 1
        assert d.work["held_models"] <= 2
        assert d.work["lp"] + d.work["milp"] >= 10 * d.work["held_models"]
