"""What keeps the page's first render fast (issue 20), checked without timing anything.

The page's modules leave the workbook library and the solver library to the moments that
need them; the solver's forkserver can be started ahead of the first solve and preloads the
solver library, so no child imports it again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from optimizer.app import guard
from optimizer.runtime import isolation

ROOT = Path(__file__).resolve().parent.parent
PAGE_MODULES = sorted(
    f"optimizer.app.{p.stem}" for p in (ROOT / "optimizer" / "app").glob("*.py")
    if p.stem != "__init__"
)  # fmt: skip


def imported_after(statement: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after ``statement``."""
    done = subprocess.run(
        [sys.executable, "-c", f"{statement}\nimport sys\nprint(*{{m.split('.')[0] for m in sys.modules}})"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return set(done.stdout.split())


def test_the_page_modules_import_neither_openpyxl_nor_a_solver():
    found = imported_after("\n".join(f"import {m}" for m in PAGE_MODULES))
    assert not {"openpyxl", "highspy", "scipy"} & found


def test_the_workbook_styles_are_made_on_first_use():
    found = imported_after(
        "import optimizer.app.workbook as w\n"
        "assert w.BINDING_FILL.fgColor.rgb.endswith('FFF2CC')\n"
        "assert w.BOLD.bold and w.style('BOLD') is w.BOLD"
    )
    assert "openpyxl" in found


def test_the_forkserver_started_ahead_serves_the_solves():
    assert "optimizer.solvers.native" in guard.PRELOAD
    guard.warm()
    guard.warm()  # again: the running server is kept
    assert isolation.isolated(sorted, [3, 1, 2], preload=guard.PRELOAD) == [1, 2, 3]


def test_outside_streamlit_importing_the_guard_starts_no_process():
    imported_after(
        "import optimizer.app.guard\n"
        "from multiprocessing import forkserver\n"
        "assert forkserver._forkserver._forkserver_pid is None"
    )


def test_the_page_started_ready_has_its_modules_imported(tmp_path):
    from optimizer.app.serve import PAGE, page_imports, ready

    listed = page_imports(PAGE)
    assert "streamlit" in listed and "optimizer.app.guard" in listed  # read from app.py itself
    page = tmp_path / "page.py"
    page.write_text(
        "from __future__ import annotations\nimport json\n"
        "from optimizer.app import headline, guard\nfrom pathlib import Path\n",
        encoding="utf-8",
    )
    assert page_imports(page) == [
        "json", "optimizer.app", "optimizer.app.headline", "optimizer.app.guard", "pathlib",
        "pathlib.Path",
    ]  # fmt: skip
    assert ready(page) == [
        "json",
        "optimizer.app",
        "optimizer.app.headline",
        "optimizer.app.guard",
        "pathlib",
    ]
    assert "optimizer.app.headline" in sys.modules
