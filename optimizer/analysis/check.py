"""Independent check of a plan: every limit re-evaluated from the scenario's own inputs.

This does not read the solver's rows or the model's matrix. It takes the plan's
quantities by name (leads, conversations, reps, ...) and recomputes each limit from
the scenario, the way a sceptical analyst with a spreadsheet would. A plan that
fails here is never presented as optimal.

Each finding is named for the constraint family it recomputes
(``optimizer.scenario.families``), with its instance where the model has one per team,
month or line: ``sales-selling_time[field]`` is the worst month of the rows
``sales-selling_time[<month>,field]``, so a finding joins the constraint table on
``family``. The rules with no rows are named for the plan's quantity: ``leads >= 0``,
``reps whole``. ``labels.check_label`` words a name for a leader.
"""

from __future__ import annotations

import numpy as np

from optimizer.analysis import check_funnel, check_money
from optimizer.analysis.result import VERIFY_TOL, Verification
from optimizer.scenario.schema import Scenario


def _erlang_shortfall(volume, scheduled, shrinkage, targets, goals) -> np.ndarray:
    """How far each month misses its service level, occupancy or ASA cap (0 when met).

    Erlang C is recomputed from scratch for the agents answering (after shrinkage).
    """
    from optimizer.model import erlang

    interval, aht, within = targets
    level, occupancy_cap, asa_cap = goals
    out = []
    for v, n in zip(np.asarray(volume, float), np.round(np.asarray(scheduled, float)).astype(int)):
        v = max(v, 0.0)
        if v <= 1e-9:
            out.append(0.0)
            continue
        on = erlang.answering(int(n), shrinkage)
        if on < 1:
            out.append(1.0)
            continue
        r = erlang.service_with_agents(v, interval, aht, within, on)
        miss = max(level - r.service_level, r.occupancy - occupancy_cap)
        if asa_cap is not None:
            miss = max(
                miss, (r.asa_seconds - asa_cap) / asa_cap if np.isfinite(r.asa_seconds) else 1.0
            )
        out.append(max(miss, 0.0))
    return np.array(out)


def _in_month(value, month: int):
    """A monthly input's value in month ``month`` (index): one number is every month's."""
    return value[month] if isinstance(value, list) else value


