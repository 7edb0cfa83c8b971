"""One solver model per answer on CBC and OR-Tools (#14), and no re-solve the LP decides.

- The held model (``optimizer.solvers.held``: CBC's PuLP problem, MathOpt's model) changed
  in place is the model a fresh build gives: the MPS text PuLP writes for CBC and the
  model MathOpt exports are equal after every kind of change a solve makes.
- Its re-solves give the objective a fresh build gives, to the bit, for every binding limit
  of every bundled scenario (the pricing's re-solves), on CBC and OR-Tools.
- A wrapper counts the models built: one per backend per answer for the plan's model
  (its MILP, fixed LP, price re-solves, whole-person MILPs, the cross-check's re-pricing,
  a session's what-ifs); each tie stage is another model (its own columns and rows),
  built once.
- The pricing's skipped re-solves (``pricing.Forward.decided``, one-variable limits past
  their held bounds) are made here and agree: the prices and degenerate flags are the
  same with and without the skipping, with fewer re-solves.

No test here is timed.
"""

from __future__ import annotations

import collections
import functools
from dataclasses import replace

import numpy as np
import pytest
from conftest import ROOT

from optimizer.analysis import pricing
from optimizer.analysis.answers import answer
from optimizer.model.chain import build_model
from optimizer.scenario.inputs import with_values
from optimizer.scenario.loading import load_scenario
from optimizer.solvers import backend, held, ortools, pulp_cbc, twostage
from optimizer.solvers.session import open_session

SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
MODULES = {"cbc": pulp_cbc, "ortools": ortools}
HELD = {"cbc": pulp_cbc.Problem, "ortools": ortools.Model}


@functools.cache
def scenario(name: str):
    return load_scenario(ROOT / "scenarios" / f"{name}.yaml")


@functools.cache
def arrays(name: str, **changes):
    sc = with_values(scenario(name), changes) if changes else scenario(name)
    model, _ = build_model(sc)
    return model.arrays()


def slow_if(name: str, backend_name: str = "cbc"):
    """Regional sales on CBC (a CBC process per solve, a hundred solves) is the slow tier."""
    slow = name == "regional_sales" and backend_name == "cbc"
    return pytest.param(name, marks=pytest.mark.slow) if slow else name


def fresh_shelves(monkeypatch):
    """Empty shelves: the next solve on each backend builds its model."""
    for name, module in MODULES.items():
        monkeypatch.setattr(module, "SHELF", held.Shelf(HELD[name]))


def counted(monkeypatch) -> collections.Counter:
    """Models built from now on, by (backend, number of columns, number of rows)."""
    built: collections.Counter = collections.Counter()
    for name, module in MODULES.items():
        build = module.SHELF.build

        def counting(a, lb, ub, integer, build=build, name=name):
            built[(name, a.num_vars, a.num_rows)] += 1
            return build(a, lb, ub, integer)

        monkeypatch.setattr(module.SHELF, "build", counting)
    return built


# ---- the held model is a fresh build ------------------------------------------------------


def mps(problem: pulp_cbc.Problem, tmp_path) -> str:
    path = tmp_path / "model.mps"
    problem.prob.writeMPS(str(path), rename=1)
    return path.read_text()


def moves(a):
    """The changes a solve makes to the model it holds, one after another: (arrays, lb, ub,
    integer) each."""
    ints = np.flatnonzero(a.integer)
    lb, ub = twostage.fixed_bounds(a, np.where(a.integer, 1.0, 0.0))
    off = np.zeros_like(a.integer)
    yield a, a.lb, a.ub, a.integer  # the MILP
    yield a, lb, ub, off  # its fixed LP
    upper = a.row_upper.copy()
    row = int(np.flatnonzero(np.isfinite(upper))[0])
    upper[row] += 0.5
    yield replace(a, row_upper=upper), lb, ub, off  # a limit moved (a price's re-solve)
    flipped = lb.copy()
    flipped[ints[0]] = -0.0  # a zero's sign: it reaches a solver's answer
    yield a, flipped, ub, off
    yield replace(a, c=np.zeros_like(a.c), c_tiebreak=np.zeros_like(a.c)), a.lb, a.ub, a.integer
    yield replace(a, sense="min" if a.sense == "max" else "max"), a.lb, a.ub, a.integer
    vals = a.vals.copy()
    vals[0] *= 1.5  # a coefficient (a what-if's new numbers)
    yield replace(a, vals=vals, rows=a.rows.copy(), cols=a.cols.copy()), lb, ub, off
    yield a, a.lb, a.ub, a.integer  # and back


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_held_pulp_problem_writes_the_mps_of_a_fresh_build(name, tmp_path):
    a = arrays(name)
    problem = pulp_cbc.Problem(a, a.lb, a.ub, a.integer)
    for step, (moved, lb, ub, integer) in enumerate(moves(a)):
        assert problem.load(moved, lb, ub, integer)
        fresh = pulp_cbc.Problem(moved, lb, ub, integer)
        assert mps(problem, tmp_path) == mps(fresh, tmp_path), f"step {step}"


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_held_mathopt_model_exports_the_model_of_a_fresh_build(name):
    a = arrays(name)
    model = ortools.Model(a, a.lb, a.ub, a.integer)
    for step, (moved, lb, ub, integer) in enumerate(moves(a)):
        assert model.load(moved, lb, ub, integer)
        fresh = ortools.Model(moved, lb, ub, integer)
        assert model.m.export_model() == fresh.m.export_model(), f"step {step}"


