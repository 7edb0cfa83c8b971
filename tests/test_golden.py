"""Golden files: every bundled scenario's JSON from ``solve`` (plain and ``--explain``),
``compare`` and ``--cross-check`` (OR-Tools and CBC) is byte for byte what was committed.

Written before a restructure that must change no behaviour. The commands, the
normalisation (timings blanked) and the files are in ``tests/golden/regenerate.py``;
each case runs the real entry point in a fresh interpreter.
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # 28 CLI runs, fresh interpreters: about 5 min with -n 2

_spec = importlib.util.spec_from_file_location(
    "golden_regenerate", Path(__file__).resolve().parent / "golden" / "regenerate.py"
)
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)

DIFF_LINES = 40
HOW_TO_UPDATE = (
    "If, and only if, this change in behaviour is intended, run "
    "`python tests/golden/regenerate.py` and commit the golden files with the change."
)


@pytest.mark.parametrize(
    ("scenario", "command"), golden.CASES, ids=[f"{s}.{c}" for s, c in golden.CASES]
)
def test_output_is_the_golden_file(scenario, command):
    path = golden.golden_path(scenario, command)
    assert path.exists(), f"no golden file {path.name}. {HOW_TO_UPDATE}"
    actual, problem = golden.output(scenario, command)
    assert actual is not None, f"{scenario} {command} failed: {problem}"
    expected = path.read_text()
    if actual != expected:
        diff = list(
            difflib.unified_diff(
                expected.splitlines(),
                actual.splitlines(),
                f"golden/{path.name}",
                "now",
                n=2,
                lineterm="",
            )
        )
        shown = "\n".join(diff[:DIFF_LINES])
        more = f"\n... {len(diff) - DIFF_LINES} more diff lines" if len(diff) > DIFF_LINES else ""
        pytest.fail(
            f"{scenario} {command}: the output is not the golden file\n{shown}{more}\n\n"
            f"{HOW_TO_UPDATE}",
            pytrace=False,
        )


def test_no_stale_golden_files():
    wanted = {golden.golden_path(*case).name for case in golden.CASES}
    present = {p.name for p in golden.GOLDEN.glob("*.json")}
    assert present == wanted, (
        f"missing: {sorted(wanted - present)}, stale: {sorted(present - wanted)}. {HOW_TO_UPDATE}"
    )


def test_normalise_blanks_timings_and_nothing_else():
    raw = (
        '{"timings_seconds": {"solve": 0.1}, "explanation": {"seconds": 2.5, "steps": [1.5]},'
        ' "metric": "asa_seconds", "slack": 1.1641532182693481e-10,'
        f' "source": "{golden.ROOT}/scenarios/x.yaml"}}'
    )
    assert golden.normalise(raw) == (
        "{\n"
        ' "explanation": {\n  "seconds": "<timing>",\n  "steps": [\n   1.5\n  ]\n },\n'
        ' "metric": "asa_seconds",\n'
        ' "slack": 1.1641532182693481e-10,\n'
        ' "source": "<root>/scenarios/x.yaml",\n'
        ' "timings_seconds": {\n  "solve": "<timing>"\n }\n'
        "}\n"
    )
