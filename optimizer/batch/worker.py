"""Solving jobs where the work is done (a pool process, a Dask worker, or this process).

A job's result is the JSON of ``solve --format json`` plus the batch's fields: the
variant, its content hash and settings, the gap to today's targets, the seconds spent in
``solve``, and ``error`` (``{kind, message}`` or null). A broken scenario, a scenario with
no plan, or any exception (RecursionError and MemoryError included) becomes a result with
its error; nothing here raises. A process that dies solving a job is made its row by
``processes``, with ``died``.

    error kinds: bad_input (the file or variant is not a valid scenario),
                 no_plan (infeasible, unbounded, time limit, or a plan that failed the check),
                 internal (a bug; a rerun tries again),
                 crash (the solving process died, e.g. of SIGSEGV; a rerun tries again)
"""

from __future__ import annotations

import hashlib
import json
import signal
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from optimizer.batch.jobs import Job, versions
from optimizer.batch.summary import summary_row
from optimizer.scenario.loading import ScenarioError, parse_yaml
from optimizer.scenario.variants import Variant, split, variant_scenario

RETRIED = ("internal", "crash")
"""Error kinds a rerun solves again."""
MESSAGE_LINE = 1000
"""Characters of one line of an error message kept in a result (a value quoted in full is
cut there; ``variants`` quotes short excerpts of its own)."""

BEFORE_JOB: Callable[[Job], None] | None = None
"""Tests only: called with each job where it is solved, before it is (to raise, or to
crash the process). Set in the batch's process; the executors carry it to the workers."""


@dataclass(frozen=True)
class Outcome:
    job: Job
    text: str  # the result file's contents
    row: dict  # its summary row
    seconds: float  # the whole job in the worker: parse, solve, JSON


def solve_chunk(jobs: list[Job], before: Callable[[Job], None] | None = None) -> list[Outcome]:
    """One task: several jobs, so per-task overhead (about 1.5 ms in Dask) is shared."""
    for threads in {job.settings.solver_threads for job in jobs}:
        solver_threads(threads)
    return [solve_job(job, before) for job in jobs]


def solve_job(job: Job, before: Callable[[Job], None] | None = None) -> Outcome:
    """The job's result and summary row; any exception becomes the job's error."""
    start = time.perf_counter()
    try:
        if before is not None:
            before(job)
        result = _result(job)
    except Exception as exc:  # noqa: BLE001 - RecursionError, MemoryError, a bug: this job's row
        result = failure(job, "internal", describe(exc))
    return finish(job, result, time.perf_counter() - start)


def finish(job: Job, result: dict, seconds: float) -> Outcome:
    """A result with the batch's fields, as the text of its file and its summary row."""
    result.update(
        {
            "variant": job.variant,
            "content_hash": job.content_hash,
            "settings": {**asdict(job.settings), "versions": versions()},
        }
    )
    try:
        text = json.dumps(result, indent=2, allow_nan=False) + "\n"
    except ValueError as exc:  # a NaN or infinity that to_json let through
        result.update(failure(job, "internal", f"the result is not valid JSON: {exc}"))
        text = json.dumps(result, indent=2) + "\n"
    except Exception as exc:  # noqa: BLE001 - e.g. a result nested too deep to write
        result.update(failure(job, "internal", f"the result cannot be written: {describe(exc)}"))
        text = json.dumps(result, indent=2) + "\n"
    return Outcome(job, text, summary_row(result, job.key), seconds)


def died(job: Job, exitcode: int | None, how: str | None = None) -> Outcome:
    """The row of a job whose process died: how (the signal, or the exit code), the file
    and the variant."""
    if how is None and exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        how = f"died of {name} ({signal.strsignal(-exitcode) or 'a signal'})"
    elif how is None:
        how = f"exited with code {exitcode}" if exitcode else "ended without a result"
    message = f"the solver process {how} while solving {job.source}, variant {job.variant}"
    return finish(job, failure(job, "crash", message), 0.0)


def describe(exc: BaseException) -> str:
    """``Type: message`` in one line, the message cut short."""
    message = _line(str(exc))
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MESSAGE_LINE else text[: MESSAGE_LINE - 3] + "..."


def _result(job: Job) -> dict:
    if job.read_error is not None:
        return failure(job, "bad_input", job.read_error)
    variant = Variant(job.variant)
    try:
        data = parse_yaml(job.text, job.source)
        variant = split(data, job.source)[1].get(job.variant, variant)  # for its overrides
        scenario, variant = variant_scenario(data, job.variant, job.source)
    except ScenarioError as exc:
        return failure(job, "bad_input", str(exc), variant.overrides)
    try:
        return _solved(job, scenario, variant)
    except Exception as exc:  # noqa: BLE001 - one scenario's crash must not stop the batch
        from optimizer.model.chain.objectives import NoCurrentTargets

        kind = "bad_input" if isinstance(exc, NoCurrentTargets) else "internal"
        message = f"{job.source}: {exc}" if kind == "bad_input" else describe(exc)
        return failure(job, kind, message, variant.overrides)


