"""Every rule of the independent check, shown to fail: one tampering case per rule.

``optimizer.analysis.check.verify`` re-evaluates a plan's quantities against the scenario with named
rules. Each case below takes a real solved plan on a bundled scenario, changes its quantities
as little as it can so that one rule breaks, and asserts that verify names that rule, by about
the amount the change implies, and nothing else. A rule that cannot break alone (a minimum
headcount whose work needs the people, a market the budget cannot buy) names the rules that
break with it, and why.

Most changes move a decision (a headcount, paid leads, conversations, production) and then
re-derive every defined quantity from the decisions (``settle``: leads, spend, deals,
tickets, revenue, payroll, profit, ...), so the definitions still hold and only the limit
breaks; the definitions' own rules are broken by moving the defined quantity alone.

A "rule" is a check's name with its instance left out: the team, month, channel, quantity
or role (``rule_of``). A check is named for the constraint family it recomputes
(``optimizer.scenario.families``), so ``test_every_check_joins_a_declared_family`` can
hold each one to the model's rows. Two meta-tests keep the cases complete: the rules verify
reports on every scenario used here (all its checks, read by setting its tolerance to -inf),
and the names written in the source of ``verify`` and of every function of the check module
it calls (``_flows``, ``_sales_cycle``, ...), must both equal the cases' rules.

People flowing (hires, departures, attrition, lead time, ramp) and the sales cycle are
checked on two scenarios of their own, ``flowing`` and ``flowing_live``; there ``settle``
also re-derives each role's people from its starts and departures, the hiring costs, the
deals won and closing, and the open pipeline's value.
"""

from __future__ import annotations

import ast
import inspect
import math
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

import numpy as np
import pytest

from optimizer.analysis import check
from optimizer.analysis.solve import solve
from optimizer.model import erlang
from optimizer.model.chain import build_model
from optimizer.scenario.loading import load_scenario, validate

SCENARIOS = {
    "seed": "scenarios/seed_company.yaml",
    "software": "scenarios/software_company.yaml",
    "regional": "scenarios/regional_sales.yaml",
    "closure": "scenarios/seed_company.yaml",  # + ticket closure (no bundled scenario has it)
    "lagged": "scenarios/seed_company.yaml",  # over 3 months, delivered a month after the sale
    "flowing": "scenarios/seed_company.yaml",  # over 3 months, people flowing, a sales cycle
    "flowing_live": "scenarios/software_company.yaml",  # the same, with a live channel
}
CLOSURE = {"within_hours": 4, "share": 0.8}
"""Closing 80 % of tickets within 4 working hours needs 3 agents on the seed; its ticket
volume alone needs 2, so one agent fewer breaks the closure rule and nothing else."""

FLOW = {
    "attrition_per_month": 0.05,
    "hiring_lead_time_months": 1,
    "max_hires_per_month": 2,
    "max_departures_per_month": 1,
    "cost_per_hire": 3000,
    "cost_per_departure": 5000,
    "ramp": [0.5],
}
"""Every role's flow in the flowing scenarios: 5 % leave each month, a hire decided starts a
month later (none before the plan), at most 2 hires and 1 departure a month, $3 000 a hire,
$5 000 a departure, a new hire at half speed in their first month."""

OPENINGS = {
    "flowing": {"marketers": 2, "reps": 5, "workers": 6, "agents": 4},
    "flowing_live": {"marketers": 3, "reps": 6, "agents": 8, "phone_agents": 10},
}
"""The people employed when the plan starts: about the plan's headcount without a flow, and
enough that no minimum or service level is out of reach before the first hire starts."""


def flowing(data: dict, openings: dict[str, int]) -> dict:
    """``data`` over 3 months with every role's people flowing (``FLOW`` from ``openings``)
    and every team's won deals closing half in the month and half the next, 30 deals of an
    opening pipeline closing in the first month. The profit goal is over the horizon with no
    target beyond the retained earnings (hiring costs and deals closing a month later leave
    the monthly goal out of reach), and support may hire up to 12 agents."""
    data["calendar"]["horizon_months"] = 3
    data["finance"]["goal_period"] = "horizon"
    data["finance"]["profit_target_per_month"] = 0
    roles = {"marketers": [data["marketing"]["marketers"]]}
    roles["reps"] = [t["reps"] for t in data["sales"]["teams"]]
    if data.get("delivery"):
        roles["workers"] = [data["delivery"]["workers"]]
    su = data["support"]
    roles["agents"] = [su["agents"]]
    su["agents"]["max"] = max(su["agents"]["max"], 12)
    for ch in su["live_channels"]:
        roles[f"{ch['name']}_agents"] = [ch["agents"]]
    for role, heads in roles.items():
        for head in heads:
            head.update(FLOW, opening=openings[role])
    for team in data["sales"]["teams"]:
        team["close_profile"] = [0.5, 0.5]
        team["opening_pipeline"] = [30.0]
    return data


def scenario_of(key: str):
    """The scenario of a key of ``SCENARIOS``, with the key's changes made."""
    scenario = load_scenario(SCENARIOS[key])
    if key == "closure":
        data = scenario.model_dump()
        data["support"]["ticket_closure"] = CLOSURE
        scenario = validate(data, "seed with ticket closure")
    if key == "lagged":  # no bundled scenario has a lead time: here the on-time rule lags
        data = scenario.model_dump()
        data["calendar"]["horizon_months"] = 3
        data["delivery"]["lead_time_months"] = 1
        scenario = validate(data, "seed with a lead time")
    if key in OPENINGS:
        data = scenario.model_dump()
        if key == "flowing":
            data["support"]["ticket_closure"] = CLOSURE
        scenario = validate(flowing(data, OPENINGS[key]), f"{key} people")
    return scenario


