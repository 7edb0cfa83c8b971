"""One solver boundary (#13): what-ifs, diagnosis and today's targets on every backend.

Each backend's capability flags (``optimizer.solvers.REGISTRY``) are checked against what it
returns; a session (``optimizer.solvers.session.open_session``) holds a model on any backend;
a what-if, a diagnosis and the evaluation of today's targets give the same answer on HiGHS
and on the others: the objective to 1e-6 relative, the same whole-number headcounts, the
same conflicting limits and the same cheapest repair.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from conftest import ROOT

from optimizer.analysis import current
from optimizer.analysis.diagnose import diagnose
from optimizer.analysis.diagnose.conflicts import feasible, keep_only, limit_rows
from optimizer.analysis.whatif import WhatIf
from optimizer.model.chain import build_model
from optimizer.scenario.inputs import with_values
from optimizer.scenario.loading import load_scenario
from optimizer.solvers import CAPABILITIES, REGISTRY, Status, backend
from optimizer.solvers.session import ColdSession, HighsSession, open_session, solve_fresh
from optimizer.solvers.twostage import POLISH_TOL, worst_break

SEED = ROOT / "scenarios" / "seed_company.yaml"
OTHERS = ["cbc", "ortools", "pdlp"]
MOVES = [
    {"calendar.hours_per_day": 9.0},
    {"marketing.ad_budget_per_month": 45000},
    {"calendar.hours_per_day": 9.0, "marketing.ad_budget_per_month": 45000},  # data rebuilt
    {"sales.teams[field].reps.max": 4},
]
IMPOSSIBLE = {"finance.profit_target_per_month": 10_000_000}


@functools.cache
def seed():
    return load_scenario(SEED)


@functools.cache
def seed_arrays(**changes):
    scenario = with_values(seed(), changes) if changes else seed()
    model, _ = build_model(scenario)
    return model, model.arrays()


@functools.cache
def whatif(name: str, hold: bool = False) -> WhatIf:
    return WhatIf(seed(), backend=name, hold_headcounts=hold)


@functools.cache
def diagnosis(name: str):
    return diagnose(with_values(seed(), IMPOSSIBLE), backend=name)


def headcounts(result) -> dict[str, float]:
    """The what-if's whole-number variables by name (the held model's names)."""
    names = np.array(whatif("highs").model.var_names(), dtype=object)
    whole = result.arrays.integer
    return dict(zip(names[whole], np.round(result.x[whole])))


# ---- capabilities ------------------------------------------------------------------------


def test_every_backend_has_every_capability_flag_from_the_registry():
    for name, spec in REGISTRY.items():
        made = backend(name)
        assert set(made.capabilities) == set(CAPABILITIES)
        assert made.capabilities == spec.capabilities
        assert (made.iis_rows is not None) == spec.iis
    assert [n for n, s in REGISTRY.items() if s.warm_start] == ["highs"]
    assert [n for n, s in REGISTRY.items() if s.iis] == ["highs"]
    assert [n for n, s in REGISTRY.items() if s.ranging] == ["highs"]
    assert all(s.duals and s.integer for s in REGISTRY.values())


@pytest.mark.parametrize("name", list(REGISTRY))
def test_the_flags_say_what_the_backend_returns(name):
    """duals: shadow prices; ranging: finite ranges (NaN without); integer: whole numbers."""
    engine = backend(name)
    _, a = seed_arrays()
    out = engine.solve(a, ranging=True, duals=True)
    assert out.status is Status.OPTIMAL
    whole = out.x[a.integer]
    assert engine.integer and np.array_equal(whole, np.round(whole)) and a.integer.any()
    assert (out.row_shadow is not None and np.isfinite(out.row_shadow).all()) == engine.duals
    assert (out.col_shadow is not None) == engine.duals
    has_ranges = out.range_up is not None and np.isfinite(out.range_up).any()
    assert has_ranges == engine.ranging
    if not engine.ranging:  # NaN, never a made-up number
        assert np.isnan(out.range_up).all() and np.isnan(out.range_down).all()
    # ranging=False: none asked for, none given (HiGHS: None; the others: NaN as always)
    plain = engine.solve(a, ranging=False, duals=True)
    assert plain.range_up is None or np.isnan(plain.range_up).all()


@pytest.mark.parametrize("name", list(REGISTRY))
def test_iis_only_where_the_flag_says_and_it_is_a_conflict(name):
    engine = backend(name)
    model, a = seed_arrays(**IMPOSSIBLE)
    if not engine.iis:
        assert engine.iis_rows is None
        return
    rows = engine.iis_rows(a)
    limit = limit_rows(model)
    keep = np.zeros(a.num_rows, bool)
    keep[rows] = True
    assert rows.size and feasible(keep_only(a, keep | ~limit), integer=False) is False


def test_the_iis_keeps_to_its_time_limit():
    """HiGHS's ``getIis`` ignores ``time_limit``; ``iis_rows`` holds it to the seconds
    given (``iis_time_limit``), so a diagnosis keeps its ``--time-limit``. With the time
    gone before the IIS starts it gives up with no rows (the caller then tests every
    limit); with time enough it returns the same conflict as without a limit."""
    engine = backend("highs")
    _, a = seed_arrays(**IMPOSSIBLE)
    assert engine.iis_rows(a, time_limit=1e-9).size == 0
    assert sorted(engine.iis_rows(a, time_limit=60.0)) == sorted(engine.iis_rows(a))


@pytest.mark.parametrize("name", list(REGISTRY))
def test_a_session_is_warm_only_where_the_flag_says(name):
    _, a = seed_arrays()
    session = open_session(name, a)
    assert session.backend == name
    assert session.warm_start == backend(name).warm_start
    assert isinstance(session, HighsSession if backend(name).warm_start else ColdSession)
    first = session.solve(duals=False, ranging=False)
    _, moved = seed_arrays(**{"marketing.ad_budget_per_month": 45000})
    session.load(moved)
    again = session.solve(duals=True, ranging=False)
    fresh = backend(name).solve(moved, ranging=False, duals=True)
    assert first.objective == pytest.approx(35_400, rel=1e-6)
    assert again.objective == pytest.approx(fresh.objective, rel=1e-9)
    assert again.objective == pytest.approx(41_600, rel=1e-6)
    assert again.row_shadow is not None


def test_a_cold_session_polishes_whole_number_plans_that_break_a_row():
    """CBC's integer values come from its text solution (8 digits): the seed's ad spend
    identity is broken by $0.0002; the session's values are the LP's at those headcounts."""
    _, a = seed_arrays(**{"calendar.hours_per_day": 9.0})
    raw = backend("cbc").solve(a, ranging=False, duals=False)
    polished = open_session("cbc", a).solve(duals=False, ranging=False)
    assert worst_break(a, raw.x) > POLISH_TOL  # what the polish is for
    assert worst_break(a, polished.x) <= POLISH_TOL
    assert "polish" in polished.times and polished.row_shadow is None
    np.testing.assert_array_equal(polished.x[a.integer], np.round(raw.x[a.integer]))
    assert polished.objective == pytest.approx(raw.objective, rel=1e-7)
    highs = solve_fresh("highs", a)
    assert "polish" not in highs.times  # HiGHS's own solve, as before
    assert polished.objective == pytest.approx(highs.objective, rel=1e-9)


# ---- what-ifs ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", OTHERS)
@pytest.mark.parametrize("changes", MOVES, ids=lambda c: "+".join(c))
def test_a_what_if_agrees_with_highs(name, changes):
    ref = whatif("highs").resolve(changes)
    got = whatif(name).resolve(changes)
    assert ref.solved and got.solved, (got.status, got.message)
    assert got.backend == name and ref.backend == "highs"
    assert got.objective == pytest.approx(ref.objective, rel=1e-6)
    assert headcounts(got) == headcounts(ref)
    assert got.route == ref.route.replace("warm", "cold")
    rebuilt = whatif(name).rebuild(changes)
    assert rebuilt.solved and rebuilt.backend == name and rebuilt.route == "rebuilt"
    assert rebuilt.objective == pytest.approx(ref.objective, rel=1e-6)


def test_the_default_what_if_is_highs_and_warm():
    w = WhatIf(seed())
    result = w.resolve({"calendar.hours_per_day": 9.0})
    assert w.engine.name == "highs" and isinstance(w._warm, HighsSession)
    assert result.backend == "highs" and result.route == "warm"
    assert result.objective == pytest.approx(40_600, rel=1e-9)


@pytest.mark.parametrize("name", ["cbc", "ortools"])
def test_a_what_if_plan_and_a_held_what_if_agree_with_highs(name):
    changes = {"marketing.ad_budget_per_month": 45000}
    ref_plan = whatif("highs").resolve(changes).plan()
    plan = whatif(name).resolve(changes).plan()
    assert plan.solved and plan.backend == name and ref_plan.backend == "highs"
    assert plan.objective == pytest.approx(ref_plan.objective, rel=1e-6)
    ref = whatif("highs", hold=True).resolve(changes, duals=True)
    held = whatif(name, hold=True).resolve(changes, duals=True)
    assert held.solved and held.objective == pytest.approx(ref.objective, rel=1e-6)
    assert headcounts(held) == headcounts(ref)  # the base plan's people, on both


@pytest.mark.parametrize("name", ["cbc", "ortools"])
def test_an_infeasible_what_if_is_infeasible_on_every_backend(name):
    dead = whatif(name).resolve({"finance.profit_target_per_month": 90_000})
    assert dead.status is Status.INFEASIBLE and dead.x is None and dead.backend == name
    alive = whatif(name).resolve({"finance.profit_target_per_month": 15_000})
    assert alive.objective == pytest.approx(35_400, rel=1e-6)


# ---- diagnosis ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cbc", "ortools"])
def test_a_diagnosis_agrees_with_highs(name):
    ref, got = diagnosis("highs"), diagnosis(name)
    assert ref.relaxation == got.relaxation == "lp"
    assert set(got.conflict["name"]) == set(ref.conflict["name"])
    assert len(ref.conflict) == 4
    assert got.cheapest.cost == pytest.approx(ref.cheapest.cost, rel=1e-6)
    assert list(got.cheapest.changes["path"]) == list(ref.cheapest.changes["path"])
    np.testing.assert_allclose(
        got.cheapest.changes["proposed"], ref.cheapest.changes["proposed"], rtol=1e-6
    )
    assert got.repaired.solved and got.repaired.backend == name
    assert got.repaired.objective == pytest.approx(ref.repaired.objective, rel=1e-6)
    assert [r.cost for r in got.alternatives] == pytest.approx(
        [r.cost for r in ref.alternatives], rel=1e-6
    )


@pytest.mark.parametrize("name", ["cbc", "ortools"])
def test_the_diagnosis_says_which_backend_answered_and_what_it_did_instead(name):
    ref, got = diagnosis("highs"), diagnosis(name)
    assert ref.backend == "highs" and ref.notes == ()  # HiGHS's notes as before
    assert got.backend == name
    assert any(f"solved on {name}" in note for note in got.notes)
    assert any("no irreducible infeasible subset" in note and "proposal" in note
               for note in got.notes)  # fmt: skip


@pytest.mark.parametrize("name", ["cbc", "ortools"])
def test_the_chosen_backend_confirms_every_member_of_the_conflict(name):
    """The set is infeasible on that backend, and dropping any member makes it feasible."""
    engine = backend(name)
    model, a = seed_arrays(**IMPOSSIBLE)
    index = {n: i for i, n in enumerate(model.row_names())}
    members = [index[n] for n in diagnosis(name).conflict["name"]]
    definitions = ~limit_rows(model)
    keep = definitions.copy()
    keep[members] = True
    assert feasible(keep_only(a, keep), integer=False, engine=engine) is False
    for row in members:
        keep[row] = False
        assert feasible(keep_only(a, keep), integer=False, engine=engine) is True
        keep[row] = True


@pytest.mark.parametrize("name", ["cbc", "ortools"])
def test_whole_people_conflicts_agree_with_highs(name):
    from test_diagnose import small

    ref, got = diagnose(small()), diagnose(small(), backend=name)
    assert ref.relaxation == got.relaxation == "integer"
    assert set(got.conflict["name"]) == set(ref.conflict["name"])
    assert got.cheapest.cost == pytest.approx(ref.cheapest.cost, rel=1e-6)


# ---- today's targets ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cbc", "ortools"])
def test_todays_targets_evaluate_the_same_on_every_backend(name):
    ref = current.evaluate(seed())
    got = current.evaluate(seed(), backend=name)
    assert got.target_deviation == pytest.approx(ref.target_deviation, rel=1e-6)
    np.testing.assert_array_equal(np.flatnonzero(got.broken), np.flatnonzero(ref.broken))
    np.testing.assert_allclose(got.broken, ref.broken, rtol=1e-6, atol=1e-6)
    for key, value in ref.quantities.items():
        np.testing.assert_allclose(got.quantities[key], value, rtol=1e-6, atol=1e-6)


def test_compare_evaluates_todays_targets_on_its_backend():
    from optimizer.analysis.compare import compare

    ref = compare(seed())
    got = compare(seed(), backend="cbc")
    assert got.plan.backend == "cbc" and got.plan.solved
    keys = [c for c in ref.current.columns if c != "value"]
    merged = ref.current.merge(got.current, on=keys, suffixes=("_highs", "_cbc"))
    assert len(merged) == len(ref.current) == len(got.current)
    np.testing.assert_allclose(merged["value_cbc"], merged["value_highs"], rtol=1e-6, atol=1e-6)
