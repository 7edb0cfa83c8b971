"""One batch at a time in an output folder: an exclusive lock on ``OUT/.lock``.

The lock is a POSIX record lock (``lockf``), taken without waiting and held until the batch
ends; the kernel lets it go when the process ends, however it ends, so a killed batch never
leaves the folder locked. Unlike ``flock``, it is not inherited by the worker processes a
batch forks: with ``flock`` a worker still dying after a SIGKILL of its batch kept the
folder locked, and an immediate rerun was refused. Within one process a second batch on
the same folder is refused by a set of the folders held. The lock file stays (removing it would race with the next batch) and
holds the process id of the batch that last took it. Where there is no ``fcntl``
(Windows) the folder is not locked.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from optimizer.runtime.files import OutputError

LOCK_FILE = ".lock"


class BatchLocked(Exception):
    """Another batch is writing in the output folder."""

    def __init__(self, out: Path, holder: str):
        self.out = out
        self.holder = holder
        super().__init__(str(self))

    def __str__(self) -> str:
        who = f" (process {self.holder})" if self.holder else ""
        return (
            f"{self.out}: another batch is writing there{who}; wait for it to finish, "
            "or choose another --out folder"
        )


_HELD: set[str] = set()
"""The output folders this process holds (POSIX locks do not exclude their own process)."""


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the output folder's lock (the folder must exist), or raise BatchLocked."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    path = out / LOCK_FILE
    key = str(path.resolve())
    if key in _HELD:
        raise BatchLocked(out, str(os.getpid()))
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError.of(path, exc) from None
    try:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):  # EAGAIN or EACCES: held elsewhere
            raise BatchLocked(out, _holder(handle)) from None
        _HELD.add(key)
        with contextlib.suppress(OSError):
            os.ftruncate(handle, 0)
            os.write(handle, f"{os.getpid()}\n".encode())
        try:
            yield
        finally:
            _HELD.discard(key)
    finally:
        os.close(handle)


def _holder(handle: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        text = os.pread(handle, 32, 0).decode().strip()
        return text if text.isdigit() else ""
    return ""