@pytest.fixture(scope="module")
def plan():
    """``plan(key)``: the scenario and a fresh copy of its solved plan's quantities by name
    (each scenario solved once per module)."""
    cache = {}

    def get(key: str):
        if key not in cache:
            scenario = scenario_of(key)
            solved = solve(scenario, marginals=False, whole_steps=False)
            assert solved.solved, solved.message
            model, v = build_model(scenario, solved.objective_name)
            assert list(solved.variables["name"]) == model.var_names()
            x = solved.variables["value"].to_numpy(dtype=float)
            cache[key] = scenario, {name: x[idx] for name, idx in v.index.items()}
        scenario, q = cache[key]
        return scenario, {name: np.array(a, dtype=float) for name, a in q.items()}

    return get


# ---- re-deriving the defined quantities from the decisions ---------------------------------


def settle(scenario, q: dict[str, np.ndarray], keep: tuple[str, ...] = ()) -> None:
    """Re-derive every defined quantity from the plan's decisions, as the model defines them,
    except those in ``keep``. With no lead time, production follows the units sold (built
    to order), so a change of deals does not break the delivery rules."""
    mk, sa, de, su = scenario.marketing, scenario.sales, scenario.delivery, scenario.support
    days, hours = scenario.calendar.business_days_per_month, scenario.calendar.hours_per_day

    def put(name: str, value) -> None:
        if name not in keep:
            q[name] = np.broadcast_to(np.asarray(value, dtype=float), q[name].shape).copy()

    moves = 0.0
    for var, heads in staff(scenario):
        if f"{var}_starts" in q:
            moves = moves + _settle_flow(q, put, var, heads)
    if "hiring_costs" in q:
        put("hiring_costs", moves)
    cost = np.array([t.cost_per_lead for c in mk.channels for t in c.tiers])
    put("leads", mk.organic_leads_per_month + q["paid_leads"].sum(axis=1))
    put("ad_spend", q["paid_leads"] @ cost)
    won = q["conversations"] @ np.array([t.conversion_rate for t in sa.conversation_tiers])
    if "deals_won" in q:
        put("deals_won", won)
        closing, still_open = np.zeros_like(won), np.zeros(len(sa.teams))
        for t, team in enumerate(sa.teams):
            for u in range(len(won)):
                for k, share in enumerate(team.close_profile or [1.0]):
                    if u + k < len(won):
                        closing[u + k, t] += share * q["deals_won"][u, t]
                    else:
                        still_open[t] += share * q["deals_won"][u, t]
            closing[: len(team.opening_pipeline), t] += team.opening_pipeline
        put("deals", closing)
        value = still_open @ np.array([t.average_deal_value for t in sa.teams])
        put("open_pipeline_value", scenario.horizon_end.open_pipeline_value_share * value)
    else:
        put("deals", won)
    total = q["deals"].sum(axis=1)
    payroll = q["reps"] @ np.array([t.reps.cost_per_person_per_month for t in sa.teams])
    payroll = payroll + mk.marketers.cost_per_person_per_month * q["marketers"]
    cogs = np.zeros_like(total)
    if de is not None:
        put("units_sold", de.units_per_deal * total)
        if de.lead_time_months == 0:
            put("production", de.units_per_deal * total)
        payroll = payroll + de.workers.cost_per_person_per_month * q["workers"]
        cogs = de.unit_cost * q["production"]
    if su is not None:
        customers = su.installed_base_customers + su.new_customers_per_deal * np.cumsum(total)
        put("tickets", su.tickets_per_customer_per_month * customers)
        payroll = payroll + su.agents.cost_per_person_per_month * q["agents"]
        for ch in su.live_channels:
            intervals = days * hours * 60.0 / ch.interval_minutes
            contacts = ch.contacts_per_customer_per_month * customers * ch.peak_factor / intervals
            put(f"{ch.name}_contacts", contacts)
            payroll = payroll + ch.agents.cost_per_person_per_month * q[f"{ch.name}_agents"]
    put("revenue", q["deals"] @ np.array([t.average_deal_value for t in sa.teams]))
    put("payroll", payroll)
    put("cogs", cogs)
    fixed = scenario.finance.fixed_bills_per_month
    hiring = q.get("hiring_costs", 0.0)
    put("profit", q["revenue"] - cogs - payroll - q["ad_spend"] - hiring - fixed)


def staff(scenario) -> list[tuple[str, list]]:
    """(headcount variable, its headcounts: one per team for reps) of every role."""
    roles = [("marketers", [scenario.marketing.marketers])]
    roles.append(("reps", [t.reps for t in scenario.sales.teams]))
    if scenario.delivery is not None:
        roles.append(("workers", [scenario.delivery.workers]))
    if scenario.support is not None:
        roles.append(("agents", [scenario.support.agents]))
        roles += [(f"{ch.name}_agents", [ch.agents]) for ch in scenario.support.live_channels]
    return roles


