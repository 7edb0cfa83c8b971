"""Native solver calls where a crash cannot take the caller down.

HiGHS, CBC and OR-Tools are native code: on numbers they cannot handle they may die of a
signal (SIGSEGV) instead of raising. ``isolated(fn, ...)`` runs ``fn`` in a child process
and returns its result; if the child dies, the caller gets ``SolverCrash`` naming the
signal and the last stage the child reported (``stage("repair search")``), and lives on.

Two ways to start the child:

- ``fork`` (the command line): a copy of this process, a few milliseconds. Only safe
  before this process has started solver threads, which a one-shot command has not.
- ``forkserver`` (the app, any server with threads): children forked from a clean server
  that imported the solver once, so no lock held by another thread is copied. The caller
  names the modules the server imports before its first child (``preload``): this stage
  knows nothing of the stages above it.

Exceptions raised in the child are raised again in the caller, with their own type.
"""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

_stage_pipe = None  # in a child: the connection stages are reported on


class SolverCrash(RuntimeError):
    """The process solving a scenario died (a native crash or a kill), not an exception."""

    def __init__(self, exitcode: int | None, stage: str = ""):
        self.exitcode = exitcode
        self.stage = stage
        self.signal = signal_name(exitcode)
        where = f" during {stage}" if stage else ""
        super().__init__(f"the solver process died of {self.signal}{where}")


class StageTimeout(TimeoutError):
    """The child did not answer within the wall-clock limit and was stopped."""


def signal_name(exitcode: int | None) -> str:
    """'SIGSEGV' for a process that exited with -11; 'exit code N' otherwise."""
    if exitcode is None:
        return "an unknown cause"
    if exitcode < 0:
        with contextlib.suppress(ValueError):
            return signal.Signals(-exitcode).name
        return f"signal {-exitcode}"
    return f"exit code {exitcode}"


def stage(name: str) -> None:
    """Report the stage a solve is in; the caller names it if the process then dies."""
    if _stage_pipe is not None:
        with contextlib.suppress(OSError, ValueError):
            _stage_pipe.send(("stage", name))


def _child(conn, fn: Callable, args: tuple, kwargs: dict) -> None:
    global _stage_pipe
    _stage_pipe = conn
    faulthandler.disable()  # the caller reports a crash in one line; no dump on stderr
    try:
        result = ("ok", fn(*args, **kwargs))
    except BaseException as exc:  # noqa: BLE001 - raised again in the caller
        result = ("raise", exc)
    try:
        conn.send(result)
    except Exception as exc:  # noqa: BLE001 - an unpicklable exception or result
        conn.send(("raise", RuntimeError(f"{type(exc).__name__}: {exc}")))
    conn.close()


_lock = threading.Lock()


def _context(method: str, preload: Sequence[str]):
    if method == "forkserver" and "forkserver" not in multiprocessing.get_all_start_methods():
        method = "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver" and preload:
        ctx.set_forkserver_preload(list(preload))
    return ctx


def start(method: str = "forkserver", preload: Sequence[str] = ()) -> None:
    """Start the forkserver now, without waiting for it: it imports ``preload`` in its own
    process while the caller goes on (a page importing its modules, say), so the first
    ``isolated`` call waits only for what is left of that. Does nothing for ``fork`` or
    ``spawn``, or when the server is running already."""
    ctx = _context(method, preload)
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        with _lock:
            forkserver.ensure_running()


def isolated(
    fn: Callable[..., T],
    *args: Any,
    method: str = "forkserver",
    wall_limit: float | None = None,
    preload: Sequence[str] = (),
    **kwargs: Any,
) -> T:
    """``fn(*args, **kwargs)`` in a child process; ``SolverCrash`` if the child dies.

    ``wall_limit`` (seconds) stops a child that has not answered by then
    (``StageTimeout``); the solver's own time limits are the first line of defence.
    ``preload``: the dotted names of the modules a forkserver imports before its first
    child, so that no child imports them again (the caller's modules: this stage names
    none). The server starts once per process and keeps the list it started with.
    """
    ctx = _context(method, preload)
    receive, send = ctx.Pipe(duplex=False)
    with _lock:  # one start at a time: the forkserver is shared by the process's threads
        child = ctx.Process(target=_child, args=(send, fn, args, kwargs), daemon=True)
        child.start()
    send.close()
    last_stage = ""
    deadline = None if wall_limit is None else time.monotonic() + wall_limit
    try:
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not receive.poll(wait):
                raise StageTimeout(
                    f"no answer within {wall_limit:g} s"
                    + (f" (last stage: {last_stage})" if last_stage else "")
                )
            try:
                kind, value = receive.recv()
            except EOFError:
                child.join(5)
                raise SolverCrash(child.exitcode, last_stage) from None
            if kind == "stage":
                last_stage = value
            elif kind == "ok":
                return value
            else:
                raise value
    finally:
        receive.close()
        if child.is_alive():
            child.join(1)
        if child.is_alive():
            child.kill()
            child.join()


def in_child() -> bool:
    """True inside a process started by ``isolated``."""
    return _stage_pipe is not None


def crash_for_tests() -> None:  # pragma: no cover - dies
    """Die of SIGSEGV, as a native solver crash does (tests of the isolation only)."""
    os.kill(os.getpid(), signal.SIGSEGV)
