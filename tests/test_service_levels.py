"""Live channels staffed by Erlang C in the integer model, and ticket closure targets."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from optimizer.analysis import check
from optimizer.analysis.solve import solve
from optimizer.model import erlang
from optimizer.model.chain import build_model
from optimizer.report.sentences import sentence
from optimizer.scenario.loading import load_scenario, set_path, validate
from optimizer.solvers import highs

M1 = "2027-01"
PHONE = {
    # The published check: 100 calls in a 30-minute interval, 180 s handle time, 80 % within
    # 20 s, occupancy at most 85 % -> 14 agents answering, 20 scheduled with 30 % shrinkage.
    # 20 days x 8 h x 2 intervals = 320 intervals a month, so 32 000 calls a month at a flat
    # profile put 100 calls in every interval: 32 000 customers calling once a month.
    "name": "phone",
    "contacts_per_customer_per_month": 1.0,
    "handle_seconds": 180,
    "answer_within_seconds": 20,
    "service_level": 0.8,
    "max_occupancy": 0.85,
    "interval_minutes": 30,
    "peak_factor": 1.0,
    "shrinkage": 0.3,
    "agents": {"min": 0, "max": 40, "cost_per_person_per_month": 3000},
}
BASE = {
    "name": "phone desk",
    "calendar": {"horizon_months": 1, "business_days_per_month": 20, "hours_per_day": 8},
    "marketing": {
        "ad_budget_per_month": 0,
        "market_size_leads_per_month": 100,
        "qualified_lead_share": 1.0,
        "channels": [],
        "marketers": {"min": 0, "max": 0, "cost_per_person_per_month": 0},
    },
    "sales": {
        "min_minutes_per_quality_conversation": 0,
        "conversation_tiers": [{"minutes": 30, "conversion_rate": 0.1}],
        "teams": [
            {
                "name": "team",
                "reps": {"min": 0, "max": 0, "cost_per_person_per_month": 4000},
                "average_deal_value": 1000,
            }
        ],
    },
    "support": {
        "installed_base_customers": 32_000,
        "new_customers_per_deal": 0,
        "tickets_per_customer_per_month": 0,
        "handle_minutes_per_ticket": 10,
        "max_occupancy": 0.85,
        "agents": {"min": 0, "max": 10, "cost_per_person_per_month": 3000},
        "live_channels": [PHONE],
    },
    "finance": {"fixed_bills_per_month": 0, "profit_target_per_month": -1e9},
}


def scenario(**changes):
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        set_path(data, path, value)
    return validate(data, "inline")


def test_the_published_example_hires_exactly_twenty_phone_agents():
    plan = solve(scenario())
    assert plan.solved
    assert plan.target("agents", M1, "phone") == 20
    assert plan.target("agents_required", M1, "phone") == 20
    assert plan.target("busiest_interval_contacts", M1, "phone") == pytest.approx(100)
    # 20 scheduled x 0.7 = 14 answering: the published figures
    assert plan.target("service_level_reached", M1, "phone") == pytest.approx(0.888, abs=5e-4)
    assert plan.target("asa_seconds", M1, "phone") == pytest.approx(7.8, abs=0.05)
    assert plan.target("occupancy", M1, "phone") == pytest.approx(0.714, abs=5e-4)
    assert plan.objective == pytest.approx(-20 * 3000)


def test_the_service_level_binds_in_whole_people_and_says_so():
    plan = solve(scenario())
    row = plan.constraint(f"support-phone_service_level[{M1}]")
    assert row["binds_in_whole_people"]
    assert row["activity"] == pytest.approx(100)
    cap = erlang.capacity(40, 30, 180, 20, 0.8, 0.85, 0.3)
    assert row["limit"] == pytest.approx(cap[20])
    assert row["step_limit"] == pytest.approx(cap[19])
    assert row["step_limit"] < 100 <= row["limit"]
    assert row["name"] in set(plan.binding()["name"])
    text = sentence(row, plan.objective_name, plan.objective_unit)
    assert "80/20 phone target" in text
    assert "binds in whole people" in text
    assert "one agent fewer" in text


@pytest.mark.parametrize("peak", [1.0, 1.3, 1.8, 2.5])
def test_agents_follow_erlang_c_at_every_volume(peak):
    changes = {"support.live_channels[phone].peak_factor": peak}
    changes["support.live_channels[phone].agents.max"] = 80
    plan = solve(scenario(**changes), marginals=False)
    volume = 100 * peak
    expected = erlang.agents_required(volume, 30, 180, 20, 0.8, 0.85, 0.3).agents_scheduled
    assert plan.target("agents", M1, "phone") == expected
    assert plan.target("service_level_reached", M1, "phone") >= 0.8 - 1e-9


def test_the_phone_cap_makes_the_scenario_impossible_and_diagnosable():
    from optimizer.analysis.diagnose import diagnose

    tight = scenario(**{"support.live_channels[phone].agents.max": 19})
    plan = solve(tight, marginals=False)
    assert plan.status.value == "infeasible"
    d = diagnose(tight)
    assert "support-phone_service_level[2027-01]" in set(d.conflict["name"])


def test_the_check_recomputes_erlang_c_and_catches_too_few_agents():
    sc = scenario()
    model, v = build_model(sc)
    out = highs.solve(model.arrays())
    q = {name: out.x[idx].copy() for name, idx in v.index.items()}
    assert check.verify(sc, q).ok
    q["phone_agents"][0] = 19
    result = check.verify(sc, q)
    assert not result.ok
    assert "support-phone_service_level" in result.violations


def test_the_software_company_phone_target_drives_hiring():
    plan = solve(load_scenario("scenarios/software_company.yaml"), marginals=False)
    assert plan.solved
    phone = plan.targets[plan.targets["role"] == "phone"]
    agents = phone[phone["metric"] == "agents"]["value"].to_numpy()
    required = phone[phone["metric"] == "agents_required"]["value"].to_numpy()
    np.testing.assert_array_equal(agents, required)
    # each month reaches the target of the band it runs at: 80 % ('fast'), 60 % ('standard')
    levels = phone[phone["metric"] == "service_band_level"]["value"].to_numpy()
    reached = phone[phone["metric"] == "service_level_reached"]["value"].to_numpy()
    assert list(levels) == [0.8, 0.6, 0.6] and (reached >= levels - 1e-9).all()
    binding = plan.binding()
    assert binding["name"].str.contains("phone_service_level").any()


def test_a_ticket_closure_target_can_need_more_agents_than_the_workload():
    # 6 000 tickets a month of 10 min = 60 000 min; one agent gives 20 x 8 x 60 x 0.85
    # = 8 160 min at 85 % occupancy, so the workload alone needs 8 agents. Closing 95 % of
    # 99 % of a day's 300 tickets within 6 working minutes needs more (Erlang C over a
    # working day: 6.25 Erlangs, and 99 % within 6 min of arrival takes 11 agents).
    data = {
        "support.live_channels": [],
        "support.installed_base_customers": 6000,
        "support.tickets_per_customer_per_month": 1.0,
        "support.agents.max": 40,
    }
    workload = solve(scenario(**data), marginals=False)
    assert workload.target("agents", M1) == 8
    closing = solve(
        scenario(**data, **{"support.ticket_closure": {"within_hours": 0.1, "share": 0.99}}),
        marginals=False,
    )
    assert closing.solved
    need = erlang.agents_required(300, 480, 600, 360, 0.99, 0.85, 0.0).agents_scheduled
    assert need == 11
    assert closing.target("agents", M1) == need