def _solved(job: Job, scenario, variant: Variant) -> dict:
    from optimizer.analysis.answers import answer
    from optimizer.batch.gap import gap_to_current
    from optimizer.report.diagnosis import repair_sentence
    from optimizer.report.payload import answer_json

    start = time.perf_counter()
    found = answer(  # one time limit for the solve and the diagnosis; no explanation
        scenario,
        job.settings.objective,
        time_limit=job.settings.time_limit,
        plan=_held_plan(job, variant),
        source=job.source,
        overrides=variant.overrides,
    )
    plan, diagnosis = found.plan, found.diagnosis
    seconds = time.perf_counter() - start  # solving, and diagnosing an infeasible scenario
    result = answer_json(found)  # the JSON of ``solve --no-explain``
    result["gap_to_current"] = gap_to_current(scenario, plan.targets)
    result["solve_seconds"] = seconds
    result["error"] = None
    if not plan.solved:
        message = plan.message or f"the solver reports {plan.solver_status}"
        if diagnosis is not None:
            conflict = ", ".join(diagnosis.conflict["name"])
            repair = (
                repair_sentence(diagnosis.cheapest) if diagnosis.cheapest else diagnosis.message
            )
            message += f"; conflicting limits: {conflict}; cheapest repair: {repair}"
        result["error"] = {"kind": "no_plan", "message": f"{plan.status.value}: {message}"}
    return result


_HELD: dict[tuple, object] = {}
"""Per worker process: the base model of the last files seen, held in HiGHS for variants."""
HELD_FILES = 8


def _held_plan(job: Job, variant: Variant):
    """A variant's plan re-solved in its file's held base model (``optimizer.analysis.whatif``).

    Only for variants that move numeric inputs, without a time limit; anything else (and a
    variant whose moves change the model's shape, which ``WhatIf`` rebuilds) is the same
    plan ``solve`` gives, marginal values and whole-person values included. None: solve it.
    """
    changes = dict(variant.values)
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in changes.values())
    if not changes or not numeric or job.settings.time_limit is not None:
        return None
    from dataclasses import replace

    from optimizer.analysis.whatif import WhatIf
    from optimizer.scenario.loading import validate, without_variants

    key = (job.source, hashlib.sha256(job.text.encode()).hexdigest(), job.settings.objective)
    held = _HELD.get(key)
    if held is None:
        base = validate(without_variants(parse_yaml(job.text, job.source)), job.source)
        held = _HELD[key] = WhatIf(base, job.settings.objective)
        while len(_HELD) > HELD_FILES:
            _HELD.pop(next(iter(_HELD)))
    if not all(path in held.values for path in changes):
        return None
    result = held.resolve(changes, duals=True, ranging=True)
    plan = result.plan(marginals=None, whole_steps=None)
    return replace(plan, source=job.source, overrides=variant.overrides)


def failure(job: Job, kind: str, message: str, overrides: tuple[str, ...] = ()) -> dict:
    """A result with no plan, in the shape of ``solve``'s JSON (each message line cut short)."""
    message = "\n".join(
        line if len(line) <= MESSAGE_LINE else line[: MESSAGE_LINE - 3] + "..."
        for line in message.splitlines()
    )
    return {
        "scenario": None,
        "source": job.source,
        "overrides": list(overrides),
        "status": "error",
        "solver_status": None,
        "message": message,
        "objective": {"name": job.settings.objective, "sense": None, "value": None, "unit": None},
        "verified": {
            "ok": False,
            "max_violation": None,
            "worst": "no plan",
            "violations": [],
            "checks": 0,
        },
        "mip_gap": None,
        "targets": [],
        "constraints": [],
        "variables": [],
        "parameters": [],
        "timings_seconds": {},
        "gap_to_current": [],
        "solve_seconds": None,
        "error": {"kind": kind, "message": message},
    }


def solver_threads(threads: int | None) -> None:
    """Solve this process's later jobs with ``threads`` HiGHS threads (None: as ``solve``).

    Where a scenario has several optimal plans, the thread count can decide which one
    HiGHS returns, so the setting is part of a job's content hash. Run a Dask worker with
    one thread when setting it: the reset is not safe beside a solve on another thread.
    """
    from optimizer.solvers import highs

    highs.use_threads(threads)
