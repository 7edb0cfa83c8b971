"""Serve the page ready for its first visitor (issue 20).

    python -m optimizer.app.serve [app.py] [streamlit options, e.g. --server.port 8501]

``streamlit run app.py`` imports the page's modules and starts the solver's process only
when the first visitor opens the page: about 1.2 s of CPU for the imports and 1 s for the
solver's process on that visitor's clock, three times the empty page's first render
(``benchmarks/RESULTS.md``). This does both before Streamlit serves: it imports what the
page imports (its top-level import statements, read from the file, so the list follows the
page), starts the solver's forkserver (``guard.warm``), then runs ``streamlit run`` in this
process, where the page finds its modules imported.
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


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    page = Path(args.pop(0)) if args and args[0].endswith(".py") else PAGE
    ready(page)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(page), *args]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
