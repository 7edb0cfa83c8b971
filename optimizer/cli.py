"""The command line: ``kpi-optimizer solve SCENARIO`` and friends.

Heavy libraries (pandas, highspy) are imported inside the commands so that
``--help`` stays instant. Exit codes: 0 a verified optimal plan, 1 no plan
(infeasible, unbounded, time limit, or a plan that failed the check), 2 bad input,
3 an internal error (reported in one line, never as a traceback).
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from optimizer.scenario.names import Objective
from optimizer.solvers import GAP_POLICY
from optimizer.solvers import NAMES as BACKEND_NAMES

app = typer.Typer(
    help="Consistent per-role targets from leadership's goals and real limits.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


BackendName = Enum("BackendName", {name: name for name in BACKEND_NAMES}, type=str)
BackendName.__doc__ = "Solver backends and their aliases (``optimizer.solvers.REGISTRY``)."


class CsvTable(str, Enum):
    targets = "targets"
    constraints = "constraints"
    parameters = "parameters"


def _fail(message: str, code: int) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _seconds(value: float | None) -> float | None:
    """A time limit: a finite number of seconds above 0 (-1 and nan are refused)."""
    import math

    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"{value!r}: expected a number of seconds above 0")
    return value


def _crash_message(exc, scenario: Path, sc, overrides: list[str]) -> str:
    """What a dead solver process means for the user, and the inputs to look at first."""
    from optimizer.scenario.inputs import nearest_bounds

    suspects = nearest_bounds(sc, overrides)
    where = (
        "; the inputs nearest the edge of their range: " + ", ".join(suspects) if suspects else ""
    )
    return (
        f"{scenario}: {exc} (a native crash inside the solver, not a problem in the file's "
        f"format){where}. Nothing was written; try moving those inputs toward usual values."
    )


def _load(scenario: Path, overrides: list[str], variant: str | None = None):
    """The validated scenario (of ``variant`` when given: a file's ``variants:`` entry, then
    the overrides), or every problem with it on stderr and exit code 2."""
    from optimizer.scenario.loading import (
        ScenarioError,
        apply_overrides,
        load_scenario,
        validate,
    )
    from optimizer.scenario.variants import load_variant

    try:
        if variant is None:
            return load_scenario(scenario, overrides)
        sc, _ = load_variant(str(scenario), variant)
        if overrides:
            sc = validate(apply_overrides(sc.model_dump(), overrides, str(scenario)), str(scenario))
        return sc
    except ScenarioError as exc:
        _fail(str(exc), 2)


SetOption = Annotated[
    list[str] | None, typer.Option("--set", help="Override an input: PATH=VALUE.")
]

VariantOption = Annotated[
    str | None,
    typer.Option(help="A variant the file declares (variants:), instead of the file itself."),
]


def _gap_policy_words() -> str:
    """'1e-7 up to 150 whole-number columns, 1e-4 up to 1,000, 5e-3 above' (GAP_POLICY)."""
    words = []
    for step in GAP_POLICY:
        gap = f"{step.gap:.0e}".replace("e-0", "e-")
        words.append(f"{gap} up to {step.up_to:,}" if step.up_to is not None else f"{gap} above")
    return words[0] + " whole-number columns, " + ", ".join(words[1:])


@app.command()
def solve(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    objective: Annotated[
        Objective | None, typer.Option(help="Override the scenario's objective.")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Override an input: PATH=VALUE, e.g. sales.teams[field].reps.max=8."
        ),
    ] = None,
    variant: VariantOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    table: Annotated[
        CsvTable, typer.Option(help="Which table --format csv prints.")
    ] = CsvTable.targets,
    time_limit: Annotated[
        float | None,
        typer.Option(
            callback=_seconds,
            help="Seconds for the whole answer: the solve, prices and values, and the "
            "diagnosis of a scenario with no plan (what is cut short is said).",
        ),
    ] = None,
    all_constraints: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Table format: list every limit, not only binding ones, and every decision "
            "in the variable cells, one row each.",
        ),
    ] = False,
    backend: Annotated[
        BackendName,
        typer.Option(
            help="Solver: highs, cbc (PuLP), ortools (SCIP + GLOP; scip, glop, mathopt "
            "are aliases), pdlp."
        ),
    ] = BackendName.highs,
    cross_check: Annotated[
        bool,
        typer.Option(
            "--cross-check",
            help="Solve again with a second backend and report any disagreement; exit 1 if "
            "they disagree beyond tolerance.",
        ),
    ] = False,
    check_backend: Annotated[
        BackendName | None,
        typer.Option(help="The second backend (default: ortools, or highs if --backend is not)."),
    ] = None,
    mip_gap: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="HiGHS's relative gap for whole numbers (default by the model's size: "
            + _gap_policy_words()
            + "; a plan proven only to a looser gap is reported feasible, with its gap).",
        ),
    ] = None,
    marginals: Annotated[
        bool | None,
        typer.Option(
            "--marginals/--no-marginals",
            help="Marginal value of every input (default: on up to 5 000 variables).",
        ),
    ] = None,
    whole_steps: Annotated[
        bool | None,
        typer.Option(
            "--whole-steps/--no-whole-steps",
            help="Re-solve for one more whole person (default: on up to 5 000 variables).",
        ),
    ] = None,
    explain: Annotated[
        bool | None,
        typer.Option(
            "--explain/--no-explain",
            help="What moves the plan: each input's natural step in money with the plan's "
            "people held (a headcount limit's with hiring free), in one ranking (default: on "
            "up to 5 000 variables). --no-explain gives rates only.",
        ),
    ] = None,
    hiring_free: Annotated[
        bool,
        typer.Option(
            "--hiring-free",
            help="The full explanation: also value every step with hiring free, say why "
            "each headcount and what the quality floor costs (one whole-number re-solve per "
            "input: about 1 to 6 s on the bundled scenarios, at most --explain-seconds and "
            "within --time-limit).",
        ),
    ] = False,
    explain_seconds: Annotated[
        float,
        typer.Option(
            callback=_seconds,
            help="Seconds the explanation may take, within --time-limit (what it leaves "
            "unsearched is said in its notes). The 12-month growth plan's --hiring-free "
            "explanation needs more than the default.",
        ),
    ] = 60.0,
) -> None:
    """Solve a scenario: per-role targets, binding limits and what each is worth."""
    overrides = list(set_ or [])
    from optimizer.solvers import ALIASES, REGISTRY

    if (
        mip_gap is not None
        and not REGISTRY[ALIASES.get(backend.value, backend.value)].takes_mip_gap
    ):
        _fail(f"--mip-gap is a HiGHS setting; --backend {backend.value} does not take it", 2)
    sc = _load(scenario, overrides, variant)
    if cross_check:
        from optimizer.solvers import backend as solver_backend

        first = solver_backend(backend.value).name
        second = solver_backend(check_backend.value if check_backend else None).name
        second = second if check_backend else ("ortools" if first == "highs" else "highs")
        if second == first:
            _fail(f"--check-backend {second} is the same solver as --backend {first}", 2)
    from optimizer.model.chain.objectives import NoCurrentTargets
    from optimizer.runtime.isolation import SolverCrash, isolated

    _preload_for_fork()
    try:
        found = isolated(
            _answer, sc, objective.value if objective else None, method="fork",
            time_limit=time_limit, source=str(scenario), overrides=tuple(overrides),
            backend=backend.value, mip_gap=mip_gap, marginals=marginals,
            whole_steps=whole_steps, backends=(first, second) if cross_check else None,
            explain=False if format is Format.csv else (True if hiring_free else explain),
            hiring_free=hiring_free, explain_seconds=explain_seconds,
        )  # fmt: skip
    except NoCurrentTargets as exc:
        _fail(f"{scenario}: {exc}", 2)
    except SolverCrash as exc:
        _fail(_crash_message(exc, scenario, sc, overrides), 3)
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        _fail(f"internal error while solving {scenario}: {type(exc).__name__}: {exc}", 3)
    try:
        _print(found, format, table, all_constraints)
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        _fail(f"internal error while reporting {scenario}: {type(exc).__name__}: {exc}", 3)
    raise typer.Exit(0 if found.ok else 1)


def _preload_for_fork() -> None:
    """Import what the answer needs (numpy, pandas, highspy, the analysis) before the
    child is forked: the child inherits the modules, and the answer it sends back is read
    here without importing them a second time (about a third of a small solve's CPU)."""
    import optimizer.analysis.answers  # noqa: F401
    import optimizer.analysis.solve  # noqa: F401
    import optimizer.report.payload  # noqa: F401


def _answer(sc, objective, **options):
    """``analysis.answers.answer`` in a child process (``optimizer.runtime.isolation``): a
    native crash ends the child only."""
    from optimizer.analysis.answers import answer

    return answer(sc, objective, **options)


def _json_text(payload: dict, variables: int) -> str:
    """Indented for a person up to ``DETAIL_LIMIT`` variables; above, compact: Python's
    indenting encoder is its slow one (10 s and 200 MB for a 1 000-team company)."""
    from optimizer.analysis.solve import DETAIL_LIMIT

    return json.dumps(payload, indent=2 if variables <= DETAIL_LIMIT else None)


def _print(found, format: Format, table: CsvTable, all_constraints: bool) -> None:
    """An answer (``analysis.answers.Answer``) as JSON, one CSV table or rich tables."""
    plan, cross = found.plan, found.cross_check
    if format is Format.json:
        from optimizer.report.payload import answer_json

        sys.stdout.write(_json_text(answer_json(found), len(plan.variables)) + "\n")
    elif format is Format.csv:
        frame = {
            "targets": plan.targets,
            "constraints": plan.constraints,
            "parameters": plan.parameters,
        }
        sys.stdout.write(frame[table.value].to_csv(index=False))
        if cross is not None:  # stdout stays one table
            from optimizer.report.crosscheck import cross_check_lines

            sys.stderr.write("\n".join(cross_check_lines(cross)) + "\n")
    else:
        from optimizer.report.tables import print_diagnosis, print_plan

        print_plan(plan, all_constraints=all_constraints, explanation=found.explanation)
        if found.diagnosis is not None:
            print_diagnosis(found.diagnosis)
        if cross is not None:
            from optimizer.report.crosscheck import cross_check_lines

            sys.stdout.write("\n" + "\n".join(cross_check_lines(cross)) + "\n")


@app.command()
def compare(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file with current_targets.")],
    objective: Annotated[
        Objective | None, typer.Option(help="Objective of the recommended plan.")
    ] = None,
    set_: SetOption = None,
    variant: VariantOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    backend: Annotated[
        BackendName,
        typer.Option(
            help="Solver of the recommended plan and of today's targets' evaluation "
            "(see solve --backend)."
        ),
    ] = BackendName.highs,
    time_limit: Annotated[
        float | None,
        typer.Option(
            callback=_seconds,
            help="Seconds for the diagnosis of a scenario with no plan (what is cut short is "
            "said); none by default.",
        ),
    ] = None,
    why: Annotated[
        bool,
        typer.Option(
            "--why/--no-why",
            help="Also say what would make today's targets right: the smallest change of the "
            "inputs that makes them possible, then the best plan (within 20 s, re-solved).",
        ),
    ] = True,
) -> None:
    """Today's targets against the recommended plan: what they imply, break and cost."""
    sc = _load(scenario, list(set_ or []), variant)
    from optimizer.analysis.current import CurrentPlanError
    from optimizer.model.chain.objectives import NoCurrentTargets
    from optimizer.runtime.isolation import SolverCrash, isolated

    _preload_for_fork()
    try:
        today = isolated(
            _comparison, sc, objective.value if objective else None, backend.value,
            time_limit, why, method="fork",
        )  # fmt: skip
    except NoCurrentTargets as exc:
        _fail(f"{scenario}: {exc}", 2)
    except SolverCrash as exc:
        _fail(_crash_message(exc, scenario, sc, list(set_ or [])), 3)
    except CurrentPlanError as exc:  # the solver gave up on today's targets: an answer, not a bug
        _fail(
            f"{scenario}: today's targets could not be evaluated ({exc}); a very large or very "
            "small input beside ordinary ones can defeat the solver's tolerances",
            1,
        )
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        _fail(f"internal error while comparing {scenario}: {type(exc).__name__}: {exc}", 3)
    try:
        if format is Format.json:
            from optimizer.report.payload import comparison_json

            shown = comparison_json(today.comparison, today.diagnosis)
            if today.right is not None:
                shown["what_would_make_them_right"] = today.right.to_json()
            sys.stdout.write(json.dumps(shown, indent=2) + "\n")
        else:
            from optimizer.report.tables import print_comparison, print_diagnosis, print_right

            print_comparison(today.comparison)
            if today.right is not None:
                print_right(today.right)
            if today.diagnosis is not None:
                print_diagnosis(today.diagnosis)
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        _fail(f"internal error while reporting {scenario}: {type(exc).__name__}: {exc}", 3)
    raise typer.Exit(0 if today.comparison.plan.solved else 1)


def _comparison(sc, objective, backend, time_limit=None, why=False):
    """``analysis.answers.compare_today`` in a child process."""
    from optimizer.analysis.answers import compare_today

    return compare_today(sc, objective, backend, time_limit=time_limit, why=why)


def _why_not(sc, option):
    """``analysis.whynot.why_not`` in a child process."""
    from optimizer.analysis.whynot import why_not

    return why_not(sc, option)


@app.command()
def ranges(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    input_: Annotated[
        list[str] | None,
        typer.Option("--input", help="An input's path (repeatable); default: every price."),
    ] = None,
    set_: SetOption = None,
    variant: VariantOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """How far each price can move before the plan's decisions change, re-solved.

    For each input (by default every price: a money input that moves no limit), the values
    between which the plan's decisions (leads by tier, conversations by length, units) stay
    the best with the plan's people, found by re-solving and confirmed at both ends."""
    sc = _load(scenario, list(set_ or []), variant)
    from optimizer.runtime.isolation import SolverCrash, isolated

    _preload_for_fork()
    try:
        found = isolated(_holding, sc, list(input_) if input_ else None, method="fork")
    except SolverCrash as exc:
        _fail(_crash_message(exc, scenario, sc, list(set_ or [])), 3)
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        _fail(f"internal error while ranging {scenario}: {type(exc).__name__}: {exc}", 3)
    if found is None:
        _fail(f"{scenario}: there is no plan to range", 1)
    if format is Format.json:
        rows = [{**h.__dict__, "low": _finite(h.low), "high": _finite(h.high)} for h in found]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    else:
        sys.stdout.write("How far each price can move before the plan's decisions change\n")
        for h in found:
            if h.low_limited or h.high_limited:
                sys.stdout.write(f"  - {h.sentence}\n")
        free = [h.label for h in found if not (h.low_limited or h.high_limited)]
        if free:
            sys.stdout.write(f"  At any value, with the plan's people: {', '.join(free)}.\n")


def _finite(value: float) -> float | None:
    return value if value == value and abs(value) != float("inf") else None


def _holding(sc, paths):
    """``analysis.holding.holding_ranges`` of the scenario's plan, in a child process."""
    from optimizer.analysis.holding import holding_ranges
    from optimizer.analysis.patterns import Patterns
    from optimizer.analysis.solve import solve

    plan = solve(sc, marginals=False, whole_steps=False)
    if not plan.solved:
        return None
    return holding_ranges(plan, Patterns(sc, sc.objective), paths)


class Against(str, Enum):
    quality_floor = "quality_floor"
    long_share = "long_share"
    headcount = "headcount"
    service_level = "service_level"
    disruption = "disruption"


@app.command()
def tradeoff(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    against: Annotated[
        str,
        typer.Option(help="What profit is traded against: " + ", ".join(a.value for a in Against)),
    ],
    points: Annotated[
        int | None,
        typer.Option(
            min=2, help="Points of an evenly stepped curve; headcount: most people fewer + 1."
        ),
    ] = None,
    long_minutes: Annotated[
        float | None,
        typer.Option(
            help="long_share: the shortest conversation counted as long (default: the longest tier)."
        ),
    ] = None,
    objective: Annotated[
        Objective | None, typer.Option(help="Override the scenario's objective.")
    ] = None,
    set_: SetOption = None,
    variant: VariantOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """A trade-off curve: profit against one other thing, each point re-solved and checked.

    quality_floor: the floor at each conversation length; long_share: from the plan's share
    of long conversations to 100 %; headcount: one person fewer at a time; service_level: the
    live channels' target from 50 % to 95 %; disruption: month-to-month headcount changes down
    to none (scenarios of several months)."""
    if against not in Against.__members__:
        expected = ", ".join(a.value for a in Against)
        _fail(f"--against {against!r}: expected one of {expected}", 2)
    if format is Format.csv:
        _fail("--format csv: expected table or json for a trade-off curve", 2)
    sc = _load(scenario, list(set_ or []), variant)
    from optimizer.runtime.isolation import SolverCrash, isolated

    _preload_for_fork()
    kwargs = dict(points=points, objective=objective, long_minutes=long_minutes)
    try:
        front = isolated(_tradeoff, sc, against, kwargs, method="fork")
    except ValueError as exc:
        _fail(f"{scenario}: {exc}", 2)
    except SolverCrash as exc:
        _fail(_crash_message(exc, scenario, sc, list(set_ or [])), 3)
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        _fail(f"internal error while tracing {scenario}: {type(exc).__name__}: {exc}", 3)
    if format is Format.json:
        sys.stdout.write(json.dumps(front.to_json(), indent=2, allow_nan=False) + "\n")
    else:
        from optimizer.report.tradeoff import print_front

        print_front(front)


def _tradeoff(sc, axis, kwargs):
    """``analysis.tradeoff.tradeoff`` in a child process, without the points' plans."""
    from optimizer.analysis.tradeoff import tradeoff

    return tradeoff(sc, axis, **kwargs).without_plans()


@app.command()
def risk(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML file with an uncertainty: section.")
    ],
    draws: Annotated[
        int | None, typer.Option(min=1, max=1_000_000, help="Draws (default: the file's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Seed (default: the file's).")] = None,
    choose: Annotated[
        OddsObjective | None,
        typer.Option(
            help="Also choose people for their odds (probability or expected_profit) "
            "and compare them with the plan on fresh draws."
        ),
    ] = None,
    choosing_draws: Annotated[
        int, typer.Option(min=1, max=10_000, help="Draws the choice is made over.")
    ] = 200,
    set_: SetOption = None,
    variant: VariantOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """How likely the plan is: its people held, the uncertain inputs drawn, the rest re-solved.

    Reports the probability of meeting each finance goal, the P10/P50/P90 of profit, cash
    and each target, and which inputs drive the spread (from the draws, all moving at once).
    With --choose, also the people chosen for their odds over the choosing draws (sample
    average approximation), side by side with the plan on fresh draws."""
    sc = _load(scenario, list(set_ or []), variant)
    if sc.uncertainty is None:
        _fail(
            f"{scenario}: no uncertainty: section; expected ranges on some inputs, e.g. "
            "uncertainty: {inputs: {sales.conversation_tiers[4].conversion_rate: "
            "{normal: {spread: 0.01}}}}",
            2,
        )
    found = _risk_with_progress(scenario, sc, draws, seed)
    chosen = None
    if choose is not None:
        chosen = _choice(scenario, sc, choose.value, choosing_draws, seed, draws)
    from optimizer.report import risk as risk_report

    if format is Format.json:
        data = risk_report.payload(found)
        if chosen is not None:
            data["chosen_for_odds"] = risk_report.choice_payload(chosen)
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    sys.stdout.write(f"How likely the plan is: {sc.name}\n")
    for line in risk_report.sentences(found, found.plan_variables):
        sys.stdout.write(f"  - {line}\n")
    _grid("Profit and cash (P10: the worst tenth of draws, P90: the best tenth)",
          risk_report.money_table(found))  # fmt: skip
    moving = risk_report.targets_table(found)
    moving = moving[moving["P10"] != moving["P90"]]
    if len(moving):
        month = found.targets["period"].iloc[0]
        _grid(f"Targets that move with the draws ({risk_report.period_words(month)}; "
              f"{risk_report.kept_words(found)})", moving)  # fmt: skip
    if chosen is not None:
        sys.stdout.write("\nA plan chosen for its odds\n")
        for line in risk_report.choice_sentences(chosen, found.plan_variables):
            sys.stdout.write(f"  - {line}\n")
        table = risk_report.choice_rows(chosen, found.plan_variables)
        table.columns = ["", "Plan for single numbers", "Chosen for its odds"]
        _grid("", table)


def _grid(title: str, frame) -> None:
    """A table of words and formatted numbers on standard output (rich, 120 columns)."""
    from rich.console import Console
    from rich.table import Table

    grid = Table(title=title or None, title_justify="left", show_edge=False)
    for column in frame.columns:
        grid.add_column(str(column))
    for row in frame.itertuples(index=False):
        grid.add_row(*(str(v) for v in row))
    Console(width=120, file=sys.stdout).print(grid)


class OddsObjective(str, Enum):
    probability = "probability"
    expected_profit = "expected_profit"


def _choice(path, sc, objective, choosing_draws, seed, fresh):
    from optimizer.analysis.risk.odds import choose
    from optimizer.analysis.solve import solve

    with _stderr().status("choosing people for their odds…"):
        try:
            plan = solve(sc, marginals=False, whole_steps=False)
            return choose(sc, plan, objective=objective, draws=choosing_draws, seed=seed,
                          fresh=fresh or sc.uncertainty.draws)  # fmt: skip
        except ValueError as exc:
            _fail(f"{path}: {exc}", 1)
        except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
            _fail(
                f"internal error while choosing for odds in {path}: {type(exc).__name__}: {exc}", 3
            )


def _risk_with_progress(path, sc, draws, seed):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from optimizer.analysis.risk import risk

    total = draws or sc.uncertainty.draws
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), transient=True, console=_stderr(),
    ) as bar:  # fmt: skip
        task = bar.add_task("draws", total=total)
        step = max(1, total // 200)
        try:
            return risk(
                sc, draws=draws, seed=seed,
                progress=lambda done: done % step == 0 and bar.update(task, completed=done),
            )  # fmt: skip
        except ValueError as exc:  # no plan to hold, or a draw that moves the model's shape
            _fail(f"{path}: {exc}", 1)
        except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
            _fail(f"internal error while drawing {path}: {type(exc).__name__}: {exc}", 3)


@app.command("why-not")
def why_not_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    option: Annotated[
        list[str],
        typer.Argument(
            help="What to force, as the plan's variables name it: NAME=VALUE or NAME>=VALUE, "
            "e.g. 'reps=8' (every month) or 'paid_leads[2027-01,social:2]>=300'."
        ),
    ],
    set_: SetOption = None,
    variant: VariantOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Why not this option? Forced, re-solved: its cost, the limits, the change that makes it best.

    The option is held and the scenario solved again in whole people: what it costs against
    the plan, which limits would bind instead and which would stop binding, which goal it
    would miss, and the cheapest single change of an input that makes it part of the best
    plan (each re-solved)."""
    sc = _load(scenario, list(set_ or []), variant)
    from optimizer.runtime.isolation import SolverCrash, isolated

    _preload_for_fork()
    try:
        answer = isolated(_why_not, sc, list(option), method="fork")
    except (ValueError, KeyError) as exc:
        _fail(f"{scenario}: {exc.args[0] if exc.args else exc}", 2)
    except SolverCrash as exc:
        _fail(_crash_message(exc, scenario, sc, list(set_ or [])), 3)
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        _fail(f"internal error while asking why not in {scenario}: {type(exc).__name__}: {exc}", 3)
    if format is Format.json:
        sys.stdout.write(json.dumps(answer.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(f"Why not {', '.join(option)}?\n")
        for sentence in answer.sentences:
            sys.stdout.write(f"  - {sentence}\n")


class ExportFormat(str, Enum):
    lp = "lp"
    mps = "mps"


@app.command()
def export(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="lp (readable) or mps.")
    ] = ExportFormat.lp,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default: stdout).")
    ] = None,
    objective: Annotated[
        Objective | None, typer.Option(help="Override the scenario's objective.")
    ] = None,
    set_: SetOption = None,
) -> None:
    """Write the model as an LP or MPS file, with the model's own names, to solve elsewhere."""
    sc = _load(scenario, list(set_ or []))
    try:
        from optimizer.analysis.export import scenario_text, write
        from optimizer.model.chain.objectives import NoCurrentTargets

        if out is None:
            sys.stdout.write(
                scenario_text(sc, objective.value if objective else None, format.value)
            )
        else:
            write(sc, objective.value if objective else None, format.value, out)
            typer.echo(f"wrote {out}", err=True)
    except NoCurrentTargets as exc:
        _fail(f"{scenario}: {exc}", 2)
    except OSError as exc:
        _fail(f"cannot write {out}: {exc}", 2)
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        _fail(f"internal error while exporting {scenario}: {type(exc).__name__}: {exc}", 3)


@app.command()
def validate(scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")]) -> None:
    """Check scenario files, and each variant they declare; list every problem, without solving."""
    from optimizer.scenario.loading import ScenarioError, load_scenario, read_scenario_file
    from optimizer.scenario.variants import check_file

    bad = broken = 0
    for path in scenarios:
        try:
            load_scenario(path)
            good, errors = check_file(read_scenario_file(path), str(path))
        except ScenarioError as exc:
            good, errors = [], [exc]
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            from optimizer.batch.worker import describe

            broken += 1
            typer.echo(f"{path}: internal error while validating: {describe(exc)}", err=True)
            continue
        bad += bool(errors)
        for exc in errors:
            typer.echo(str(exc), err=True)
        if not errors:
            typer.echo(f"{path}: ok" + (f" (variants: {', '.join(good)})" if good else ""))
    raise typer.Exit(3 if broken else 2 if bad else 0)


class StaffingFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
def staffing(
    volume: Annotated[float, typer.Option(help="Contacts arriving in the interval.")],
    interval_minutes: Annotated[float, typer.Option(help="Length of the interval, minutes.")],
    aht_seconds: Annotated[float, typer.Option(help="Average handle time, seconds.")],
    answer_within_seconds: Annotated[
        float, typer.Option(help="Answer-time target T of the service level, seconds.")
    ],
    service_level: Annotated[
        float, typer.Option(help="Share to answer within T, e.g. 0.8 for 80/20.")
    ],
    max_occupancy: Annotated[
        float | None, typer.Option(help="Highest share of time agents spend on contacts.")
    ] = None,
    shrinkage: Annotated[
        float, typer.Option(help="Share of scheduled time agents are unavailable.")
    ] = 0.0,
    max_asa_seconds: Annotated[
        float | None, typer.Option(help="Cap on the average speed of answer, seconds.")
    ] = None,
    agents: Annotated[
        int | None, typer.Option(help="Reverse question: what N agents answering achieve.")
    ] = None,
    format: Annotated[
        StaffingFormat, typer.Option("--format", "-f", help="Output format.")
    ] = StaffingFormat.table,
) -> None:
    """Erlang C calculator: agents a live channel needs for a service level, or what N achieve."""
    import math

    from optimizer.model import erlang

    targets = dict(
        service_level=service_level, max_occupancy=max_occupancy, max_asa_seconds=max_asa_seconds
    )
    common = dict(
        volume=volume,
        interval_minutes=interval_minutes,
        aht_seconds=aht_seconds,
        answer_within_seconds=answer_within_seconds,
    )
    try:
        needed = erlang.agents_required(**common, **targets, shrinkage=shrinkage)
        if agents is None:
            result = needed
        else:
            result = erlang.service_with_agents(**common, agents=agents, shrinkage=shrinkage)
    except ValueError as exc:
        _fail(f"staffing: {exc}", 2)
    meets = erlang.meets_targets(result, **targets)

    def finite(x: float) -> float | None:
        return x if math.isfinite(x) else None

    out = {
        "mode": "required" if agents is None else "given_agents",
        "traffic_erlangs": result.traffic_erlangs,
        "agents_required": result.agents_required,
        "agents_scheduled": result.agents_scheduled,
        "service_level": result.service_level,
        "p_wait": result.p_wait,
        "asa_seconds": finite(result.asa_seconds),
        "occupancy": finite(result.occupancy),
        "meets_targets": meets,
        "agents_for_targets": needed.agents_required,
        "inputs": {**common, **targets, "shrinkage": shrinkage, "agents": agents},
    }
    if format is StaffingFormat.json:
        sys.stdout.write(json.dumps(out, indent=2, allow_nan=False) + "\n")
        return

    from rich.console import Console
    from rich.table import Table

    given = agents is not None
    title = (
        f"What {agents} agents achieve"
        if given
        else f"Agents needed for {service_level:.0%} within {answer_within_seconds:g} s"
    )
    t = Table(title=title)
    t.add_column("measure")
    t.add_column("value", justify="right")
    asa = out["asa_seconds"]
    rows = [
        ("traffic", f"{result.traffic_erlangs:.4g} Erlangs"),
        ("agents answering" if given else "agents required", str(result.agents_required)),
        (f"agents scheduled ({shrinkage:.0%} shrinkage)", str(result.agents_scheduled)),
        (f"service level ({answer_within_seconds:g} s)", f"{result.service_level:.1%}"),
        ("probability of waiting", f"{result.p_wait:.1%}"),
        (
            "average speed of answer",
            "unbounded (queue unstable)" if asa is None else f"{asa:.1f} s",
        ),
        ("occupancy", f"{result.occupancy:.1%}"),
    ]
    if given:
        rows.append(("meets the targets", "yes" if meets else "no"))
        rows.append(("agents the targets need", str(needed.agents_required)))
    for name, value in rows:
        t.add_row(name, value)
    Console().print(t)


class Executor(str, Enum):
    local = "local"
    dask = "dask"


@app.command()
def batch(
    paths: Annotated[list[str], typer.Argument(help="Scenario files, folders or globs.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for results and summary.")],
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Workers (default: CPU count).")
    ] = None,
    objective: Annotated[
        Objective | None, typer.Option(help="Override every scenario's objective.")
    ] = None,
    variant: Annotated[
        list[str] | None,
        typer.Option(help="Solve only this variant ('base' for the file itself); repeatable."),
    ] = None,
    executor: Annotated[Executor, typer.Option(help="Where to solve.")] = Executor.local,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Re-solve results that are up to date.")] = False,
    time_limit: Annotated[float | None, typer.Option(help="Solver time limit, seconds.")] = None,
    solver_threads: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="HiGHS threads per worker (default 1, as solve; 0: HiGHS's own choice). "
            "Another count may pick another of several equally good plans.",
        ),
    ] = None,
) -> None:
    """Solve many scenarios and their variants: one result each, a summary table, a workbook."""
    from optimizer.batch import BatchLocked, NoScenarios, OutputError, Settings, run_batch
    from optimizer.batch.worker import describe

    if scheduler and executor is not Executor.dask:
        _fail("--scheduler needs --executor dask", 2)
    settings = Settings(objective.value if objective else None, time_limit, solver_threads)
    try:
        report = run_batch(
            paths, out, workers=jobs, settings=settings, variants=variant,
            executor=executor.value, scheduler=scheduler, force=force,
        )  # fmt: skip
    except (NoScenarios, BatchLocked, OutputError) as exc:
        _fail(str(exc), 2)
    except KeyboardInterrupt:
        _fail(f"interrupted: finished results are kept in {out}; run again to resume", 130)
    except Exception as exc:  # noqa: BLE001 - a bug in the batch itself; one line, no traceback
        if isinstance(exc, OSError) and exc.filename:  # reading the scenarios
            _fail(f"cannot read {exc.filename}: {exc.strerror}; check that it can be read", 2)
        _fail(f"internal error in the batch: {describe(exc)}; run again to resume", 3)
    for row in report.rows:
        if row["error"] is not None:
            typer.echo(f"failed: {row['scenario']} [{row['variant']}]: {row['error']}", err=True)
    typer.echo(
        f"{report.solved} solved, {report.failed} failed, {report.reused} unchanged and reused; "
        f"results in {report.out / 'results'}, summary in {report.out / 'summary.csv'}",
        err=True,
    )
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def sweep(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    input_: Annotated[
        list[str] | None,
        typer.Option("--input", "-i", help="Input path to move (repeatable; default: every one)."),
    ] = None,
    low: Annotated[float, typer.Option(help="Lowest factor of each input's value.")] = 0.5,
    high: Annotated[float, typer.Option(help="Highest factor of each input's value.")] = 1.5,
    points: Annotated[int, typer.Option(min=2, help="Values per input, low to high.")] = 11,
    objective: Annotated[
        Objective | None, typer.Option(help="Override the scenario's objective.")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override an input first: PATH=VALUE.")
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: CPUs).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write every what-if to .csv, .parquet or .xlsx."),
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table, json or csv.")] = (
        Format.table
    ),
    hold_headcounts: Annotated[
        bool,
        typer.Option(help="Keep the plan's people in every what-if (short term: no hiring)."),
    ] = False,
) -> None:
    """Sensitivity sweep: each input moved over a range, one at a time, each re-solved warm."""
    import os

    from optimizer.analysis import sweep as sweeps

    if out is not None and out.suffix.lower() not in (".csv", ".parquet", ".xlsx"):
        _fail(f"--out {out}: expected a .csv, .parquet or .xlsx file", 2)
    if out is not None and not (out.parent.is_dir() and os.access(out.parent, os.W_OK)):
        _fail(f"--out {out}: {out.parent} is not a folder this user can write to", 2)
    if not low < high:
        _fail(f"--low {low:g} --high {high:g}: expected low < high", 2)
    loaded = _load(scenario, set_ or [])
    name = objective.value if objective else None
    try:
        changes = sweeps.grid(loaded, input_, low=low, high=high, points=points, objective=name)
    except KeyError as exc:
        _fail(f"{scenario}: {exc.args[0]}", 2)
    try:
        table = _sweep_with_progress(
            sweeps, loaded, changes, name, jobs or os.cpu_count() or 1, hold_headcounts
        )
    except ValueError as exc:  # no base plan whose headcounts could be held
        _fail(f"{scenario}: {exc}", 1)
    if out is not None:
        try:
            sweeps.write(table, out)
        except OSError as exc:
            _fail(f"cannot write {out}: {exc.strerror or exc}; choose a writable path", 2)
    if format is Format.csv:
        sys.stdout.write(table.to_csv(index=False))
    elif format is Format.json:
        sys.stdout.write(table.to_json(orient="records", indent=2) + "\n")
    else:
        sweeps.print_summary(table, loaded.name, loaded)
    errors = int((table["status"] == "error").sum())
    if errors:
        _fail(f"{errors} what-if(s) failed with an internal error; see the message column", 3)