def _settle_flow(q, put, var: str, heads: list) -> np.ndarray:
    """A flowing role's people from its starts and departures; the people ramping up at
    least what its new hires lack (they follow the shortfall up, never down: they are
    bounded, not defined) and the productive people as the rest; and the month's cost of
    the role's hires and departures."""
    n = len(q[var])
    starts, leaving = q[f"{var}_starts"].reshape(n, -1), q[f"{var}_departures"].reshape(n, -1)
    people, short = q[var].reshape(n, -1).copy(), np.zeros_like(q[var].reshape(n, -1))
    moves = np.zeros(n)
    for e, i in enumerate(i for i, h in enumerate(heads) if h.flows):
        h, keep = heads[i], 1.0 - heads[i].attrition_per_month
        before = float(h.opening)
        for t in range(n):
            before = keep * before + starts[t, e] - leaving[t, e]
            people[t, i] = before
        for k, r in enumerate(h.ramp):
            short[k:, i] += (1.0 - r) * keep**k * starts[: n - k, e]
        moves += h.cost_per_hire * starts[:, e] + h.cost_per_departure * leaving[:, e]
    put(var, people.reshape(q[var].shape))
    if f"{var}_productive" in q:
        shape = q[var].shape
        put(f"{var}_ramping", np.maximum(q[f"{var}_ramping"], short.reshape(shape)))
        put(f"{var}_productive", q[var] - q[f"{var}_ramping"])
    return moves


def tier(scenario, channel: str, number: int) -> int:
    """Column of ``paid_leads`` for a channel's price tier (numbered from 1)."""
    columns = [(c.name, k) for c in scenario.marketing.channels for k in range(len(c.tiers))]
    return columns.index((channel, number - 1))


def minutes(scenario, length: float) -> int:
    """Index of the conversation tier of ``length`` minutes."""
    return [t.minutes for t in scenario.sales.conversation_tiers].index(length)


def team(scenario, name: str) -> int:
    return [t.name for t in scenario.sales.teams].index(name)


def relative(lhs: float, rhs: float) -> float:
    """The check's measure of ``lhs <= rhs`` broken: (lhs - rhs) / max(1, |rhs|)."""
    return (lhs - rhs) / max(1.0, abs(rhs))


def erlang_shortfall(volume, agents, shrinkage, targets, goals) -> float:
    """How far Erlang C says ``agents`` miss the service level or the occupancy cap."""
    interval, aht, within = targets
    level, occupancy_cap = goals
    r = erlang.service_with_agents(
        volume, interval, aht, within, erlang.answering(int(agents), shrinkage)
    )
    return max(level - r.service_level, r.occupancy - occupancy_cap)


# ---- the cases: each changes ``q`` in place and returns the rule's expected excess ---------


@dataclass(frozen=True)
class Case:
    rule: str
    scenario: str
    name: str  # the check's name as verify reports it
    tamper: Callable[..., float]
    also: frozenset[str] = frozenset()  # checks (by name) that cannot help breaking with it
    why: str = ""


def _negative_paid_leads(s, q):
    """An unused tier bought at -1 lead, one more lead bought on another tier: leads stay."""
    unused, used = tier(s, "search", 2), tier(s, "social", 2)
    assert q["paid_leads"][0, unused] == 0
    q["paid_leads"][0, unused] -= 1
    q["paid_leads"][0, used] += 1
    settle(s, q)
    return 1.0


def _whole(role: str):
    def tamper(s, q):
        """Half a person more: payroll and profit follow, every limit keeps its room."""
        q[role][(0,) * q[role].ndim] += 0.5
        settle(s, q)
        return 0.5

    return tamper


def apart(stated: float, derived: float) -> float:
    """The check's measure of ``stated == derived`` broken (either side of the equation)."""
    return max(relative(stated, derived), relative(derived, stated))


def _definition(name: str, by: float, profit: int = 0):
    """Move a defined quantity ``by`` away from what its definition gives.

    ``profit`` (+1 or -1) moves the plan's stated profit with it, so the profit stays true
    to the plan's own revenue or spend. A deal more or fewer is followed by everything
    defined from deals (units, production, tickets, revenue, ...)."""

    def tamper(s, q):
        derived = float(q[name].flat[0])
        q[name].flat[0] += by
        if name == "deals":
            settle(s, q, keep=("deals",))
        q["profit"][0] += profit * by
        return apart(derived + by, derived)

    return tamper


def _tier_volume(s, q):
    """One more lead on a full first tier, one fewer on another: leads stay, spend falls."""
    full, other = tier(s, "search", 1), tier(s, "social", 2)
    width = s.marketing.channels[0].tiers[0].leads_per_month
    assert q["paid_leads"][0, full] == pytest.approx(width)
    q["paid_leads"][0, full] += 1
    q["paid_leads"][0, other] -= 1
    settle(s, q)
    return relative(q["paid_leads"][0, full], width)


def _ad_budget(s, q):
    """The plan spends its whole budget; one more lead on a tier with room costs $55 more."""
    budget = s.marketing.ad_budget_per_month
    assert q["ad_spend"][0] == pytest.approx(budget)
    q["paid_leads"][0, tier(s, "social", 2)] += 1
    settle(s, q)
    return relative(q["ad_spend"][0], budget)


def _market_size(s, q):
    market = s.marketing.market_size_leads_per_month
    q["leads"][0] = market + 60
    return relative(market + 60, market)


def _addressable_market(s, q):
    """The six months use the whole addressable market; one more lead in month 1 on the
    cheapest tier with room (within the month's budget and market)."""
    tam = s.marketing.total_addressable_market_leads
    assert q["leads"].sum() == pytest.approx(tam)
    q["paid_leads"][0, tier(s, "search", 2)] += 1
    settle(s, q)
    return relative(q["leads"].sum(), tam)


