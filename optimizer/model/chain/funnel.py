"""The funnel's arithmetic, read from the scenario once: every stage that uses it (the model,
the independent check, today's targets, the reports) calls these, so a rate or a minute is
defined in one place.

A team's funnel: dials (``SalesTeam.dials``) connect at the connect rate and become first
conversations of a chosen length (the conversation tiers); a tier's rate (the team's own
``conversion_rates`` where stated) is the share that reaches the first later stage
(``Sales.stages``), or becomes a deal where there are none; each stage's rate is the share that
moves on, the last one's the share that becomes a deal. Self-found leads (``prospecting``)
convert at the team's factor on the same rates.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from optimizer.scenario.schema import SalesTeam, Scenario


def selling_minutes(scenario: Scenario, team: SalesTeam) -> np.ndarray:
    """Selling minutes per rep in each month: days x (hours a day - hours lost) x 60."""
    cal = scenario.calendar
    days = scenario.per_month(cal.business_days_per_month)
    return days * (cal.hours_per_day - team.hours_lost_per_day.total()) * 60.0


def selling_minutes_per_rep(scenario: Scenario, team: SalesTeam) -> np.ndarray:
    """Bookable selling minutes per rep in each month: the selling minutes x the share of
    selling time that can be booked (``max_booked_share``)."""
    return selling_minutes(scenario, team) * team.max_booked_share


def tier_rates(scenario: Scenario) -> np.ndarray:
    """(month, team, tier): the share of a first conversation at each length that moves on
    (to the first stage, or to a deal), the team's own rates where it states them."""
    tiers = scenario.sales.conversation_tiers
    out = []
    for team in scenario.sales.teams:
        rates = team.conversion_rates or [t.conversion_rate for t in tiers]
        out.append(np.stack([scenario.per_month(r) for r in rates], axis=1))
    return np.stack(out, axis=1)


def stage_rates(scenario: Scenario) -> np.ndarray:
    """(month, stage): the share of each later stage that moves on (the last: that wins)."""
    stages = scenario.sales.stages
    n = scenario.calendar.horizon_months
    if not stages:
        return np.ones((n, 0))
    return np.stack([scenario.per_month(s.conversion_rate) for s in stages], axis=1)


def stage_minutes(scenario: Scenario) -> np.ndarray:
    """(stage,): rep minutes each later stage takes, with its admin minutes."""
    return np.array([s.minutes + s.admin_minutes for s in scenario.sales.stages])


def dial_minutes_per_conversation(team: SalesTeam) -> float:
    """Dialing minutes behind each conversation: minutes a dial / connect rate (0: no dials)."""
    return team.dials.minutes_per_dial / team.dials.connect_rate if team.dials else 0.0


def conversation_minutes(scenario: Scenario) -> np.ndarray:
    """(team, tier): rep minutes of a first conversation: its length, the admin and
    follow-up minutes, and the dialing behind it."""
    lengths = np.array([t.minutes for t in scenario.sales.conversation_tiers])
    extra = np.array(
        [
            t.admin_minutes_per_conversation
            + t.follow_up_minutes_per_conversation
            + dial_minutes_per_conversation(t)
            for t in scenario.sales.teams
        ]
    )
    return lengths[None, :] + extra[:, None]


def prospecting_teams(scenario: Scenario) -> np.ndarray:
    """(team,): True where the team's reps may find their own leads."""
    return np.array([t.prospecting is not None for t in scenario.sales.teams])


def prospecting_arrays(scenario: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(team,) arrays: minutes to find a lead, the qualified share, the conversion factor
    (a team that does not prospect: 0, 0 and 1)."""
    found = [t.prospecting for t in scenario.sales.teams]
    return (
        np.array([p.minutes_per_found_lead() if p else 0.0 for p in found]),
        np.array([p.qualified_share if p else 0.0 for p in found]),
        np.array([p.conversion_factor if p else 1.0 for p in found]),
    )


def units_per_deal(scenario: Scenario) -> np.ndarray:
    """(team,): units in a deal, the team's own where stated, else delivery's."""
    default = scenario.delivery.units_per_deal if scenario.delivery is not None else 0.0
    return np.array([t.units_per_deal or default for t in scenario.sales.teams])


def commission_shares(scenario: Scenario) -> np.ndarray:
    """(team,): the share of each closed deal's value paid to the reps as commission."""
    return np.array([t.commission_share for t in scenario.sales.teams])


def quota(mean: float, spread: float, share_reaching: float) -> float:
    """The quota that ``share_reaching`` of reps reach when a fully ramped rep's closed revenue
    is normal with ``mean`` and ``spread``: mean + spread x z(1 - share)."""
    return float(mean + spread * NormalDist().inv_cdf(1.0 - share_reaching))


def share_reaching(mean: float, spread: float, quota_value: float) -> float:
    """The share of fully ramped reps expected to reach ``quota_value``."""
    if spread <= 0:
        return 1.0 if quota_value <= mean else 0.0
    return float(1.0 - NormalDist().cdf((quota_value - mean) / spread))
