"""What moves the plan, in the app: the seed company's hand-checked numbers, as a leader sees them.

The figures below were derived by hand (README "Reading the answer"): one more hour a day
is worth $5,200 (selling time rises by 1,500 minutes before leads run out, at $3.467 a
minute); a sixth field rep brings $5,200 of margin for $7,000 of pay; the plan already
holds every conversation at 30 minutes or longer. The explanation runs in a child process
like the plan; the stand-in below, pickled by reference, crashes it there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import explained

from optimizer.app import analysis
from optimizer.report import explanation
from optimizer.runtime import isolation

pytest.importorskip("streamlit")

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SEED = ROOT / "scenarios" / "seed_company.yaml"
IDENTIFIER = re.compile(r"\[|\w_\w|\d\.\d{6}")
"""A bracket (``sales-selling_time[2027-01,field]``), a word_word identifier, a raw float."""


def explain_and_crash(scenario, plan, objective=None):
    assert isolation.in_child()
    isolation.stage(analysis.EXPLAINING)
    isolation.crash_for_tests()


@pytest.fixture(scope="module")
def seed_explained():
    return explained(str(SEED))  # solve(scenario) and explain(scenario, plan), once a session


def limits_tab():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["section"] = "Limits, what-ifs"  # opened on the tab: one run, not two
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def explained_tab():
    at = limits_tab()
    assert steps_table(at) is None  # only on request
    at.button(key="explain_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def steps_table(at):
    found = [d.value for d in at.dataframe if list(d.value.columns) == explanation.STEP_COLUMNS]
    return found[0] if found else None


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown).replace(r"\$", "$")


def test_the_seed_explanation_is_shown_in_the_leaders_words():
    at = explained_tab()
    text = markdown(at)
    assert "**What would bring an unused option into the plan**" in text
    assert "conversion of 20-minute conversations rose from 5 % to above 6.67 %" in text
    table = steps_table(at)
    day = table[table["input"] == "Working day"].iloc[0]
    assert day["step"] == "one hour a day more"
    assert day["hiring free"] == "+$5,200" and day["value"] == "+$5,200"
    assert day["limits it moves"] == "Selling time, field team, Jan 2027"
    leads = table[table["input"] == "Organic leads"].iloc[0]  # hiring pays: side by side
    assert leads["hiring free"] == "+$11,700"
    assert leads["value"] == "+$5,529"  # the ranking's: the plan's people held
    for column in table.columns:
        for text in table[column]:
            assert not IDENTIFIER.search(text), text
    text = markdown(at)
    assert "A sixth rep (field team): +$5,200 of margin − $7,000 of pay = −$1,800." in text
    assert (
        "The quality floor (20 minutes) does not limit the plan: it holds every conversation "
        "at 30 minutes or longer by itself. Requiring 30 minutes changes nothing. Requiring "
        "45 minutes costs $17.39 a month."
    ) in text
    assert "is worth the most: +$18,635 a month with the plan's people held" in text
    chart = next(c for c in at.get("plotly_chart") if c.proto.id and "explain_bars" in c.proto.id)
    assert "Working day: one hour a day more" in chart.proto.spec


def test_the_table_follows_the_one_ranking(seed_explained):
    _, plan, why = seed_explained
    table = explanation.step_table(why, plan)
    shown = [s.label for s in explanation.shown_steps(why)]
    assert list(table["input"]) == shown
    ranked = [why.step(s).label for s in why.ranking if (why.step(s).value or 0) >= 0.5]
    assert shown == ranked[: len(shown)]
    bars = explanation.bars(why)
    cents = [round(v, 2) for v in bars["value"]]  # values equal to the cent tie, by path
    assert cents == sorted(cents, reverse=True)
    assert bars["text"].iloc[0] == "+$18,635"


def test_many_limits_are_counted_not_listed(seed_explained):
    _, plan, _ = seed_explained
    names = list(plan.constraints["name"][:6])
    words = explanation.limit_words(names, plan)
    assert words.endswith("; and 3 more") and "[" not in words
    assert explanation.limit_words(["no-such_row[x]"], plan) == ""


def test_a_crash_in_the_explanation_is_a_message(monkeypatch):
    import streamlit as st

    st.cache_data.clear()
    monkeypatch.setattr(analysis, "explain_plan", explain_and_crash)
    try:
        at = explained_tab()
        assert "The solver crashed (SIGSEGV)" in at.error[0].value
        assert "during the explanation of what moves the plan" in at.error[0].value
        assert "The plan above stands; no explanation is shown for it." in at.error[0].value
        assert at.metric  # the plan is still on the page
    finally:
        st.cache_data.clear()
