"""The HiGHS adapter on models solved by hand, and its status handling."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.analysis.solve import solve
from optimizer.model.linear import LinearModel
from optimizer.scenario.loading import load_scenario
from optimizer.solvers import Status, highs


def tiny(sense: str) -> LinearModel:
    """max/min 3x + 2y  s.t.  x + y <= 4,  x + 3y <= 6,  x >= 1 (as a row), x <= 3.

    Max optimum: x = 3, y = 1, value 11. Min optimum: x = 1, y = 0, value 3.
    """
    m = LinearModel(sense=sense)
    xy = m.add_vars("xy", [("i", ["x", "y"])])
    x, y = xy[0:1], xy[1:2]
    m.add_rows(
        "a",
        department="t",
        description="x + y <= 4.",
        axes=[("k", ["0"])],
        lhs=[(1.0, x), (1.0, y)],
        sense="<=",
        rhs=4.0,
    )
    m.add_rows(
        "b",
        department="t",
        description="x + 3y <= 6.",
        axes=[("k", ["0"])],
        lhs=[(1.0, x), (3.0, y)],
        sense="<=",
        rhs=6.0,
    )
    m.add_rows(
        "c",
        department="t",
        description="x >= 1.",
        axes=[("k", ["0"])],
        lhs=[(1.0, x)],
        sense=">=",
        rhs=1.0,
    )
    m.add_rows(
        "d",
        department="t",
        description="x <= 3.",
        axes=[("k", ["0"])],
        lhs=[(1.0, x)],
        sense="<=",
        rhs=3.0,
    )
    m.add_objective([(np.array([3.0, 2.0]), xy)])
    return m


def test_max_problem_duals_in_business_convention():
    out = highs.solve(tiny("max").arrays())
    assert out.status is Status.OPTIMAL
    assert out.objective == pytest.approx(11.0)
    np.testing.assert_allclose(out.x, [3.0, 1.0], atol=1e-9)
    # x = 3, y = 1 is degenerate: rows a, b and d all bind there, so only signs are certain.
    y = out.row_shadow
    assert y.shape == (4,)
    assert (y[[0, 1, 3]] >= -1e-9).all()  # a <= limit rising never hurts a max objective
    assert y[2] == pytest.approx(0.0, abs=1e-9)  # x >= 1 has slack


def test_min_problem_lower_row_price():
    out = highs.solve(tiny("min").arrays())
    assert out.objective == pytest.approx(3.0)
    # min 3x + 2y with x >= 1: raising the floor to 1 + d costs 3 d.
    assert out.row_shadow[2] == pytest.approx(3.0)
    # ranging: x >= 1 can rise to 3 (x <= 3) and fall to 0 (x >= 0) before the basis changes
    assert out.range_up[2] == pytest.approx(2.0)
    assert out.range_down[2] == pytest.approx(1.0)


def test_non_degenerate_max_price_and_range():
    """max 3x + 2y s.t. x + y <= 4, x <= 3 only: x = 3, y = 1, value 11.

    Row a's price is 2 (one more unit goes to y) and it can fall by 1 (to y = 0) before
    the plan's shape changes; row d's price is 3 - 2 = 1 (x replaces y).
    """
    m = LinearModel(sense="max")
    xy = m.add_vars("xy", [("i", ["x", "y"])])
    m.add_rows(
        "a",
        department="t",
        description="x + y <= 4.",
        axes=[],
        lhs=[(1.0, xy)],
        sense="<=",
        rhs=4.0,
    )
    m.add_rows(
        "d",
        department="t",
        description="x <= 3.",
        axes=[],
        lhs=[(1.0, xy[0:1])],
        sense="<=",
        rhs=3.0,
    )
    m.add_objective([(np.array([3.0, 2.0]), xy)])
    out = highs.solve(m.arrays())
    assert out.objective == pytest.approx(11.0)
    np.testing.assert_allclose(out.row_shadow, [2.0, 1.0])
    assert out.range_down[0] == pytest.approx(1.0)
    assert out.range_down[1] == pytest.approx(3.0)  # x <= 3 can fall to 0 before y takes all


def test_duplicate_names_raise():
    m = tiny("max")
    with pytest.raises(ValueError, match="already exists"):
        m.add_rows("a", department="t", description="again.", axes=[], lhs=[], sense="<=")
    with pytest.raises(ValueError, match="already exists"):
        m.add_vars("xy", [("i", ["x"])])
    with pytest.raises(ValueError, match="description"):
        m.add_rows("e", department="t", description="", axes=[], lhs=[], sense="<=")


def test_infeasible_and_unbounded_are_reported():
    m = LinearModel(sense="max")
    x = m.add_vars("x", [("i", ["x"])])
    m.add_rows(
        "lo", department="t", description="x >= 2.", axes=[], lhs=[(1.0, x)], sense=">=", rhs=2
    )
    m.add_rows(
        "hi", department="t", description="x <= 1.", axes=[], lhs=[(1.0, x)], sense="<=", rhs=1
    )
    m.add_objective([(1.0, x)])
    assert highs.solve(m.arrays()).status is Status.INFEASIBLE
    u = LinearModel(sense="max")
    x = u.add_vars("x", [("i", ["x"])])
    u.add_objective([(1.0, x)])
    assert highs.solve(u.arrays()).status is Status.UNBOUNDED


def test_time_limit_is_never_called_optimal():
    scenario = load_scenario("scenarios/seed_company.yaml")
    plan = solve(scenario, time_limit=1e-9)
    assert plan.status is Status.TIME_LIMIT
    assert not plan.solved


def test_banner_is_not_printed(capfd):
    highs._banner_shown = False
    highs.solve(tiny("max").arrays())
    assert "HiGHS" not in capfd.readouterr().out


def test_a_process_that_ran_highs_at_its_own_thread_count_still_solves():
    """HiGHS refuses a model whose threads differ from its first run's ("Not Set")."""
    import subprocess
    import sys
    from pathlib import Path

    SEED = str(Path(__file__).resolve().parent.parent / "scenarios" / "seed_company.yaml")

    script = (
        "import highspy\n"
        "h = highspy.Highs(); h.setOptionValue('output_flag', False)\n"
        "h.setOptionValue('threads', 2); h.addVar(0.0, 1.0); h.run()\n"
        "from optimizer.scenario.loading import load_scenario\n"
        "from optimizer.analysis.solve import solve\n"
        f"p = solve(load_scenario({SEED!r}), marginals=False)\n"
        "print(p.status.value, round(p.objective))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["optimal", "35400"]
