"""The architecture, enforced: stages import only downwards, and only the solver adapters
touch a solver library or a solver's private functions.

Stages, lowest first (README "Architecture"): runtime, scenario, model, solvers,
analysis, report, then the front ends (cli, app, batch). A module may import its own
stage and any lower one, never a higher one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "optimizer"
STAGES = ["runtime", "scenario", "model", "solvers", "analysis", "report", "front end"]
FRONT_ENDS = {"cli", "app", "batch", "__init__", "__main__"}
SOLVER_LIBRARIES = {"highspy", "pulp", "ortools"}


def stage(module: str) -> str:
    """The stage of ``optimizer.<part>...``."""
    part = module.split(".")[1] if "." in module else "__init__"
    return "front end" if part in FRONT_ENDS else part


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        out[dotted.removesuffix(".__init__")] = path
    return out


def imports(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports (at any depth: functions too), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
            if node.module == "optimizer":  # from optimizer import analysis ...
                found += [(f"optimizer.{a.name}", node.lineno) for a in node.names]
    return found


def test_every_module_belongs_to_a_stage():
    unknown = {m for m in modules() if m != "optimizer" and stage(m) not in STAGES}
    assert not unknown, f"modules outside every stage: {sorted(unknown)}"


@pytest.mark.parametrize("module", sorted(m for m in modules() if m != "optimizer"))
def test_imports_only_go_down(module):
    here = STAGES.index(stage(module))
    upward = [
        f"line {line}: {name} ({stage(name)})"
        for name, line in imports(modules()[module])
        if name.startswith("optimizer.") and STAGES.index(stage(name)) > here
    ]
    assert not upward, f"{module} ({stage(module)}) imports a higher stage: {upward}"


def test_only_the_solver_adapters_import_a_solver_library():
    outside = [
        f"{module} line {line}: {name}"
        for module, path in modules().items()
        if stage(module) != "solvers"
        for name, line in imports(path)
        if name.split(".")[0] in SOLVER_LIBRARIES
    ]
    assert not outside, outside


def test_nothing_outside_its_package_touches_private_state():
    """No ``highs._x`` outside ``solvers``, no ``model._x`` outside ``model``."""
    private = re.compile(r"\b(highs|cpsat|pulp_cbc|ortools)\._\w+|\bmodel\._(rhs|rows|cols|vals)\b")
    hits = [
        f"{module}: {m.group(0)}"
        for module, path in modules().items()
        if stage(module) not in ("solvers", "model")
        for m in private.finditer(path.read_text())
    ]
    assert not hits, hits


def test_the_checker_itself_finds_an_upward_import(tmp_path):
    """The rule can fail: a model module importing analysis is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("from optimizer.analysis.solve import solve\n")
    assert STAGES.index(stage("optimizer.analysis.solve")) > STAGES.index(stage("optimizer.model"))
    assert imports(bad) == [("optimizer.analysis.solve", 1)]


def test_the_public_api_answers_the_seed_company():
    import optimizer

    scenario = optimizer.load_scenario(ROOT / "scenarios" / "seed_company.yaml")
    plan = optimizer.solve(scenario)
    assert plan.solved and round(plan.objective) == 35_400
    assert {name for name in optimizer.__all__} == set(optimizer.PUBLIC)
    for name in optimizer.__all__:
        assert getattr(optimizer, name).__doc__, f"{name} has no docstring"
    moved = optimizer.WhatIf(scenario).resolve({"calendar.hours_per_day": 9.0})
    assert round(moved.objective - plan.objective) == 5_200  # README "Reading the answer"