def verify(scenario: Scenario, q: dict[str, np.ndarray]) -> Verification:
    """Largest relative violation over all limits, definitions and goals of the plan."""
    found: list[tuple[str, float]] = []

    def excess(lhs, rhs) -> np.ndarray:
        """(lhs - rhs) / max(1, |rhs|), element by element (the sides broadcast)."""
        lhs, rhs = np.asarray(lhs, float), np.asarray(rhs, float)
        return (lhs - rhs) / np.maximum(1.0, np.abs(rhs))

    def at_most(name: str, lhs, rhs) -> None:
        found.append((name, float(excess(lhs, rhs).max(initial=-np.inf))))

    def per_team(checks: list[tuple[str, np.ndarray, np.ndarray]]) -> None:
        """``lhs <= rhs`` by month and team; each team's checks in turn, named for it."""
        columns = []
        for template, lhs, rhs in checks:
            worst = excess(lhs, rhs).max(axis=0, initial=-np.inf).tolist()
            columns.append(zip([template.format(team=t.name) for t in sa.teams], worst))
        for team_checks in zip(*columns):
            found.extend(team_checks)

    def equal(name: str, lhs, rhs) -> None:
        at_most(name, lhs, rhs)
        at_most(name, rhs, lhs)

    cal, mk, sa = scenario.calendar, scenario.marketing, scenario.sales
    months = cal.month_labels()
    days, hours = scenario.per_month(cal.business_days_per_month), cal.hours_per_day
    n = len(months)

    for name, arr in q.items():
        if name not in ("profit", "cash"):  # the two money balances that may be negative
            at_most(f"{name} >= 0", -arr, 0.0)
    for name in ("reps", "marketers", "workers", "agents"):
        if name in q and f"{name}_starts" not in q:
            at_most(f"{name} whole", np.abs(q[name] - np.round(q[name])), 0.0)
    # a staffing choice is one whole roster (and band) a month
    for ch in scenario.support.live_channels if scenario.support is not None else []:
        at_most(f"{ch.name}_staffing whole", _fraction(q[f"{ch.name}_staffing"]), 0.0)
    if "ticket_closure_staffing" in q:
        at_most("ticket_closure_staffing whole", _fraction(q["ticket_closure_staffing"]), 0.0)
    _flows(scenario, q, found, at_most, equal)

    # marketing
    paid = q["paid_leads"]
    tiers = [t for c in mk.channels for t in c.tiers]
    # each tier's price and volume month by month: (month, tier), read from the scenario
    cost = np.array([[_in_month(t.cost_per_lead, m) for t in tiers] for m in range(n)])
    width = np.array(
        [[_in_month(t.leads_per_month, m) or np.inf for t in tiers] for m in range(n)]
    ).reshape(n, len(tiers))
    organic = np.array([_in_month(mk.organic_leads_per_month, m) for m in range(n)])
    equal("marketing-lead_total", q["leads"], organic + paid.sum(axis=1))
    cost = cost.reshape(n, len(tiers))
    seasonal = bool((cost != cost[:1]).any())  # one price a tier: the sum as it always was
    spend = (paid * cost).sum(axis=1) if seasonal else paid @ cost[0]
    equal("marketing-spend_total", q["ad_spend"], spend)
    at_most("marketing-tier_volume", paid, np.minimum(width, 1e300))
    budget = [_in_month(mk.ad_budget_per_month, m) for m in range(n)]
    at_most("marketing-ad_budget", q["ad_spend"], budget)
    market = [_in_month(mk.market_size_leads_per_month, m) for m in range(n)]
    at_most("marketing-market_size", q["leads"], market)
    if mk.total_addressable_market_leads is not None:
        at_most("marketing-addressable_market", q["leads"].sum(), mk.total_addressable_market_leads)
    if mk.ad_spend_per_marketer_per_month is not None:
        at_most(
            "marketing-spend_per_marketer",
            q["ad_spend"],
            mk.ad_spend_per_marketer_per_month * q.get("marketers_productive", q["marketers"]),
        )
    at_most("marketing-marketers_max", q["marketers"], mk.marketers.max)
    at_most("marketing-marketers_min", mk.marketers.min, q["marketers"])

    # sales: months x teams arrays, sides restated per team (``check_funnel``)
    deals = check_funnel.verify_sales(scenario, q, per_team, at_most, equal)
    reps = q["reps"]
    if "deals_won" in q:
        _sales_cycle(scenario, q, at_most, equal, deals)

    # delivery
    de = scenario.delivery
    total_deals = q["deals"].sum(axis=1)
    if de is not None:
        sold = check_funnel.units_sold(scenario, q)
        equal("delivery-units_total", q["units_sold"], sold)
        at_most(
            "delivery-capacity",
            q["production"],
            de.units_per_worker_per_month * q.get("workers_productive", q["workers"]),
        )
        made = np.cumsum(q["production"])
        last = len(made) - 1
        for t in range(len(made)):
            due = sold.sum() if t == last else sold[: max(0, t - de.lead_time_months + 1)].sum()
            at_most(f"delivery-on_time[{months[t]}]", due, made[t])
            if de.lead_time_months == 0:  # on time is an equality: its other side
                at_most(f"delivery-on_time[{months[t]}]", made[t], sold[: t + 1].sum())
            elif t < last:
                at_most(f"delivery-build_to_order[{months[t]}]", made[t], sold[: t + 1].sum())
        at_most("delivery-workers_max", q["workers"], de.workers.max)
        at_most("delivery-workers_min", de.workers.min, q["workers"])

    # support
    su = scenario.support
    if su is not None:
        if scenario.recurring_revenue is not None:
            customers = check_money.customers(scenario, q)["customers"]
        else:
            customers = su.installed_base_customers + su.new_customers_per_deal * np.cumsum(
                total_deals
            )
        per_customer = np.array([_in_month(su.tickets_per_customer_per_month, m) for m in range(n)])
        equal("support-ticket_total", q["tickets"], per_customer * customers)
        productive = days * hours * 60.0 * (1.0 - su.shrinkage)
        at_most(
            "support-capacity",
            su.handle_minutes_per_ticket * q["tickets"],
            productive * su.max_occupancy * q.get("agents_productive", q["agents"]),
        )
        at_most("support-agents_max", q["agents"], su.agents.max)
        at_most("support-agents_min", su.agents.min, q["agents"])
        intervals_base = days * hours * 60.0
        for ch in su.live_channels:
            contacts = (
                ch.contacts_per_customer_per_month
                * customers
                * ch.peak_factor
                / (intervals_base / ch.interval_minutes)
            )
            equal(f"support-{ch.name}_contacts_total", q[f"{ch.name}_contacts"], contacts)
            people = q[f"{ch.name}_agents"]
            if ch.agents.flows or ch.bands:  # the roster scheduled: whole
                working = q.get(f"{ch.name}_agents_productive", people)
                roster = _roster(q[f"{ch.name}_staffing"])
                at_most(f"support-{ch.name}_staffing_count", roster, working)
                if not ch.agents.flows:
                    at_most(f"support-{ch.name}_staffing_count", working, roster)
            else:
                roster = people
                at_most(f"{ch.name}_agents whole", np.abs(people - np.round(people)), 0.0)
            at_most(f"support-{ch.name}_agents_max", people, ch.agents.max)
            at_most(f"support-{ch.name}_agents_min", ch.agents.min, people)
            at_most(
                f"support-{ch.name}_service_level",
                _band_shortfall(scenario, q, bool(ch.bands), ch.levels(), contacts, roster, ch.shrinkage,
                                (ch.interval_minutes, ch.handle_seconds),
                                (ch.max_occupancy, ch.max_asa_seconds), "answer_within_seconds"),
                0.0,
            )  # fmt: skip
        if su.ticket_closure is not None:
            c = su.ticket_closure
            per_day = q["tickets"] / days
            roster = q["agents"]
            if su.agents.flows or c.bands:
                roster = _roster(q["ticket_closure_staffing"])
                working = q.get("agents_productive", q["agents"])
                at_most("support-ticket_closure_staffing_count", roster, working)
                if not su.agents.flows:
                    at_most("support-ticket_closure_staffing_count", working, roster)
            at_most(
                "support-ticket_closure_service_level",
                _band_shortfall(scenario, q, bool(c.bands), c.levels(), per_day, roster, su.shrinkage,
                                (hours * 60.0, su.handle_minutes_per_ticket * 60.0),
                                (su.max_occupancy, None), "within_hours"),
                0.0,
            )  # fmt: skip

    # finance
    fi = scenario.finance
    value = np.array([t.average_deal_value for t in sa.teams])
    revenue = q["deals"] @ value
    if scenario.recurring_revenue is not None:
        revenue = revenue + q["recurring_revenue"]
    equal("finance-revenue_total", q["revenue"], revenue)
    payroll = reps @ np.array([t.reps.cost_per_person_per_month for t in sa.teams])
    payroll = payroll + mk.marketers.cost_per_person_per_month * q["marketers"]
    if de is not None:
        payroll = payroll + de.workers.cost_per_person_per_month * q["workers"]
    if su is not None:
        payroll = payroll + su.agents.cost_per_person_per_month * q["agents"]
        for ch in su.live_channels:
            payroll = payroll + ch.agents.cost_per_person_per_month * q[f"{ch.name}_agents"]
    payroll = payroll + check_funnel.commission(scenario, q)
    equal("finance-payroll_total", q["payroll"], payroll)
    cogs = de.unit_cost * q["production"] if de is not None else np.zeros_like(q["revenue"])
    equal("finance-cogs_total", q["cogs"], cogs)
    moves = _hiring_costs(scenario, q)
    if "hiring_costs" in q:
        equal("finance-hiring_costs_total", q["hiring_costs"], moves)
    profit = q["revenue"] - cogs - payroll - q["ad_spend"] - moves - fi.fixed_bills_per_month
    equal("finance-profit_total", q["profit"], profit)
    check_money.verify_money(scenario, q, at_most, equal)
    goal = fi.retained_earnings_per_month + fi.profit_target_per_month
    if fi.goal_period == "month":
        at_most("finance-profit_goal", goal, profit)
    else:
        at_most("finance-profit_goal", goal * len(profit), profit.sum())

    worst_name, worst = max(found, key=lambda item: item[1])
    worst = max(worst, 0.0)
    broken = tuple(dict.fromkeys(name for name, excess in found if excess > VERIFY_TOL))
    return Verification(
        ok=worst <= VERIFY_TOL,
        max_violation=worst,
        worst=worst_name,
        checked=len(found),
        violations=broken,
    )


