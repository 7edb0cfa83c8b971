"""Sales: reps hold conversations of chosen length with qualified leads; some become deals.

Rows, with their equations in ``optimizer.scenario.families``: sales-selling_time,
-lead_supply, -quality_floor (no conversation shorter than the floor), -deal_total and each
team's reps; with a funnel, -stage_entry and -stage_flow (later stages), -own_leads and
-own_within (self-found leads), -attainment (what reps close on average), and -deal_closing
(a sales cycle). The funnel's rates and minutes are read in ``funnel``: a rep's bookable
selling minutes in a month are business days x (hours a day - hours lost) x 60 x the share
that can be booked; a first conversation costs its length plus admin, follow-up and dialing
minutes.
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain import funnel
from optimizer.model.chain.common import Vars, add_family, add_headcount, headcount_arrays
from optimizer.model.chain.funnel import selling_minutes_per_rep
from optimizer.model.linear import LinearModel
from optimizer.scenario.names import QUALITY_FLOOR
from optimizer.scenario.schema import Scenario

DEPT = "sales"


def tier_labels(scenario: Scenario) -> list[str]:
    return [f"{t.minutes:g}min" for t in scenario.sales.conversation_tiers]


def entry_family(scenario: Scenario) -> str:
    """The family whose rows turn first conversations into what comes next: the first later
    stage's volume where the funnel has stages, else the deals."""
    return f"{DEPT}-stage_entry" if scenario.sales.stages else f"{DEPT}-deal_total"


def add(model: LinearModel, scenario: Scenario, v: Vars) -> None:
    sa = scenario.sales
    months = v.months
    teams = [t.name for t in sa.teams]
    minutes = funnel.conversation_minutes(scenario)  # (team, tier)
    rate = funnel.tier_rates(scenario)  # (month, team, tier)
    selling = np.stack([selling_minutes_per_rep(scenario, t) for t in sa.teams], axis=1)
    lo, hi, _ = headcount_arrays([t.reps for t in sa.teams])
    axes = [("month", months), ("team", teams)]

    add_headcount(
        model,
        v,
        var="reps",
        department=DEPT,
        role="sales reps",
        axes=axes,
        minimum=lo,
        maximum=hi,
        path="sales.teams[{team}].reps",
        staff=[t.reps for t in sa.teams],
    )
    conv = model.add_vars(
        "conversations", axes + [("tier", tier_labels(scenario))], unit="conversations"
    )
    deals = model.add_vars("deals", axes, unit="deals")
    v["conversations"], v["deals"] = conv, deals
    time_terms = [(minutes[None, :, :], conv)]
    bought = [(1.0, conv)]  # conversations with marketing's leads
    produced = [(rate, conv)]  # what first conversations send on (to a stage or a deal)
    if funnel.prospecting_teams(scenario).any():
        time_terms, bought, produced = _add_prospecting(
            model, scenario, v, axes, rate, time_terms, bought, produced
        )
    if sa.stages:
        stage = model.add_vars(
            "stage_volume", axes + [("stage", [s.name for s in sa.stages])], unit="meetings"
        )
        v["stage_volume"] = stage
        time_terms.append((funnel.stage_minutes(scenario)[None, None, :], stage))

    plain = not (sa.stages or "leads_found" in v) and all(
        t.dials is None and not t.follow_up_minutes_per_conversation and t.max_booked_share == 1
        for t in sa.teams
    )
    add_family(
        model,
        f"{DEPT}-selling_time",
        variant="" if plain else "funnel",
        axes=axes,
        lhs=time_terms,
        sense="<=",
        rhs_terms=[(selling, v.working("reps"))],
    )
    if scenario.marketing.lead_grades:
        produced = _add_grades(model, scenario, v, axes, rate, produced)
    else:
        add_family(
            model,
            f"{DEPT}-lead_supply",
            variant="own leads" if "leads_found" in v else "",
            axes=[("month", months)],
            lhs=[(c, x) for c, x in bought],
            sense="<=",
            rhs_terms=[(sa.touches_per_lead * scenario.marketing.qualified_lead_share, v["leads"])],
        )
    below = np.array([t.minutes for t in sa.conversation_tiers]) < (
        sa.min_minutes_per_quality_conversation
    )
    if below.any():
        add_family(
            model,
            f"{DEPT}-quality_floor",
            axes=axes,
            lhs=[(1.0, conv[:, :, below])],
            sense="<=",
            rhs=0.0,
            parameter=QUALITY_FLOOR,
        )
    cycle = has_sales_cycle(scenario)
    if cycle:
        v["deals_won"] = model.add_vars("deals_won", axes, unit="deals")
    won = v["deals_won"] if cycle else deals
    if sa.stages:
        _add_stages(model, scenario, v, axes, produced, won, cycle)
    else:
        add_family(
            model,
            f"{DEPT}-deal_total",
            variant="sales cycle" if cycle else "",
            axes=axes,
            lhs=[(1.0, won)],
            sense="==",
            rhs_terms=produced,
        )
    if cycle:
        _add_closing(model, scenario, axes, deals, won)
    _add_attainment(model, scenario, v, months)


