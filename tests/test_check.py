"""The independent check catches plans that break the scenario, whatever the solver said."""

from __future__ import annotations

import pytest
from test_check_tampering import scenario_of

from optimizer.analysis import check
from optimizer.analysis.solve import solve
from optimizer.model.chain import build_model
from optimizer.scenario import families, labels
from optimizer.scenario.loading import load_scenario, validate
from optimizer.solvers import Status, highs

SEED = "scenarios/seed_company.yaml"


def plan_quantities(scenario):
    model, v = build_model(scenario)
    out = highs.solve(model.arrays())
    return {name: out.x[idx].copy() for name, idx in v.index.items()}


def test_a_solved_plan_passes():
    scenario = load_scenario(SEED)
    result = check.verify(scenario, plan_quantities(scenario))
    assert result.ok
    assert result.max_violation < 1e-9
    assert result.checked > 40


@pytest.mark.parametrize(
    ("change", "broken"),
    [
        (
            lambda q: q["conversations"].__setitem__((0, 0, 3), q["conversations"][0, 0, 3] * 1.5),
            "sales-lead_supply",
        ),
        (lambda q: q["ad_spend"].__setitem__(0, 1e6), "marketing-spend_total"),
        (lambda q: q["reps"].__setitem__((0, 0), 6.5), "reps whole"),
        (lambda q: q["profit"].__setitem__(0, q["profit"][0] + 1000), "finance-profit_total"),
        (
            lambda q: q["production"].__setitem__(0, q["production"][0] - 10),
            "delivery-on_time[2027-01]",
        ),
        (lambda q: q["tickets"].__setitem__(0, 10), "support-ticket_total"),
    ],
)
def test_a_tampered_plan_fails_and_names_the_limit(change, broken):
    scenario = load_scenario(SEED)
    q = plan_quantities(scenario)
    change(q)
    result = check.verify(scenario, q)
    assert not result.ok
    assert broken in result.violations
    assert result.max_violation > 1e-3


def test_solver_saying_optimal_is_not_enough(monkeypatch):
    """A solver that reports optimal with a wrong plan is caught and not called optimal."""
    real = highs.solve

    def lying_solver(arrays, **kwargs):
        out = real(arrays, **kwargs)
        out.x = out.x * 1.3  # every quantity 30 % too high, status still "optimal"
        return out

    monkeypatch.setattr(highs, "solve", lying_solver)
    plan = solve(load_scenario(SEED))
    assert plan.status is Status.ERROR
    assert not plan.solved
    assert "not presented as a plan" in plan.message
    assert plan.verified.worst not in plan.message  # the finding in words, not its identifier
    assert plan.verified.max_violation > 0.01


UNCHECKED = {
    "support-tickets_per_day_total": "ticket closure recomputes a day's tickets from the month's",
    "support-*_staffing_choice": "the check recomputes Erlang C for the agents themselves",
    "support-*_staffing_count": "the same: the roster is the Erlang C table's bookkeeping "
    "(checked where the agents flow: the roster scheduled is at most the productive agents)",
    "targets-gap_*": "today's targets are the objective's, not limits of the plan",
    "customers-at_risk_split": "the check recomputes churn at the band each month ran at "
    "(the split of customers by band is the linearisation's bookkeeping)",
    "customers-at_risk_band": "the same",
    "finance-invoiced_split": "the check recomputes collections by the profile of the band "
    "each month ran at (the split of invoices by band is the linearisation's bookkeeping)",
    "finance-invoiced_band": "the same",
}
"""Families the check does not recompute as rows, and why."""


def _variants():
    """Every bundled scenario, the seed with ticket closure and a lead time over 3 months
    (rows no bundled scenario has), and the tampering cases' scenarios with every role's
    people flowing and a sales cycle (the seed with ticket closure, the software company with
    a live channel)."""
    for path in ("seed_company", "software_company", "regional_sales"):
        yield load_scenario(f"scenarios/{path}.yaml")
    data = load_scenario(SEED).model_dump()
    data["support"]["ticket_closure"] = {"within_hours": 4, "share": 0.8}
    data["calendar"]["horizon_months"] = 3
    data["delivery"]["lead_time_months"] = 1
    yield validate(data, "seed with closure and a lead time")
    yield scenario_of("flowing")
    yield scenario_of("flowing_live")
    yield scenario_of("funnel")  # stages, dials, self-found leads, attainment, goals
    yield scenario_of("funnel_graded")  # marketing's leads in grades


@pytest.mark.parametrize(
    "scenario",
    list(_variants()),
    ids=["seed", "software", "regional", "more", "flowing", "flowing_live", "funnel", "graded"],
)
def test_every_check_joins_a_declared_family_of_the_model(scenario):
    """Each check is named for a family the model built (so it joins the constraint table on
    ``family``) or for a quantity of the plan; each family the model built is checked,
    except those in UNCHECKED; and every name reads in words."""
    model, _ = build_model(scenario)
    built = set(model.row_blocks)
    q = plan_quantities(scenario)
    names = {name for name, _ in _all_checks(scenario, q)}
    quantity_rules = {n for n in names if n.endswith((" >= 0", " whole"))}
    for name in names - quantity_rules:
        assert families.lookup(families.family_of(name)) is not None, name
        assert families.family_of(name) in built, name
    checked = {families.family_of(n) for n in names}
    for key in built - checked:
        family, _ = families.lookup(key)
        assert family.key in UNCHECKED, key
    for name in names:
        assert "_" not in labels.check_label(name), (name, labels.check_label(name))


@pytest.mark.parametrize("key", ["flowing", "flowing_live"])
def test_a_solved_plan_with_people_flowing_passes(key):
    """The flow, ramp, roster and pipeline checks hold on the model's own plan, every one of
    them made (read with the tolerance at -inf)."""
    scenario = scenario_of(key)
    q = plan_quantities(scenario)
    result = check.verify(scenario, q)
    assert result.ok, result
    names = {name for name, _ in _all_checks(scenario, q)}
    assert {"sales-reps_flow", "sales-deal_closing", "finance-hiring_costs_total"} <= names
    assert {"sales-reps_ramp", "sales-reps_productive_total"} <= names
    staffing = "support-ticket_closure" if key == "flowing" else "support-phone"
    assert f"{staffing}_staffing_count" in names


def test_a_hiring_lead_time_longer_than_the_plan_is_checked():
    """Reps hired 4 months ahead, one starting in each month of a 3-month plan and a fourth
    after it: the model takes the first 3, and so must the check."""
    data = scenario_of("flowing_live").model_dump()
    data["sales"]["teams"][0]["reps"].update(hiring_lead_time_months=4, already_hired=[1] * 4)
    scenario = validate(data, "reps hired 4 months ahead")
    result = check.verify(scenario, plan_quantities(scenario))
    assert result.ok, result


def _all_checks(scenario, q):
    """Every (name, excess) verify makes, read by setting its tolerance to -inf."""
    from unittest import mock

    with mock.patch.object(check, "VERIFY_TOL", -float("inf")):
        result = check.verify(scenario, q)
    return [(name, None) for name in result.violations]


def test_a_check_reads_as_its_row_does():
    assert labels.check_label("sales-selling_time[field]") == "Selling time, field team"
    assert labels.check_label("delivery-on_time[2027-01]") == "Delivery on time, Jan 2027"
    assert labels.check_label("support-phone_agents_max") == "Cap on agents, phone"
    assert labels.check_label("reps whole") == "Reps in whole people"
    assert labels.check_label("paid_leads >= 0") == "Paid leads not below zero"