def _spend_per_marketer(s, q):
    """One marketer fewer (still at least the minimum) cannot run the month's spend."""
    q["marketers"][0] -= 1
    assert q["marketers"][0] >= s.marketing.marketers.min
    settle(s, q)
    return relative(q["ad_spend"][0], s.marketing.ad_spend_per_marketer_per_month)


def _marketers_max(s, q):
    top = s.marketing.marketers.max
    q["marketers"][0] = top + 1
    settle(s, q)
    return relative(top + 1, top)


def _marketers_min(s, q):
    low = s.marketing.marketers.min
    q["marketers"][0] = low - 1
    settle(s, q)
    return relative(low, low - 1)


def _selling_time(s, q):
    """Ten conversations move from the 30-minute tier to the 45-minute one: as many
    conversations (leads suffice), 150 more minutes than the five reps have."""
    t = s.sales.teams[0]
    lost = sum(t.hours_lost_per_day.model_dump().values())
    available = (
        s.calendar.business_days_per_month
        * (s.calendar.hours_per_day - lost)
        * 60
        * q["reps"][0, 0]
    )
    q["conversations"][0, 0, minutes(s, 30)] -= 10
    q["conversations"][0, 0, minutes(s, 45)] += 10
    settle(s, q)
    return relative(available + 150, available)


def _reps_max(s, q):
    north = team(s, "north")
    top = s.sales.teams[north].reps.max
    q["reps"][0, north] = top + 1
    settle(s, q)
    return relative(top + 1, top)


def _reps_min(s, q):
    """Metro runs at its minimum of 4 reps with every minute used: one rep fewer, and a
    quarter fewer conversations so the three keep within their time."""
    metro = team(s, "metro")
    low = s.sales.teams[metro].reps.min
    assert q["reps"][0, metro] == low
    q["reps"][0, metro] = low - 1
    q["conversations"][0, metro, :] *= (low - 1) / low
    settle(s, q)
    return relative(low, low - 1)


def _quality_floor(s, q):
    """One 30-minute conversation becomes a 5-minute one, below the 20-minute floor."""
    q["conversations"][0, 0, minutes(s, 30)] -= 1
    q["conversations"][0, 0, minutes(s, 5)] += 1
    settle(s, q)
    return 1.0


def _lead_supply(s, q):
    """Three 45-minute conversations become 30-minute ones, which frees the time for one
    more: 751 conversations on leads for 750."""
    supply = q["conversations"].sum()
    q["conversations"][0, 0, minutes(s, 45)] -= 3
    q["conversations"][0, 0, minutes(s, 30)] += 4
    settle(s, q)
    return relative(supply + 1, supply)


def _delivery_capacity(s, q):
    q["workers"][0] -= 1
    assert q["workers"][0] >= s.delivery.workers.min
    settle(s, q)
    return relative(q["production"][0], s.delivery.units_per_worker_per_month * q["workers"][0])


def _on_time(s, q):
    """One unit fewer built than sold (no lead time: all of it is due this month)."""
    q["production"][0] -= 1
    settle(s, q, keep=("production",))
    return relative(q["units_sold"][0], q["production"][0])


def _on_time_before_the_last_month(s, q):
    """Month 1 builds one unit fewer than it sells (due in the month, with no lead time);
    month 2 builds it, with one more technician for it."""
    q["production"][0] -= 1
    q["production"][1] += 1
    q["workers"][1] += 1
    settle(s, q, keep=("production",))
    return relative(q["units_sold"][0], q["production"][0])


def _built_beyond_sales(s, q):
    """One unit more built than sold (no lead time: each month builds what it sells)."""
    q["production"][0] += 1
    settle(s, q, keep=("production",))
    return relative(q["production"][0], q["units_sold"][0])


def _built_to_order(s, q):
    """With a month's lead time, month 1 builds one unit more than it sells, with the
    technician that takes (month 1 has profit to spare; month 2 has none); month 2 builds
    as many fewer, so all is built by the end and on time."""
    extra = q["units_sold"][0] - q["production"][0] + 1
    q["production"][0] += extra
    q["production"][1] -= extra
    per = s.delivery.units_per_worker_per_month
    q["workers"][0] = max(q["workers"][0], np.ceil(q["production"][0] / per))
    settle(s, q, keep=("production",))
    return relative(q["production"][0], q["units_sold"][0])


def _workers_max(s, q):
    top = s.delivery.workers.max
    q["workers"][0] = top + 1
    settle(s, q)
    return relative(top + 1, top)


def _workers_min(s, q):
    """Month 2 runs at capacity with 19 technicians; 17 (one below the minimum) build
    306 installation days, so that month sells 306 / 342 of its conversations' deals."""
    low, per = s.delivery.workers.min, s.delivery.units_per_worker_per_month
    q["workers"][1] = low - 1
    q["conversations"][1] *= (low - 1) * per / q["units_sold"][1]
    settle(s, q)
    return relative(low, low - 1)


def _support_capacity(s, q):
    su, cal = s.support, s.calendar
    q["agents"][0] -= 1
    assert q["agents"][0] >= su.agents.min
    settle(s, q)
    per_agent = (
        cal.business_days_per_month * cal.hours_per_day * 60 * (1 - su.shrinkage) * su.max_occupancy
    )
    return relative(su.handle_minutes_per_ticket * q["tickets"][0], per_agent * q["agents"][0])


def _agents_max(s, q):
    top = s.support.agents.max
    q["agents"][0] = top + 1
    settle(s, q)
    return relative(top + 1, top)


