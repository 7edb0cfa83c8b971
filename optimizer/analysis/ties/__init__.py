"""Ties: among equally good plans, one chosen by a stated order, whichever solver runs.

Many plans often reach the same optimum (leads moved between months, a technician hired
in May instead of April). A solver returns whichever it meets first, so without a rule the
published targets would depend on the solver. After the leader's objective is solved, the
plan is chosen lexicographically; each stage minimises its own measure while the leader's
objective and every earlier stage's measure are kept:

0. the leader's objective (profit, cost or closeness to today), solved as before;
1. ``steady headcount`` (integer): sum over roles (reps of each team, marketers, workers,
   agents, live-channel agents) and months t > 1 of |people[t] - people[t-1]|;
2. ``steady volumes`` (integer): sum over months t > 1 of |conversations[t] -
   conversations[t-1]| and |deals[t] - deals[t-1]| of each team, |leads[t] - leads[t-1]|
   and |ad spend[t] - ad spend[t-1]| / p, with p the cheapest first-tier price of a lead
   (spend counted in the leads it buys, so every term is a count);
3. ``early headcount`` (integer): sum of people[t] x t / T; it makes the headcounts unique
   (4 then 3 reps rather than 3 then 4);
3b. ``best service band`` (integer; where a support line has service bands): the sum over
   months of the band's place in the list, best first: of equal plans, the better band (two
   bands with the same roster and no cost between them differ only in cash);
4. the headcounts are fixed: the leader's fixed LP is solved (its duals and ranging are the
   plan's), and the model is restricted to that LP's optimal face (``face``); stage 2's
   measure is solved again on it and held;
5. ``even workload`` (LP): sum over months and teams of |conversations[t, team] / days -
   r[t] x reps[t, team]|, r[t] free: each team's conversations per rep per day against the
   month's common rate, weighted by its reps;
6. ``closest to today`` (LP; when the scenario states ``current_targets`` and the
   objective is not already closeness): the weighted relative deviation of
   ``objectives.target_gaps``;
7. ``earliest`` (LP): maximise sum_t (T - t) / T x (leads + conversations + deals)[t]: of
   plans equal in all the above, the one that sells soonest.

Every stage is the same ``ModelArrays`` (extra columns for the absolute values, extra rows
for their definitions and the held measures, a new cost vector) handed to the plan's
backend's ``solve``, so HiGHS, CBC and OR-Tools go through the same stages (PDLP's LP stages
use GLOP; an LP stage a backend does not answer well is solved again with HiGHS, and a note
says so). Shadow prices, ranging and marginal values stay the leader's: the LP of the
original model with the final plan's headcounts fixed.

A plan proven only within a gap above ``OPTIMAL_GAP`` (``solvers.GAP_POLICY`` for a large
model, or ``--mip-gap``) gets no integer stage: which plans are as good as it is not known,
and the search cost more than the plan itself (1 000 teams x 24 months: 32 s after a 12 s
solve). Its LP stages run; a note says so.

Holding. In the integer stages the leader's objective and each finished stage are held by a
row ``measure <= z + (gap + HOLD_TOL) x max(1, |z|) + HOLD_ABS``, gap the MIP gap proven;
for the leader's objective at most ``OPTIMAL_GAP``: a plan proven only within the looser
gap of a large model (``solvers.GAP_POLICY``) keeps its own value, so breaking a tie never
costs money (at 5e-3 the 200-team plan went from 0.415 % to 0.706 % below the bound).
The LP stages need no such row for the objective: on the optimal face (complementary
slackness with the leader's duals) every point has the optimal objective, so the plan's
objective is the optimum to rounding, within the MIP gap; earlier LP measures are held by
the same row with gap 0.

The parts: ``stages`` (the measures and their order), ``extension`` (the columns and rows a
stage adds), ``holding`` (the rows that keep settled measures), ``face`` (the optimal face),
``fixed_lp`` (the leader's LP at the plan's headcounts, for the duals), ``lp_engine`` (who
answers an LP stage, and when that answer is used); ``settle`` here runs them in order
within the time budget (``TIE_SHARE``, ``TIE_SECONDS_MIN``).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from optimizer.analysis.result import OPTIMAL_GAP, VERIFY_TOL
from optimizer.analysis.ties.extension import Extension, pad
from optimizer.analysis.ties.face import FACE_TOL, optimal_face
from optimizer.analysis.ties.fixed_lp import Shifted, fix_headcounts, for_engine, primary_duals
from optimizer.analysis.ties.holding import HOLD_ABS, HOLD_TOL, hold
from optimizer.analysis.ties.lp_engine import GOOD_TOL, good, lp_engine
from optimizer.analysis.ties.stages import (
    HEADCOUNT_ONLY,
    STAGES,
    Context,
    StageFn,
    closest_to_today,
    earliest,
    early_headcount,
    even_workload,
    steady_headcount,
    steady_volumes,
)
from optimizer.model.chain.common import Vars
from optimizer.model.linear import LinearModel, ModelArrays
from optimizer.runtime.deadline import Deadline
from optimizer.scenario.schema import Scenario
from optimizer.solvers import Backend, SolverOutput, Status

__all__ = [
    "FACE_TOL",
    "GOOD_TOL",
    "HEADCOUNT_ONLY",
    "HOLD_ABS",
    "HOLD_TOL",
    "STAGES",
    "TIE_SECONDS_MIN",
    "TIE_SHARE",
    "Context",
    "StageFn",
    "closest_to_today",
    "earliest",
    "early_headcount",
    "even_workload",
    "settle",
    "steady_headcount",
    "steady_volumes",
]

TIE_SHARE = 1.0
TIE_SECONDS_MIN = 30.0
"""A safety net, not the rule: choosing among equally good plans may take at most TIE_SHARE
times the plan's own solve (at least TIE_SECONDS_MIN seconds), within the answer's time
limit. Which stages run is decided by the model's size (``solve.tie_stages``), so results
do not depend on the machine's load; the bundled scenarios need 3 ms to 0.2 s. A stage the
budget stops keeps the last settled plan (still the leader's optimum) with a note."""


def settle(
    scenario: Scenario,
    model: LinearModel,
    v: Vars,
    arrays: ModelArrays,
    out: SolverOutput,
    engine: Backend,
    *,
    objective: str,
    deadline: Deadline | None = None,
    duals: bool = True,
    ranging: bool = True,
    options: dict | None = None,
    stages: int | None = None,
) -> SolverOutput:
    """The plan ``out`` (the leader's optimum) replaced by the one the tie order picks.

    ``stages`` runs only the first so many tie stages (None: all). If time runs out or a
    stage fails, the last finished stage's plan is kept and a note says so. Duals, ranging
    and the fixed LP are those of the original objective at the final plan's headcounts,
    solved by the backend's fixed-LP step (``Backend.solve_fixed``). ``options`` are the
    user's options for the whole-number model (``--mip-gap``): they go to the integer
    stages on a backend that ``takes_mip_gap``, to nothing else.

    Integer stages hold the leader's objective (and each other's measure) by a row with
    the proven gap as slack. Once the headcounts are fixed, the leader's fixed LP is solved
    (it gives the duals) and the LP stages are restricted to its optimal face exactly, by
    complementary slackness: every column with a nonzero reduced cost is fixed at its
    bound, every row with a nonzero dual is held at its active limit. Every point of that
    face has the fixed LP's optimal objective, so no LP stage gives up any of it.
    """
    out.settled = True
    if out.status is not Status.OPTIMAL or out.x is None or not _whole(out.x, arrays):
        return out  # no plan, or one the independent check will refuse: nothing to choose
    deadline = deadline or Deadline()
    budget = Deadline(max(TIE_SECONDS_MIN, TIE_SHARE * out.times.get("solve", 0.0)))

    def time_left() -> float | None:
        left = deadline.remaining()
        return budget.remaining() if left is None else min(left, budget.remaining())

    t_start = time.perf_counter()
    times = dict(out.times)
    ctx = Context(scenario, model, v, objective)
    ext = Extension(arrays)
    n = arrays.num_vars
    is_mip = bool(arrays.integer.any())
    sign = 1.0 if arrays.sense == "min" else -1.0
    primary = sign * arrays.solver_cost()
    x_ext = out.x
    # the leader's objective is held at the plan's own value: a tie is broken among plans
    # as good as this one, never by giving up money the looser gap of a large model allows
    held = [hold(primary, x_ext, min(out.mip_gap or 0.0, OPTIMAL_GAP))] if is_mip else []
    notes: list[str] = []
    done: list[tuple[str, np.ndarray]] = []  # finished stages and their costs
    extra = options or {}
    chosen = list(STAGES if stages is None else STAGES[:stages])
    gap = out.mip_gap or 0.0
    if is_mip and gap > OPTIMAL_GAP and any(whole for _, _, whole in chosen):
        # a plan proven only within a gap (a large model's policy, --mip-gap): the plans as
        # good as it are not known, so there is no tie among whole numbers to break
        chosen = [c for c in chosen if not c[2]]
        notes.append(
            f"ties: the whole numbers are the solver's: the plan is proven only within "
            f"{gap:.3%} of the best, so the plans as good as it are not known (a search for "
            "them would be as hard as the plan's own)"
        )
    lp = None  # the leader's fixed LP at the final headcounts (an LP: the LP itself)
    stage_lp_engine = lp_engine(engine)
    if not is_mip:
        lp = out
        if out.row_shadow is None or out.col_shadow is None:  # the face needs the duals
            t0 = time.perf_counter()
            lp = engine.solve_fixed(
                for_engine(arrays, engine), arrays.lb, arrays.ub, ranging=ranging
            )
            times["fixed_lp"] = time.perf_counter() - t0
            if lp.status is not Status.OPTIMAL or lp.row_shadow is None:
                out.notes = (*out.notes, _stopped([], STAGES[0][0], lp.solver_status))
                return out
            x_ext = lp.x
        ext.base = optimal_face(arrays, lp, arrays.lb, arrays.ub)

    def run(cost, held, integer_stage):
        nonlocal stage_lp_engine
        a = ext.arrays(pad(cost, ext.num_vars), held)
        use = engine if integer_stage else stage_lp_engine
        # the user's options for the whole-number model (--mip-gap), where the backend takes them
        kwargs = {"options": extra} if extra and use.takes_mip_gap and a.integer.any() else {}
        result = use.solve(a, time_limit=time_left(), duals=False, ranging=False, **kwargs)
        if not integer_stage and use.name != "highs" and not good(result, a):
            from optimizer.solvers import backend as solver_backend

            notes.append(
                f"tie stages: {stage_lp_engine.name} answered {result.solver_status} on a tie "
                f"stage's LP; the tie stages' LPs were solved with HiGHS on {engine.name}'s "
                "whole numbers"
            )
            stage_lp_engine = solver_backend("highs")
            result = stage_lp_engine.solve(a, time_limit=time_left(), duals=False, ranging=False)
        return result

    for name, stage, integer_stage in chosen:
        if deadline.expired():
            notes.append(_stopped(done, name, "the time limit ran out"))
            break
        if budget.expired():
            why = f"the {budget.seconds:,.1f} s allowed for choosing, as long as the solve, ran out"
            notes.append(_stopped(done, name, why))
            break
        if is_mip and not integer_stage and lp is None:
            lp, held, x_ext, why = fix_headcounts(
                arrays, x_ext, out, engine, ranging, times, ext, done, run
            )
            if why:
                notes.append(_stopped(done, name, why))
                break
        cost = stage(ext, ctx, x_ext[:n])
        if cost is None or not np.any(cost):
            continue
        result = run(cost, held, integer_stage and is_mip)
        if result.status is not Status.OPTIMAL or result.x is None:
            why = (
                "the time allowed for choosing ran out"
                if result.status is Status.TIME_LIMIT
                else f"the solver answered {result.solver_status}"
            )
            notes.append(_stopped(done, name, why))
            break
        x_ext = result.x
        held.append(hold(pad(cost, len(x_ext)), x_ext, result.mip_gap))
        done.append((name, cost))
    if stages is not None and stages < len(STAGES) and not [m for m in notes if m[:5] == "ties:"]:
        left = ", ".join(f"'{name}'" for name, _, _ in STAGES[stages:])
        notes.append(
            f"ties: the plan was chosen among equally good ones only partly: on a model of "
            f"{n:,} variables only the first {stages} tie stage(s) ran ({left} did not); "
            "its targets other than headcounts may depend on the solver"
        )
    x = x_ext[:n]
    times["ties"] = time.perf_counter() - t_start
    if lp is None and duals and is_mip:
        # headcounts never fixed here (integer stages only, or a stop): the fixed LP now
        lp_out, lp = primary_duals(arrays, x, out, engine, ranging, times)
        if lp_out.status is not Status.OPTIMAL:  # no plan: an error that says why
            return replace(lp_out, notes=(*out.notes, *notes), settled=True)
        x = lp.x  # the continuous part as the leader's LP leaves it
    elif lp is None:
        lp = out  # integer stages only, no duals asked for
    settled = replace(
        lp,
        x=x,
        objective=arrays.objective(x),
        mip_gap=out.mip_gap,
        mip_bound=out.mip_bound,
        status=out.status,
        solver_status=out.solver_status,
        message=out.message,
        times=times,
        notes=(*out.notes, *notes),
        settled=True,
    )
    settled.lp_lb, settled.lp_ub = lp.lp_lb, lp.lp_ub
    if settled.fixed_lp is not None and lp.objective is not None:
        settled.fixed_lp = Shifted(settled.fixed_lp, settled.objective - lp.objective)
    if not duals:
        settled.row_shadow = settled.col_shadow = settled.fixed_lp = None
        settled.range_up = settled.range_down = None
        settled.cost_up = settled.cost_down = None
    return settled


def _whole(x: np.ndarray, arrays: ModelArrays) -> bool:
    """The plan's whole numbers are whole (to the check's tolerance): a solver's plan that
    is not is refused by the independent check, and there is no choice to make among it."""
    ints = x[arrays.integer]
    return bool(np.all(np.abs(ints - np.round(ints)) <= VERIFY_TOL))


def _stopped(done: list, name: str, why: str) -> str:
    kept = f"after '{done[-1][0]}'" if done else "at the leader's optimum"
    return (
        f"ties: the plan was chosen among equally good ones only partly: '{name}' was not "
        f"settled ({why}); the plan {kept} is kept, and its targets may depend on the solver"
    )
