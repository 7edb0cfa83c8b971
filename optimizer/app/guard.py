"""The page's solves, run where a native crash or a hang cannot take the server down.

HiGHS is native code: on some inputs it dies of a signal instead of raising, and a solve
in the server's own process would take the server (every user's page) with it.
``attempt(fn, *args)`` runs ``fn`` in a child process forked from a forkserver that
imported the solver once (``optimizer.runtime.isolation``); a crash, or a child still running after
``WALL_LIMIT`` seconds, comes back as a ``Failure`` for the page to show, and the server
carries on. The result crosses the process boundary pickled (tens of kilobytes).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from optimizer.runtime import isolation

T = TypeVar("T")
PRELOAD = (
    "optimizer.analysis.solve",
    "optimizer.analysis.diagnose",
    "optimizer.analysis.compare",
    "optimizer.app.analysis",
    "optimizer.solvers.native",
)
"""What the forkserver imports once, before its first child: the page's solves need no import
(the solver library too: ``optimizer.solvers.native``)."""
WALL_LIMIT = 120.0
"""Seconds a solve (with its diagnosis) may take before its process is stopped."""
log = logging.getLogger("kpi-optimizer.app")


def warm() -> None:
    """Start the solver's forkserver now (it imports ``PRELOAD``, about a second, in its own
    process): the page's first solve then waits only for what is left of that, not for all
    of it after the page's own imports (issue 20). Safe to call again."""
    isolation.start(preload=PRELOAD)


@dataclass(frozen=True)
class Failure:
    """A solve that gave no answer: its process died (``crash``) or was stopped (``timeout``)."""

    kind: str  # "crash" or "timeout"
    stage: str  # the last stage the child reported, "" if none
    signal: str = ""  # for a crash: "SIGSEGV", "SIGKILL", "exit code 1", ...
    seconds: float = 0.0  # for a timeout: the limit

    def text(self, scenario: str, label: str, lost: str = "No plan is shown for it.") -> str:
        """The page's message; ``lost`` says what the page does not show because of it."""
        where = self.stage or "a stage it did not report"
        if self.kind == "crash":
            what = f"The solver crashed ({self.signal}) during {where}"
        else:
            what = f"The solver did not finish within {self.seconds:g} s (stopped during {where})"
        return (
            f"{what}, on the scenario “{scenario}” ({label}). {lost} "
            "The app is still running: choose, upload or paste another scenario, or change "
            "this one's inputs."
        )


def attempt(fn: Callable[..., T], *args: Any) -> tuple[T | None, Failure | None]:
    """(``fn(*args)``, None) from a child process, or (None, why there is no answer).

    An exception ``fn`` raises is raised here, with its own type.
    """
    try:
        return isolation.isolated(fn, *args, wall_limit=WALL_LIMIT, preload=PRELOAD), None
    except isolation.SolverCrash as err:
        log.error("%s: %s", getattr(fn, "__name__", fn), err)
        return None, Failure("crash", err.stage, signal=err.signal)
    except isolation.StageTimeout as err:
        log.error("%s: %s", getattr(fn, "__name__", fn), err)
        stage = str(err).partition("(last stage: ")[2].removesuffix(")")
        return None, Failure("timeout", stage, seconds=WALL_LIMIT)


# Under `streamlit run` (its bootstrap is imported), the solver's process starts as soon as the
# page imports this module, and imports on the other core while the page imports the rest;
# tests and other callers start it on their first ``attempt``.
if "streamlit.web.bootstrap" in sys.modules:
    warm()