def _agents_min(s, q):
    low = s.support.agents.min
    q["agents"][0] = low - 1
    settle(s, q)
    return relative(low, low - 1)


def _phone_whole(s, q):
    """7.6 phone agents: fractional, and Erlang C (on the rounded 8) still met."""
    q["phone_agents"][0] = 7.6
    settle(s, q)
    return 0.4


def _phone_max(s, q):
    top = s.support.live_channels[0].agents.max
    q["phone_agents"][0] = top + 1
    settle(s, q)
    return relative(top + 1, top)


def _phone_min(s, q):
    low = s.support.live_channels[0].agents.min
    q["phone_agents"][0] = low - 1
    settle(s, q)
    return relative(low, low - 1)


def _service_level(s, q):
    """One phone agent fewer in the busiest half hour misses the 80 % in 30 s."""
    ch = s.support.live_channels[0]
    q["phone_agents"][0] -= 1
    settle(s, q)
    return erlang_shortfall(
        q["phone_contacts"][0],
        q["phone_agents"][0],
        ch.shrinkage,
        (ch.interval_minutes, ch.handle_seconds, ch.answer_within_seconds),
        (ch.service_level, ch.max_occupancy),
    )


def _ticket_closure(s, q):
    su, cal = s.support, s.calendar
    q["agents"][0] -= 1
    settle(s, q)
    c = su.ticket_closure
    return erlang_shortfall(
        q["tickets"][0] / cal.business_days_per_month,
        q["agents"][0],
        su.shrinkage,
        (cal.hours_per_day * 60, su.handle_minutes_per_ticket * 60, c.within_hours * 3600),
        (c.share, su.max_occupancy),
    )


def _profit_goal(s, q):
    """Three idle workers more: $13 500 of payroll, more than the $10 400 above the goal."""
    q["workers"][0] += 3
    settle(s, q)
    fi = s.finance
    goal = fi.retained_earnings_per_month + fi.profit_target_per_month
    return relative(goal, q["profit"][0])


def _flow(s, q):
    """Half a technician more in month 1 than its opening, attrition and departure leave:
    payroll and profit follow."""
    q["workers"][0] += 0.5
    settle(s, q, keep=("workers",))
    derived = q["workers"][0] - 0.5
    return apart(q["workers"][0], derived)


def _hiring_lead_time(s, q):
    """A rep starts in month 1, hired before the plan though none was (the lead time is a
    month): the rep is paid from month 1 on."""
    assert q["reps_starts"][0, 0] == 0 and not s.sales.teams[0].reps.already_hired
    q["reps_starts"][0, 0] += 1
    settle(s, q)
    return relative(1, 0)


def _hires_max(s, q):
    """Month 2's two new reps become three."""
    most = s.sales.teams[0].reps.max_hires_per_month
    assert q["reps_starts"][1, 0] == most
    q["reps_starts"][1, 0] += 1
    settle(s, q)
    return relative(most + 1, most)


def _departures_max(s, q):
    """A second technician leaves in month 1, whom the month's ramping did not count as
    productive (the rest build what is sold), and one is hired to start in month 2."""
    most = s.delivery.workers.max_departures_per_month
    assert q["workers_departures"][0] == most and q["workers_ramping"][0] > 1
    q["workers_departures"][0] += 1
    q["workers_ramping"][0] -= 1
    q["workers_starts"][1] += 1
    settle(s, q)
    return relative(most + 1, most)


def _hiring_month(s, q):
    """Month 2's two new reps start in a month marked as letting people go, though no one
    goes: the mark breaks with it (a month is marked only when someone goes)."""
    assert q["reps_starts"][1, 0] == 2 and q["reps_departures"][1, 0] == 0
    q["reps_going"][1, 0] = 1
    return relative(2, 0)


def _leaving_month(s, q):
    """Month 1's departing technician leaves in a month not marked as letting people go."""
    gone = q["workers_departures"][0]
    assert gone == 1 and q["workers_going"][0] == 1
    q["workers_going"][0] = 0
    return relative(gone, 0)


def _leaving_marked(s, q):
    """A month with no one let go marked as letting people go (nothing else moves)."""
    quiet = int(np.flatnonzero(q["workers_departures"] == 0)[0])
    q["workers_going"][quiet] = 1
    return relative(1, 0)


def _ramp(s, q):
    """Month 2's two new reps counted at three quarters of full speed in their first month
    (half a person ramping where one is): as productive as that makes them."""
    people = q["reps"][1, 0]
    assert q["reps_starts"][1, 0] == 2 and q["reps_ramping"][1, 0] == pytest.approx(1)
    q["reps_ramping"][1, 0] = 0.5
    q["reps_productive"][1, 0] = people - 0.5
    return relative(people - 0.5, people - 1)


def _productive_total(s, q):
    """Half a technician more ramping up in month 1, the productive ones as many as before."""
    derived = q["workers"][0] - q["workers_ramping"][0]
    assert q["workers_productive"][0] == pytest.approx(derived)
    q["workers_ramping"][0] += 0.5
    return apart(derived, derived - 0.5)


def _moves_whole(kind: str, by: float):
    def tamper(s, q):
        """Half a hire or departure of a technician more or fewer: people, hiring costs,
        payroll and profit follow, every limit keeps its room."""
        month = 1 if kind == "starts" else 0
        q[f"workers_{kind}"][month] += by
        if kind == "departures":  # the month's mark stays within its departures
            q["workers_going"][month] = min(
                q["workers_going"][month], q["workers_departures"][month]
            )
        settle(s, q)
        return 0.5

    return tamper