def test_a_model_of_another_shape_or_a_row_of_another_kind_is_built_anew():
    a = arrays("seed_company")
    other = arrays("software_company")
    for cls in HELD.values():
        assert not cls(a, a.lb, a.ub, a.integer).load(other, other.lb, other.ub, other.integer)
    lower = a.row_lower.copy()
    row = int(np.flatnonzero(~np.isfinite(lower) & np.isfinite(a.row_upper))[0])
    lower[row] = a.row_upper[row] - 1.0  # a "<=" row becomes ranged: two constraints in PuLP
    problem = pulp_cbc.Problem(a, a.lb, a.ub, a.integer)
    assert not problem.load(replace(a, row_lower=lower), a.lb, a.ub, a.integer)
    assert ortools.Model(a, a.lb, a.ub, a.integer).load(
        replace(a, row_lower=lower), a.lb, a.ub, a.integer
    )  # MathOpt's rows carry both limits


# ---- re-solves on the held model give a fresh build's answer ------------------------------


@functools.cache
def plan(name: str, backend_name: str):
    """The plan's model, solver output and positions as the pipeline prices them (the
    arguments ``solve`` hands to ``pricing.prices``)."""
    from optimizer.analysis.solve import solve

    seen = {}
    real = pricing.prices

    def keep(a, out, binding, inc, sense, limit, **options):
        seen.update(a=a, out=out, binding=binding, inc=inc, sense=sense, limit=limit)
        return real(a, out, binding, inc, sense, limit, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pricing, "prices", keep)
        solve(scenario(name), backend=backend_name, marginals=False, whole_steps=False)
    return seen


@pytest.mark.parametrize("backend_name", ["cbc", "ortools"])
@pytest.mark.parametrize("name", [slow_if(n) for n in SCENARIOS])
def test_re_solves_on_the_held_model_equal_fresh_builds(name, backend_name, monkeypatch):
    p = plan(name, backend_name)
    a, out, sense, limit = p["a"], p["out"], p["sense"], p["limit"]
    rows = np.flatnonzero(p["binding"])
    assert len(rows)
    module = MODULES[backend_name]
    engine_class = {"cbc": pulp_cbc.CbcEngine, "ortools": ortools.MathOptEngine}[backend_name]
    held_engine = engine_class()
    for row in rows.tolist():
        upper = a.row_upper.copy()
        lower = a.row_lower.copy()
        step = pricing.FORWARD_STEP * max(1.0, abs(limit[row]))
        if sense[row] in ("<=", "=="):
            upper[row] += step
        if sense[row] in (">=", "=="):
            lower[row] += step
        moved = replace(a, row_lower=lower, row_upper=upper)
        on_held = held_engine.lp(moved, out.lp_lb, out.lp_ub, None, False)
        monkeypatch.setattr(module, "SHELF", held.Shelf(HELD[backend_name]))
        fresh = engine_class().lp(moved, out.lp_lb, out.lp_ub, None, False)
        monkeypatch.undo()
        assert on_held.status is fresh.status, row
        if fresh.x is not None:
            assert a.objective(on_held.x) == a.objective(fresh.x), row  # to the bit
            np.testing.assert_array_equal(on_held.x, fresh.x)