def _add_prospecting(model, scenario, v, axes, rate, time_terms, bought, produced):
    """Reps find their own leads (``SalesTeam.prospecting``):

    found[t,s] leads cost minutes per found lead each, in the selling time;
    sum_k own[t,s,k] <= touches per lead * qualified share_s * found[t,s];
    own[t,s,k] <= conversations[t,s,k]; the rest need marketing's leads;
    an own conversation converts at the team's factor times the tier's rate.
    """
    find, qualified, factor = funnel.prospecting_arrays(scenario)
    teams = funnel.prospecting_teams(scenario)
    found = model.add_vars("leads_found", axes, ub=np.where(teams, np.inf, 0.0)[None, :],
                           unit="leads")  # fmt: skip
    tiers = [("tier", tier_labels(scenario))]
    own = model.add_vars("own_lead_conversations", axes + tiers, unit="conversations")
    v["leads_found"], v["own_lead_conversations"] = found, own
    add_family(
        model,
        f"{DEPT}-own_leads",
        axes=axes,
        lhs=[(1.0, own)],
        sense="<=",
        rhs_terms=[(scenario.sales.touches_per_lead * qualified[None, :], found)],
    )
    if not scenario.marketing.lead_grades:  # with grades, the split row holds it
        add_family(
            model,
            f"{DEPT}-own_within",
            axes=[*axes, *tiers],
            lhs=[(1.0, own), (-1.0, v["conversations"])],
            sense="<=",
            rhs=0.0,
        )
    return (
        [*time_terms, (find[None, :], found)],
        [*bought, (-1.0, own)],
        [*produced, ((factor - 1.0)[None, :, None] * rate, own)],
    )


def _add_grades(model, scenario, v, axes, rate, produced) -> list:
    """Marketing's qualified leads come in grades (``Marketing.lead_grades``), each its share
    of the qualified leads and its own conversion; the plan routes each grade to the teams:

        sum_g graded[t,s,k,g] + own[t,s,k] = conversations[t,s,k]
        sum_{s,k} graded[t,s,k,g] <= touches per lead * qualified share * share_g * leads[t]
        a conversation with a grade-g lead converts at factor_g times the tier's rate.
    """
    grades = scenario.marketing.lead_grades
    tiers = [("tier", tier_labels(scenario))]
    names = [("grade", [g.name for g in grades])]
    graded = model.add_vars("graded_conversations", [*axes, *tiers, *names], unit="conversations")
    v["graded_conversations"] = graded
    own = [(1.0, v["own_lead_conversations"])] if "own_lead_conversations" in v else []
    add_family(
        model,
        f"{DEPT}-grade_split",
        axes=[*axes, *tiers],
        lhs=[(1.0, graded), *own],
        sense="==",
        rhs_terms=[(1.0, v["conversations"])],
    )
    months = axes[0]
    share = np.array([g.share for g in grades])
    mk = scenario.marketing
    add_family(
        model,
        f"{DEPT}-grade_supply",
        axes=[months, *names],
        lhs=[(1.0, np.moveaxis(graded, 3, 1))],  # (month, grade, team, tier), summed
        sense="<=",
        rhs_terms=[
            (
                scenario.sales.touches_per_lead * mk.qualified_lead_share * share[None, :],
                np.repeat(v["leads"][:, None], len(grades), axis=1),
            )
        ],  # fmt: skip
    )
    factor = np.array([g.conversion_factor for g in grades])
    return [*produced, ((factor - 1.0)[None, None, None, :] * rate[..., None], graded)]