def _roster(key: str, agents: str):
    def tamper(s, q):
        """The month-1 roster scheduled one agent more than the productive agents can make
        (the choice of 4 agents for ticket closure instead of 3, with 3 productive; 9 on the
        phone instead of 8, with 8.5)."""
        chosen = q[f"{key}_staffing"][0]
        scheduled = int(np.argmax(chosen))
        chosen[scheduled], chosen[scheduled + 1] = 0.0, 1.0
        productive = q[f"{agents}_productive"][0]
        assert scheduled <= productive < scheduled + 1
        return relative(scheduled + 1, productive)

    return tamper


CASES = [
    Case("{quantity} >= 0", "seed", "paid_leads >= 0", _negative_paid_leads),
    Case("{role} whole", "seed", "reps whole", _whole("reps")),  # and each other role below
    Case("marketing-lead_total", "seed", "marketing-lead_total", _definition("leads", 10)),
    Case(
        "marketing-spend_total",
        "seed",
        "marketing-spend_total",
        _definition("ad_spend", -100, profit=-1),
    ),
    Case("marketing-tier_volume", "seed", "marketing-tier_volume", _tier_volume),
    Case("marketing-ad_budget", "seed", "marketing-ad_budget", _ad_budget),
    Case(
        "marketing-market_size",
        "seed",
        "marketing-market_size",
        _market_size,
        frozenset({"marketing-lead_total"}),
        "4 637 more leads would cost about $437 000 against a $40 000 budget, so the leads "
        "are raised alone",
    ),
    Case(
        "marketing-addressable_market",
        "regional",
        "marketing-addressable_market",
        _addressable_market,
    ),
    Case(
        "marketing-spend_per_marketer", "seed", "marketing-spend_per_marketer", _spend_per_marketer
    ),
    Case("marketing-marketers_max", "regional", "marketing-marketers_max", _marketers_max),
    Case(
        "marketing-marketers_min",
        "seed",
        "marketing-marketers_min",
        _marketers_min,
        frozenset({"marketing-spend_per_marketer"}),
        "below the minimum there is no marketer left to run the spend the leads need",
    ),
    Case("sales-selling_time[{team}]", "seed", "sales-selling_time[field]", _selling_time),
    Case("sales-reps_max[{team}]", "regional", "sales-reps_max[north]", _reps_max),
    Case("sales-reps_min[{team}]", "regional", "sales-reps_min[metro]", _reps_min),
    Case("sales-quality_floor[{team}]", "seed", "sales-quality_floor[field]", _quality_floor),
    Case("sales-deal_total[{team}]", "seed", "sales-deal_total[field]", _definition("deals", 1)),
    Case("sales-lead_supply", "seed", "sales-lead_supply", _lead_supply),
    Case("delivery-units_total", "seed", "delivery-units_total", _definition("units_sold", 1)),
    Case("delivery-capacity", "seed", "delivery-capacity", _delivery_capacity),
    Case("delivery-on_time[{month}]", "seed", "delivery-on_time[2027-01]", _on_time),
    Case(
        "delivery-build_to_order[{month}]",
        "lagged",
        "delivery-build_to_order[2027-01]",
        _built_to_order,
    ),
    Case("delivery-workers_max", "regional", "delivery-workers_max", _workers_max),
    Case("delivery-workers_min", "regional", "delivery-workers_min", _workers_min),
    Case("support-ticket_total", "seed", "support-ticket_total", _definition("tickets", 1)),
    Case("support-capacity", "seed", "support-capacity", _support_capacity),
    Case("support-agents_max", "regional", "support-agents_max", _agents_max),
    Case(
        "support-agents_min",
        "seed",
        "support-agents_min",
        _agents_min,
        frozenset({"support-capacity"}),
        "the installed base alone files more tickets than one agent fewer can handle",
    ),
    Case(
        "support-{channel}_contacts_total",
        "software",
        "support-phone_contacts_total",
        _definition("phone_contacts", 0.5),
    ),
    Case("{channel}_agents whole", "software", "phone_agents whole", _phone_whole),
    Case(
        "support-{channel}_agents_max",
        "software",
        "support-phone_agents_max",
        _phone_max,
        frozenset({"finance-profit_goal"}),
        "23 more phone agents cost $105 800 a month; the plan has $2 000 above its goal",
    ),
    Case(
        "support-{channel}_agents_min",
        "software",
        "support-phone_agents_min",
        _phone_min,
        frozenset({"support-phone_service_level"}),
        "one phone agent cannot answer the busiest half hour; every plan needs 8",
    ),
    Case(
        "support-{channel}_service_level", "software", "support-phone_service_level", _service_level
    ),
    Case(
        "support-ticket_closure_service_level",
        "closure",
        "support-ticket_closure_service_level",
        _ticket_closure,
    ),
    Case(
        "finance-revenue_total",
        "seed",
        "finance-revenue_total",
        _definition("revenue", 100, profit=1),
    ),
    Case("finance-payroll_total", "seed", "finance-payroll_total", _definition("payroll", 100)),
    Case("finance-cogs_total", "seed", "finance-cogs_total", _definition("cogs", 100)),
    Case("finance-profit_total", "seed", "finance-profit_total", _definition("profit", 100)),
    Case("finance-profit_goal", "seed", "finance-profit_goal", _profit_goal),
    # people flowing (``optimizer.model.chain.workforce``) and the sales cycle
    Case("{role}_starts whole", "flowing", "workers_starts whole", _moves_whole("starts", 0.5)),
    Case(
        "{role}_departures whole",
        "flowing",
        "workers_departures whole",
        _moves_whole("departures", -0.5),
    ),
    Case("{family}_flow", "flowing", "delivery-workers_flow", _flow),
    Case(
        "{family}_hiring_lead_time",
        "flowing_live",
        "sales-reps_hiring_lead_time",
        _hiring_lead_time,
    ),
    Case("{family}_hires_max", "flowing_live", "sales-reps_hires_max", _hires_max),
    Case("{family}_departures_max", "flowing", "delivery-workers_departures_max", _departures_max),
    Case("{family}_ramp", "flowing_live", "sales-reps_ramp", _ramp),
    Case(
        "{family}_hiring_month",
        "flowing_live",
        "sales-reps_hiring_month",
        _hiring_month,
        also=frozenset({"sales-reps_leaving_marked"}),
        why="a month marked as letting people go with no one going breaks the mark too",
    ),
    Case("{family}_leaving_month", "flowing", "delivery-workers_leaving_month", _leaving_month),
    Case("{family}_leaving_marked", "flowing", "delivery-workers_leaving_marked", _leaving_marked),
    Case(
        "{family}_productive_total",
        "flowing",
        "delivery-workers_productive_total",
        _productive_total,
    ),
    Case(
        "support-{channel}_staffing_count",
        "flowing_live",
        "support-phone_staffing_count",
        _roster("phone", "phone_agents"),
    ),
    Case(
        "support-ticket_closure_staffing_count",
        "flowing",
        "support-ticket_closure_staffing_count",
        _roster("ticket_closure", "agents"),
    ),
    Case("sales-deal_closing", "flowing", "sales-deal_closing", _definition("deals", -1)),
    Case(
        "finance-open_pipeline_total",
        "flowing",
        "finance-open_pipeline_total",
        _definition("open_pipeline_value", 100),
    ),
    Case(
        "finance-hiring_costs_total",
        "flowing",
        "finance-hiring_costs_total",
        _definition("hiring_costs", 100),
    ),
]

