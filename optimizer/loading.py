"""Reading scenario files and ``--set`` overrides, with one clear error per problem.

YAML is read with a safe loader (nothing in a file is ever executed), duplicate keys
are refused, files are size-capped, and pydantic's errors are turned into
``file: field.path = value: expected ...`` lines. No traceback reaches a user.

The parser is libyaml's (``yaml.CSafeLoader``) when PyYAML has it, about ten times faster
than the pure-Python one; both use the same safe constructors and resolvers. A text libyaml
refuses is read again by the pure-Python loader, so a broken file is reported in the same
words, and a text libyaml is known to read otherwise (``_pyyaml_only``) goes to it alone.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from optimizer.schema import Scenario

MAX_SCENARIO_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    path: str
    value: Any
    expected: str

    def __str__(self) -> str:
        if self.path == "":
            return f"expected {self.expected}" if self.value is _MISSING else self.expected
        if self.value is _MISSING:
            return f"{self.path}: missing; expected {self.expected}"
        if self.value is _HIDDEN:
            return f"{self.path}: expected {self.expected}"
        return f"{self.path} = {_show(self.value)}: expected {self.expected}"


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem found in it."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} problem(s)"]
        lines += [f"  {self.source}: {p}" for p in self.problems]
        return "\n".join(lines)


_MISSING = object()


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping."""


_LIBYAML = hasattr(yaml, "CSafeLoader")


class _FastUniqueKeyLoader(yaml.CSafeLoader if _LIBYAML else yaml.SafeLoader):
    """The same safe loader on libyaml's parser (the pure-Python one without libyaml)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, Any] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
            )
        seen[key] = True
    return loader.construct_mapping(node, deep=deep)


for _loader in (_UniqueKeyLoader, _FastUniqueKeyLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    # YAML 1.1 reads 1e6 as text; people mean a number (YAML 1.2 agrees)
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
        list("-+0123456789"),
    )


# libyaml accepts a few texts PyYAML refuses or reads otherwise: a tab inside a key, a '?'
# inside a flow collection, an empty '!' tag, a byte-order mark or a directive past the
# start, a comment right after '|' or '>'. Such a text is read by PyYAML alone.
_DIRECTIVE_PAST_START = re.compile(r"[\n\r\x85\u2028\u2029]%")
_COMMENT_AFTER_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*#")
_BREAKS = "\n\r\x85\u2028\u2029"


def _pyyaml_only(text: str) -> bool:
    """A tab, a byte-order mark, a line starting with '%', a '#' right after '|' or '>', or
    a '?' or '!' before any comment on its line."""
    if "\t" in text or "\ufeff" in text or text.startswith("%"):
        return True
    if "%" in text and _DIRECTIVE_PAST_START.search(text):
        return True
    if ("|" in text or ">" in text) and _COMMENT_AFTER_BLOCK_SCALAR.search(text):
        return True
    for mark in "?!":
        at = text.find(mark)
        while at >= 0:
            line = text[max(text.rfind(b, 0, at) for b in _BREAKS) + 1 : at]
            if not (line.startswith("#") or " #" in line):
                return True
            at = text.find(mark, at + 1)
    return False


def _load_yaml(text: str) -> Any:
    """Safe-load YAML text; an error is raised by the pure-Python loader, with its words."""
    if _LIBYAML and not _pyyaml_only(text):
        try:
            return yaml.load(text, Loader=_FastUniqueKeyLoader)  # noqa: S506 - a safe loader
        except Exception:  # noqa: BLE001 - read again below, for PyYAML's own words
            pass
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass


def parse_yaml(text: str, source: str) -> dict:
    """Parse YAML text into a mapping, or raise ScenarioError saying where it broke."""
    try:
        data = _load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(
            source, [Problem("", _MISSING, f"{where}not valid YAML ({problem})")]
        ) from None
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ScenarioError(
            source, [Problem("", _MISSING, f"a YAML mapping of scenario sections, found {found}")]
        )
    return data


def read_scenario_file(path: str | Path) -> dict:
    """Read a scenario file into a raw mapping (not yet validated)."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ScenarioError(
            source, [Problem("", _MISSING, f"a readable file ({exc.strerror})")]
        ) from None
    if size > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            source,
            [Problem("", _MISSING, f"a file of at most {MAX_SCENARIO_BYTES} bytes, found {size}")],
        )
    if not path.is_file():
        raise ScenarioError(source, [Problem("", _MISSING, "a scenario file, found a folder")])
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(
            source, [Problem("", _MISSING, f"a readable file ({exc.strerror})")]
        ) from None
    except UnicodeDecodeError:
        raise ScenarioError(source, [Problem("", _MISSING, "a UTF-8 text file")]) from None
    return parse_yaml(text, source)


