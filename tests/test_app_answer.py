"""The answer first (``optimizer.app.answer``) and feedback where the eye is: the verdict and
its sentences, each number from a solve (the floor's cost confirmed by a re-solve); a what-if
without a plan shows its conflict and a repair that applies; an invalid edit's problems sit
beside the field and the Apply button, and the header says the plan is the one before it."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.analysis.compare import finance_summary
from optimizer.analysis.diagnose import diagnose
from optimizer.analysis.solve import solve
from optimizer.app.analysis import analyse
from optimizer.app.answer import answer
from optimizer.app.moves import with_value
from optimizer.report.diagnosis import change_sentences
from optimizer.report.sentences import money, sentence
from optimizer.scenario.loading import load_scenario

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scenarios" / "seed_company.yaml"


def test_the_seed_answer_is_the_goal_the_limit_and_the_people():
    scenario = load_scenario(SEED)
    said = answer(analyse(scenario))
    fin = finance_summary(scenario, solve(scenario).targets)
    # by hand: $35,400 profit against 25,000 = retained earnings + profit target
    assert (fin["profit"], fin["goal"]) == pytest.approx((35_400, 25_000))
    assert said.met and said.verdict == (
        "Yes, the goal can be hit: the plan makes $35,400 profit a month, $10,400 over the "
        "$25,000 goal."
    )
    assert said.sentences[0] == (
        "The limit most worth relaxing is Qualified leads for conversations, Jan 2027: 100 "
        "conversations a month more would be worth $10,053."
    )
    ct = scenario.current_targets  # 13 people stated today: reps, workers and agents
    today = sum(ct.reps.values()) + ct.workers + ct.support_agents
    assert today == 13
    assert said.sentences[1] == (
        "It needs 13 people; in the roles today's targets state, 11 against today's 13 (2 fewer)."
    )  # 2 marketers are not stated today: 13 in all, 11 in the stated roles


def test_a_floor_is_valued_the_way_it_relaxes_and_the_re_solves_agree():
    """Least cost on the seed: the goal is met exactly. The marketer floor binds: one more
    marketer kept (the floor from 1 to 2) costs $33,641, but the plan would keep its one
    marketer anyway, so one fewer (the floor at 0) saves nothing: relaxing the floor is
    worth $0, and the answer does not name it (it once said the floor "costs the most").
    The limit most worth relaxing is the qualified leads, whose rate holds for the first
    84.6 conversations more (``test_presentation`` re-solves that step)."""
    scenario = load_scenario(SEED)
    plan = solve(scenario, "min_cost")
    said = answer(analyse(scenario, "min_cost"))
    assert said.verdict == (
        "Yes, the goal can be hit: the plan at the least cost makes $25,000 profit a month, "
        "exactly the $25,000 goal."
    )
    assert said.sentences[0] == (
        "The limit most worth relaxing is Qualified leads for conversations, Jan 2027: the "
        "first 84.6 conversations a month more would be worth $11,501."
    )
    floor = plan.constraint("marketing-marketers_min[2027-01]")
    before = plan.objective
    more = solve(load_scenario(SEED, ["marketing.marketers.min=2"]), "min_cost").objective
    fewer = solve(load_scenario(SEED, ["marketing.marketers.min=0"]), "min_cost").objective
    assert more - before == pytest.approx(33_640.78, abs=0.01)
    assert floor["whole_step_value"] == pytest.approx(more - before, abs=1e-6)
    assert fewer - before == pytest.approx(0.0, abs=1e-6)
    assert floor["whole_fewer_value"] == pytest.approx(fewer - before, abs=1e-6)
    assert floor["step_value"] == 0.0 and floor["relax_words"] == "one person fewer"
    assert sentence(floor, "min_cost", "$").endswith(
        "One more person would raise cost by $33,641; one fewer would change nothing "
        "(re-solved in whole people)."
    )


def test_an_objective_not_in_money_says_no_limit_worth():
    said = answer(analyse(load_scenario(SEED), "closest_to_current"))
    assert said.verdict.startswith("Yes, the goal can be hit: the plan closest to today's")
    assert not any("worth" in s for s in said.sentences)  # its prices are not dollars


def test_no_plan_names_the_conflict_and_the_cheapest_repair():
    impossible = load_scenario(SEED, ["finance.profit_target_per_month=90000"])
    said = answer(analyse(impossible))
    d = diagnose(impossible)
    assert not said.met
    assert said.verdict.startswith(
        f"No, the goal cannot be hit as the scenario stands: {len(d.conflict)} limits conflict ("
    )
    assert said.verdict.endswith(f"; and {len(d.conflict) - 3} more).")
    assert said.sentences == (f"The cheapest repair: {'; '.join(change_sentences(d.cheapest))}.",)


# ---- on the page ----------------------------------------------------------------------------


def page(section: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    if section:
        at.session_state["section"] = section
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_answer_opens_the_page():
    at = page()
    box = next(m.value for m in at.markdown if m.value.startswith("**Yes, the goal can be hit"))
    assert r"\$10,400 over the \$25,000 goal.**" in box
    assert "It needs 13 people" in box


@pytest.mark.slow  # a what-if solved, diagnosed and repaired: about 10 s
def test_a_what_if_without_a_plan_shows_the_conflict_and_its_repair_applies():
    at = page("Limits, what-ifs")
    path = "sales.teams[field].average_deal_value"
    at.selectbox(key="whatif_input").set_value(path).run()
    at.slider(key="whatif_value").set_value(1750).run()
    assert not at.exception, [e.value for e in at.exception]
    moved = with_value(load_scenario(SEED), path, 1750)
    d = diagnose(moved)
    assert d.cheapest is not None
    errors = " ".join(e.value for e in at.error)
    assert f"These {len(d.conflict)} limits conflict" in errors
    conflict = next(f.value for f in at.table if "limit" in f.value.columns)
    assert len(conflict) == len(d.conflict)
    at.button(key="whatif_repair").click().run()
    assert not at.exception, [e.value for e in at.exception]
    repaired = solve(d.cheapest.apply(moved))
    label = next(m for m in at.markdown if m.value.startswith("**kpi-optimizer**")).value
    assert "(repaired)" in label
    value = next(m for m in at.metric if m.label.startswith("Profit a month")).value
    from optimizer.report.sentences import money

    assert value == money(finance_summary(moved, repaired.targets)["profit"])


def test_an_invalid_edit_is_refused_beside_its_field_and_the_plan_is_marked():
    at = page("Inputs")
    at.number_input(key="in:calendar.hours_per_day").set_value(25)
    at.button(key="apply_inputs").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.main.error]
    beside = [e for e in errors if "calendar.hours_per_day = 25" in e]
    assert len(beside) == 1  # under its field, not repeated
    assert any(e.startswith("Not applied: 1 problem") for e in errors)
    assert at.warning[0].value.startswith("The plan below is for the inputs before your edit")
    assert at.number_input(key="in:calendar.hours_per_day").value == 25  # the edit is kept


BUNDLED = sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml"))
SAID_AS_ERRORS = ("**Today's targets break",)  # the answer of a tab, in an error box


@pytest.mark.slow  # every tab of every bundled scenario: about a minute
@pytest.mark.parametrize("name", BUNDLED)
def test_every_tab_of_every_bundled_scenario_opens_without_an_error(name):
    """Each section in its state as first opened: no exception, no error box, and the
    answer and the cards above every tab."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["scenario_file"] = name
    at.run()
    at.selectbox(key="scenario_file").set_value(name).run()
    tabs = [t.label for t in at.tabs]
    assert len(tabs) >= 10, tabs
    for tab in tabs:
        at.session_state["section"] = tab
        at.run()
        assert not at.exception, (tab, [e.value for e in at.exception])
        errors = [e.value for e in at.error if not e.value.startswith(SAID_AS_ERRORS)]
        assert not errors, (tab, errors)
        assert any(m.value.startswith("**Yes, the goal can be hit") for m in at.markdown), tab
        assert at.metric, tab