MORE = [
    Case("delivery-on_time[{month}]", "seed", "delivery-on_time[2027-01]", _built_beyond_sales),
    Case(
        "delivery-on_time[{month}]",
        "regional",
        "delivery-on_time[2027-01]",
        _on_time_before_the_last_month,
    ),
    Case(
        "marketing-lead_total",
        "seed",
        "marketing-lead_total",
        _definition("leads", -10),
        frozenset({"sales-lead_supply"}),
        "the plan holds a conversation for every lead it has",
    ),
    Case(
        "marketing-spend_total",
        "seed",
        "marketing-spend_total",
        _definition("ad_spend", 100, profit=-1),
        frozenset({"marketing-ad_budget"}),
        "the plan spends its whole budget",
    ),
    Case("sales-deal_total[{team}]", "seed", "sales-deal_total[field]", _definition("deals", -1)),
    Case("delivery-units_total", "seed", "delivery-units_total", _definition("units_sold", -1)),
    Case("support-ticket_total", "seed", "support-ticket_total", _definition("tickets", -1)),
    Case(
        "support-{channel}_contacts_total",
        "software",
        "support-phone_contacts_total",
        _definition("phone_contacts", -0.5),
    ),
    Case(
        "finance-revenue_total",
        "seed",
        "finance-revenue_total",
        _definition("revenue", -100, profit=1),
    ),
    Case("finance-payroll_total", "seed", "finance-payroll_total", _definition("payroll", -100)),
    Case("finance-cogs_total", "seed", "finance-cogs_total", _definition("cogs", -100)),
    Case("finance-profit_total", "seed", "finance-profit_total", _definition("profit", -100)),
    Case(
        "finance-open_pipeline_total",
        "flowing",
        "finance-open_pipeline_total",
        _definition("open_pipeline_value", -100),
    ),
    Case(
        "finance-hiring_costs_total",
        "flowing",
        "finance-hiring_costs_total",
        _definition("hiring_costs", -100),
    ),
]
"""The same rules broken another way: on time with more built than sold (with no lead time
the row is an equality), on time in a month before the last (the case above has one month), and each definition from its other side (the cases above state more than
it gives, except the spend)."""

ROLES = ("marketers", "workers", "agents")
"""The other roles of the ``{role} whole`` rule (reps is the case's own)."""

FAMILY_OF = {"marketers": "marketing", "reps": "sales", "workers": "delivery", "agents": "support"}
"""The department of each role's flow families (a live channel's agents are support's)."""

FLOW_RULES = (
    "flow",
    "hiring_lead_time",
    "hires_max",
    "departures_max",
    "ramp",
    "productive_total",
    "hiring_month",
    "leaving_month",
    "leaving_marked",
)
"""The rules of a flowing role, each named ``{family}_<rule>`` (``sales-reps_flow``)."""


