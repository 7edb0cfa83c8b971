"""Which scenario files a batch solves: files, folders (searched recursively) and globs."""

from __future__ import annotations

import glob
from pathlib import Path

SUFFIXES = (".yaml", ".yml")


class NoScenarios(Exception):
    """A PATH that names no file, folder or glob match, or a batch with nothing to solve."""


def find_scenarios(paths: list[str | Path]) -> list[Path]:
    """Scenario files in the order given; a folder or glob adds its YAML files, sorted.

    A file named outright is taken whatever its suffix (a broken one becomes a row with its
    error); hidden files and folders inside a folder are skipped.
    """
    found: list[Path] = []
    for item in map(str, paths):
        path = Path(item)
        if path.is_dir():
            found += _yaml_files(path)
        elif path.exists():
            found.append(path)
        elif glob.has_magic(item) and (matches := sorted(glob.glob(item, recursive=True))):
            for match in map(Path, matches):
                if match.is_dir():
                    found += _yaml_files(match)
                elif match.suffix.lower() in SUFFIXES:
                    found.append(match)
        else:
            raise NoScenarios(f"{item}: no such file or folder, and no file matches it")
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def result_keys(files: list[Path]) -> dict[Path, str]:
    """A result-file name per scenario file: its stem, or its relative path where stems clash."""
    stems: dict[str, int] = {}
    for path in files:
        stems[path.stem] = stems.get(path.stem, 0) + 1
    keys = {}
    for path in files:
        if stems[path.stem] == 1:
            keys[path] = path.stem
        else:
            resolved = path.resolve().with_suffix("")
            keys[path] = "__".join(resolved.parts[-3:])
    return keys