def _add_stages(model, scenario, v, axes, produced, won, cycle) -> None:
    """Later stages (``Sales.stages``):

    stage[t,s,0] = sum_k tier rate[t,s,k] * conversations[t,s,k] (own leads at their factor)
    stage[t,s,j] = stage rate[t,j-1] * stage[t,s,j-1]
    deals won[t,s] = stage rate[t,last] * stage[t,s,last]
    """
    stage = v["stage_volume"]
    rates = funnel.stage_rates(scenario)  # (month, stage)
    add_family(
        model, f"{DEPT}-stage_entry", axes=axes, lhs=[(1.0, stage[:, :, 0])], sense="==",
        rhs_terms=produced,
    )  # fmt: skip
    if stage.shape[2] > 1:
        later = [("stage", [s.name for s in scenario.sales.stages][1:])]
        add_family(
            model, f"{DEPT}-stage_flow", axes=[*axes, *later], lhs=[(1.0, stage[:, :, 1:])],
            sense="==", rhs_terms=[(rates[:, None, :-1], stage[:, :, :-1])],
        )  # fmt: skip
    add_family(
        model,
        f"{DEPT}-deal_total",
        variant="stages",
        axes=axes,
        lhs=[(1.0, won)],
        sense="==",
        rhs_terms=[(rates[:, -1:], stage[:, :, -1])],
    )


def _add_closing(model, scenario, axes, deals, won) -> None:
    """deals[t, s] = sum_u share[t - u, s] * won[u, s] + opening pipeline[t, s]."""
    n = len(axes[0][1])
    teams = len(axes[1][1])
    share, pipeline = close_shares(scenario), opening_pipeline(scenario)
    closing = np.zeros((n, teams, n))
    for u in range(n):
        for t in range(u, n):
            closing[t, :, u] = share[t - u]
    add_family(
        model,
        f"{DEPT}-deal_closing",
        axes=axes,
        lhs=[(1.0, deals)],
        sense="==",
        rhs_terms=[(closing, np.moveaxis(np.broadcast_to(won, (n, n, teams)), 1, 2))],
        rhs=pipeline,
    )


def _add_attainment(model, scenario, v, months) -> None:
    """deal value_s * deals won[t,s] <= mean attainment_s * productive reps[t,s], for each
    team with an attainment (``SalesTeam.attainment``): what its reps win, on average. With
    a sales cycle, the deals won in the month (closing later); the opening pipeline, won
    before the plan, does not count against the plan's reps."""
    idx = [s for s, t in enumerate(scenario.sales.teams) if t.attainment is not None]
    if not idx:
        return
    teams = [scenario.sales.teams[s] for s in idx]
    value = np.array([t.average_deal_value for t in teams])
    mean = np.array([t.attainment.mean_per_rep_per_month for t in teams])
    add_family(
        model,
        f"{DEPT}-attainment",
        axes=[("month", months), ("team", [t.name for t in teams])],
        lhs=[(value[None, :], v["deals_won"][:, idx] if "deals_won" in v else v["deals"][:, idx])],
        sense="<=",
        rhs_terms=[(mean[None, :], v.working("reps")[:, idx])],
    )


def has_sales_cycle(scenario: Scenario) -> bool:
    """True when some team's deals close after the month they are won, or some team has
    an opening pipeline (``SalesTeam.close_profile``, ``opening_pipeline``)."""
    return any(
        len(t.close_profile) > 1
        or t.opening_pipeline
        or (t.close_profile and t.close_profile[0] < 1)
        for t in scenario.sales.teams
    )


def close_shares(scenario: Scenario) -> np.ndarray:
    """(months, teams): the share of a month's won deals closing k = 0, 1, ... months later
    (a team without a profile closes every deal in the month it is won)."""
    n = scenario.calendar.horizon_months
    out = np.zeros((n, len(scenario.sales.teams)))
    for s, team in enumerate(scenario.sales.teams):
        profile = team.close_profile or [1.0]
        out[: min(len(profile), n), s] = profile[:n]
    return out


def opening_pipeline(scenario: Scenario) -> np.ndarray:
    """(months, teams): deals won before the plan expected to close in each month."""
    n = scenario.calendar.horizon_months
    out = np.zeros((n, len(scenario.sales.teams)))
    for s, team in enumerate(scenario.sales.teams):
        out[: len(team.opening_pipeline), s] = team.opening_pipeline
    return out


def open_at_end(scenario: Scenario) -> np.ndarray:
    """(months, teams): the share of a month's won deals still open when the plan ends
    (closing after its last month)."""
    n = scenario.calendar.horizon_months
    out = np.zeros((n, len(scenario.sales.teams)))
    for s, team in enumerate(scenario.sales.teams):
        profile = np.asarray(team.close_profile or [1.0])
        for u in range(n):
            out[u, s] = profile[n - u :].sum() if n - u < len(profile) else 0.0
    return out
