"""Each constraint family is declared once (``optimizer.scenario.families``) and built from it.

The model's rows take their department, sentence, unit, kind and nature from the
declaration; the leader's labels and kinds come from it; the independent check names its
findings by it (``tests/test_check.py`` joins them). These tests hold the declarations to
the rows the model builds on every bundled scenario and on the variants no bundled
scenario has (ticket closure, a lead time, a goal over the horizon, today's targets, people
flowing with hires and ramp-up, a sales cycle, and the money over time: recurring revenue,
cash, the finance goals of every period and service bands on the ticket desk or a live
channel), and on the sales funnel's fixture (``tests/scenarios/funnel_company.yaml``: later
stages, self-found leads, what reps close on average and the goals on bookings, deals and
new customers of every period).
"""

from __future__ import annotations

import re

import pytest

from optimizer.model.chain import build_model
from optimizer.model.chain.common import add_family
from optimizer.model.linear import LinearModel
from optimizer.scenario import families, labels
from optimizer.scenario.loading import load_scenario, validate

BUNDLED = ("seed_company", "software_company", "regional_sales")


def _models():
    """(name, model) for every bundled scenario, each with its variants' features added,
    and under closest_to_current where it states today's targets."""
    for name in BUNDLED:
        scenario = load_scenario(f"scenarios/{name}.yaml")
        yield name, build_model(scenario)[0]
        for period, line in MONEY:
            if data := money(scenario.model_dump(), period, line):
                label = f"{name}, money ({period}; bands: {line or 'none'})"
                yield label, build_model(validate(data, label))[0]
        data = scenario.model_dump()
        if data.get("support"):
            data["support"]["ticket_closure"] = {"within_hours": 4, "share": 0.8}
        if data.get("delivery"):
            data["delivery"]["lead_time_months"] = 1
        data["calendar"]["horizon_months"] = 3
        data["finance"]["goal_period"] = "horizon"
        yield f"{name}, varied", build_model(validate(data, "varied"))[0]
        yield f"{name}, flowing", build_model(validate(flowing(data), "flowing"))[0]
        if scenario.current_targets is not None:
            yield f"{name}, today", build_model(scenario, "closest_to_current")[0]
    yield from _funnel_models()


FUNNEL = "tests/scenarios/funnel_company.yaml"
"""Every part of the sales funnel: later stages, dials, self-found leads, a team's own rates
and units, commission, what reps close on average, goals on bookings, deals and new
customers."""

FUNNEL_GOALS = ("bookings", "deals", "new_customers")


def _funnel_models():
    """(name, model) for the funnel fixture as it is (its goals each month or over the
    horizon) and under closest_to_current (today's dials); with its three goals each month,
    over the horizon and at the end; with the money over time (a goal on bookings then adds
    the new customers' contract months) and with every role's people flowing (reps ramping
    up count at their ramp productivity in what the team closes)."""
    scenario = load_scenario(FUNNEL)
    yield "funnel", build_model(scenario)[0]
    yield "funnel, today", build_model(scenario, "closest_to_current")[0]
    for period in ("month", "horizon", "end"):
        data = scenario.model_dump()
        data["finance"]["goals"] = {m: {"at_least": 1, "period": period} for m in FUNNEL_GOALS}
        label = f"funnel, goals ({period})"
        yield label, build_model(validate(data, label))[0]
    data = money(scenario.model_dump(), "horizon", None)
    data["finance"]["goals"].update({m: {"at_least": 1, "period": "end"} for m in FUNNEL_GOALS})
    yield "funnel, money", build_model(validate(data, "funnel, money"))[0]
    yield "funnel, flowing", build_model(validate(flowing(scenario.model_dump()), "flowing"))[0]
    data = scenario.model_dump()  # marketing's leads in grades, beside the self-found ones
    data["marketing"]["lead_grades"] = [
        {"name": "A", "share": 0.4, "conversion_factor": 1.5},
        {"name": "B", "share": 0.6, "conversion_factor": 0.7},
    ]
    yield "funnel, graded", build_model(validate(data, "graded"))[0]


FLOW = {
    "opening": 2,
    "attrition_per_month": 0.05,
    "hiring_lead_time_months": 1,
    "max_hires_per_month": 2,
    "max_departures_per_month": 1,
    "cost_per_hire": 3000,
    "cost_per_departure": 5000,
    "ramp": [0.5],
}


def flowing(data: dict) -> dict:
    """``data`` with every role's people flowing (hires, attrition, lead time, ramp) and a
    sales cycle on every team: the workforce and pipeline families."""
    roles = [data["marketing"]["marketers"]] + [t["reps"] for t in data["sales"]["teams"]]
    if data.get("delivery"):
        roles.append(data["delivery"]["workers"])
    if data.get("support"):
        roles.append(data["support"]["agents"])
        roles += [ch["agents"] for ch in data["support"]["live_channels"]]
    for role in roles:
        role.update(FLOW)
    for team in data["sales"]["teams"]:
        team["close_profile"] = [0.5, 0.5]
        team["opening_pipeline"] = [1.0]
    return data


MONEY = [("month", None), ("horizon", "ticket_closure"), ("end", "live channel")]
"""The money variants of each scenario with support: the goals' period (``horizon`` for
revenue, the balances then at the ``end``) and the support line with service bands (None:
no bands, one churn and one collection profile)."""

FAST = {"name": "fast", "service_level": 0.8, "churn_per_month": 0.01, "collection": [0.7, 0.3]}
SLOW = {"name": "slow", "churn_per_month": 0.04, "collection": [0.2, 0.5, 0.3]}  # best effort


