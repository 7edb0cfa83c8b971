"""End to end: ``streamlit run app.py`` on a free local port, driven in headless Chromium.

Needs Debian's ``chromium`` (/usr/bin/chromium, or $CHROMIUM) and the ``playwright`` Python
package, which drives that browser (no browser download). Skipped when either is absent.
The screenshot is kept in the test's temporary folder, or at $KPI_APP_SCREENSHOT.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from optimizer.analysis.solve import solve
from optimizer.app import moves
from optimizer.report.sentences import money
from optimizer.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", folder)
    port = free_port()
    env = dict(os.environ, KPI_OPTIMIZER_SCENARIOS=str(folder))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = (
                        process.stdout.read().decode(errors="replace") if process.stdout else ""
                    )
                    pytest.fail(f"streamlit did not start:\n{output[-2000:]}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_page_renders_the_seed_plan_in_chromium(server, tmp_path):
    expected = money(solve(load_scenario(ROOT / "scenarios" / "seed_company.yaml")).objective)
    shot = Path(os.environ.get("KPI_APP_SCREENSHOT", tmp_path / "app.png"))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2200})
            page.goto(server)
            page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
            values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
            assert values[0] == expected
            labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
            assert labels[0].startswith("Profit a month")
            page.wait_for_selector("svg[role=img]", timeout=30_000)
            assert "Where the money goes" in page.inner_text("body")
            page.get_by_role("tab", name="Limits, what-ifs").click()
            page.wait_for_selector("text=most worth relaxing", timeout=30_000)
            page.get_by_role("tab", name="Plan", exact=True).click()
            page.wait_for_selector("svg[role=img]", timeout=30_000)
            page.wait_for_function(
                "() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000
            )  # the rerun has finished: nothing is greyed out
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


IDENTIFIER = re.compile(r"\[|\b[a-z]+_[a-z_]+\b|\d\.\d{6}")
"""An identifier (``sales-selling_time[2027-01,field]``, ``hours_per_day``) or a raw float."""


def test_limits_tab_speaks_in_labels_at_1280_px(server):
    """The Limits tab with the explanation: labels, money, no identifier; no table (Plan,
    Limits, Today) scrolls sideways at 1280 px."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2400})
            page.goto(server)
            page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
            page.wait_for_selector("svg[role=img]", timeout=30_000)  # the Plan tab
            assert_no_horizontal_scrolling(page, grids=False)
            page.get_by_role("tab", name="Limits, what-ifs").click()
            page.wait_for_selector("text=most worth relaxing", timeout=30_000)
            page.get_by_role("button", name="Explain what moves the plan").click()
            page.wait_for_selector("text=Why this many people", timeout=60_000)
            page.wait_for_function(
                "() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000
            )
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
                ".some(e => e.textContent.includes('hiring free'))",
                timeout=30_000,
            )  # the explanation's table has drawn its cells
            tab = page.locator('[role="tabpanel"]:visible').first
            text = tab.inner_text()
            grids = page.evaluate(
                "() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
                ".map(e => e.textContent).join('\\n')"
            )  # the tables' cells: drawn on a canvas, kept in an accessible table
            for label in (
                "Qualified leads for conversations, Jan 2027",  # the limits table
                "$4,160 for one person-hour a day more for a month",
                "one hour a day more+$5,200+$5,200Selling time, field team, Jan 2027",  # a step
            ):
                assert label in grids, label
            for label in (
                "Working day: one hour a day more",  # the chart of step values
                "A sixth rep (field team): +$5,200 of margin − $7,000 of pay = −$1,800.",
                "The quality floor (20 minutes) does not limit the plan",
            ):
                assert label in text, label
            found = sorted(set(m.group(0) for m in IDENTIFIER.finditer(text + grids)))
            assert not found, found
            assert_no_horizontal_scrolling(page)
            page.get_by_role("tab", name="Today vs plan").click()
            page.wait_for_selector("text=Limits today's targets break", timeout=60_000)
            page.wait_for_function(
                "() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000
            )
            assert_no_horizontal_scrolling(page)
        finally:
            browser.close()


