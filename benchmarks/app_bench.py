"""How fast the Streamlit page answers, as ratios against an empty Streamlit page (issue 20).

    python benchmarks/app_bench.py [--repeats 3] [--scenario software_company.yaml]
                                   [--server-side] [--out benchmarks/RESULTS.md | --no-write]

In a real browser (headless Chromium through playwright) against ``streamlit run``, each
page in a fresh server process on a local port (8750-8769), the empty page and the app
alternated (empty, app, empty, app, ...), medians of ``--repeats`` pairs:

- "first render": a new browser context opens the page until the headline numbers show
  (the app: Python imports of the page and the optimizer, the solver's process, the first
  solve; the empty page: a title, a slider and a metric, Streamlit's own floor);
- each tab's first open in that fresh server: tab clicked until the last thing the tab
  draws shows and nothing is greyed out (the cached solves of the tabs before it reused);
- "what-if": the what-if slider moved one step (keyboard) until the new objective shows;
  the first move (the held model built) and the next ones apart. The empty page's floor:
  its slider moved until its metric shows the new value;
- "tab switch back": a click back to the first tab, a rerun of a widget unrelated to the
  plan: what a rerun costs. Its floor: the empty page's slider rerun.

``--server-side`` adds AppTest timings (the script run without a browser): the first run,
a cached rerun and a what-if. Targets (issue 20): first render <= 1.5x the empty page, a
what-if re-solve visible in < 0.5 s on the seed company. The section between the markers in
RESULTS.md is replaced (``--no-write`` prints it only). Ratios in one run are the figures to
read: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sections import write_section  # noqa: E402

START, END = "<!-- app-bench:start -->", "<!-- app-bench:end -->"
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
PORTS = range(8750, 8770)
TIMEOUT_MS = 120_000
MARKER_MS = 30_000
TARGETS = {"first render / empty page": 1.5, "what-if, seconds": 0.5}
EMPTY_PAGE = """import streamlit as st

st.title("kpi-optimizer")
value = st.slider("Hours a day", 0, 24, 8, key="v")
st.metric("Profit a month", f"${value * 1000:,}")
"""
QUIET = """() => !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stStatusWidget"] [data-testid="stSpinner"]')
    && !document.querySelector('[data-testid="stSpinner"]')"""
METRIC = '[data-testid="stMetricValue"]'
# The last thing each tab draws on the seed company (before anything is asked for): the tab
# counts as open when it shows. A tab not listed (or whose sections differ by company, as
# "By month") waits for its panel to be non-empty.
LAST_DRAWN = {
    "Plan": "text=Sales targets",
    "Funnel": "text=Beside the funnel",
    "Money": "text=Month by month",
    "Limits, what-ifs": "text=What if one input were different?",
    "Variables": "text=Why not this option?",
    "Today vs plan": "text=What would make today's targets right",
    "Sensitivity": "text=Run the sweep",
    "Trade-offs": "text=Draw the curve",
    "Odds": "text=How likely is the plan?",
    "Inputs": "text=Apply and solve again",
    "Downloads": "text=Workbook (Excel)",
}
WHATIF_TAB = "Limits, what-ifs"


# ---- servers ------------------------------------------------------------------------------


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def serve(folder: Path, script: str, env: dict | None = None, launcher: str = "streamlit"):
    """(process, url, seconds until /_stcore/health answered) of a fresh ``streamlit run``
    (``launcher="optimizer.app.serve"``: the page started ready, its imports, the solver's
    process and its first run done before it serves)."""
    port = free_port()
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable, "-m", launcher, *(["run"] if launcher == "streamlit" else []), script,
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ],
        cwd=folder,
        env=dict(os.environ, **(env or {})),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read()
            return process, url, time.perf_counter() - start
        except OSError:
            if process.poll() is not None or time.perf_counter() - start > 60:
                raise RuntimeError(f"streamlit did not start on {url}") from None
            time.sleep(0.05)


def tree_cpu(pid: int) -> float:
    """CPU seconds of process ``pid`` and its descendants (the solver's forkserver and its
    children), read from /proc: the waited-for children's time is in their parent's."""
    total, todo = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def stop(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---- one page in the browser ----------------------------------------------------------------


def open_page(browser, url: str, pid: int):
    """(context, page, seconds until a metric shows, websocket bytes received by then, CPU
    seconds the server and its children spent by then)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    received = [0]
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: _count(received, f)))
    cpu = tree_cpu(pid)
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(METRIC, timeout=TIMEOUT_MS)
    seconds = time.perf_counter() - start
    return context, page, seconds, received[0], tree_cpu(pid) - cpu


def _count(total: list[int], frame) -> None:
    total[0] += len(frame) if isinstance(frame, bytes | str) else 0


