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
from pydantic import ValidationError

from optimizer.scenario.paths import resolve, split_path
from optimizer.scenario.schema import MONTHS_TAG, NUMBER_TAG, Scenario, is_monthly

MAX_SCENARIO_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    path: str
    value: Any
    expected: str

    def __str__(self) -> str:
        if self.value is _STATED:  # a statement of what is wrong, not an expectation
            return f"{self.path}: {self.expected}" if self.path else self.expected
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

    def __reduce__(self):  # picklable: raised again across a process boundary
        return (type(self), (self.source, self.problems))

    def __str__(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} problem(s)"]
        lines += [f"  {self.source}: {p}" for p in self.problems]
        return "\n".join(lines)


class _Sentinel:
    """A marker that stays itself across pickling (errors cross process boundaries)."""

    def __init__(self, name: str):
        self.name = name

    def __reduce__(self) -> str:
        return self.name


_MISSING = _Sentinel("_MISSING")
_STATED = _Sentinel("_STATED")


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


MAX_DEPTH = 32
"""Sections and lists nest at most this deep (a scenario needs about six levels)."""

MAX_ALIAS_VALUES = 10_000
"""Aliases (``*name``) may repeat at most this many values in one text. An alias names a
whole block again; nested, a few hundred bytes can stand for billions of values (a
"billion laughs" bomb), so the sum is counted from the parser's events before any value
is built."""


class BudgetError(yaml.YAMLError):
    """A YAML text that asks for more than the budgets allow, with where it does."""

    def __init__(self, problem: str, mark: Any):
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


def check_budgets(text: str, loader: type = yaml.SafeLoader) -> None:
    """Raise ``BudgetError`` if the text nests deeper than ``MAX_DEPTH`` or its aliases
    repeat more than ``MAX_ALIAS_VALUES`` values; a syntax error is left to the loader.

    Streams the parser's events (no recursion, nothing built), keeping each open block's
    size in values and each anchor's size once its block ends.
    """
    sizes: dict[str, int] = {}
    open_blocks: list[list] = []  # [anchor, size]
    repeated = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                if len(open_blocks) >= MAX_DEPTH:
                    raise BudgetError(
                        f"sections and lists nested more than {MAX_DEPTH} deep are refused",
                        event.start_mark,
                    )
                open_blocks.append([event.anchor, 1])
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                anchor, size = open_blocks.pop()
                if anchor is not None:
                    sizes[anchor] = size
            elif isinstance(event, yaml.ScalarEvent):
                size = 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                if any(block[0] == event.anchor for block in open_blocks):
                    raise BudgetError(
                        f"alias *{_excerpt(event.anchor)} is used inside its own block "
                        "(a loop); refused",
                        event.start_mark,
                    )
                size = sizes.get(event.anchor, 1)  # an undefined alias: the loader says so
                repeated += size
                if repeated > MAX_ALIAS_VALUES:
                    raise BudgetError(
                        f"alias *{_excerpt(event.anchor)} brings the values aliases repeat to "
                        f"{repeated:,}, over the budget of {MAX_ALIAS_VALUES:,} (an alias "
                        "bomb?); refused",
                        event.start_mark,
                    )
            else:
                continue
            if open_blocks:
                open_blocks[-1][1] += size
    except BudgetError:
        raise
    except yaml.YAMLError:
        return  # a syntax error: the loader reports it in its own words


def _load_yaml(text: str) -> Any:
    """Safe-load YAML text within the budgets; an error is raised by the pure-Python
    loader, with its words."""
    fast = _LIBYAML and not _pyyaml_only(text)
    check_budgets(text, yaml.CSafeLoader if fast else yaml.SafeLoader)
    if fast:
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
        raise ScenarioError(source, [yaml_problem(exc)]) from None
    except (RecursionError, MemoryError) as exc:  # budgets should stop these first
        raise ScenarioError(
            source, [Problem("", _STATED, f"the text is too large to read ({type(exc).__name__})")]
        ) from None
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ScenarioError(
            source, [Problem("", _MISSING, f"a YAML mapping of scenario sections, found {found}")]
        )
    return data


def yaml_problem(exc: yaml.YAMLError) -> Problem:
    """'line 3, column 7: not valid YAML: ...', or the budget the text went over."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = _excerpt(getattr(exc, "problem", None) or str(exc), 200)
    if not isinstance(exc, BudgetError):
        problem = f"not valid YAML: {problem}"
    return Problem(where, _STATED, problem)


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
        found = "a folder" if path.is_dir() else "a special file (a pipe, socket or device)"
        raise ScenarioError(source, [Problem("", _MISSING, f"a scenario file, found {found}")])
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(
            source, [Problem("", _MISSING, f"a readable file ({exc.strerror})")]
        ) from None
    except UnicodeDecodeError:
        raise ScenarioError(source, [Problem("", _MISSING, "a UTF-8 text file")]) from None
    return parse_yaml(text, source)


def validate(data: dict, source: str, *, numbers_moved: bool = False) -> Scenario:
    """Validate a raw mapping into a Scenario, or raise ScenarioError listing every problem.
    ``numbers_moved``: a valid scenario with only numbers changed (``with_values``), whose
    ranges on inputs (``uncertainty:``) are not checked again."""
    try:
        return Scenario.model_validate(data, context={"numbers_moved": numbers_moved})
    except ValidationError as exc:
        raise ScenarioError(source, [_problem(err, data) for err in exc.errors()]) from None


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Read, override (``PATH=VALUE`` strings) and validate a scenario file (its base)."""
    data = without_variants(read_scenario_file(path))
    if overrides:
        data = apply_overrides(data, overrides, str(path))
    return validate(data, str(path))