@pytest.mark.parametrize("backend_name", ["cbc", "ortools", "pdlp"])
def test_a_session_solves_as_fresh_builds_do(backend_name, monkeypatch):
    """A what-if session keeps one model: its answers are a fresh solve's, to the bit."""
    a = arrays("seed_company")
    moved = arrays("seed_company", **{"marketing.ad_budget_per_month": 45000})
    fresh_shelves(monkeypatch)
    built = counted(monkeypatch)
    session = open_session(backend_name, a)
    first = session.solve(duals=False, ranging=False)
    session.load(moved)
    again = session.solve(duals=True, ranging=False)
    resolved = again.fixed_lp.objective_with({0: (moved.row_lower[0], moved.row_upper[0] + 1)})
    assert sum(built.values()) == 1  # the MILP, the polish, the fixed LP, the re-solve
    fresh_shelves(monkeypatch)
    solve = backend(backend_name).solve
    fresh_first = solve(a, duals=False, ranging=False, polish=True)
    fresh = solve(moved, duals=True, ranging=False, polish=True)
    np.testing.assert_array_equal(first.x, fresh_first.x)
    np.testing.assert_array_equal(again.x, fresh.x)
    np.testing.assert_array_equal(again.row_shadow, fresh.row_shadow)
    np.testing.assert_array_equal(again.col_shadow, fresh.col_shadow)
    assert again.objective == fresh.objective
    fresh_shelves(monkeypatch)
    again_fresh = solve(moved, duals=True, ranging=False, polish=True)
    row = {0: (moved.row_lower[0], moved.row_upper[0] + 1)}
    assert resolved == again_fresh.fixed_lp.objective_with(row)


# ---- one model per backend per answer -----------------------------------------------------


@pytest.mark.parametrize("backend_name", ["cbc", "ortools"])
@pytest.mark.parametrize("name", [slow_if(n) for n in SCENARIOS])
def test_an_answer_builds_the_plans_model_once(name, backend_name, monkeypatch):
    """The plan's model once (its MILP, "unbounded" check, fixed LP, price re-solves and
    whole-person MILPs all change it in place); every other model built is a tie stage's,
    each of its own shape, each built once."""
    fresh_shelves(monkeypatch)
    built = counted(monkeypatch)
    found = answer(scenario(name), backend=backend_name)
    assert found.plan.solved
    a = arrays(name)
    assert built[(backend_name, a.num_vars, a.num_rows)] == 1
    assert set(built.values()) == {1}  # no model built twice
    others = [shape for shape in built if shape[1:] != (a.num_vars, a.num_rows)]
    assert all(shape[0] == backend_name and shape[1] >= a.num_vars for shape in others)


def test_a_cross_check_builds_each_backends_model_once(monkeypatch):
    """The cross-check builds the scenario's model again for its re-pricing; the backend
    finds the model it holds for those numbers."""
    fresh_shelves(monkeypatch)
    built = counted(monkeypatch)
    found = answer(scenario("seed_company"), backend="cbc", backends=("cbc", "ortools"))
    assert found.cross_check.ok
    a = arrays("seed_company")
    assert built[("cbc", a.num_vars, a.num_rows)] == 1
    assert built[("ortools", a.num_vars, a.num_rows)] == 1
    assert set(built.values()) == {1}


def test_the_shelf_keeps_a_model_with_its_arrays_or_while_recent():
    base = arrays("seed_company")
    a = replace(base, rows=base.rows.copy())
    shelf = held.Shelf(pulp_cbc.Problem)
    _, model = shelf.solve(a, a.lb, a.ub, a.integer, lambda m: None)
    assert shelf.builds == 1 and shelf._shelved(a) is model
    upper = a.row_upper.copy()
    upper[int(np.flatnonzero(np.isfinite(upper) & ~np.isfinite(a.row_lower))[0])] += 1.0
    same = replace(a, row_upper=upper)  # the same arrays, a limit moved
    assert shelf.solve(same, a.lb, a.ub, a.integer, lambda m: None)[1] is model
    again = replace(base, rows=base.rows.copy())  # the same model built again elsewhere
    assert shelf.solve(again, a.lb, a.ub, a.integer, lambda m: None)[1] is model
    assert shelf.builds == 1
    import gc
    import weakref

    gone = weakref.ref(model)
    del a, same, again, model, _
    gc.collect()
    assert gone() is not None  # one of the models used last
    for name in ("software_company", "regional_sales"):  # two others used since
        other = arrays(name)
        shelf.solve(other, other.lb, other.ub, other.integer, lambda m: None)
    gc.collect()
    assert gone() is None and len(shelf._models) == 2 and len(shelf._shapes) == 2


