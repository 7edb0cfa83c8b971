"""A seeded generator of hostile and extreme scenario files, for the fuzz tests.

Each case is ``(label, text_or_bytes)``: YAML alias bombs and loops, deep nesting, huge,
tiny and non-finite numbers at every numeric input, wrong types, binary garbage, empty
files, long strings and control characters in names. The same seed gives the same cases.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from optimizer.scenario.paths import bounds_of

SEED_FILE = Path(__file__).resolve().parent.parent / "scenarios" / "seed_company.yaml"
EXTREMES = [
    1e308,
    -1e308,
    1e-300,
    -1e-300,
    1e15,
    1e12,
    1e10,
    -1.0,
    0,
    0.0,
    5e-7,
    2**63,
    -(2**63),
    ".nan",
    ".inf",
    "-.inf",
    "1e999",
    True,
    None,
    "eight",
    [],
    {},
    [1, 2],
    {"a": 1},
]


def _numeric_paths(node, prefix=()):
    """Paths (as key tuples) to every number in a parsed scenario."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _numeric_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _numeric_paths(value, (*prefix, i))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield prefix


def _get(data, path):
    for key in path:
        data = data[key]
    return data


def _set(data, path, value):
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _bomb(rng: random.Random) -> str:
    width, depth = rng.randint(3, 12), rng.randint(3, 9)
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, depth):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _nest(depth: int, kind: str) -> str:
    return (
        ("[" * depth + "1" + "]" * depth)
        if kind == "list"
        else ("{a: " * depth + "1" + "}" * depth)
    )


def cases(count: int, seed: int = 11) -> list[tuple[str, str | bytes]]:
    rng = random.Random(seed)
    base_text = SEED_FILE.read_text(encoding="utf-8")
    base = yaml.safe_load(base_text)
    numbers = list(_numeric_paths(base))
    out: list[tuple[str, str | bytes]] = []
    makers = ["edge"] * 4 + ["extreme"] * 3 + ["bomb", "nest", "type", "garbage", "name", "empty"]
    while len(out) < count:
        kind = rng.choice(makers)
        if kind == "edge":  # valid but extreme: at a bound the schema states
            data = yaml.safe_load(base_text)
            path = rng.choice(numbers)
            low, high = bounds_of(".".join(str(p) for p in path))
            choices = [v for v in (low, high, 0.01, 1e-6, 1e6) if low <= v <= high]
            value = rng.choice(choices) if choices else 0
            if isinstance(base_text, str) and isinstance(_get(data, path), int):
                value = int(value) if float(value).is_integer() else value
            _set(data, path, value)
            out.append((f"edge {'.'.join(map(str, path))}={value!r}", yaml.safe_dump(data)))
        elif kind == "extreme":
            data = yaml.safe_load(base_text)
            path = rng.choice(numbers)
            value = rng.choice(EXTREMES)
            _set(data, path, value)
            text = yaml.safe_dump(data, sort_keys=False)
            for token in (".nan", ".inf", "-.inf", "1e999"):  # as YAML, not as quoted text
                text = text.replace(f"'{token}'", token)
            out.append((f"extreme {'.'.join(map(str, path))}={value!r}", text))
        elif kind == "bomb":
            where = rng.choice(["top", "description", "variants", "unknown"])
            bomb = _bomb(rng)
            if where == "top":
                out.append(("bomb at the top", bomb + base_text))
            else:
                key = {"description": "description", "variants": "variants"}.get(where, "zzz")
                body = base_text.replace("\ndescription: >", "\nold_description: >")
                indented = "".join(f"  {line}\n" for line in bomb.splitlines())
                out.append((f"bomb under {key}", body + f"{key}:\n{indented}"))
        elif kind == "nest":
            depth = rng.choice([33, 100, 400, 5000])
            shape = rng.choice(["map", "list"])
            out.append(
                (f"{shape} nested {depth} deep", base_text + f"deep: {_nest(depth, shape)}\n")
            )
        elif kind == "type":
            data = yaml.safe_load(base_text)
            section = rng.choice(list(data))
            data[section] = rng.choice(["text", 7, [], None, True, {"x": 1}])
            out.append((f"wrong type at {section}", yaml.safe_dump(data, sort_keys=False)))
        elif kind == "garbage":
            size = rng.choice([1, 64, 4096])
            out.append((f"{size} random bytes", bytes(rng.getrandbits(8) for _ in range(size))))
        elif kind == "name":
            data = yaml.safe_load(base_text)
            bad = rng.choice(["x" * 100_000, "a\nb", "tab\there", "nul\x00", "bell\x07", ""])
            where = rng.choice(["name", "team", "channel"])
            if where == "name":
                data["name"] = bad
            elif where == "team":
                data["sales"]["teams"][0]["name"] = bad
            else:
                data["marketing"]["channels"][0]["name"] = bad
            out.append((f"bad {where} name ({len(bad)} chars)", yaml.safe_dump(data)))
        else:
            out.append(("empty or comment only", rng.choice(["", "\n", "# nothing\n", "---\n"])))
    return out