def without_variants(data: dict) -> dict:
    """The base scenario of a file that declares ``variants:`` (see optimizer.scenario.variants)."""
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
            problems.append(
                Problem("", _MISSING, f"an override PATH=VALUE, found {_excerpt(repr(item))}")
            )
            continue
        try:
            value = _load_yaml(text) if text.strip() else None
        except BudgetError as exc:
            problems.append(Problem(_excerpt(path), _STATED, exc.problem))
            continue
        except yaml.YAMLError:
            problems.append(Problem(_excerpt(path), text, "a value written as YAML, e.g. 7.5"))
            continue
        try:
            set_path(data, path, value)
        except (KeyError, IndexError, TypeError) as exc:
            problems.append(
                Problem(_excerpt(path), value, f"an existing scenario path ({_reason(exc)})")
            )
    if problems:
        raise ScenarioError(source, problems)
    return data


def set_path(data: Any, path: str, value: Any) -> None:
    """Set the value at ``path`` (``--set`` form) in a raw scenario mapping.

    One month of a monthly input is ``marketing.ad_budget_per_month[2027-03]`` (the month's
    label) or ``...[2]`` (its index); where the input is one number for every month, it
    becomes a list of that number, one per month, with the month set.
    """
    parts = split_path(path)
    node = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            index = _list_index(node, part, ".".join(parts[: depth + 1]), _months(data))
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
                if depth == len(parts) - 2 and _one_for_every_month(node[part], parts[: depth + 1]):
                    node[part] = [node[part]] * len(_months(data))
                node = node[part]
        else:
            raise TypeError(f"{'.'.join(parts[:depth])!r} is a value, not a section")


def _one_for_every_month(value: Any, parts: list[str]) -> bool:
    """A monthly input given as one number (which a month of it turns into a list)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    spec = resolve(parts)
    return spec.unknown is None and is_monthly(spec.field)


def _months(data: Any) -> list[str]:
    """The month labels of a raw scenario's horizon (none where its calendar is unusable)."""
    calendar = data.get("calendar") if isinstance(data, dict) else None
    if not isinstance(calendar, dict):
        return []
    start, horizon = calendar.get("start_month", "2027-01"), calendar.get("horizon_months", 1)
    if not isinstance(start, str) or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", start):
        return []
    if not isinstance(horizon, int) or isinstance(horizon, bool) or not 1 <= horizon <= 120:
        return []
    year, month = (int(x) for x in start.split("-"))
    return [
        f"{year + (month - 1 + t) // 12:04d}-{(month - 1 + t) % 12 + 1:02d}" for t in range(horizon)
    ]


def _list_index(items: list, part: str, where: str, months: list[str] = ()) -> int:
    if part.isdigit():
        index = int(part)
        if index >= len(items):
            raise IndexError(f"{where!r}: the list has {len(items)} item(s)")
        return index
    if re.fullmatch(r"\d{4}-\d{2}", part) and not any(isinstance(i, dict) for i in items):
        if part not in months or months.index(part) >= len(items):
            span = f"{months[0]}..{months[-1]}" if months else "none"
            raise KeyError(f"{where!r}: no month {part!r} in the horizon ({span})")
        return months.index(part)
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return index
    names = [i.get("name") for i in items if isinstance(i, dict)]
    raise KeyError(f"{where!r}: no item named {part!r}; names are {names}")


def _reason(exc: Exception) -> str:
    return _excerpt(exc.args[0], 200) if exc.args else type(exc).__name__


def loc_to_path(loc: tuple, data: Any = None) -> str:
    """('sales', 'teams', 0, 'reps') -> 'sales.teams[field].reps' when item 0 is named 'field'."""
    out = ""
    node = data
    months = None
    for part in loc:
        if part in (MONTHS_TAG, NUMBER_TAG, "none") and not isinstance(node, dict):
            months = _months(data) if part == MONTHS_TAG else None
            continue  # which form of a monthly input (a list or one number) pydantic tried
        if isinstance(part, int) and months is not None:
            out += f"[{months[part]}]" if part < len(months) else f"[{part}]"
            months = None
        elif isinstance(part, int):
            name = None
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict):
                name = node[part].get("name")
            out += f"[{_excerpt(name, 40)}]" if isinstance(name, str) and name else f"[{part}]"
        else:
            part_text = _excerpt(part, KEY_CHARS)
            out += f".{part_text}" if out else part_text
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return out


_HIDDEN = _Sentinel("_HIDDEN")


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
    if kind == "too_long" and "max_length" in ctx:
        return Problem(path, _HIDDEN, f"at most {ctx['max_length']} item(s)")
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
        if NUMBER_TAG in loc[-1:]:  # a monthly input given neither a number nor a list
            return Problem(path, value, "a number, or a list of one number per month")
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
    spec = resolve(loc)
    return list(spec.model.model_fields) if spec.unknown is None and spec.model else []


SHOWN_CHARS = 60
"""An error quotes at most this much of a value: a long text or a huge structure is cut."""

KEY_CHARS = 120
"""An error names a key of the file's (a field, or an input path under ``uncertainty:``)
with at most this much of it: an input path is shown whole."""


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, dict | list | tuple | set):
        return f"a {type(value).__name__} of {len(value):,} item(s)"
    if isinstance(value, str) and len(value) > SHOWN_CHARS:
        return f"{value[: SHOWN_CHARS - 1]!r}… ({len(value):,} characters)"
    return _excerpt(repr(value) if isinstance(value, str) else str(value))


def _excerpt(text: Any, limit: int = SHOWN_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis and the full length."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}… ({len(text):,} characters)"