# ---- re-solves the LP decides -------------------------------------------------------------


class Recording(pricing.Forward):
    """``pricing.Forward``, each one kept (``made``)."""

    made: list[pricing.Forward] = []

    def __init__(self, *args):
        super().__init__(*args)
        Recording.made.append(self)


class EveryResolve(Recording):
    """``pricing.Forward`` that decides nothing: every re-solve is made."""

    def decided(self, row, dual):
        return False


def row_prices(p: dict, forward_class, monkeypatch):
    monkeypatch.setattr(pricing, "Forward", forward_class)
    args = (p["a"], p["out"], p["binding"], p["inc"], p["sense"], p["limit"])
    shadow, degenerate = pricing.row_prices(*args, pricing.FORWARD_LIMIT)
    monkeypatch.undo()
    return shadow, degenerate, Recording.made[-1]


@pytest.mark.parametrize("backend_name", ["cbc", "ortools"])
@pytest.mark.parametrize("name", [slow_if(n) for n in SCENARIOS])
def test_the_skipped_re_solves_would_have_agreed(name, backend_name, monkeypatch):
    """With the pricing's decisions and with every re-solve made: the same prices and
    degenerate flags, to the bit; each skipped re-solve, made, gives what was decided."""
    p = plan(name, backend_name)
    a, out, sense, limit = p["a"], p["out"], p["sense"], p["limit"]
    shadow, degenerate, skipping = row_prices(p, Recording, monkeypatch)
    monkeypatch.setattr(pricing, "_excluded", lambda *args: False)
    every_shadow, every_degenerate, every = row_prices(p, EveryResolve, monkeypatch)
    np.testing.assert_array_equal(shadow, every_shadow)  # NaN where none, as before
    np.testing.assert_array_equal(degenerate, every_degenerate)
    assert skipping.skipped and not every.skipped
    assert skipping.resolves == every.resolves - len(skipping.skipped)
    for why, row in skipping.skipped:
        if why == "zero dual":  # the rate re-solved is the dual, as weak duality says
            assert sense[row] == "<=" and abs(out.row_shadow[row]) < pricing.ZERO_PRICE
            # within the test's tolerance and the re-solve's own precision: the objective to
            # 1e-9 of itself over the forward step (the subscription company's $14.6 million
            # objective: 1.9e-5 on CBC, 3.7e-5 on OR-Tools)
            step = pricing.FORWARD_STEP * max(1.0, abs(float(limit[row])))
            noise = 1e-9 * max(1.0, abs(float(out.objective))) / step
            gap = abs(every.rates[(row, 1.0)] - out.row_shadow[row])
            assert gap <= pricing.DUAL_CHECK_TOL + noise
        else:  # past the held bounds: the LP with only the limit moved has no solution
            assert why == "past the held bounds"
            step = pricing.FORWARD_STEP * max(1.0, abs(limit[row]))
            lower, upper = a.row_lower[row], a.row_upper[row]
            lower = lower + step if sense[row] in (">=", "==") else lower
            upper = upper + step if sense[row] in ("<=", "==") else upper
            assert out.fixed_lp.objective_with({row: (lower, upper)}) is None


def test_each_rate_is_re_solved_once_per_row_and_step():
    p = plan("seed_company", "ortools")
    forward = pricing.Forward(p["out"], p["a"], p["limit"], p["sense"])
    row = int(np.flatnonzero(p["binding"])[0])
    first = forward(row)
    assert forward(row) == first and forward.resolves in (1, 2)
    done = forward.resolves
    forward(row, 0.05)
    assert forward.resolves > done


@pytest.mark.slow
def test_the_benchmark_figure_counts_models_and_re_solves():
    """``benchmarks/suites/backends.py`` (figure 6): its row for the seed company, whose
    counts are these tests' (times are read, never judged)."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from suites import backends as figure

    row = figure.bench_backends("seed_company", reps=1)
    for name in ("cbc", "ortools"):
        assert row[f"{name}_models_built"] == 4  # the plan's model and three tie stages'
        assert row[f"{name}_price_resolves"] == 6 and row[f"{name}_resolves_decided"] == 1
        assert row[f"{name}_ratio"] > 0
    assert any("CBC / HiGHS" in line for line in figure.markdown({"backends": [row]}))