def _fraction(staffing) -> np.ndarray:
    """How far each month's staffing choice is from one whole choice: each binary's
    distance from 0 or 1, and the choices' sum's from 1."""
    staffing = np.asarray(staffing, float)
    per_month = staffing.reshape(len(staffing), -1)
    apart = np.abs(per_month - np.round(per_month)).max(axis=1, initial=0.0)
    return np.maximum(apart, np.abs(per_month.sum(axis=1) - 1.0))


def _roster(staffing) -> np.ndarray:
    """The whole agents scheduled each month, from the staffing choice (month, [band,] N)."""
    staffing = np.asarray(staffing, float)
    n = staffing.shape[0]
    counts = np.arange(staffing.shape[-1])
    return (staffing.reshape(n, -1, staffing.shape[-1]) @ counts).sum(axis=1)


def _band_shortfall(scenario, q, banded, levels, volume, roster, shrinkage, line, caps, within):
    """The Erlang shortfall of each month at the target of the band it ran at (a line without
    bands runs at its one target); a best-effort band has only the occupancy cap."""
    band = check_money.chosen_band(scenario, q) if banded else None
    out = np.zeros(len(np.asarray(volume)))
    for b, level in enumerate(levels):
        months = np.ones_like(out, bool) if band is None else band == b
        if not months.any():
            continue
        wait = getattr(level, within) or 1.0
        wait = wait * 3600.0 if within == "within_hours" else wait
        short = _erlang_shortfall(np.asarray(volume, float)[months],
                                  np.asarray(roster, float)[months], shrinkage,
                                  (*line, wait), (level.service_level or 0.0, *caps))  # fmt: skip
        out[months] = short
    return out


