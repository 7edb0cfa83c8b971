"""Jobs: one per scenario file and variant, with the content hash that lets a rerun skip it.

The hash covers everything that decides a result: the file's text, the variant, the
solver settings (objective, time limit) and the versions of this package and of HiGHS.
Changing any of them re-solves the job; an unchanged job keeps its result.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from optimizer.batch.discovery import result_keys
from optimizer.scenario.loading import (
    MAX_SCENARIO_BYTES,
    ScenarioError,
    parse_yaml,
    read_scenario_file,
)
from optimizer.scenario.variants import BASE, KEY, split

HASH_FORMAT = 2
"""Bump when the result JSON changes shape, so older results are re-solved (2: results
list the plan's ``variables``, issue 18)."""


@dataclass(frozen=True)
class Settings:
    """Solver settings a batch applies to every job."""

    objective: str | None = None
    time_limit: float | None = None
    solver_threads: int | None = None  # None: as ``solve`` (one); 0: HiGHS's own choice


@dataclass(frozen=True)
class Job:
    source: str  # the scenario file, as found
    key: str  # the result name of the file
    variant: str  # BASE or a declared variant
    text: str | None  # the file's text, None when it could not be read
    read_error: str | None
    settings: Settings
    content_hash: str

    @property
    def name(self) -> str:
        """The result file's stem: ``key`` for the base, ``key@variant`` for a variant."""
        return self.key if self.variant == BASE else f"{self.key}@{self.variant}"


@functools.cache
def versions() -> dict[str, str]:
    found = {}
    for package in ("kpi-optimizer", "highspy"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "unknown"
    return found


def content_hash(text: str | None, variant: str, settings: Settings) -> str:
    fields = [HASH_FORMAT, text, variant, asdict(settings), versions()]
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def plan_jobs(files: list[Path], settings: Settings, only: list[str] | None = None) -> list[Job]:
    """The base and every declared variant of each file (or only the variants named)."""
    jobs = []
    for path, key in result_keys(files).items():
        text, error = _read(path)
        for variant in [BASE, *_variant_names(text, str(path))]:
            if only and variant not in only:
                continue
            digest = content_hash(text if error is None else error, variant, settings)
            jobs.append(Job(str(path), key, variant, text, error, settings, digest))
    return jobs


def _read(path: Path) -> tuple[str | None, str | None]:
    """The file's text, or the loader's own message for why it cannot be read."""
    try:
        if path.stat().st_size <= MAX_SCENARIO_BYTES and path.is_file():
            return path.read_text(encoding="utf-8"), None
    except (OSError, UnicodeDecodeError):
        pass
    try:
        read_scenario_file(path)
    except ScenarioError as exc:
        return None, str(exc)
    return None, f"{path}: unreadable"


def _variant_names(text: str | None, source: str) -> list[str]:
    """Declared variant names; a file that cannot be parsed has only its base (which fails,
    in its worker, with the reason: a RecursionError here must not stop the batch)."""
    if text is None or KEY not in text:  # cheap: most files declare no variants
        return []
    try:
        return list(split(parse_yaml(text, source), source)[1])
    except Exception:  # noqa: BLE001 - ScenarioError, RecursionError, MemoryError, ...
        return []
