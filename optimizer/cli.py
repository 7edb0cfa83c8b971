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


class Objective(str, Enum):
    max_profit = "max_profit"
    min_cost = "min_cost"
    closest_to_current = "closest_to_current"


class CsvTable(str, Enum):
    targets = "targets"
    constraints = "constraints"
    parameters = "parameters"


def _fail(message: str, code: int) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


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
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    table: Annotated[
        CsvTable, typer.Option(help="Which table --format csv prints.")
    ] = CsvTable.targets,
    time_limit: Annotated[float | None, typer.Option(help="Solver time limit, seconds.")] = None,
    all_constraints: Annotated[
        bool, typer.Option("--all", help="Table format: list every limit, not only binding ones.")
    ] = False,
) -> None:
    """Solve a scenario: per-role targets, binding limits and what each is worth."""
    from optimizer.loading import ScenarioError, load_scenario

    overrides = list(set_ or [])
    try:
        sc = load_scenario(scenario, overrides)
    except ScenarioError as exc:
        _fail(str(exc), 2)
    try:
        from optimizer.chain.objectives import NoCurrentTargets
        from optimizer.solve import solve as run

        plan = run(
            sc,
            objective.value if objective else None,
            time_limit=time_limit,
            source=str(scenario),
            overrides=tuple(overrides),
        )
    except NoCurrentTargets as exc:
        _fail(f"{scenario}: {exc}", 2)
    except Exception as exc:  # noqa: BLE001 - the user gets one line, never a traceback
        _fail(f"internal error while solving {scenario}: {type(exc).__name__}: {exc}", 3)
    _print(plan, format, table, all_constraints)
    raise typer.Exit(0 if plan.solved else 1)


def _print(plan, format: Format, table: CsvTable, all_constraints: bool) -> None:
    from optimizer import report

    if format is Format.json:
        sys.stdout.write(json.dumps(report.to_json(plan), indent=2) + "\n")
    elif format is Format.csv:
        frame = {
            "targets": plan.targets,
            "constraints": plan.constraints,
            "parameters": plan.parameters,
        }
        sys.stdout.write(frame[table.value].to_csv(index=False))
    else:
        from optimizer.tables import print_plan

        print_plan(plan, all_constraints=all_constraints)


@app.command()
def validate(scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")]) -> None:
    """Check scenario files and list every problem, without solving."""
    from optimizer.loading import ScenarioError, load_scenario

    bad = 0
    for path in scenarios:
        try:
            load_scenario(path)
            typer.echo(f"{path}: ok")
        except ScenarioError as exc:
            bad += 1
            typer.echo(str(exc), err=True)
    raise typer.Exit(2 if bad else 0)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