def _roles(scenario: Scenario) -> list[tuple[str, str, tuple]]:
    """(headcount variable, family prefix, headcounts) of every role."""
    return [(r.var, f"{r.department}-{r.var}", r.staff) for r in scenario.roles()]


def _flows(scenario: Scenario, q: dict, found: list, at_most, equal) -> None:
    """The workforce flow of every role with an opening headcount, recomputed month by month
    from its hires and departures (``optimizer.model.chain.workforce``)."""
    for var, family, heads in _roles(scenario):
        flowing = [i for i, h in enumerate(heads) if h.flows]
        if not flowing:
            continue
        n = len(q[var])
        people = np.asarray(q[var], float).reshape(n, -1)
        starts = np.asarray(q[f"{var}_starts"], float).reshape(n, -1)
        leaving = np.asarray(q[f"{var}_departures"], float).reshape(n, -1)
        at_most(f"{var}_starts whole", np.abs(starts - np.round(starts)), 0.0)
        at_most(f"{var}_departures whole", np.abs(leaving - np.round(leaving)), 0.0)
        fixed = [i for i, h in enumerate(heads) if not h.flows]
        if fixed:
            at_most(f"{var} whole", np.abs(people[:, fixed] - np.round(people[:, fixed])), 0.0)
        going = np.asarray(q[f"{var}_going"], float).reshape(n, -1)
        room = np.array([float(heads[i].max + (heads[i].opening or 0)) for i in flowing])
        at_most(f"{family}_hiring_month", starts, room * (1.0 - going))
        at_most(f"{family}_leaving_month", leaving, room * going)
        at_most(f"{family}_leaving_marked", going, leaving)
        productive = q.get(f"{var}_productive")
        productive = None if productive is None else np.asarray(productive, float).reshape(n, -1)
        for e, i in enumerate(flowing):
            h = heads[i]
            keep = 1.0 - h.attrition_per_month
            expected = np.empty(n)
            before = float(h.opening)
            for t in range(n):
                before = keep * before + starts[t, e] - leaving[t, e]
                expected[t] = before
            equal(f"{family}_flow", people[:, i], expected)
            ready = np.zeros(n)
            ready[: min(len(h.already_hired), n)] = h.already_hired[:n]
            lead = min(h.hiring_lead_time_months, n)
            if lead:
                at_most(f"{family}_hiring_lead_time", starts[:lead, e], ready[:lead])
            if h.max_hires_per_month is not None and lead < n:
                at_most(f"{family}_hires_max", starts[lead:, e], h.max_hires_per_month)
            if h.max_departures_per_month is not None:
                at_most(f"{family}_departures_max", leaving[:, e], h.max_departures_per_month)
            if productive is not None:
                short = np.zeros(n)
                for k, r in enumerate(h.ramp):
                    short[k:] += (1.0 - r) * keep**k * starts[: n - k, e]
                at_most(f"{family}_ramp", productive[:, i], people[:, i] - short)
        if productive is not None:
            for i in fixed:
                at_most(f"{family}_ramp", productive[:, i], people[:, i])
            ramping = np.asarray(q[f"{var}_ramping"], float).reshape(n, -1)
            equal(f"{family}_productive_total", productive, people - ramping)