def settle(page) -> None:
    page.wait_for_function(QUIET, timeout=TIMEOUT_MS, polling=50)


def slider_step(page, label_js: str) -> float:
    """Seconds from one ArrowRight on the first slider until ``label_js`` (a JS expression
    of the text to watch) changes and the page is quiet."""
    before = page.evaluate(f"() => {label_js}")
    page.locator('[data-testid="stSlider"] input[type="range"]').first.focus()
    start = time.perf_counter()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        f"(before) => {{ const now = {label_js}; return now !== null && now !== before; }}",
        arg=before,
        timeout=TIMEOUT_MS,
        polling=20,
    )
    seconds = time.perf_counter() - start
    settle(page)
    return seconds


EMPTY_VALUE = "document.querySelector('[data-testid=\"stMetricValue\"]')?.innerText ?? null"
WHATIF_VALUE = """(() => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(e => e.innerText.startsWith('Objective at'));
    return m && !m.closest('[data-stale="true"]') ? m.innerText : null; })()"""


def empty_run(browser, folder: Path, moves: int) -> dict:
    process, url, started = serve(folder, str(folder / "empty.py"))
    try:
        context, page, first, received, cpu = open_page(browser, url, process.pid)
        settle(page)
        elements = page.locator('[data-testid="stElementContainer"]').count()
        rerun = [slider_step(page, EMPTY_VALUE) for _ in range(moves)]
        context.close()
    finally:
        stop(process)
    return {"start": started, "first": first, "cpu": cpu, "bytes": received, "elements": elements,
            "rerun": statistics.median(rerun)}  # fmt: skip


def tab_names(page) -> list[str]:
    return [t.strip() for t in page.get_by_role("tab").all_inner_texts()]


def open_tab(page, name: str) -> float:
    """Seconds from a click on tab ``name`` until its last element shows (``LAST_DRAWN``;
    else a non-empty panel) and nothing is greyed out; NaN, said, if it never shows."""
    start = time.perf_counter()
    page.get_by_role("tab", name=name, exact=True).click()
    marker = LAST_DRAWN.get(name, '[role="tabpanel"]:not([hidden]) > *')
    try:
        page.wait_for_selector(marker, timeout=MARKER_MS)
    except Exception:  # noqa: BLE001 - the page changed: report it and go on
        print(f"  (tab {name!r}: {marker!r} did not show; update LAST_DRAWN)", flush=True)
        return float("nan")
    settle(page)
    return time.perf_counter() - start


def app_run(browser, folder: Path, moves: int) -> dict:
    env = {"KPI_OPTIMIZER_SCENARIOS": str(folder)}
    process, url, started = serve(ROOT, str(ROOT / "app.py"), env)
    try:
        context, page, first, received, cpu = open_page(browser, url, process.pid)
        settle(page)
        elements = page.locator('[data-testid="stElementContainer"]').count()
        names = tab_names(page)
        first_tab = names[0] if names else "Plan"
        tabs = {}
        for name in names[1:]:
            tabs[name] = open_tab(page, name)
        back = open_tab(page, first_tab)
        tabs[first_tab + " (again)"] = back
        whatif = []
        if WHATIF_TAB in names:
            open_tab(page, WHATIF_TAB)
            page.wait_for_timeout(300)
            for _ in range(moves + 1):
                try:
                    whatif.append(slider_step(page, WHATIF_VALUE))
                except Exception as exc:  # noqa: BLE001 - report it and go on
                    print(f"  (a what-if did not show: {type(exc).__name__})", flush=True)
                    break
        # once more: switching back now that every tab's work is cached
        open_tab(page, WHATIF_TAB if WHATIF_TAB in names else names[-1])
        back_warm = open_tab(page, first_tab)
        context.close()
    finally:
        stop(process)
    return {"start": started, "first": first, "cpu": cpu, "bytes": received, "elements": elements,
            "tabs": tabs, "whatif_first": whatif[0] if whatif else float("nan"),
            "whatif_next": statistics.median(whatif[1:]) if len(whatif) > 1 else float("nan"),
            "back": back, "back_warm": back_warm}  # fmt: skip


def quiet(pid: int, still: float = 0.5, limit: float = 60.0) -> None:
    """Wait until the server and its children spend no CPU for ``still`` seconds: a server
    started before its first visitor has finished its own start by then."""
    end, last = time.perf_counter() + limit, tree_cpu(pid)
    while time.perf_counter() < end:
        time.sleep(still)
        now = tree_cpu(pid)
        if now - last < 0.05:
            return
        last = now


