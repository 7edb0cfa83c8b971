"""Scale scenarios: T sales teams (or regions) x M months x C paid channels with price tiers.

    python benchmarks/scale.py OUT.yaml --teams 1000 --months 24 --channels 6 [--seed 0]

The company is the one of ``scenarios/regional_sales.yaml`` grown to T teams: every team
draws leads from one shared market and has its own headcount range, deal value, pay,
hours lost and admin minutes; installers build what is sold and a service desk handles the
customers' tickets; the profit goal is judged over the horizon. Per team the numbers are
of the bundled scenarios' order; company totals (market, budget, tier widths, workers,
agents, bills) grow with T. Teams are of three kinds, in seeded random proportions:

- ``field``: regions with long drives, mid-sized deals ($6 000 - 10 000);
- ``inside``: phone and video teams, small deals ($3 000 - 5 000), more reps;
- ``key``: key accounts, a few reps, long tender work, large deals ($18 000 - 30 000).

Channels differ in their tier prices (each tier dearer than the one before) and widths.

Every scenario is valid (it loads with ``optimizer.scenario.loading.load_scenario``) and feasible
by construction: the generator lays out one plan that meets every limit (every team at its
minimum headcount, conversations at the tier that closes the most deals per minute, leads
bought cheapest first within budget and market, workers and agents as many as that plan
needs), sets the fixed bills to 30-45 % of that plan's margin and the finance goal to
60-90 % of what is left, so at least that plan meets the goal (a company that would lose
money at its minimum staff gets dearer deals until it does not). The optimum is well above
it. ``tests/test_benchmarks.py`` solves small sizes to confirm it; the benchmarks solve up
to 1 000 x 24.

The market is sized to the company (about the leads its teams could work at mid-size), so
leads are scarce, as in ``regional_sales``: the plan shares them between teams, and the
integer model (whole reps per team and month, marketers, installers, agents) is hard to
prove optimal at scale (see ``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

import yaml

KINDS = {  # name: (weight, reps min range, reps max range, pay, hours lost, admin, deal value)
    "field": (0.5, (2, 4), (6, 12), (6500, 7500), "field", (10, 20), (6000, 10000)),
    "inside": (0.35, (3, 6), (8, 16), (5500, 6500), "inside", (5, 10), (3000, 5000)),
    "key": (0.15, (1, 1), (2, 5), (10500, 12500), "key", (30, 50), (18000, 30000)),
}
REGIONS = ["north", "south", "east", "west", "metro", "coast", "valley", "lakes", "hills"]
CHANNELS = [
    "search",
    "social",
    "directories",
    "events",
    "partners",
    "display",
    "video",
    "email",
    "referral_portals",
    "trade_press",
    "radio",
    "print",
]
TIERS = [  # (minutes, conversion rate) shared by every team, as in regional_sales
    (20, 0.02),
    (40, 0.045),
    (60, 0.065),
    (90, 0.085),
]
QUALITY_FLOOR = 40  # minutes
TOUCHES = 2.0  # conversations per qualified lead
QUALIFIED = 0.45


def _hours_lost(kind: str, rng: random.Random) -> dict:
    u = rng.uniform
    if kind == "field":
        return {
            "travel": round(u(1.0, 2.0), 2),
            "meetings": 0.5,
            "follow_ups": round(u(0.5, 1.0), 2),
            "trade_shows": round(u(0.0, 0.5), 2),
        }
    if kind == "inside":
        return {
            "travel": round(u(0.0, 0.25), 2),
            "meetings": round(u(0.5, 1.0), 2),
            "follow_ups": 1.0,
            "other": 0.25,
        }
    return {"travel": round(u(1.0, 2.0), 2), "meetings": 1.0, "follow_ups": 1.5, "other": 0.5}


def _team(index: int, kind: str, rng: random.Random) -> dict:
    _, lo, hi, pay, hours, admin, deal = KINDS[kind]
    region = REGIONS[index % len(REGIONS)]
    low = rng.randint(*lo)
    return {
        "name": f"{kind}_{region}_{index:04d}",
        "reps": {
            "min": low,
            "max": max(low + 1, rng.randint(*hi)),
            "cost_per_person_per_month": round(rng.uniform(*pay), -1),
        },
        "hours_lost_per_day": _hours_lost(hours, rng),
        "admin_minutes_per_conversation": rng.randint(*admin),
        "average_deal_value": round(rng.uniform(*deal), -2),
    }


def _channel(index: int, market: float, channels: int, rng: random.Random) -> dict:
    name = CHANNELS[index] if index < len(CHANNELS) else f"channel_{index:03d}"
    price = rng.uniform(30.0, 60.0)
    tiers = []
    for k in range(rng.randint(2, 3)):
        if k:
            price *= rng.uniform(1.3, 1.7)
        width = round(market * rng.uniform(0.2, 0.45) / channels, -1)
        tiers.append({"leads_per_month": max(10.0, width), "cost_per_lead": round(price, 2)})
    if rng.random() < 0.5:
        del tiers[-1]["leads_per_month"]  # the dearest tier is unlimited
    return {"name": name, "tiers": tiers}


def generate(teams: int, months: int, channels: int, seed: int = 0) -> dict:
    """A scenario as a mapping (``load_scenario``'s input), seeded, feasible by construction."""
    if teams < 1 or months < 1 or channels < 1:
        raise ValueError("teams, months and channels must each be at least 1")
    rng = random.Random(seed)
    names = list(KINDS)
    weights = [KINDS[k][0] for k in names]
    kinds = rng.choices(names, weights=weights, k=teams)
    team_list = [_team(i, kind, rng) for i, kind in enumerate(kinds)]
    days = rng.choice([20, 21, 22])
    # the market is sized to the company: about the leads its teams could work at mid-size
    work = 0.0
    for team in team_list:
        lost = sum(team["hours_lost_per_day"].values())
        minutes = days * (8 - lost) * 60 / (60 + team["admin_minutes_per_conversation"])
        work += (team["reps"]["min"] + team["reps"]["max"]) / 2 * minutes / (TOUCHES * QUALIFIED)
    market = round(work * rng.uniform(0.8, 1.1), -1)
    budget = round(market * rng.uniform(45, 60), -3)  # $/month: most leads paid, ~$50 each
    spend_per_marketer = 50000.0
    data: dict = {
        "name": f"Scale: {teams} teams x {months} months x {channels} channels (seed {seed})",
        "description": (
            f"A security-systems installer grown to {teams} regional sales teams sharing one "
            f"market, {channels} paid channels with price tiers, {months} months; generated by "
            "benchmarks/scale.py."
        ),
        "objective": "max_profit",
        "calendar": {
            "start_month": "2027-01",
            "horizon_months": months,
            "business_days_per_month": days,
            "hours_per_day": 8,
        },
        "marketing": {
            "ad_budget_per_month": budget,
            "market_size_leads_per_month": market,
            "total_addressable_market_leads": round(market * months * rng.uniform(0.7, 0.9), -1),
            "organic_leads_per_month": round(market * rng.uniform(0.05, 0.12), -1),
            "qualified_lead_share": QUALIFIED,
            "marketers": {
                "min": 1,
                "max": math.ceil(budget / spend_per_marketer) + 1,
                "cost_per_person_per_month": 7000,
            },
            "ad_spend_per_marketer_per_month": spend_per_marketer,
            "channels": [_channel(i, market, channels, rng) for i in range(channels)],
        },
        "sales": {
            "min_minutes_per_quality_conversation": QUALITY_FLOOR,
            "touches_per_lead": TOUCHES,
            "conversation_tiers": [
                {"minutes": m, "conversion_rate": round(r * rng.uniform(0.95, 1.05), 4)}
                for m, r in TIERS
            ],
            "teams": team_list,
        },
        "delivery": {
            "units_per_deal": 2,  # installation days per deal
            "units_per_worker_per_month": rng.choice([18, 20]),
            "workers": {"min": 0, "max": 0, "cost_per_person_per_month": 5200},  # set below
            "unit_cost": rng.choice([300, 350, 400]),  # $/installation day
            "lead_time_months": 1 if months > 1 else 0,
        },
        "support": {
            "installed_base_customers": round(teams * rng.uniform(400, 800), -1),
            "new_customers_per_deal": 1,
            "tickets_per_customer_per_month": 0.12,
            "handle_minutes_per_ticket": 18,
            "max_occupancy": 0.8,
            "shrinkage": 0.3,
            "agents": {"min": 0, "max": 0, "cost_per_person_per_month": 4300},  # set below
        },
        "finance": {
            "fixed_bills_per_month": 0,  # set below
            "retained_earnings_per_month": 0,  # set below
            "profit_target_per_month": 0,
            "goal_period": "horizon",
        },
        "current_targets": {
            "calls_per_rep_per_day": 6,
            "reps": {t["name"]: (t["reps"]["min"] + t["reps"]["max"]) // 2 for t in team_list},
            "quota_per_rep_per_month": 70000,
            "leads_per_month": round(0.8 * market, -1),
            "ad_spend_per_month": budget,
        },
    }
    _size_staff_and_goal(data, rng)
    return data


def _selling_minutes(data: dict, team: dict) -> float:
    cal = data["calendar"]
    lost = sum(team["hours_lost_per_day"].values())
    return cal["business_days_per_month"] * (cal["hours_per_day"] - lost) * 60.0


def floor_plan(data: dict) -> dict:
    """One plan that meets every limit but the finance goal: each team at its minimum.

    Each team holds conversations at the tier that closes the most deals per minute, as many
    as its minimum reps have time for, on leads that pay for themselves: the teams that earn
    most per lead get the cheapest leads first (organic, then paid tiers cheapest first),
    within the budget and the market (and an even share of the total addressable market a
    month). Workers and agents are as many as that plan needs. Returns per-month totals and
    ``margin``, the plan's profit per month before fixed bills.
    """
    cal, mk, sa = data["calendar"], data["marketing"], data["sales"]
    de, su = data["delivery"], data["support"]
    months = cal["horizon_months"]
    floor = sa["min_minutes_per_quality_conversation"]
    tiers = [t for t in sa["conversation_tiers"] if t["minutes"] >= floor]
    conv_per_lead = sa["touches_per_lead"] * mk["qualified_lead_share"]
    unit_cost = de["units_per_deal"] * de["unit_cost"]
    teams = []  # (net revenue per lead, leads the minimum reps can work, deals per lead, value)
    for team in sa["teams"]:
        admin = team["admin_minutes_per_conversation"]
        best = max(tiers, key=lambda t: t["conversion_rate"] / (t["minutes"] + admin))
        conv = team["reps"]["min"] * _selling_minutes(data, team) / (best["minutes"] + admin)
        per_lead = conv_per_lead * best["conversion_rate"]
        net = per_lead * (team["average_deal_value"] - unit_cost)
        teams.append((net, conv / conv_per_lead, per_lead, team["average_deal_value"]))
    teams.sort(reverse=True)
    offers = [(0.0, mk["organic_leads_per_month"])] + sorted(
        (tier["cost_per_lead"], tier.get("leads_per_month", math.inf))
        for channel in mk["channels"]
        for tier in channel["tiers"]
    )
    room = min(mk["market_size_leads_per_month"], mk["total_addressable_market_leads"] / months)
    budget = mk["ad_budget_per_month"]
    leads = spend = deals = revenue = 0.0
    offer, left = 0, offers[0][1]
    for net, need, per_lead, value in teams:
        while need > 1e-9 and offer < len(offers) and room > 1e-9:
            price = offers[offer][0]
            if price >= net:
                break
            take = min(need, left, room, (budget - spend) / price if price else math.inf)
            if take <= 1e-9:
                if left <= 1e-9:
                    offer += 1
                    left = offers[offer][1] if offer < len(offers) else 0.0
                    continue
                break
            need, left, room = need - take, left - take, room - take
            leads, spend = leads + take, spend + take * price
            deals, revenue = deals + take * per_lead, revenue + take * per_lead * value
    organic = mk["organic_leads_per_month"]
    if leads < organic:  # organic leads arrive whether or not they are worked
        leads = min(organic, mk["market_size_leads_per_month"])
    units = deals * de["units_per_deal"]
    workers = max(1, math.ceil(units / de["units_per_worker_per_month"] * 1.02))
    productive = cal["business_days_per_month"] * cal["hours_per_day"] * 60 * (1 - su["shrinkage"])
    agents = []
    for t in range(months):
        customers = su["installed_base_customers"] + su["new_customers_per_deal"] * deals * (t + 1)
        load = customers * su["tickets_per_customer_per_month"] * su["handle_minutes_per_ticket"]
        agents.append(max(1, math.ceil(load / (productive * su["max_occupancy"]) * 1.02)))
    marketers = max(
        mk["marketers"]["min"], math.ceil(spend / mk["ad_spend_per_marketer_per_month"])
    )
    payroll = (
        sum(t["reps"]["min"] * t["reps"]["cost_per_person_per_month"] for t in sa["teams"])
        + marketers * mk["marketers"]["cost_per_person_per_month"]
        + workers * de["workers"]["cost_per_person_per_month"]
    )
    agent_cost = sum(agents) / months * su["agents"]["cost_per_person_per_month"]
    margin = revenue - units * de["unit_cost"] - payroll - spend - agent_cost
    return {
        "leads": leads,
        "ad_spend": spend,
        "deals": deals,
        "units": units,
        "workers": workers,
        "agents": agents,
        "marketers": marketers,
        "margin": margin,
    }


def _size_staff_and_goal(data: dict, rng: random.Random) -> None:
    """Headcount ranges for workers and agents, fixed bills, and a goal the floor plan meets."""
    de, su, fi = data["delivery"], data["support"], data["finance"]
    plan = floor_plan(data)
    # installers: enough for the floor plan, up to about what every team at its cap would sell
    at_cap = sum(t["reps"]["max"] for t in data["sales"]["teams"]) / max(
        1, sum(t["reps"]["min"] for t in data["sales"]["teams"])
    )
    de["workers"]["min"] = max(1, int(plan["workers"] * 0.8))
    de["workers"]["max"] = max(plan["workers"] + 1, math.ceil(plan["workers"] * at_cap * 0.7))
    su["agents"]["min"] = max(1, int(min(plan["agents"]) * 0.8))
    su["agents"]["max"] = max(max(plan["agents"]) + 1, math.ceil(max(plan["agents"]) * 1.6))
    margin = floor_plan(data)["margin"]  # the same plan: it needs no more than the minimums
    while margin <= 0:  # a company that loses money at its minimum staff is not realistic
        for team in data["sales"]["teams"]:
            team["average_deal_value"] = round(team["average_deal_value"] * 1.1, -2)
        margin = floor_plan(data)["margin"]
    # rent, vans, insurance, software: a share of what the floor plan earns, then the goal
    fi["fixed_bills_per_month"] = round(margin * rng.uniform(0.3, 0.45), -3)
    goal = (margin - fi["fixed_bills_per_month"]) * rng.uniform(0.6, 0.9)
    fi["retained_earnings_per_month"] = round(goal * 0.25, -3)
    fi["profit_target_per_month"] = max(0.0, round(goal * 0.75, -3) - 1000.0)
    data["current_targets"]["workers"] = de["workers"]["min"] + 1
    data["current_targets"]["support_agents"] = su["agents"]["min"] + 1


def to_yaml(data: dict) -> str:
    head = (
        "# Generated by benchmarks/scale.py: a scale scenario for the benchmarks "
        "(see its docstring).\n"
    )
    return head + yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)


def write(path: Path, teams: int, months: int, channels: int, seed: int = 0) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(generate(teams, months, channels, seed)), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the YAML file to write")
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--channels", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write(args.out, args.teams, args.months, args.channels, args.seed)
    print(f"{args.out}: {args.teams} teams x {args.months} months x {args.channels} channels")


if __name__ == "__main__":
    main()
