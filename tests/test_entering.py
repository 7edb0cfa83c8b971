"""Unused options and the input change that would bring them into the plan, solved by hand
on the seed company and confirmed by re-solving (``optimizer.analysis.entering``).

The seed plan (one month, 5 reps held): 100 conversations of 30 minutes and 650 of 45, all
750 qualified leads used, every selling minute booked. With the 30- and 45-minute tiers
both in use, a selling minute s and a qualified lead L are worth what makes each earn
nothing at the margin (a deal is worth $3,500 - $900 of materials = $2,600):

    0.08 x 2,600 - 31 s - L = 0,   0.10 x 2,600 - 46 s - L = 0
    =>  15 s = 52,  s = $3.4667 a minute,  L = 208 - 31 s = $100.5333 a lead.

A 20-minute conversation (21 minutes with its admin minute) then earns
0.05 x 2,600 - 21 s - L = 130 - 72.80 - 100.5333 = -$43.3333: its reduced cost. It enters
when its conversion r earns as much: 2,600 r = 173.3333, r = 6.6667 %.
"""

from __future__ import annotations

import math

import pytest

from optimizer.analysis.entering import entering, shown
from optimizer.analysis.patterns import Patterns
from optimizer.analysis.solve import solve
from optimizer.analysis.whatif import WhatIf
from optimizer.scenario.loading import load_scenario

SEED = "scenarios/seed_company.yaml"
S = 52 / 15  # a selling minute
L = 208 - 31 * S  # a qualified lead
TWENTY = "conversations[2027-01,field,20min]"
RATE = "sales.conversation_tiers[2].conversion_rate"


@pytest.fixture(scope="module")
def seed():
    scenario = load_scenario(SEED)
    plan = solve(scenario)
    patterns = Patterns(scenario, scenario.objective)
    found, notes = entering(plan, patterns)
    return scenario, plan, found


def _value(plan, name):
    v = plan.variables
    return v[v["name"] == name].iloc[0]


def test_reduced_cost_of_the_20_minute_conversation_is_the_hand_calculation(seed):
    _, plan, _ = seed
    row = _value(plan, TWENTY)
    assert row["value"] == 0
    assert row["reduced_cost"] == pytest.approx(0.05 * 2600 - 21 * S - L, abs=1e-6)
    assert row["reduced_cost"] == pytest.approx(-43.3333, abs=1e-4)
    assert row["allowable_increase"] == pytest.approx(43.3333, abs=1e-4)
    assert math.isinf(row["allowable_decrease"])


def test_the_20_minute_conversation_enters_when_it_converts_above_6_67_percent(seed):
    scenario, plan, found = seed
    entry = next(e for e in found if e.variable == TWENTY and e.path == RATE)
    assert entry.threshold == pytest.approx((21 * S + L) / 2600, rel=1e-3)  # CONFIRM's width
    assert entry.threshold == pytest.approx(0.066667, abs=1e-4)
    assert "from 5 % to above 6.67 %" in entry.sentence
    assert entry.confirmed
    # re-solved with the plan's people held: not used just short of it, used just past it
    people = dict(zip(plan.variables["name"], plan.variables["value"]))
    held = WhatIf(scenario, hold_headcounts=True, headcounts=people)
    short = held.resolve({RATE: entry.threshold * 0.99})
    past = held.resolve({RATE: entry.threshold * 1.01})
    assert short.plan().variables.set_index("name").loc[TWENTY, "value"] == pytest.approx(0)
    assert past.plan().variables.set_index("name").loc[TWENTY, "value"] > 1


def test_search_tier_2_enters_when_it_is_cheaper_than_social_tier_2(seed):
    """Social tier 2 ($55) is the marginal lead: search tier 2 at $65 costs $10 more a
    lead, and each dollar of ad spend costs $1.00533 (the budget binds: 0.533 cents a
    dollar), so its reduced cost is -$10.0533 and it enters below $55."""
    _, plan, found = seed
    name = "paid_leads[2027-01,search:2]"
    row = _value(plan, name)
    assert row["reduced_cost"] == pytest.approx(-10 * (1 + 0.016 / 3), abs=1e-4)
    entry = next(e for e in found if e.variable == name)
    assert entry.path == "marketing.channels[search].tiers[1].cost_per_lead"
    assert entry.threshold == pytest.approx(55.0, abs=0.06)
    assert "fell from $65 to below $55" in entry.sentence


def test_an_option_the_quality_floor_forbids_has_no_price_that_brings_it_in(seed):
    """A 5-minute conversation is below the 20-minute floor: no plan has one, so its
    reduced cost is unlimited (re-solved: pushing it off zero leaves no plan), and no
    input of its own brings it in."""
    _, plan, found = seed
    row = _value(plan, "conversations[2027-01,field,5min]")
    assert row["reduced_cost"] == -math.inf
    assert math.isinf(row["allowable_increase"])
    assert row["degenerate"]
    assert not [e for e in found if e.variable == "conversations[2027-01,field,5min]"]


@pytest.mark.parametrize(
    ("value", "unit", "up", "text"),
    [
        (0.0666667, "deals/conversation", True, "6.67 %"),
        (0.0666601, "deals/conversation", True, "6.67 %"),
        (0.0666601, "deals/conversation", False, "6.66 %"),
        (54.9467, "$/lead", False, "$54.94"),
        (140.4, "$/lead", False, "$140"),
        (140.4, "$/lead", True, "$141"),
        (43.031, "minutes/conversation", False, "43.03 minutes"),
    ],
)
def test_a_threshold_is_rounded_so_the_value_stated_is_enough(value, unit, up, text):
    assert shown(value, unit, up) == text


def test_solve_says_what_would_bring_the_unused_options_in():
    """The command line's answer states each threshold in words under the explanation."""
    from typer.testing import CliRunner

    from optimizer import cli

    done = CliRunner().invoke(cli.app, ["solve", SEED])
    assert done.exit_code == 0, done.output
    text = " ".join(done.output.split())
    assert "What would bring an unused option into the plan" in text
    assert "conversion of 20-minute conversations rose from 5 % to above 6.67 %" in text


def test_readme_example_is_the_products_output():
    """The README's block of entering thresholds is the command line's, line for line."""
    from pathlib import Path

    from typer.testing import CliRunner

    from optimizer import cli

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    start = text.index("```\n", text.index("**What would bring an unused option in**")) + 4
    block = text[start : text.index("```", start)].strip("\n")
    done = CliRunner().invoke(cli.app, ["solve", SEED])
    shown = "\n".join(line.rstrip() for line in done.stdout.splitlines())
    assert block.startswith("What would bring an unused option into the plan")
    assert block in shown


def test_the_app_and_the_workbook_say_it_too():
    """The explanation's sentences reach the app's explanation and the workbook's sheet."""
    import io

    import openpyxl

    from optimizer.analysis.answers import answer
    from optimizer.app.workbook import plan_workbook

    scenario = load_scenario(SEED)
    found = answer(scenario, explain=True, hiring_free=False)
    data = plan_workbook(found.plan, scenario, explanation=found.explanation)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Explanation"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "What would bring an unused option into the plan" in cells
    assert any("from 5 % to above 6.67 %" in c for c in cells)