def ready_run(browser, folder: Path) -> dict:
    """The app started ready (``python -m optimizer.app.serve``): first render only."""
    env = {"KPI_OPTIMIZER_SCENARIOS": str(folder)}
    process, url, started = serve(
        ROOT, str(ROOT / "app.py"), env, launcher="optimizer.app.serve"
    )  # started: its imports, the forkserver and the page's first run (serve.first_run)
    try:
        start = time.perf_counter()
        quiet(process.pid)
        settled = time.perf_counter() - start
        context, page, first, _, cpu = open_page(browser, url, process.pid)
        context.close()
    finally:
        stop(process)
    return {"start": started, "first": first, "cpu": cpu, "settled": settled}


def in_browser(scenario: str, repeats: int, moves: int) -> dict:
    from playwright.sync_api import sync_playwright

    empties, apps = [], []
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "empty.py").write_text(EMPTY_PAGE, encoding="utf-8")
        (folder / "scenarios").mkdir()
        shutil.copy(ROOT / "scenarios" / scenario, folder / "scenarios" / scenario)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for k in range(repeats):
                empties.append(empty_run(browser, folder, moves))
                apps.append(app_run(browser, folder / "scenarios", moves))
                apps[-1]["ready"] = ready_run(browser, folder / "scenarios")
                e, a = empties[-1], apps[-1]
                print(
                    f"  {scenario} pair {k + 1}: empty {e['first']:.2f} s, app {a['first']:.2f} s "
                    f"({a['first'] / e['first']:.2f}x; server CPU {e['cpu']:.2f} s, {a['cpu']:.2f} s); "
                    f"what-if {a['whatif_next']:.2f} s; started ready {a['ready']['first']:.2f} s "
                    f"({a['ready']['first'] / e['first']:.2f}x, serving after {a['ready']['start']:.1f} s, "
                    f"quiet after {a['ready']['settled']:.1f} s more)",
                    flush=True,
                )
        finally:
            browser.close()
    return {"scenario": scenario, "empty": empties, "app": apps}


# ---- server side (AppTest) ------------------------------------------------------------------


def server_side(scenario: str, repeats: int) -> dict:
    import logging

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # bare-mode warnings

    AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()  # imports, warm-up
    st.cache_data.clear()
    st.cache_resource.clear()
    with tempfile.TemporaryDirectory() as tmp:  # the page opens the only file in its folder
        shutil.copy(ROOT / "scenarios" / scenario, Path(tmp) / scenario)
        os.environ["KPI_OPTIMIZER_SCENARIOS"] = tmp
        try:
            return _server_side(scenario, repeats)
        finally:
            os.environ.pop("KPI_OPTIMIZER_SCENARIOS")


def _server_side(scenario: str, repeats: int) -> dict:
    from streamlit.testing.v1 import AppTest

    from optimizer.app import moves
    from optimizer.scenario.loading import load_scenario

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    cached = []
    for _ in range(repeats):
        start = time.perf_counter()
        at.run()
        cached.append(time.perf_counter() - start)
    at.session_state["section"] = WHATIF_TAB
    at.run()
    spec = moves.slider(
        load_scenario(ROOT / "scenarios" / scenario), at.selectbox(key="whatif_input").value
    )
    times = []
    for k in range(1, repeats + 2):
        start = time.perf_counter()
        at.slider(key="whatif_value").set_value(spec.value + k * spec.step).run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return {"cold": cold, "cached": statistics.median(cached), "whatif_first": times[0],
            "whatif": statistics.median(times[1:])}  # fmt: skip


# ---- the table --------------------------------------------------------------------------------


def med(rows: list[dict], key: str) -> float:
    values = [r[key] for r in rows if key in r and r[key] == r[key]]  # NaN left out
    return statistics.median(values) if values else float("nan")


def paired(run: dict, key: str, floor: str, tab: str | None = None) -> tuple[float, float]:
    """(median app seconds, median of each pair's app / empty-page ``floor``): a pair runs
    back to back, so its ratio sees the same load on the machine."""
    seconds, ratios = [], []
    for e, a in zip(run["empty"], run["app"]):
        if tab:
            value = a["tabs"].get(tab, float("nan"))
        elif key.startswith("ready "):
            value = a.get("ready", {}).get(key.removeprefix("ready "), float("nan"))
        else:
            value = a.get(key, float("nan"))
        if value == value:
            seconds.append(value)
            ratios.append(value / e[floor])
    if not seconds:
        return float("nan"), float("nan")
    return statistics.median(seconds), statistics.median(ratios)


