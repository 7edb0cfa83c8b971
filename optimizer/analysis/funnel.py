"""The funnel's targets, per team: each stage per rep per day, week and month, the dials and
the prospecting behind the conversations, the share of selling time booked, commission, and
the quota published from the attainment distribution.

Read from the plan's quantities and the scenario (``optimizer.model.chain.funnel`` holds the
arithmetic the model uses); a week is five business days.
"""

from __future__ import annotations

import numpy as np

from optimizer.model.chain import funnel
from optimizer.scenario.schema import Scenario

WEEK_DAYS = 5.0


def team_rows(scenario: Scenario, q: dict) -> list[tuple[str, str, np.ndarray, str]]:
    """(team, metric, values by month, unit) of every funnel target the scenario states."""
    from optimizer.analysis.targets import _ratio  # targets reads these rows: import late

    sa, cal = scenario.sales, scenario.calendar
    days = scenario.per_month(cal.business_days_per_month)
    conv = np.asarray(q["conversations"], float)
    total = conv.sum(axis=2)
    reps = np.asarray(q["reps"], float)
    working = np.asarray(q.get("reps_productive", reps), float)
    found = np.asarray(q.get("leads_found", np.zeros(total.shape)), float)
    own = np.asarray(q.get("own_lead_conversations", np.zeros(conv.shape)), float).sum(axis=2)
    stage = q.get("stage_volume")
    minutes = funnel.conversation_minutes(scenario)  # (team, tier)
    find, _, _ = funnel.prospecting_arrays(scenario)
    rows = []
    for s, team in enumerate(sa.teams):
        per_day = reps[:, s] * days

        def add(metric, values, unit, s=s, team=team):
            rows.append((team.name, metric, np.asarray(values, float), unit))

        # the dials that reach conversations, and those made to find leads
        made = {
            "conversation": (team.dials, total[:, s]),
            "prospecting": (team.prospecting.dials if team.prospecting else None, found[:, s]),
        }
        made = {k: (d, volume / d.connect_rate) for k, (d, volume) in made.items() if d}
        if made:
            dials = sum(n for _, n in made.values())
            dialing = sum(n * d.minutes_per_dial for d, n in made.values())
            add("dials_per_month", dials, "dials/month")  # every dial the team makes
            if "prospecting" in made:
                add("prospecting_dials_per_month", made["prospecting"][1], "dials/month")
            add("dials_per_rep_per_day", _ratio(dials, per_day), "dials/rep/day")
            add("dialing_minutes_per_rep_per_day", _ratio(dialing, per_day), "minutes/rep/day")
        if team.prospecting is not None:
            add("leads_found_per_month", found[:, s], "leads/month")
            add("leads_found_per_rep_per_month", _ratio(found[:, s], reps[:, s]),
                "leads/rep/month")  # fmt: skip
            add("own_lead_conversations_per_month", own[:, s], "conversations/month")
            add("bought_lead_conversations_per_month", total[:, s] - own[:, s],
                "conversations/month")  # fmt: skip
            add("prospecting_minutes_per_rep_per_day", _ratio(find[s] * found[:, s], per_day),
                "minutes/rep/day")  # fmt: skip
        for g, grade in enumerate(scenario.marketing.lead_grades):  # where each grade went
            graded = np.asarray(q["graded_conversations"], float)[:, s, :, g].sum(axis=1)
            add(f"grade_{grade.name}_conversations_per_month", graded, "conversations/month")
        for j, st in enumerate(sa.stages):
            volume = np.asarray(stage, float)[:, s, j]
            add(f"{st.name}_per_month", volume, "meetings/month")
            add(f"{st.name}_per_rep_per_week", _ratio(volume * WEEK_DAYS, per_day),
                "meetings/rep/week")  # fmt: skip
            add(f"{st.name}_per_rep_per_month", _ratio(volume, reps[:, s]), "meetings/rep/month")
        used = conv[:, s, :] @ minutes[s] + find[s] * found[:, s]
        if sa.stages:
            used = used + np.asarray(stage, float)[:, s, :] @ funnel.stage_minutes(scenario)
        selling = funnel.selling_minutes(scenario, team)  # all of it: the share booked
        add("booked_share_of_selling_time", _ratio(used, selling * working[:, s]), "share")
        value = team.average_deal_value * np.asarray(q["deals"], float)[:, s]
        if team.commission_share:
            add("commission_per_month", team.commission_share * value, "$/month")
        if team.attainment is not None:
            a = team.attainment
            quota = funnel.quota(a.mean_per_rep_per_month, a.spread_per_rep_per_month,
                                 a.share_reaching_quota)  # fmt: skip
            add("attainment_capacity_per_month", a.mean_per_rep_per_month * working[:, s],
                "$/month")  # fmt: skip
            add("published_quota_per_rep_per_month", np.full(len(days), quota), "$/rep/month")
            add(
                "share_expected_to_reach_quota",
                np.full(
                    len(days),
                    funnel.share_reaching(
                        a.mean_per_rep_per_month, a.spread_per_rep_per_month, quota
                    ),
                ),
                "share",
            )
            add("quota_over_assignment", _ratio(quota * working[:, s], value), "share")
    return rows


def notes(scenario: Scenario, targets, constraints) -> list[str]:
    """Why each team that may find its own leads does or does not: how much of each kind of
    lead the plan uses, and the limit that decides it (marketing's leads running out, or the
    rep minutes a self-found lead's conversation takes)."""
    from optimizer.scenario import labels

    out = []
    t = targets
    binding = set(constraints.loc[constraints["binding"], "name"]) if len(constraints) else set()
    supply_binds = [
        n for n in binding if n.startswith(("sales-lead_supply[", "sales-grade_supply["))
    ]
    for team in scenario.sales.teams:
        p = team.prospecting
        if p is None:
            continue

        def total(metric, team=team):
            rows = t[(t["role"] == team.name) & (t["metric"] == metric)]
            return float(rows["value"].sum())

        found, own = total("leads_found_per_month"), total("own_lead_conversations_per_month")
        bought = total("bought_lead_conversations_per_month")
        per_lead = p.minutes_per_found_lead() / (
            scenario.sales.touches_per_lead * p.qualified_share
        )
        who = f"{labels.name_words(team.name).capitalize()} team"
        time_binds = any(n.startswith("sales-selling_time[") and n.endswith(f",{team.name}]")
                         for n in binding)  # fmt: skip
        finding = (f"finding the lead of a conversation takes {labels.number(per_lead)} minutes "
                   f"of selling time")  # fmt: skip
        if own > 1e-6:
            reason = (
                "marketing's qualified leads run out (their limit binds)"
                if supply_binds
                else "the reps have the time and the conversations pay for it"
            )
            out.append(
                f"{who}: reps find {labels.number(found)} leads themselves over the plan and "
                f"hold {labels.number(own)} conversations with them, beside "
                f"{labels.number(bought)} with marketing's leads: {reason}; {finding}, and "
                f"such a conversation converts at {labels.percent(p.conversion_factor)} of "
                "the rate of one with marketing's lead."
            )
        else:
            reason = (
                "that time earns more on marketing's leads"
                if time_binds
                else "a conversation with such a lead does not pay for the rep time it takes"
            )
            out.append(f"{who}: reps find no leads themselves: {finding}, and {reason}.")
    return out