def _sweep_with_progress(sweeps, scenario, changes, objective, jobs, hold_headcounts):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), transient=True, console=_stderr(),
    ) as bar:  # fmt: skip
        task = bar.add_task("what-ifs", total=len(changes))
        return sweeps.sweep(
            scenario, changes, objective=objective, jobs=jobs, hold_headcounts=hold_headcounts,
            progress=lambda n: bar.advance(task, n),
        )  # fmt: skip


def _stderr():
    from rich.console import Console

    return Console(stderr=True)


@app.command()
def diff(
    versions: Annotated[
        list[str],
        typer.Argument(
            help="Two or more versions, the first the base: result JSONs (solve --format json, "
            "batch), scenario YAMLs (solved here), or FILE.yaml@VARIANT.",
            show_default=False,
        ),
    ],
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    show_all: Annotated[
        bool, typer.Option("--all", help="Table format: every target, not only those that differ.")
    ] = False,
) -> None:
    """Versions side by side: targets, money and the limits that start or stop binding."""
    if format is Format.csv:
        _fail("diff prints a table or JSON (--format table|json), not csv", 2)
    if len(versions) < 2:
        _fail(f"diff compares two or more versions, got {len(versions)}", 2)
    from optimizer.analysis.versions import compare
    from optimizer.report.versions import print_versions

    read = [_version(arg) for arg in versions]  # every argument checked before any solve
    found = compare([(arg, _solve_version(arg, r)) for arg, r in zip(versions, read)])
    if format is Format.json:
        sys.stdout.write(json.dumps(found.to_json(), indent=2) + "\n")
    else:
        print_versions(found, show_all=show_all)