def rule_of(name: str, scenario, quantities) -> str:
    """A check's name with its instance left out (quantity, role, channel, team, month)."""
    if name.endswith(" >= 0") and name.removesuffix(" >= 0") in quantities:
        return "{quantity} >= 0"
    if name.endswith(" whole") and name.removesuffix(" whole") in ("reps", *ROLES):
        return "{role} whole"
    channels = [ch.name for ch in scenario.support.live_channels] if scenario.support else []
    roles = [var for var, _ in staff(scenario)]
    for suffix in ("_starts whole", "_departures whole"):
        if name.endswith(suffix) and name.removesuffix(suffix) in roles:
            return "{role}" + suffix
    families = [f"{FAMILY_OF[var]}-{var}" for var in roles if var in FAMILY_OF]
    families += [f"support-{channel}_agents" for channel in channels]
    either = "|".join(re.escape(family) for family in families)
    flow = re.fullmatch(rf"({either})_({'|'.join(FLOW_RULES)})", name)
    if flow:
        return "{family}_" + flow.group(2)
    for channel in channels:
        if name.startswith((f"support-{channel}_", f"{channel}_")):
            name = name.replace(channel, "{channel}", 1)
    teams = "|".join(re.escape(t.name) for t in scenario.sales.teams)
    name = re.sub(rf"\[({teams})\]$", "[{team}]", name)
    return re.sub(r"\[\d{4}-\d{2}\]$", "[{month}]", name)


def broken_beyond(scenario, q, tolerance: float) -> set[str]:
    """The checks verify finds broken by more than ``tolerance`` (its own is 1e-6)."""
    with mock.patch.object(check, "VERIFY_TOL", tolerance):
        return set(check.verify(scenario, q).violations)


def assert_breaks(scenario, q, name: str, expected: float, also=frozenset()) -> None:
    """verify names ``name`` (and ``also``, no other rule) broken by ``expected``, within 1 %."""
    assert expected > 1e-4, expected
    result = check.verify(scenario, q)
    assert not result.ok
    assert set(result.violations) == {name, *also}, result.violations
    if not also:
        assert result.violations == (name,)
        assert result.worst == name
        assert result.max_violation == pytest.approx(expected, rel=1e-2)
    assert name in broken_beyond(scenario, q, 0.99 * expected)
    assert name not in broken_beyond(scenario, q, 1.01 * expected)


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_tampering_breaks_exactly_its_rule(plan, case):
    scenario, q = plan(case.scenario)
    untouched = check.verify(scenario, q)
    assert untouched.ok and not untouched.violations, untouched
    expected = case.tamper(scenario, q)
    assert_breaks(scenario, q, case.name, expected, case.also)


@pytest.mark.parametrize("case", MORE, ids=[c.rule for c in MORE])
def test_the_same_rules_broken_another_way(plan, case):
    test_tampering_breaks_exactly_its_rule(plan, case)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_must_be_whole_people(plan, role):
    scenario, q = plan("seed")
    expected = _whole(role)(scenario, q)
    assert_breaks(scenario, q, f"{role} whole", expected)


@pytest.mark.parametrize("key", SCENARIOS)
def test_the_untampered_plan_passes_and_settles_to_itself(plan, key):
    """The plans pass as solved, and ``settle`` re-derives exactly the solver's numbers (so
    a case's tampering breaks only what it means to)."""
    scenario, q = plan(key)
    result = check.verify(scenario, q)
    assert result.ok and result.violations == ()
    assert result.max_violation < 1e-9
    settled = {name: a.copy() for name, a in q.items()}
    settle(scenario, settled)
    for name, a in q.items():
        np.testing.assert_allclose(settled[name], a, rtol=1e-9, atol=1e-6, err_msg=name)


def test_every_rule_verify_reports_has_a_case(plan):
    """Every check verify makes on these scenarios (all reported as broken with its
    tolerance at -inf) belongs to a rule with a tampering case, and every case's rule is
    made. A new rule without a case fails here."""
    made = set()
    for key in SCENARIOS:
        scenario, q = plan(key)
        names = broken_beyond(scenario, q, -math.inf)
        assert len(names) > 40, key
        made |= {rule_of(name, scenario, q) for name in names}
    assert made == {c.rule for c in CASES}


def _written(node) -> str | None:
    """The text of a name as written in the source, each ``{...}`` field as ``{}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.sub(r"\{[^}]*\}", "{}", node.value)
    if isinstance(node, ast.JoinedStr):
        return "".join(_written(v) if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _written(node.left), _written(node.right)
        return None if left is None or right is None else left + right
    return None


def _verify_and_its_helpers() -> dict[str, ast.AST]:
    """The source trees of ``verify`` and of every function of the check module it calls,
    directly or through another (``_flows``, ``_sales_cycle``, ...), by name."""
    trees: dict[str, ast.AST] = {}
    todo = [check.verify]
    while todo:
        function = todo.pop()
        if function.__name__ in trees:
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        trees[function.__name__] = tree
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                called = getattr(check, node.func.id, None)
                if inspect.isfunction(called) and called.__module__ == check.__name__:
                    todo.append(called)
    return trees


def test_every_name_written_in_verify_has_a_case():
    """The names in the source of ``verify`` and the helpers it calls (``at_most``/``equal``
    calls and ``per_team`` triples, whose names are templates of ``{team}``), so a rule
    behind a scenario feature no scenario here has is caught too."""
    trees = _verify_and_its_helpers()
    assert {"_flows", "_sales_cycle", "_hiring_costs"} <= set(trees), sorted(trees)
    written = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
                "at_most",
                "equal",
            ):
                written.add(_written(node.args[0]))
            elif (
                isinstance(node, ast.Tuple)
                and len(node.elts) == 3
                and isinstance(node.elts[0], ast.Constant)
                and "{team}" in str(node.elts[0].value)
            ):
                written.add(_written(node.elts[0]))
    written.discard(None)
    assert written == {re.sub(r"\{[^}]*\}", "{}", c.rule) for c in CASES}
