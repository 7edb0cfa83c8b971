"""Atomic writes: a result file is either absent, the old one, or the whole new one.

Each file is written to a hidden temporary file in the same folder, flushed to disk, and
renamed over the target with ``os.replace`` (atomic on POSIX and Windows). An interrupted
write removes its temporary file; one left by a killed process is swept at the next run.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

TEMP_SUFFIX = ".partial"


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        yield temp
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def write_text(path: Path, text: str) -> None:
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")


def write_with(path: Path, write: Callable[[Path], None]) -> None:
    """Atomically write a file produced by ``write(temp_path)`` (pandas, openpyxl, ...)."""
    with atomic_path(path) as temp:
        write(temp)


def sweep_temporaries(folder: Path) -> int:
    """Remove temporary files a killed run left behind; return how many."""
    count = 0
    for temp in folder.rglob(f".*{TEMP_SUFFIX}") if folder.is_dir() else ():
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
            count += 1
    return count