def money(data: dict, period: str, line: str | None) -> dict | None:
    """``data`` with the money over time (None: the scenario has no support): recurring
    revenue (support then serves its customers: no installed base or new customers per
    deal of its own; those paying at the end count at a year of their revenue), cash with
    an opening balance, a minimum, a collection profile and opening receivables, a goal on
    each of revenue, cash, recurring revenue and customers (``period``; a balance's goal is
    at the ``end`` where revenue's is over the ``horizon``) and service bands ``FAST`` and
    ``SLOW`` on one support line: the ticket desk, the first live channel (the ticket desk
    where there is none) or neither (``line`` None). Each part replaces what the scenario
    may state already, so that at most one line has bands."""
    su = data.get("support")
    if not su:
        return None
    if line == "live channel" and not su["live_channels"]:
        line = "ticket_closure"
    su.pop("installed_base_customers", None)
    su.pop("new_customers_per_deal", None)
    data["recurring_revenue"] = {"opening_customers": 800, "new_customers_per_deal": 1,
                                 "revenue_per_customer_per_month": 300, "churn_per_month": 0.02,
                                 "expansion_per_month": 0.005}  # fmt: skip
    data["horizon_end"]["customer_months"] = 12  # the customers paying at the end count
    owed = [60_000, 20_000][: data["calendar"]["horizon_months"]]  # paid in the first months
    data["finance"]["cash"] = {"opening": 200_000, "minimum": 50_000, "opening_receivables": owed,
                               "collection": [0.6, 0.4]}  # fmt: skip
    balance = "end" if period == "horizon" else period
    data["finance"]["goals"] = {
        "revenue": {"at_least": 100_000, "period": period},
        "cash": {"at_least": 60_000, "period": balance},
        "recurring_revenue": {"at_least": 200_000, "period": balance},
        "customers": {"at_least": 700, "period": balance},
    }
    for channel in su["live_channels"]:  # a target of its own, not bands
        if channel.get("bands"):
            channel.update(bands=[], service_level=0.8, answer_within_seconds=30)
    su["ticket_closure"] = None
    if line == "ticket_closure":
        su["ticket_closure"] = {"bands": [{**FAST, "within_hours": 4}, SLOW]}
    elif line == "live channel":
        su["live_channels"][0].update(service_level=None, answer_within_seconds=None,
                                      bands=[{**FAST, "answer_within_seconds": 30}, SLOW])  # fmt: skip
    return data


MODELS = list(_models())


@pytest.mark.parametrize(("name", "model"), MODELS, ids=[n for n, _ in MODELS])
def test_every_row_family_is_built_as_declared(name, model):
    for key, block in model.row_blocks.items():
        found = families.lookup(key)
        assert found is not None, key
        family, _ = found
        assert block.department == key.split("-")[0] == family.key.split("-")[0]
        assert block.kind == family.model_kind, key
        assert block.nature == family.nature, key
        units = {family.unit} | {unit for _, unit in family.variants.values()}
        assert family.unit is None or block.unit in units, (key, block.unit)
        assert block.description and "{" not in block.description, key


def test_every_declaration_is_built_somewhere():
    """No declaration is dead: each is built by one of the models above."""
    built = {families.lookup(key)[0].key for _, model in MODELS for key in model.row_blocks}
    assert built == set(families.BY_KEY)


def test_every_variant_of_a_sentence_is_built():
    sentences = {b.description for _, model in MODELS for b in model.row_blocks.values()}
    assert "Each month builds exactly the units it sells (no lead time)." in sentences
    assert "Every unit sold is delivered within the promised lead time." in sentences
    assert (
        "Profit over the horizon covers the retained earnings and the profit target." in sentences
    )
    assert (
        "Support closes 80% of tickets within 4 working hours (Erlang C over a working day)."
        in (sentences)
    )


def _pattern(sentence: str) -> re.Pattern:
    """A declared sentence as a pattern of the sentences filled in from it: each ``{field}``
    stands for some text."""
    parts = re.split(r"\{[^}]*\}", sentence)
    return re.compile(".+?".join(re.escape(part) for part in parts) + "$", re.DOTALL)


def test_every_variant_of_every_family_is_built():
    """Each family's sentence and each of its variants' is a row block of some model above:
    the money's too (recurring tickets and revenue, churn and collections by service band,
    service bands on a live channel and on the ticket desk, goals of every period)."""
    built: dict[str, set[str]] = {}
    for _, model in MODELS:
        for key, block in model.row_blocks.items():
            built.setdefault(families.lookup(key)[0].key, set()).add(block.description)
    missing = []
    for family in families.FAMILIES:
        for variant in ("", *family.variants):
            sentence = family.variants[variant][0] if variant else family.sentence
            if not any(_pattern(sentence).match(d) for d in built.get(family.key, ())):
                missing.append((family.key, variant))
    assert not missing


def test_a_family_not_declared_is_refused():
    with pytest.raises(ValueError, match="not declared"):
        add_family(LinearModel(), "sales-made_up", axes=[], lhs=[], sense="<=")


def test_a_starred_family_is_found_with_what_its_star_stands_for():
    family, star = families.lookup("support-phone_service_level")
    assert (family.key, star) == ("support-*_service_level", "phone")
    assert families.lookup("support-agents_max") == (families.BY_KEY["support-agents_max"], None)
    assert families.lookup("sales-made_up") is None
    assert labels.row_label("support-chat_agents_max", {"month": "2027-02"}) == (
        "Cap on agents, chat, Feb 2027"
    )


def test_each_declaration_states_its_equation_and_a_known_kind():
    for family in families.FAMILIES:
        assert family.kind in families.KINDS, family.key
        assert any(sign in family.equation for sign in ("<=", ">=", "=")), family.key
        assert family.nature in ("policy", "capacity", "fact"), family.key
