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


PAGE_WITH_A_CACHE = """
import streamlit as st
from pathlib import Path

CALLS = Path(__file__).with_suffix(".calls")


@st.cache_data
def answer(question: str) -> int:
    with CALLS.open("a") as f:
        f.write(question + "\\n")
    return 42


st.metric("answer", answer("the default scenario"))
"""


def test_the_first_run_fills_the_caches_the_served_page_finds(tmp_path):
    """``serve.first_run`` runs the page once before Streamlit serves: what it caches by
    content is found by the next run of the page in the process (the first visitor's), so
    that run does not compute it again; a page that fails is reported, not raised."""
    from streamlit.testing.v1 import AppTest

    from optimizer.app.serve import first_run

    page = tmp_path / "page.py"
    page.write_text(PAGE_WITH_A_CACHE, encoding="utf-8")
    assert first_run(page, timeout=60) is None
    calls = page.with_suffix(".calls")
    assert calls.read_text().splitlines() == ["the default scenario"]
    visit = AppTest.from_file(str(page), default_timeout=60).run()
    assert visit.metric[0].value == "42"
    assert calls.read_text().splitlines() == ["the default scenario"]  # from the cache

    broken = tmp_path / "broken.py"
    broken.write_text("import streamlit as st\nraise ValueError('no scenario folder')\n")
    said = first_run(broken, timeout=60)  # the traceback goes to the server's log
    assert isinstance(said, str) and said


def test_the_served_app_finds_its_first_answer_solved(monkeypatch):
    """The bundled page's first run, as ``python -m optimizer.app.serve`` makes it: it runs
    without errors, and the next run of the page (the first visitor's) solves nothing again:
    the plan comes from the cache, no child process is asked for it."""
    from streamlit.testing.v1 import AppTest

    from optimizer.app.serve import PAGE, first_run

    assert first_run(PAGE) is None
    asked = []
    attempt = guard.attempt

    def counted(fn, *args, **kwargs):
        asked.append(fn.__name__)
        return attempt(fn, *args, **kwargs)

    monkeypatch.setattr(guard, "attempt", counted)
    visit = AppTest.from_file(str(PAGE), default_timeout=120).run()
    assert not visit.exception
    assert visit.metric, "the headline shows"
    assert "analyse" not in asked, asked
