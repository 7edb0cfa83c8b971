"""How far a price can move before the plan's decisions change, solved by hand on the seed
company and confirmed by re-solving (``optimizer.analysis.holding``, ``kpi-optimizer
ranges``).

With the 30- and 45-minute conversations both in use and a deal's margin m (deal value less
$900 of materials), a selling minute is worth s = 0.02 m / 15 and a qualified lead
L = 0.08 m - 31 s = 0.038667 m. A lead bought is worth 0.55 L = 0.021267 m (55 % qualify).
The plan buys social tier 2's leads at $55 with the ad budget binding; once a lead is worth
less than $55, it stops: 0.021267 m = 55 at m = $2,586.21, a deal value of $3,486.21 ($13.79
below $3,500) or materials at $913.79 ($13.79 above $900).
"""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.analysis.holding import holding_ranges
from optimizer.analysis.patterns import Patterns
from optimizer.analysis.solve import solve
from optimizer.scenario.loading import load_scenario

SEED = "scenarios/seed_company.yaml"
VALUE = "sales.teams[field].average_deal_value"
MATERIALS = "delivery.unit_cost"
LEAD = 0.55 * (0.08 - 31 * 0.02 / 15)  # a bought lead's worth per $ of margin
MARGIN = 55 / LEAD  # the margin at which a $55 lead stops paying: $2,586.21


@pytest.fixture(scope="module")
def seed():
    scenario = load_scenario(SEED)
    plan = solve(scenario)
    found = holding_ranges(plan, Patterns(scenario, scenario.objective), [VALUE, MATERIALS])
    return scenario, plan, {h.path: h for h in found}


def _decisions(scenario, path, value, people):
    """The plan's decisions at the input's value, with the seed plan's people held."""
    from optimizer.analysis.whatif import WhatIf

    held = WhatIf(scenario, hold_headcounts=True, headcounts=people)
    plan = held.resolve({path: value}).plan()
    v = plan.variables
    return v.loc[v["decision"] & (v["at"] != "held"), "value"].to_numpy(float)


def test_the_deal_value_can_fall_to_the_price_of_the_last_lead_bought(seed):
    scenario, plan, found = seed
    h = found[VALUE]
    assert h.low == pytest.approx(900 + MARGIN, abs=0.02)  # $3,486.21, to 0.1 % of the move
    assert h.low_limited and not h.high_limited
    assert "can fall by $13.79 (to $3,487)" in h.sentence
    people = dict(zip(plan.variables["name"], plan.variables["value"]))
    base = _decisions(scenario, VALUE, 3500, people)
    assert np.allclose(_decisions(scenario, VALUE, h.low + 0.01, people), base, atol=1e-6)
    assert not np.allclose(_decisions(scenario, VALUE, h.low - 0.5, people), base, atol=1e-6)


def test_materials_can_rise_by_the_same_margin(seed):
    _, _, found = seed
    h = found[MATERIALS]
    assert h.high == pytest.approx(3500 - MARGIN, abs=0.02)  # $913.79
    assert h.high_limited and not h.low_limited


def test_ranges_on_the_command_line():
    from typer.testing import CliRunner

    from optimizer import cli

    done = CliRunner().invoke(cli.app, ["ranges", SEED])
    assert done.exit_code == 0, done.output
    text = " ".join(done.output.split())
    assert "Deal value, field team can fall by $13.79 (to $3,487)" in text
    assert "At any value, with the plan's people: " in text  # pay, with the people held


def test_a_bigger_deal_value_never_changes_the_decisions(seed):
    scenario, plan, _ = seed
    people = dict(zip(plan.variables["name"], plan.variables["value"]))
    base = _decisions(scenario, VALUE, 3500, people)
    assert np.allclose(_decisions(scenario, VALUE, 35_000, people), base, atol=1e-6)


def test_readme_example_is_the_products_output():
    from pathlib import Path

    from typer.testing import CliRunner

    from optimizer import cli

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    start = text.index("```\n", text.index("**How far can a price move")) + 4
    block = text[start : text.index("```", start)].strip("\n")
    done = CliRunner().invoke(cli.app, ["ranges", SEED])
    assert block == "\n".join(line.rstrip() for line in done.stdout.splitlines()).strip("\n")
