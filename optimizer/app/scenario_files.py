"""Opening, uploading and saving scenario files for the page.

An upload or pasted text goes through the same checks as a file on disk: a size cap,
UTF-8, the safe YAML loader (duplicate keys refused) and the schema. Every problem comes
back as a ``ScenarioError`` whose lines name the field path, the value and what was
expected, for the page to show; nothing raises past it (a text nested past Python's
recursion limit, or too big for memory, is one more listed problem).

Saving never overwrites a file. The text is written to a temporary file in the same
folder, flushed to disk, then hard-linked to its final name: the link either creates the
whole file in one step or fails because the name is taken.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import uuid
from pathlib import Path

import yaml

from optimizer.scenario.loading import (
    MAX_SCENARIO_BYTES,
    Problem,
    ScenarioError,
    parse_yaml,
    validate,
    without_variants,
)
from optimizer.scenario.schema import Scenario

MAX_NAME = 64
SAVE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
SUFFIXES = (".yaml", ".yml")
log = logging.getLogger("kpi-optimizer.app")


class SaveError(ValueError):
    """A scenario that could not be saved under the name asked for."""


def scenario_files(folder: Path) -> list[str]:
    """File names of the scenarios in ``folder``, sorted (hidden and temporary files left out)."""
    if not folder.is_dir():
        return []
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.is_file() and p.suffix in SUFFIXES and not p.name.startswith(".")
    )


def excerpt(text: str, limit: int = 40) -> str:
    """At most ``limit`` characters of ``text``, quoted with escapes, '…' if cut."""
    return repr(text[:limit]) + ("…" if len(text) > limit else "")


def unreadable(exc: BaseException) -> str:
    """What to tell the reader when reading a text failed other than by a ScenarioError."""
    if isinstance(exc, RecursionError):
        return "nested too deeply to read (sections inside sections, hundreds deep)"
    if isinstance(exc, MemoryError):
        return "too large to read: it would not fit in memory"
    return f"could not be read ({type(exc).__name__}); nothing was loaded"


def read_upload(data: bytes, name: str) -> Scenario:
    """Validate uploaded or pasted bytes as a scenario (its base, if it declares variants).

    Raises only ``ScenarioError``: any other failure becomes its one problem.
    """
    source = name or "upload"
    try:
        return _read(data, source)
    except ScenarioError:
        raise
    except Exception as exc:  # noqa: BLE001 - RecursionError, MemoryError, anything
        log.exception("reading %s failed", excerpt(source))
        raise ScenarioError(source, [Problem("", None, unreadable(exc))]) from None


def _read(data: bytes, source: str) -> Scenario:
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            source,
            [Problem("", None, f"a file of at most {MAX_SCENARIO_BYTES} bytes, found {len(data)}")],
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(source, [Problem("", None, "a UTF-8 text file")]) from None
    return validate(without_variants(parse_yaml(text, source)), source)


def to_yaml(scenario: Scenario) -> str:
    """The scenario as YAML that ``load_scenario`` reads back to the same scenario."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    head = f"# {scenario.name}: saved from the kpi-optimizer app\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def free_name(folder: Path, stem: str) -> str:
    """``stem``, or ``stem_2``, ``stem_3``, ...: the first name no file in ``folder`` has."""
    stem = file_stem(stem)[: MAX_NAME - 4]
    candidate, n = stem, 1
    while any((folder / f"{candidate}{s}").exists() for s in SUFFIXES):
        n += 1
        candidate = f"{stem}_{n}"
    return candidate


def file_stem(name: str) -> str:
    """``name`` as a usable file name stem: runs of other characters become '_'."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_-")[:MAX_NAME] or "scenario"


def save_new(text: str, folder: Path, name: str) -> Path:
    """Write ``text`` to ``folder/NAME.yaml``, which must not exist yet; return its path.

    A refused name is echoed as an excerpt of at most 40 characters.
    """
    if CONTROL.search(name):
        raise SaveError(
            f"{excerpt(name)} is not a usable file name: it contains a control character "
            "(a line break, a tab or another invisible character)"
        )
    stem = name.strip()
    for suffix in SUFFIXES:
        stem = stem.removesuffix(suffix)
    if len(stem) > MAX_NAME:
        raise SaveError(
            f"{excerpt(name)} is not a usable file name: {len(stem):,} characters, at most "
            f"{MAX_NAME}"
        )
    if not SAVE_NAME.fullmatch(stem):
        raise SaveError(
            f"{excerpt(name)} is not a usable file name: use letters, digits, '_' and '-' "
            f"(at most {MAX_NAME}), starting with a letter or digit"
        )
    target = folder / f"{stem}.yaml"
    if any((folder / f"{stem}{s}").exists() for s in SUFFIXES):
        raise SaveError(f"{target.name} already exists in {folder}; choose another name")
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".{stem}.{uuid.uuid4().hex}.partial"
    try:
        with open(temp, "x", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        _link_new(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return target


def _link_new(temp: Path, target: Path) -> None:
    try:
        os.link(temp, target)
    except FileExistsError:
        raise SaveError(f"{target.name} already exists; choose another name") from None
    except OSError:
        # a file system without hard links: claim the name first, then replace it whole
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            raise SaveError(f"{target.name} already exists; choose another name") from None
        os.replace(temp, target)
