"""Atomic writes: a result file is either absent, the old one, or the whole new one.

Each file is written to a hidden temporary file in the same folder, flushed to disk, and
renamed over the target with ``os.replace`` (atomic on POSIX and Windows). An interrupted
write removes its temporary file; one left by a killed process is swept at the next run.

A file that cannot be written (a read-only folder, a full disk, ``--out`` naming a file)
raises ``OutputError``: the path, what the system said, and what to do about it.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterator
from pathlib import Path

TEMP_SUFFIX = ".partial"

ADVICE = {
    errno.ENOSPC: "free disk space, or choose an --out folder on another disk",
    errno.EDQUOT: "free space within your disk quota, or choose another --out folder",
    errno.EACCES: "choose an --out folder you can write to",
    errno.EPERM: "choose an --out folder you can write to",
    errno.EROFS: "choose an --out folder on a disk that can be written",
    errno.ENOTDIR: "--out must be a folder, not a file or a path through one",
    errno.EEXIST: "--out must be a folder, not a file or a path through one",
    errno.EISDIR: "move that folder away, or choose another --out folder",
    errno.ENAMETOOLONG: "choose an --out folder with a shorter path",
}


class OutputError(OSError):
    """A file or folder of the batch's output that cannot be written, with advice."""

    def __str__(self) -> str:
        advice = ADVICE.get(self.errno, "check that it can be written, or choose another --out")
        return f"cannot write {self.filename}: {self.strerror}; {advice}"

    @classmethod
    def of(cls, path: Path, exc: OSError) -> OutputError:
        if isinstance(exc, cls):
            return exc
        return cls(exc.errno, exc.strerror or str(exc), str(path))


def make_folder(folder: Path) -> None:
    """``folder`` and its parents, or OutputError (``--out`` naming a file, no permission)."""
    try:
        if folder.exists() and not folder.is_dir():
            raise OutputError(errno.ENOTDIR, "it is a file, not a folder", str(folder))
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError.of(folder, exc) from None


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` in one step.

    Any OSError on the way is raised as OutputError naming ``path``.
    """
    temp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        make_folder(path.parent)
        yield temp
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        raise OutputError.of(path, exc) from None
    finally:
        with contextlib.suppress(OSError):
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
        try:
            temp.unlink()
            count += 1
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise OutputError.of(temp, exc) from None
    return count