def validate(data: dict, source: str) -> Scenario:
    """Validate a raw mapping into a Scenario, or raise ScenarioError listing every problem."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, [_problem(err, data) for err in exc.errors()]) from None


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Read, override (``PATH=VALUE`` strings) and validate a scenario file (its base)."""
    data = without_variants(read_scenario_file(path))
    if overrides:
        data = apply_overrides(data, overrides, str(path))
    return validate(data, str(path))


def without_variants(data: dict) -> dict:
    """The base scenario of a file that declares ``variants:`` (see optimizer.variants)."""
    return {key: value for key, value in data.items() if key != "variants"}


def apply_overrides(data: dict, overrides: list[str], source: str) -> dict:
    """Return a copy of ``data`` with each ``dotted.path=value`` applied.

    List items are addressed by index (``teams[0]``) or by name (``teams[inside]``).
    The value is read as YAML, so ``7.5`` is a number and ``[1, 2]`` a list.
    """
    data = copy.deepcopy(data)
    problems = []
    for item in overrides:
        path, sep, text = item.partition("=")
        path = path.strip()
        if not sep or not path:
            problems.append(Problem("", _MISSING, f"an override PATH=VALUE, found {item!r}"))
            continue
        try:
            value = _load_yaml(text) if text.strip() else None
        except yaml.YAMLError:
            problems.append(Problem(path, text, "a value written as YAML, e.g. 7.5 or [1, 2]"))
            continue
        try:
            set_path(data, path, value)
        except (KeyError, IndexError, TypeError) as exc:
            problems.append(Problem(path, value, f"an existing scenario path ({_reason(exc)})"))
    if problems:
        raise ScenarioError(source, problems)
    return data


def split_path(path: str) -> list[str]:
    return [p for p in re.split(r"[.\[\]]+", path) if p]


def set_path(data: Any, path: str, value: Any) -> None:
    parts = split_path(path)
    node = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            index = _list_index(node, part, ".".join(parts[: depth + 1]))
            if last:
                node[index] = value
            else:
                node = node[index]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            elif part not in node:
                raise KeyError(f"no {'.'.join(parts[: depth + 1])!r} in the scenario")
            else:
                node = node[part]
        else:
            raise TypeError(f"{'.'.join(parts[:depth])!r} is a value, not a section")


def _list_index(items: list, part: str, where: str) -> int:
    if part.isdigit():
        index = int(part)
        if index >= len(items):
            raise IndexError(f"{where!r}: the list has {len(items)} item(s)")
        return index
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return index
    names = [i.get("name") for i in items if isinstance(i, dict)]
    raise KeyError(f"{where!r}: no item named {part!r}; names are {names}")


def _reason(exc: Exception) -> str:
    return exc.args[0] if exc.args else type(exc).__name__


def loc_to_path(loc: tuple, data: Any = None) -> str:
    """('sales', 'teams', 0, 'reps') -> 'sales.teams[field].reps' when item 0 is named 'field'."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            name = None
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict):
                name = node[part].get("name")
            out += f"[{name}]" if isinstance(name, str) and name else f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return out


_HIDDEN = object()


def _problem(err: dict, data: Any = None) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input", _MISSING)
    path = loc_to_path(loc, data)
    if kind == "cross_check":
        return Problem(path, value, str(ctx["expected"]))
    if kind == "too_short":
        return Problem(path, _HIDDEN, f"at least {ctx.get('min_length', 1)} item(s)")
    if kind == "finite_number":
        return Problem(path, value, "a finite number")
    if kind == "missing":
        return Problem(path, _MISSING, "this required field")
    if kind == "extra_forbidden":
        allowed = _allowed_fields(loc[:-1])
        hint = f"one of: {', '.join(allowed)}" if allowed else "no extra fields"
        return Problem(path, value, f"a known field name; this key is unknown ({hint})")
    bounds = {
        "less_than_equal": "a number <= {le}",
        "less_than": "a number < {lt}",
        "greater_than_equal": "a number >= {ge}",
        "greater_than": "a number > {gt}",
    }
    if kind in bounds:
        return Problem(path, value, bounds[kind].format(**{k: _show(v) for k, v in ctx.items()}))
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        return Problem(path, value, "a whole number" if kind.startswith("int") else "a number")
    if kind == "value_error":
        message = str(ctx.get("error", err["msg"]))
        # model-level checks describe the section, so show the section, not its whole value
        shown = value if not isinstance(value, dict | list) else _HIDDEN
        return Problem(path, shown, message)
    message = err["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
    if isinstance(value, dict | list):
        value = _HIDDEN
    return Problem(path, value, message)


def _allowed_fields(loc: tuple) -> list[str]:
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if _is_model(model) else None
        if field is None:
            return []
        model = _inner_model(field.annotation)
    return list(model.model_fields) if _is_model(model) else []


def _is_model(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, BaseModel)


def _inner_model(annotation: Any) -> Any:
    if _is_model(annotation):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)
