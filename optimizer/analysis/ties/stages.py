"""The tie stages' measures, in the order they are settled (``STAGES``).

Each stage adds its columns and rows to the extension (``extension.Extension``) and returns
its cost vector over all columns so far, to be minimised (None: the stage does not apply to
this scenario). T is the number of months, t = 1..T.

1. ``steady headcount`` (integer): sum over roles (reps of each team, marketers, workers,
   agents, live-channel agents) and months t > 1 of |people[t] - people[t-1]|;
2. ``steady volumes`` (integer): sum over months t > 1 of |conversations[t] -
   conversations[t-1]| and |deals[t] - deals[t-1]| of each team, |leads[t] - leads[t-1]|
   and |ad spend[t] - ad spend[t-1]| / p, with p = max(1, the cheapest first-tier price of
   a lead) (spend counted in the leads it buys, so every term is a count);
3. ``early headcount`` (integer): sum of people[t] x t / T; it makes the headcounts unique
   (4 then 3 reps rather than 3 then 4);
4. ``even workload`` (LP, headcounts fixed): sum over months and teams of
   |conversations[t, team] / days - r[t] x reps[t, team]|, r[t] free: each team's
   conversations per rep per day against the month's common rate, weighted by its reps
   (none with fewer than two teams);
5. ``closest to today`` (LP; when the scenario states ``current_targets`` and the
   objective is not already closeness): sum of weight / scale x (over + under), with
   terms - over + under = target for each of ``objectives.target_gaps``;
6. ``earliest`` (LP): maximise sum_t (T - t + 1) / T x (leads + conversations + deals)[t]
   (a cost of minus that): of plans equal in all the above, the one that sells soonest.

``HEADCOUNT_ONLY`` names the stages whose measure is fixed once the headcounts are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from optimizer.analysis.ties.extension import Extension, changes, series, stage_cost, term_matrix
from optimizer.model.chain.common import Vars
from optimizer.model.linear import LinearModel
from optimizer.scenario.names import Objective
from optimizer.scenario.schema import Scenario


@dataclass
class Context:
    scenario: Scenario
    model: LinearModel
    v: Vars
    objective: str


# Each stage adds its columns and rows to the extension and returns its cost vector over
# all columns so far (None: the stage does not apply to this scenario).
StageFn = Callable[[Extension, Context, np.ndarray], np.ndarray | None]


def steady_headcount(ext: Extension, ctx: Context, x: np.ndarray) -> np.ndarray | None:
    parts = []
    for block in ctx.model.var_blocks.values():
        if block.integer and block.unit == "people" and block.axes[0].name == "month":
            idx = np.arange(block.start, block.start + block.size).reshape(block.shape)
            parts.append(changes(ext, idx))
    parts = [p for p in parts if len(p[0])]
    return stage_cost(ext, parts) if parts else None


def steady_volumes(ext: Extension, ctx: Context, x: np.ndarray) -> np.ndarray | None:
    v = ctx.v
    if len(v.months) < 2:
        return None
    sc = ctx.scenario
    prices = [sc.per_month(ch.tiers[0].cost_per_lead).min() for ch in sc.marketing.channels]
    per_lead = max(1.0, min(prices)) if prices else 1.0
    parts = [
        changes(ext, v["conversations"]),
        changes(ext, v["deals"]),
        changes(ext, v["leads"]),
        changes(ext, v["ad_spend"], 1.0 / per_lead),
    ]
    return stage_cost(ext, parts)


def early_headcount(ext: Extension, ctx: Context, x: np.ndarray) -> np.ndarray | None:
    parts = []
    for block in ctx.model.var_blocks.values():
        if block.integer and block.unit == "people" and block.axes[0].name == "month":
            idx = np.arange(block.start, block.start + block.size).reshape(block.shape)
            months = block.shape[0]
            weight = (np.arange(months) + 1.0) / months
            parts.append((idx, weight.reshape((months,) + (1,) * (idx.ndim - 1))))
    return stage_cost(ext, parts) if parts else None


def best_band(ext: Extension, ctx: Context, x: np.ndarray) -> np.ndarray | None:
    """Sum over months of the band's place in the list (0 the best): of plans equal in all
    else, the one whose support line runs at the better band (a band that costs the same
    staff and leaves profit the same, only cash differing, is the better one)."""
    if "service_band" not in ctx.v:
        return None
    idx = np.asarray(ctx.v["service_band"])  # (month, band, roster)
    place = np.arange(idx.shape[1], dtype=float).reshape(1, -1, 1)
    return stage_cost(ext, [(idx, place)])


def even_workload(ext: Extension, ctx: Context, x: np.ndarray) -> np.ndarray | None:
    v = ctx.v
    reps = np.round(x[v["reps"]])  # fixed from this stage on
    months, teams = reps.shape
    if teams < 2:
        return None
    days = ctx.scenario.per_month(ctx.scenario.calendar.business_days_per_month)  # each month's
    rate = ext.add_cols(months, lb=-np.inf)
    conv = v["conversations"].reshape(months, teams, -1)
    tiers = conv.shape[2]
    cols = np.concatenate(
        [conv.reshape(months * teams, tiers), np.repeat(rate, teams)[:, None]], axis=1
    )
    vals = np.concatenate(
        [
            np.broadcast_to(np.repeat(1.0 / days, teams)[:, None], (months * teams, tiers)),
            -reps.reshape(-1, 1),
        ],
        axis=1,
    )
    return stage_cost(ext, [(ext.add_abs(cols, vals), 1.0)])


def closest_to_today(ext: Extension, ctx: Context, x: np.ndarray) -> np.ndarray | None:
    from optimizer.model.chain.objectives import target_gaps

    if ctx.objective == Objective.closest_to_current:
        return None
    gaps = target_gaps(ctx.scenario, ctx.v)
    if not gaps:
        return None
    weights = ctx.scenario.current_targets.weights
    parts = []
    for gap in gaps:
        cols, vals, shape = term_matrix(gap.terms)
        count = cols.shape[0]
        over, under = ext.add_cols(count), ext.add_cols(count)
        target = np.broadcast_to(np.asarray(gap.target, float), shape).ravel()
        ext.add_rows(
            np.column_stack([cols, over, under]),
            np.column_stack([vals, -np.ones(count), np.ones(count)]),
            target,
            target,
        )
        w = weights.get(gap.name, 1.0) / np.broadcast_to(gap.scale, shape).ravel()
        parts += [(over, w), (under, w)]
    return stage_cost(ext, parts)


def earliest(ext: Extension, ctx: Context, x: np.ndarray) -> np.ndarray | None:
    v = ctx.v
    months = len(v.months)
    parts = []
    weight = -(months - np.arange(months)) / months
    for name in ("leads", "conversations", "deals"):
        s = series(v[name])
        parts.append((s, np.broadcast_to(weight[:, None, None], s.shape)))
    return stage_cost(ext, parts)


STAGES: tuple[tuple[str, StageFn, bool], ...] = (
    ("steady headcount", steady_headcount, True),
    ("steady volumes", steady_volumes, True),
    ("early headcount", early_headcount, True),
    ("best service band", best_band, True),
    ("even workload", even_workload, False),
    ("closest to today", closest_to_today, False),
    ("earliest", earliest, False),
)
"""(name, stage, integer): an integer stage may still change headcounts."""

HEADCOUNT_ONLY = ("steady headcount", "early headcount", "best service band")
"""Stages whose measure is fixed once the headcounts are: not held again as LPs."""