def summary(run: dict) -> list[tuple[str, float, float]]:
    """(measure, app seconds, ratio to its empty-page floor) rows, medians."""
    rows = [
        ("server start (until /_stcore/health)", *paired(run, "start", "start")),
        ("first render (page open -> headline)", *paired(run, "first", "first")),
        ("first render, server CPU s (with its children)", *paired(run, "cpu", "cpu")),
        (
            "first render, started ready (`python -m optimizer.app.serve`)",
            *paired(run, "ready first", "first"),
        ),
        ("... its server CPU s", *paired(run, "ready cpu", "cpu")),
        (
            "... its server start (imports, solver process, the page's first run)",
            *paired(run, "ready start", "start"),
        ),
    ]
    names = list(dict.fromkeys(n for r in run["app"] for n in r["tabs"]))
    rows += [(f"tab first open: {n}", *paired(run, "", "rerun", tab=n)) for n in names]
    rows += [
        ("what-if, first move (held model built)", *paired(run, "whatif_first", "rerun")),
        ("what-if, next moves", *paired(run, "whatif_next", "rerun")),
        ("tab switch back, all cached", *paired(run, "back_warm", "rerun")),
    ]
    return rows


def markdown(runs: list[dict], server: dict, repeats: int, started: float) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    out = [
        START,
        "## The page against an empty Streamlit page (`benchmarks/app_bench.py`)",
        "",
        f"Run {when}, {repeats} alternated pairs (empty page, app; each in a fresh `streamlit "
        f"run` on a local port, a fresh browser context; medians), {time.time() - started:.0f} s "
        f"in all; {os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{load} at the end (a shared machine: ratios are the figures to read).",
        "",
    ]
    for run in runs:
        e, a = run["empty"], run["app"]
        out += [
            f"### {run['scenario']}",
            "",
            f"Empty page (title, slider, metric): first render {med(e, 'first'):.2f} s, "
            f"{med(e, 'elements'):.0f} elements, {med(e, 'bytes') / 1024:.0f} KiB over the "
            f"websocket; a slider rerun until its metric changes {med(e, 'rerun'):.3f} s. "
            f"The app's first page: {med(a, 'elements'):.0f} elements, "
            f"{med(a, 'bytes') / 1024:.0f} KiB. Ratios: first render and server start against "
            "the empty page's; tabs, what-ifs and reruns against its slider rerun; each the median "
            "of the pairs' ratios.",
            "",
            "| measure | app s | / empty page |",
            "|---|---|---|",
        ]
        out += [f"| {m} | {s:.3f} | {r:.2f}x |" for m, s, r in summary(run)]
        out.append("")
    seed = runs[0]
    out += ["| target | measured | limit | verdict |", "|---|---|---|---|"]
    first = paired(seed, "first", "first")[1]
    ready = paired(seed, "ready first", "first")[1]
    whatif = paired(seed, "whatif_next", "rerun")[0]
    for (name, limit), value, shown in [
        (list(TARGETS.items())[0], first, f"{first:.2f}x"),
        (("first render, started ready / empty page", 1.5), ready, f"{ready:.2f}x"),
        (list(TARGETS.items())[1], whatif, f"{whatif:.3f} s"),
    ]:
        verdict = "met" if value <= limit else "**not met**"
        out.append(f"| {seed['scenario']}: {name} | {shown} | <= {limit:g} | {verdict} |")
    if server:
        out += [
            "",
            "Server side (AppTest, in-process, modules already imported, no browser), s:",
            "",
            "| scenario | first run | cached rerun | what-if, first | what-if, next |",
            "|---|---|---|---|---|",
        ]
        for name, s in server.items():
            out.append(
                f"| {name} | {s['cold']:.3f} | {s['cached']:.3f} | {s['whatif_first']:.3f} "
                f"| {s['whatif']:.3f} |"
            )
    out.append(END)
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--moves", type=int, default=3, help="what-if moves after the first")
    parser.add_argument("--scenario", action="append", default=[], help="besides the seed")
    parser.add_argument("--server-side", action="store_true", help="AppTest timings too")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    started = time.time()
    names = ["seed_company.yaml", *args.scenario]
    try:
        import playwright  # noqa: F401
    except ImportError:
        sys.exit("playwright is not installed: the page is timed in a browser")
    if not Path(CHROMIUM).exists():
        sys.exit(f"no Chromium at {CHROMIUM} (set $CHROMIUM)")
    runs = [in_browser(name, args.repeats, args.moves) for name in names]
    server = {}
    for name in names if args.server_side else []:
        try:
            server[name] = server_side(name, args.repeats)
        except Exception as exc:  # noqa: BLE001 - the browser's figures still count
            print(f"(server side, {name}: {type(exc).__name__}: {exc})")
    section = markdown(runs, server, args.repeats, started)
    if not args.no_write:
        write_section(args.out, START, END, section)
    print(section)


if __name__ == "__main__":
    main()