def _version(arg: str):
    """What a ``diff`` argument names: a result JSON's result, or a scenario YAML's (or one
    of its variants', ``FILE.yaml@VARIANT``) validated scenario and overrides, to solve."""
    from optimizer.analysis.diff import ResultError, read_result

    path, _, variant = arg.partition("@") if not Path(arg).exists() else (arg, "", "")
    suffix = Path(path).suffix.lower()
    if suffix == ".json" and not variant:
        try:
            return read_result(path)
        except ResultError as exc:
            _fail(str(exc), 2)
    if suffix not in (".yaml", ".yml"):
        _fail(
            f"{arg}: expected a result JSON (solve --format json), a scenario YAML, or "
            "FILE.yaml@VARIANT",
            2,
        )
    from optimizer.scenario.loading import ScenarioError
    from optimizer.scenario.variants import BASE, load_variant

    try:
        sc, chosen = load_variant(path, variant or BASE)
    except ScenarioError as exc:  # one problem in one line; more, one line each
        only = f"{exc.source}: {exc.problems[0]}" if len(exc.problems) == 1 else str(exc)
        _fail(only, 2)
    return sc, path, chosen.overrides


def _solve_version(arg: str, read) -> dict:
    """A result as ``solve --format json --no-explain`` gives it, solved in a child process."""
    if isinstance(read, dict):
        return read
    from optimizer.runtime.isolation import SolverCrash, isolated

    sc, path, overrides = read
    _preload_for_fork()
    try:
        return isolated(_solved, sc, path, overrides, method="fork")
    except SolverCrash as exc:
        _fail(_crash_message(exc, Path(path), sc, list(overrides)), 3)
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        _fail(f"internal error while solving {arg}: {type(exc).__name__}: {exc}", 3)


def _solved(sc, source: str, overrides: tuple[str, ...]) -> dict:
    """``report.versions.solved`` in a child process: a native crash ends the child only."""
    from optimizer.report.versions import solved

    return solved(sc, source=source, overrides=overrides)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
