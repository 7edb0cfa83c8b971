"""The two-stage solve (``optimizer.solvers.twostage``) on a model solved by hand, on every
backend and in every backend's session, and its error paths on an engine made up here.

The model: a team of n people (whole) sells s units; each sale earns 4, each person costs 3.

    max 4 s - 3 n   subject to   capacity  s - 4 n <= 0   (a person sells up to 4)
                                 demand    s <= 10
                                 cap       n <= 5

By hand: s = min(4 n, 10), so n = 3, s = 10 and profit 31 (n = 2 gives 32 - 6 = 26).
With n fixed at 3, the LP's prices: demand 4 (one more unit sold), capacity and cap 0
(slack 2 and 2); n's reduced cost -3 (a person more costs 3 and sells nothing). Demand can
rise by 2 before capacity binds (4 n = 12) and fall by 10 (s = 0). Re-solved with n held:
demand 11 gives 35, demand 13 gives 39 (capacity binds at 12), n = 4 gives 40 - 12 = 28.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from optimizer.model.linear import LinearModel
from optimizer.solvers import REGISTRY, Status, backend, twostage
from optimizer.solvers.session import open_session
from optimizer.solvers.twostage import Raw

N, S = 0, 1
CAPACITY, DEMAND, CAP = 0, 1, 2
TOL = 1e-6  # PDLP's answers are to its tolerance; the simplex backends' exact


def team(demand: float = 10.0):
    m = LinearModel(sense="max")
    n = m.add_vars("n", [], integer=True)
    s = m.add_vars("s", [])
    m.add_rows("capacity", department="t", description="s <= 4 n.", axes=[],
               lhs=[(1.0, s), (-4.0, n)], sense="<=", rhs=0.0)  # fmt: skip
    m.add_rows("demand", department="t", description="s <= demand.", axes=[],
               lhs=[(1.0, s)], sense="<=", rhs=demand)  # fmt: skip
    m.add_rows("cap", department="t", description="n <= 5.", axes=[],
               lhs=[(1.0, n)], sense="<=", rhs=5.0)  # fmt: skip
    m.add_objective([(4.0, s), (-3.0, n)])
    return m.arrays()


@pytest.mark.parametrize("name", list(REGISTRY))
def test_plan_prices_and_ranging_by_hand(name):
    engine = backend(name)
    out = engine.solve(team(), ranging=True, duals=True)
    assert out.status is Status.OPTIMAL
    np.testing.assert_allclose(out.x, [3.0, 10.0], atol=TOL)
    assert out.objective == pytest.approx(31.0, rel=TOL)
    np.testing.assert_allclose(out.row_shadow, [0.0, 4.0, 0.0], atol=TOL)
    np.testing.assert_allclose(out.col_shadow, [-3.0, 0.0], atol=TOL)
    np.testing.assert_array_equal(out.lp_lb, [3.0, 0.0])  # n fixed; the cap row is slack
    np.testing.assert_array_equal(out.lp_ub, [3.0, np.inf])
    if engine.ranging:
        assert out.range_up[DEMAND] == pytest.approx(2.0)
        assert out.range_down[DEMAND] == pytest.approx(10.0)
        assert set(out.times) == {"hand_over", "solve", "fixed_lp", "ranging"}
    else:
        assert np.isnan(out.range_up).all() and np.isnan(out.range_down).all()
        assert set(out.times) == {"solve", "fixed_lp"}


@pytest.mark.parametrize("name", list(REGISTRY))
def test_the_fixed_lp_re_solves_by_hand(name):
    a = team()
    fixed = backend(name).solve(a).fixed_lp
    assert fixed.objective_with({DEMAND: (-np.inf, 11.0)}) == pytest.approx(35.0, rel=TOL)
    assert fixed.objective_with({DEMAND: (-np.inf, 13.0)}) == pytest.approx(39.0, rel=TOL)
    assert fixed.objective_with({}, {N: (4.0, 4.0)}) == pytest.approx(28.0, rel=TOL)
    assert fixed.objective_with({DEMAND: (-np.inf, 10.0)}) == pytest.approx(31.0, rel=TOL)
    assert fixed.objective_for(team(12.0)) == pytest.approx(39.0, rel=TOL)
    assert fixed.objective_with({DEMAND: (11.0, 11.0), CAPACITY: (-np.inf, -3.0)}) is None


@pytest.mark.parametrize("name", [n for n in REGISTRY if n != "highs"])
def test_the_solve_and_its_re_solves_build_one_solver_model(name, monkeypatch):
    """CBC and MathOpt hold one model per model shape (``optimizer.solvers.held``): the
    MILP, the fixed LP, its re-solves and a second solve with a limit moved change it in
    place; the answers are the hand-solved ones."""
    from optimizer.solvers import held, ortools, pulp_cbc

    module = pulp_cbc if name == "cbc" else ortools
    shelf = held.Shelf(module.SHELF.build)
    monkeypatch.setattr(module, "SHELF", shelf)
    engine, a = backend(name), team()
    fixed = engine.solve(a).fixed_lp
    assert fixed.objective_with({DEMAND: (-np.inf, 13.0)}) == pytest.approx(39.0, rel=TOL)
    assert fixed.objective_with({}, {N: (4.0, 4.0)}) == pytest.approx(28.0, rel=TOL)
    upper = a.row_upper.copy()
    upper[DEMAND] = 13.0  # n = 4: 52 - 12
    again = engine.solve(replace(a, row_upper=upper), duals=False)
    assert again.objective == pytest.approx(40.0, rel=TOL)
    assert shelf.builds == 1


@pytest.mark.parametrize("name", list(REGISTRY))
def test_without_duals_the_plan_only(name):
    out = backend(name).solve(team(), duals=False)
    assert out.status is Status.OPTIMAL and out.objective == pytest.approx(31.0, rel=TOL)
    assert out.row_shadow is None and out.fixed_lp is None and "fixed_lp" not in out.times


@pytest.mark.parametrize("name", list(REGISTRY))
def test_a_session_gives_the_same_answers(name):
    """Held in a session (warm on HiGHS, rebuilt elsewhere), moved, and solved again."""
    session = open_session(name, team())
    assert session.solve(duals=False, ranging=False).objective == pytest.approx(31.0, rel=TOL)
    session.load(team(11.0))  # n = 3 still: 44 - 9
    out = session.solve(duals=True, ranging=False)
    assert out.objective == pytest.approx(35.0, rel=TOL)
    np.testing.assert_allclose(out.row_shadow, [0.0, 4.0, 0.0], atol=TOL)
    assert out.fixed_lp.objective_with({DEMAND: (-np.inf, 12.0)}) == pytest.approx(39.0, rel=TOL)
    session.load(team(13.0))  # n = 4: 52 - 12 (n = 3 gives 48 - 9 = 39)
    assert session.solve(duals=False, ranging=False).objective == pytest.approx(40.0, rel=TOL)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_infeasible_and_unbounded(name):
    engine = backend(name)
    a = team()
    lower, upper = np.array([-np.inf, 12.0, -np.inf]), np.array([0.0, np.inf, 2.0])
    dead = replace(a, row_lower=lower, row_upper=upper)  # s >= 12 but s <= 4 n <= 8
    assert engine.solve(dead).status is Status.INFEASIBLE
    free = replace(a, row_upper=np.array([0.0, np.inf, np.inf]))  # no demand, no cap
    assert engine.solve(free).status is Status.UNBOUNDED


# ---- the routine's paths, on an engine made up here --------------------------------------


class Scripted(twostage.Engine):
    """Answers the model with ``first`` and the fixed LP with ``fixed_raw``."""

    name = "scripted"

    def __init__(self, first: Raw, fixed: Raw | None = None):
        self.first_raw, self.fixed_raw, self.calls = first, fixed, []

    def mip(self, a, time_limit):
        self.calls.append("mip")
        return self.first_raw

    def lp(self, a, lb, ub, time_limit=None, duals=True):
        self.calls.append("lp")
        return self.fixed_raw


def test_a_time_limit_with_a_plan_keeps_it_and_its_gap():
    raw = Raw(Status.TIME_LIMIT, "stopped", x=np.array([3.0, 10.0]), gap=0.05)
    out = twostage.solve(Scripted(raw), team())
    assert out.status is Status.TIME_LIMIT and out.solver_status == "stopped"
    assert out.objective == pytest.approx(31.0) and out.mip_gap == 0.05
    assert out.row_shadow is None


def test_a_fixed_lp_that_fails_is_an_error_that_names_it():
    first = Raw(Status.OPTIMAL, "Optimal", x=np.array([3.0, 10.0]), gap=0.0)
    engine = Scripted(first, Raw(Status.ERROR, "NUMERICAL_ERROR", message="why"))
    out = twostage.solve(engine, team())
    assert out.status is Status.ERROR
    assert out.solver_status == "fixed LP after MILP: NUMERICAL_ERROR"
    assert out.message == "why" and out.objective is None
    assert engine.calls == ["mip", "lp"]


def test_unbounded_is_settled_by_the_model_without_its_objective():
    engine = Scripted(Raw(Status.UNBOUNDED, "UNBOUNDED"))
    engine.mip = lambda a, time_limit: (
        engine.first_raw if a.c.any() else Raw(Status.INFEASIBLE, "INFEASIBLE")
    )
    out = twostage.solve(engine, team())
    assert out.status is Status.INFEASIBLE
    assert out.solver_status == "UNBOUNDED; without the objective: INFEASIBLE"


def test_polish_takes_the_fixed_lp_values_where_the_plan_breaks_a_row():
    rough = np.array([3.0, 10.0 + 1e-6])  # demand broken by 1e-6, as CBC's 8 digits do
    fixed = Raw(Status.OPTIMAL, "Optimal", x=np.array([3.0, 10.0]))
    engine = Scripted(Raw(Status.OPTIMAL, "Optimal", x=rough), fixed)
    out = twostage.solve(engine, team(), duals=False, polish=True)
    np.testing.assert_array_equal(out.x, [3.0, 10.0])
    assert "polish" in out.times and engine.calls == ["mip", "lp"]
    plain = twostage.solve(Scripted(engine.first_raw, fixed), team(), duals=False)
    np.testing.assert_array_equal(plain.x, rough)


# ---- the fixed LP alone (``solve_fixed``, ``Backend.solve_fixed``) -------------------------


@pytest.mark.parametrize("name", list(REGISTRY))
def test_solve_fixed_is_the_plans_fixed_lp_by_hand(name):
    """The LP with n fixed at 3 (the caller's choice), alone: the same numbers as the plan's
    solve, its bounds, its what-ifs; timed as ``fixed_lp`` (and ``ranging`` where asked)."""
    engine, a = backend(name), team()
    plan = engine.solve(a)
    lb, ub = twostage.fixed_bounds(a, np.array([3.0, 0.0]))
    out = engine.solve_fixed(a, lb, ub)
    assert out.status is Status.OPTIMAL and out.mip_gap is None
    np.testing.assert_allclose(out.x, plan.x, atol=TOL)
    assert out.objective == pytest.approx(31.0, rel=TOL)
    np.testing.assert_allclose(out.row_shadow, [0.0, 4.0, 0.0], atol=TOL)
    np.testing.assert_allclose(out.col_shadow, [-3.0, 0.0], atol=TOL)
    assert out.lp_lb is lb and out.lp_ub is ub
    if engine.ranging:
        assert out.range_up[DEMAND] == pytest.approx(2.0)
        assert out.range_down[DEMAND] == pytest.approx(10.0)
        assert set(out.times) == {"fixed_lp", "ranging"}
    else:
        assert np.isnan(out.range_up).all() and np.isnan(out.range_down).all()
        assert set(out.times) == {"fixed_lp"}
    assert out.fixed_lp.objective_with({DEMAND: (-np.inf, 13.0)}) == pytest.approx(39.0, rel=TOL)
    model = engine.solve_fixed(a, lb, ub, settings="model")  # as an LP model is solved
    np.testing.assert_allclose(model.row_shadow, out.row_shadow, atol=TOL)
    assert model.lp_lb is lb and "solve" in model.times
    no_ranging = engine.solve_fixed(a, lb, ub, ranging=False)
    assert "ranging" not in no_ranging.times


def test_highs_solves_the_fixed_lp_with_its_own_settings(monkeypatch):
    """HiGHS's fixed LP is the primal simplex (``FIXED_LP_OPTIONS``), in the plan's solve and
    in ``solve_fixed``; ``settings="model"`` solves it as an LP model, without them."""
    from optimizer.solvers import highs

    seen = []
    real = highs._highs

    def recording(a, lb, ub, integer, options=None):
        seen.append((integer, dict(options or {})))
        return real(a, lb, ub, integer, options)

    monkeypatch.setattr(highs, "_highs", recording)
    engine, a = backend("highs"), team()
    engine.solve(a)
    assert seen == [(True, {}), (False, highs.FIXED_LP_OPTIONS)]
    seen.clear()
    engine.solve_fixed(a, *twostage.fixed_bounds(a, np.array([3.0, 0.0])))
    assert seen == [(False, highs.FIXED_LP_OPTIONS)]
    seen.clear()
    engine.solve_fixed(a, a.lb, a.ub, settings="model")
    assert seen == [(False, {})]


def test_a_backend_without_an_engine_solves_the_fixed_lp_through_its_solve():
    """A backend made from a bare ``solve`` (a test's fake) gets the LP as arrays, whole
    numbers off and the bounds given, with duals asked."""
    from optimizer.solvers import Backend

    real, calls = backend("cbc"), []

    def solve(arrays, **kwargs):
        calls.append((arrays, kwargs))
        return real.solve(arrays, **kwargs)

    fake = Backend("fake", "CBC, called through its solve", solve, False)
    a = team()
    lb, ub = twostage.fixed_bounds(a, np.array([3.0, 0.0]))
    out = fake.solve_fixed(a, lb, ub, ranging=False)
    assert out.status is Status.OPTIMAL and out.objective == pytest.approx(31.0, rel=TOL)
    assert out.lp_lb is lb and out.lp_ub is ub
    ((arrays, kwargs),) = calls
    assert not arrays.integer.any() and arrays.lb is lb and arrays.ub is ub
    assert kwargs == {"ranging": False, "duals": True}


def test_solve_fixed_that_fails_gives_the_lps_own_status_and_words():
    engine = Scripted(
        Raw(Status.OPTIMAL, "unused"), Raw(Status.ERROR, "NUMERICAL_ERROR", message="why")
    )
    a = team()
    out = twostage.solve_fixed(engine, a, a.lb, a.ub)
    assert out.status is Status.ERROR and out.solver_status == "NUMERICAL_ERROR"
    assert out.message == "why" and out.x is None and out.objective is None
    assert engine.calls == ["lp"] and set(out.times) == {"fixed_lp"}
    with pytest.raises(ValueError, match="unknown fixed-LP settings"):
        twostage.solve_fixed(engine, a, a.lb, a.ub, settings="warm")
