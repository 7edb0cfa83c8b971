"""Trade-off curves (``optimizer.analysis.tradeoff``): each point a re-solved, checked plan.

The seed company (``scenarios/seed_company.yaml``): 8-hour days less 2.5 hours lost, 20
business days: 5.5 x 60 x 20 = 6,600 selling minutes per rep a month; each conversation
takes its tier's minutes plus 1 admin minute; tiers 5/10/20/30/45 minutes convert
0.5/1.5/5/8/10 %; a deal is worth $3,500 and costs $900 of materials. The plan at floor 20:
5 reps hold 100 thirty-minute and 650 forty-five-minute conversations (33,000 minutes) from
1,363.6 leads (55 % qualified), the $40,000 ad budget binding; profit $35,400.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from optimizer.analysis.solve import solve
from optimizer.analysis.tradeoff import limits, tradeoff
from optimizer.analysis.tradeoff.points import Solver
from optimizer.cli import app
from optimizer.model.chain import build_model
from optimizer.scenario.inputs import moved
from optimizer.scenario.loading import load_scenario
from optimizer.scenario.names import QUALITY_FLOOR

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "seed_company.yaml"


@pytest.fixture(scope="module")
def seed():
    return load_scenario(SEED)


def test_quality_floor_front_passes_through_each_resolved_plan(seed):
    front = tradeoff(seed, "quality_floor")
    floors = [p.epsilon for p in front.points]
    assert floors == [5.0, 10.0, 20.0, 30.0, 45.0]  # each tier's length; the plan's own is 20
    assert front.points[front.own].epsilon == 20.0
    assert front.points[front.own].objective == pytest.approx(35_400, rel=1e-9)
    for p in front.points:
        again = solve(moved(seed, QUALITY_FLOOR, p.epsilon), marginals=False, whole_steps=False)
        assert p.verified and p.worst_violation <= 1e-6
        assert p.objective == pytest.approx(again.objective, rel=1e-6)
        assert p.quality_floor == p.epsilon
    profits = [p.objective for p in front.points]
    assert all(b <= a + 1e-6 for a, b in zip(profits, profits[1:]))  # never rises
    assert front.steps[-1].words == (
        "Raising the quality floor from 30 minutes to 45 minutes costs $17 of profit."
    )


# Long = the 45-minute tier, 100 % of conversations long (by hand): the reps' 5 x 6,600 =
# 33,000 minutes hold 33,000 / 46 = 717.39 conversations, 71.739 deals (10 %): 1.2609 deals
# fewer than the plan's 73, each $3,500 - $900 = $2,600 of margin: -$3,278.26. They need
# 717.39 / 0.55 = 1,304.35 leads, 59.29 fewer than 1,363.64, all paid social tier-2 leads at
# $55: +$3,260.87. Workers (71.7 / 20 units -> 4), agents (0.4 x 671.7 tickets x 30 min ->
# 2) and reps stay: profit 35,400 - 3,278.26 + 3,260.87 = $35,382.61.
HAND_ALL_LONG = (
    35_400 - (73 - 33_000 / 46 * 0.10) * 2_600 + (1_363.636364 - 33_000 / 46 / 0.55) * 55
)


def test_long_share_front_by_hand(seed):
    assert HAND_ALL_LONG == pytest.approx(35_382.61, abs=0.01)
    front = tradeoff(seed, "long_share", points=4)
    shares = [p.epsilon for p in front.points]
    assert shares[0] == pytest.approx(650 / 750) and shares[-1] == 1.0
    assert np.allclose(np.diff(shares), (1 - 650 / 750) / 3)  # even steps
    assert front.own == 0 and front.points[0].objective == pytest.approx(35_400)
    last = front.points[-1]
    assert last.verified and last.long_share == pytest.approx(1.0)
    assert last.objective == pytest.approx(HAND_ALL_LONG, rel=1e-6)
    for p in front.points:  # the epsilon row holds, recomputed from the plan's values
        assert p.verified and p.value >= p.epsilon - 1e-7 and p.headcount == 13
    # each step costs a little (fewer deals, fewer leads bought): $6, $6, $6 to the dollar
    assert all(-6.5 < d < -5 for d in np.diff([p.objective for p in front.points]))
    assert "costs $6 of profit" in front.steps[0].words


def test_each_point_confirmed_by_a_resolve_with_epsilon_moved_slightly(seed):
    front = tradeoff(seed, "long_share", points=3)
    solver = Solver(seed, seed.objective, limits.default_long_minutes(seed))
    for p in front.points[1:]:
        looser = solver.limited("long_share", p.epsilon - 1e-4, own=False)
        tighter = solver.limited("long_share", min(1.0, p.epsilon + 1e-4), own=False)
        assert looser.verified and tighter.verified
        assert tighter.objective <= p.objective + 1e-6 <= looser.objective + 2e-6
        assert looser.objective - tighter.objective < 1.0  # continuous: cents, not dollars


def test_headcount_front_ends_at_the_fewest_people_with_a_plan(seed):
    front = tradeoff(seed, "headcount")
    assert [p.epsilon for p in front.points] == [13, 12, 11, 10, 9]
    assert front.points[0].own and front.points[0].objective == pytest.approx(35_400)
    assert all(p.verified for p in front.points[:-1])
    assert not front.points[-1].solved and "no plan" in front.points[-1].reason
    for p in front.points[:-1]:
        assert p.headcount <= p.epsilon + 1e-9
        x = p.plan.variables["value"].to_numpy()
        _, v = build_model(seed)
        assert limits.headcount(x, v, seed) == pytest.approx(p.value)
        assert p.plan.target("headcount") == pytest.approx(p.headcount)
    assert front.steps[0].change < 0
    assert front.steps[-1].words.endswith("no plan at 9 people.")


def test_a_wrong_epsilon_row_is_caught_by_the_check(seed):
    """The measure is the plan's own numbers, not the solver's: a plan above the limit fails."""
    assert limits.excess("headcount", 13.0, 12.0) > 0
    assert limits.excess("long_share", 0.8, 0.9) == pytest.approx(0.1)
    assert limits.excess("disruption", 1.0, 2.0) == 0


def test_bad_axis_and_single_month_disruption(seed):
    with pytest.raises(ValueError, match="expected one of"):
        tradeoff(seed, "fun")
    with pytest.raises(ValueError, match="at least two months"):
        tradeoff(seed, "disruption")
    with pytest.raises(ValueError, match="live support channel"):
        tradeoff(seed, "service_level")


runner = CliRunner()


def test_cli_table_and_json():
    ran = runner.invoke(app, ["tradeoff", str(SEED), "--against", "quality_floor"])
    assert ran.exit_code == 0, ran.output
    assert "$35,400" in ran.output and "◀ the plan" in ran.output
    assert "costs $17 of profit" in ran.output
    ran = runner.invoke(
        app, ["tradeoff", str(SEED), "--against", "long_share", "--points", "3", "-f", "json"]
    )
    assert ran.exit_code == 0, ran.output
    found = json.loads(ran.stdout)
    assert found["axis"] == "long_share" and found["own"] == 0
    assert [p["verified"] for p in found["points"]] == [True] * 3
    assert found["points"][-1]["objective"] == pytest.approx(HAND_ALL_LONG, rel=1e-6)


def test_cli_bad_against_is_one_line():
    ran = runner.invoke(app, ["tradeoff", str(SEED), "--against", "fun"])
    assert ran.exit_code == 2
    assert ran.output.strip().count("\n") == 0
    assert "expected one of quality_floor, long_share" in ran.output
    ran = runner.invoke(app, ["tradeoff", str(SEED), "--against", "disruption"])
    assert ran.exit_code == 2 and "Traceback" not in ran.output


@pytest.mark.slow
def test_service_level_front_on_the_software_company():
    sc = load_scenario(ROOT / "scenarios" / "software_company.yaml")
    front = tradeoff(sc, "service_level", points=4)
    own = front.points[front.own]
    assert own.epsilon == 0.8 and own.verified
    assert own.objective == pytest.approx(solve(sc, marginals=False, whole_steps=False).objective)
    for p in front.points:
        if p.solved:
            assert p.verified
            again = solve(moved(sc, front.paths[0], p.epsilon), marginals=False, whole_steps=False)
            assert p.objective == pytest.approx(again.objective, rel=1e-6)
    solved = [p.objective for p in front.points if p.solved]
    assert all(b <= a + 1e-6 for a, b in zip(solved, solved[1:]))


@pytest.mark.slow
def test_disruption_front_on_the_growth_plan():
    sc = load_scenario(ROOT / "scenarios" / "growth_plan.yaml")
    front = tradeoff(sc, "disruption", points=4)
    assert front.own == 0 and front.points[0].verified
    for p in front.points:
        if p.solved:
            assert p.verified and p.value <= p.epsilon + 1e-6
    solved = [p.objective for p in front.points if p.solved]
    assert all(b <= a + 1e-6 for a, b in zip(solved, solved[1:]))


# ---- the app and the workbook -------------------------------------------------------------


def test_the_tradeoffs_tab_draws_the_curve_on_request_and_the_workbook_gains_a_sheet(media):
    import io

    import openpyxl
    import streamlit as st

    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["section"] = "Trade-offs"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Trade-offs" in [s.value for s in at.subheader]
    assert not at.get("plotly_chart")  # only on request
    assert at.selectbox(key="tradeoff_axis").options[:3] == [
        "Quality floor (shortest conversation)",
        "Share of conversations of 45 minutes or more",
        "People on staff, all roles (busiest month)",
    ]  # the seed has no live channel and one month: no service level, no disruption
    at.selectbox(key="tradeoff_axis").set_value("headcount").run()
    at.button(key="tradeoff_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = "\n".join(m.value for m in at.markdown).replace(r"\$", "$")
    assert (
        "From the plan's 13 people to 10 people costs $7,222 of profit; no plan at 9 people."
        in text
    )
    assert "- Cutting the headcount from 13 people to 12 people costs $7,222 of profit." in text
    table = next(d.value for d in at.dataframe if "Verified" in d.value.columns)
    assert table["Profit"].tolist() == ["$35,400", "$28,178", "$28,178", "$28,178", "no plan"]
    assert table[""].tolist()[0] == "◀ the plan"
    assert at.get("plotly_chart")
    at.session_state["section"] = "Downloads"
    at.run()
    book = openpyxl.load_workbook(io.BytesIO(media(at.download_button(key="download_xlsx"))))
    assert "Trade-offs" in book.sheetnames
    sheet = book["Trade-offs"]
    assert sheet["A1"].value == "Profit against people on staff, all roles (busiest month)"
    values = [[c.value for c in r] for r in sheet.iter_rows(min_row=2, max_row=3)]
    assert values[1][:3] == [13, 35400, 35400]
    st.cache_data.clear()