def test_the_limit_bars_and_the_sweep_each_have_a_takeaway():
    from optimizer.app import limits, sensitivity
    from optimizer.app.analysis import held_model, plan_at

    plan = solve(load_scenario(SEED))
    bars = limits.value_bars(plan)
    assert limits.bars_takeaway(bars) == (
        f"{len(bars)} binding limits are worth money at the margin, from Qualified leads for "
        "conversations, Jan 2027 ($10,053 for 100 conversations a month more) down to Ad budget, "
        f"Jan 2027 ({bars['text'].iloc[-1]})."
    )
    held = held_model(load_scenario(SEED), "max_profit")
    path = "calendar.hours_per_day"
    points = [(v, plan_at(held, path, v), "") for v in (7.0, 8.0, 9.0)]
    curve = sensitivity.objective_curve(sensitivity.sweep_table(points, ["profit"]))
    best = max(points, key=lambda p: p[1].objective)
    said = sensitivity.takeaway(curve, "the working day", "hours/day", "$")
    assert said.startswith(
        f"From 7 hours/day to 9 hours/day of the working day, the objective goes from "
        f"{money(points[0][1].objective)} to {money(points[-1][1].objective)}; the highest is "
        f"{money(best[1].objective)} at {best[0]:g} hours/day"
    )