def assert_no_horizontal_scrolling(page, grids: bool = True) -> None:
    """Neither the page nor any table scrolls sideways (the tables scroll in their own box)."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    tables = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"] .dvn-scroller')]"
        ".filter(e => e.clientWidth > 0).map(e => [e.scrollWidth, e.clientWidth])"
    )
    assert bool(tables) == grids and all(wide <= shown + 1 for wide, shown in tables), tables


# ---- the planning room, as a leader drives it (issue 20's done-when) ----------------------

STILL = "() => !document.querySelector('[data-stale=\"true\"]')"
RAW_FLOAT = re.compile(r"\d\.\d{5,}")
"""A number no leader should read: five decimals or more."""


def settle(page) -> None:
    page.wait_for_function(STILL, timeout=60_000)
    page.wait_for_timeout(300)  # a table's canvas draws after the rerun ends


def tab_text(page) -> str:
    grids = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
        ".map(e => e.textContent).join('\\n')"
    )
    return page.locator('[role="tabpanel"]:visible').first.inner_text() + "\n" + grids


def assert_leader_page(page) -> None:
    """Nothing scrolls sideways (the page, any table) and no raw float shows."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    tables = page.evaluate(
        '() => [...document.querySelectorAll(\'[data-testid="stDataFrame"] .dvn-scroller,'
        ' [data-testid="stTable"]\')].filter(e => e.clientWidth > 0)'
        ".map(e => [e.scrollWidth, e.clientWidth])"
    )
    assert all(wide <= shown + 1 for wide, shown in tables), tables
    found = sorted(set(RAW_FLOAT.findall(tab_text(page))))
    assert not found, found


def upload(page, name: str, text: str) -> None:
    page.locator('[data-testid="stSidebar"] input[type="file"]').set_input_files(
        {"name": name, "mimeType": "application/x-yaml", "buffer": text.encode()}
    )


def test_a_leader_drives_the_planning_room(server, tmp_path):
    """Open the seed, read the answer, screenshot every tab at 1280 x 800 (no sideways
    scrolling, formatted numbers), move a what-if, compare two variants side by side, upload
    a broken file (the stale plan goes), and repair an impossible scenario."""
    seed = load_scenario(ROOT / "scenarios" / "seed_company.yaml")
    plan = solve(seed)
    shots = Path(os.environ.get("KPI_APP_SCREENSHOTS", tmp_path / "screens"))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(server)
            # the answer first, above the fold
            answer = page.locator(".st-key-answer")
            answer.wait_for(timeout=60_000)
            said = answer.inner_text()
            assert said.startswith(
                f"Yes, the goal can be hit: the plan makes {money(plan.objective)} profit a "
                "month, $10,400 over the $25,000 goal."
            ), said
            tabs = page.locator('[role="tablist"]').bounding_box()
            assert tabs["y"] < 800 * 0.6, tabs  # the tabs start in the first screen
            settle(page)
            names = page.get_by_role("tab").all_inner_texts()
            for i, name in enumerate(names):
                page.get_by_role("tab", name=name, exact=True).click()
                settle(page)
                page.screenshot(path=str(shots / f"{i:02d} {name}.png"))
                assert_leader_page(page)
            # a what-if: the first input (the most valuable), one slider step up
            path = moves.inputs(seed, plan)[0][0]
            spec = moves.slider(seed, path)
            after = spec.value + spec.step
            page.get_by_role("tab", name="Limits, what-ifs").click()
            settle(page)
            page.locator('[data-testid="stSlider"] input[type="range"]').first.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_selector(f"text=Objective at {after:g}", timeout=30_000)
            moved = solve(load_scenario(ROOT / "scenarios" / "seed_company.yaml",
                                        [f"{path}={after:g}"]))  # fmt: skip
            metric = page.locator('[data-testid="stMetric"]', has_text=f"Objective at {after:g}")
            assert money(moved.objective) in metric.inner_text()
            # two variants side by side
            page.get_by_role("tab", name="Side by side").click()
            page.wait_for_selector("text=Limits that start or stop binding", timeout=90_000)
            settle(page)
            page.screenshot(path=str(shots / "side by side.png"))
            text = tab_text(page)
            assert "fifty dials" in text and "$35,400" in text, text[:500]
            assert_leader_page(page)
            # a broken upload: its problems beside the uploader, the last plan gone
            original = (ROOT / "scenarios" / "seed_company.yaml").read_text()
            upload(page, "broken.yaml", original.replace("hours_per_day: 8", "hours_per_day: 25"))
            page.wait_for_selector("text=was not loaded", timeout=30_000)
            settle(page)
            page.screenshot(path=str(shots / "refused upload.png"))
            sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
            assert "broken.yaml: calendar.hours_per_day = 25" in sidebar
            assert page.locator('[data-testid="stMetricValue"]').count() == 0
            assert page.locator(".st-key-answer").count() == 0
            # an impossible scenario: the conflict, and a repair applied
            impossible = original.replace(
                "profit_target_per_month: 15000", "profit_target_per_month: 60000"
            )
            assert impossible != original
            upload(page, "impossible.yaml", impossible)
            page.wait_for_selector("text=No, the goal cannot be hit", timeout=90_000)
            settle(page)
            page.screenshot(path=str(shots / "no plan.png"))
            page.get_by_role("button", name="Apply the cheapest repair").click()
            page.wait_for_selector("text=Yes, the goal can be hit", timeout=90_000)
            settle(page)
            assert "(repaired)" in page.locator("body").inner_text()
            page.screenshot(path=str(shots / "repaired.png"))
        finally:
            browser.close()
    assert len(list(shots.glob("*.png"))) >= len(names) + 4
