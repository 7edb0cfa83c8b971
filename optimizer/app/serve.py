"""Serve the page ready for its first visitor (issue 20).

    python -m optimizer.app.serve [app.py] [streamlit options, e.g. --server.port 8501]

``streamlit run app.py`` imports the page's modules and starts the solver's process only
when the first visitor opens the page: about 1.2 s of CPU for the imports and 1 s for the
solver's process on that visitor's clock, three times the empty page's first render
(``benchmarks/RESULTS.md``). This does both before Streamlit serves: it imports what the
page imports (its top-level import statements, read from the file, so the list follows the
page), starts the solver's forkserver (``guard.warm``), runs the page once without a
browser (``first_run``: Streamlit's AppTest, in this process, so the caches the page keeps
by content hold the default scenario's answer), then runs ``streamlit run`` in this
process, where the page finds its modules imported and its first answer cached. Another
scenario, objective or edit is solved when asked, as under ``streamlit run``.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "app.py"


def page_imports(page: Path) -> list[str]:
    """The modules ``page`` imports at its top level, in order (``from a import b`` gives
    ``a`` and, where ``b`` is a module, ``a.b``)."""
    names = []
    for node in ast.parse(page.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module != "__future__":
                names.append(node.module)
                names += [f"{node.module}.{alias.name}" for alias in node.names]
    return list(dict.fromkeys(names))


def ready(page: Path = PAGE) -> list[str]:
    """Start the solver's process and import what ``page`` imports; the modules imported."""
    from optimizer.app import guard

    guard.warm()  # first: it imports on the other core while this process imports the page's
    done = []
    for name in page_imports(page):
        try:
            importlib.import_module(name)
        except ImportError:  # ``from a import b`` where b is not a module: a was imported
            continue
        done.append(name)
    return done


def first_run(page: Path = PAGE, timeout: float = 300.0) -> str | None:
    """Run ``page`` once as its first visitor would (AppTest, no browser), filling the
    caches the page keeps by content (``st.cache_data``, ``st.cache_resource``: one store
    per process, keyed by the function's module, name and source and its arguments' content,
    so the served page finds them). None if it ran; else what went wrong, in one line (the
    page then solves on its first visit, as under ``streamlit run``)."""
    from streamlit.testing.v1 import AppTest

    try:
        ran = AppTest.from_file(str(page.resolve()), default_timeout=timeout).run()
    except Exception as exc:  # noqa: BLE001 - a warm-up never stops the server
        return f"{type(exc).__name__}: {exc}"
    if ran.exception:
        return "; ".join(e.message for e in ran.exception)
    return None


BARE_MODE_LOGS = (
    "streamlit.runtime.caching.cache_data_api",
    "streamlit.runtime.scriptrunner_utils.script_run_context",
)
"""Streamlit's loggers that warn about running without a server ("No runtime found",
"missing ScriptRunContext"): true before it serves, and nothing for the operator to do."""


def main(argv: list[str] | None = None) -> None:
    import logging

    args = list(sys.argv[1:] if argv is None else argv)
    page = Path(args.pop(0)) if args and args[0].endswith(".py") else PAGE
    from streamlit.logger import get_logger  # made as Streamlit makes them, so kept

    loggers = [get_logger(name) for name in BARE_MODE_LOGS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    print(f"Getting {page.name} ready: its imports, the solver's process and its first run "
          "(the default scenario solved once)…", file=sys.stderr, flush=True)  # fmt: skip
    try:
        ready(page)
        problem = first_run(page)
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)
    if problem:
        print(f"{page}: its first run without a browser failed ({problem}); serving it "
              "anyway", file=sys.stderr)  # fmt: skip
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(page), *args]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
