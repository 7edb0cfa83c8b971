"""How fast the Streamlit page answers: first render of each bundled scenario, what-ifs.

    python benchmarks/app_bench.py            # server-side (AppTest) and, if Chromium and
                                              # playwright are installed, in a real browser

Server side, AppTest runs the page script as the server would, without a browser:
- "render, cold": the first run for a scenario (nothing cached; modules already imported);
- "render, cached": the same page again (the solve comes from the cache);
- "what-if": the run after the what-if slider moves to a new value (one re-solve).

In the browser (headless Chromium driving `streamlit run app.py` on a local port):
- "server start": process start until /_stcore/health answers;
- "first page": page opened until the headline numbers show, in a fresh server process
  (Python imports and the first solve included);
- "next page": the same in a second tab (a warm process, the solve cached);
- "empty page": a Streamlit page with only a title and a metric, for the floor that
  Streamlit's own front end sets on this machine;
- "what-if in page": the slider moved by one step until the new objective shows.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
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
REPEATS = 3
STILL = "() => !document.querySelector('[data-stale=\"true\"]')"


def server_side() -> list[tuple[str, str, float]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from optimizer.app import moves
    from optimizer.scenario.loading import load_scenario

    rows = []
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()  # imports, warm-up
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.session_state["scenario_file"] = path.name
        at.run()  # the default scenario, then switch: time the switch alone
        st.cache_data.clear()
        start = time.perf_counter()
        at.selectbox(key="scenario_file").set_value(path.name).run()
        cold = time.perf_counter() - start
        cached = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            at.run()
            cached.append(time.perf_counter() - start)
        at.session_state["section"] = "Limits and what-ifs"
        at.run()
        scenario = load_scenario(path)
        at.selectbox(key="whatif_input").set_value("calendar.hours_per_day").run()
        spec = moves.slider(scenario, "calendar.hours_per_day")
        times = []
        for k in range(1, REPEATS + 1):
            start = time.perf_counter()
            at.slider(key="whatif_value").set_value(spec.value + k * spec.step).run()
            times.append(time.perf_counter() - start)
            assert not at.exception, at.exception
        rows += [
            (path.name, "render, cold", cold),
            (path.name, "render, cached", statistics.median(cached)),
            (path.name, "what-if", statistics.median(times)),
        ]
    return rows


def _serve(folder: Path, script: str, port: int) -> tuple[subprocess.Popen, float]:
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read()
            return process, time.perf_counter() - start
        except OSError:
            time.sleep(0.05)


def _headline(browser, url: str) -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=120_000)
    elapsed = time.perf_counter() - start
    page.close()
    return elapsed


def in_browser() -> list[tuple[str, str, float]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        empty = Path(tmp) / "empty.py"
        empty.write_text('import streamlit as st\nst.title("x")\nst.metric("Profit", "$1")\n')
        process, _ = _serve(Path(tmp), str(empty), 8611)
        try:
            _headline(browser, "http://127.0.0.1:8611")
            floor = [_headline(browser, "http://127.0.0.1:8611") for _ in range(REPEATS)]
        finally:
            process.terminate()
        rows.append(("-", "empty page (Streamlit's floor)", statistics.median(floor)))
        firsts, nexts, starts, whatifs = [], [], [], []
        for _ in range(REPEATS):
            process, started = _serve(ROOT, str(ROOT / "app.py"), 8612)
            try:
                starts.append(started)
                url = "http://127.0.0.1:8612"
                firsts.append(_headline(browser, url))
                nexts.append(_headline(browser, url))
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url)
                page.wait_for_selector('[data-testid="stMetricValue"]', timeout=120_000)
                page.wait_for_function(STILL, timeout=60_000)  # the first run has finished
                page.get_by_role("tab", name="Limits and what-ifs").click()
                slider = page.locator('[data-testid="stSlider"] input').first
                slider.wait_for(timeout=60_000)
                page.wait_for_function(STILL, timeout=60_000)
                page.wait_for_timeout(1500)
                slider.focus()
                start = time.perf_counter()
                page.keyboard.press("ArrowRight")
                try:
                    page.wait_for_selector("text=Objective at", timeout=20_000)
                    whatifs.append(time.perf_counter() - start)
                except Exception as exc:  # noqa: BLE001 - report it and go on
                    print(f"(a what-if in the page did not show: {type(exc).__name__})")
                page.close()
            finally:
                process.terminate()
                process.wait(timeout=10)
        rows += [
            ("seed_company.yaml", "server start", statistics.median(starts)),
            ("seed_company.yaml", "first page (fresh server)", statistics.median(firsts)),
            ("seed_company.yaml", "next page (warm server)", statistics.median(nexts)),
            (
                "seed_company.yaml",
                "what-if in page",
                statistics.median(whatifs) if whatifs else float("nan"),
            ),
        ]
        browser.close()
    return rows


def main() -> None:
    rows = server_side()
    try:
        import playwright  # noqa: F401

        if Path(CHROMIUM).exists():
            rows += in_browser()
        else:
            print(f"(no Chromium at {CHROMIUM}: browser timings skipped)")
    except ImportError:
        print("(playwright not installed: browser timings skipped)")
    print(f"{'scenario':<24} {'measure':<34} {'seconds':>8}")
    for scenario, measure, seconds in rows:
        print(f"{scenario:<24} {measure:<34} {seconds:>8.3f}")


if __name__ == "__main__":
    main()