def _sales_cycle(scenario: Scenario, q: dict, at_most, equal, won: np.ndarray) -> None:
    """Deals close over the months after they are won, by each team's close profile, plus the
    opening pipeline; the deals open at the end count at the horizon-end share."""
    teams = scenario.sales.teams
    n = len(won)
    closing = np.zeros_like(won)
    still_open = np.zeros(len(teams))
    for s, team in enumerate(teams):
        profile = team.close_profile or [1.0]
        for u in range(n):
            for k, share in enumerate(profile):
                if u + k < n:
                    closing[u + k, s] += share * won[u, s]
                else:
                    still_open[s] += share * won[u, s]
        closing[: len(team.opening_pipeline), s] += team.opening_pipeline
    equal("sales-deal_closing", q["deals"], closing)
    value = np.array([t.average_deal_value for t in teams])
    credit = scenario.horizon_end.open_pipeline_value_share * float(still_open @ value)
    equal("finance-open_pipeline_total", q["open_pipeline_value"], credit)


def _hiring_costs(scenario: Scenario, q: dict) -> np.ndarray:
    """Each month's cost of hires starting and people let go, recomputed from the scenario."""
    total = np.zeros(len(q["revenue"]))
    for var, _, heads in _roles(scenario):
        flowing = [h for h in heads if h.flows]
        if not flowing:
            continue
        n = len(total)
        starts = np.asarray(q[f"{var}_starts"], float).reshape(n, -1)
        leaving = np.asarray(q[f"{var}_departures"], float).reshape(n, -1)
        total += starts @ np.array([h.cost_per_hire for h in flowing])
        total += leaving @ np.array([h.cost_per_departure for h in flowing])
    return total
