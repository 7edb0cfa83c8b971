"""Each constraint family is declared once (``optimizer.scenario.families``) and built from it.

The model's rows take their department, sentence, unit, kind and nature from the
declaration; the leader's labels and kinds come from it; the independent check names its
findings by it (``tests/test_check.py`` joins them). These tests hold the declarations to
the rows the model builds on every bundled scenario and on the variants no bundled
scenario has (ticket closure, a lead time, a goal over the horizon, today's targets, people
flowing with hires and ramp-up, a sales cycle).
"""

from __future__ import annotations

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
