"""Two results (``solve --format json`` or a batch result file): the pair view of
``optimizer.analysis.versions``, which compares any number of them (``kpi-optimizer diff``).

- targets that changed (the tolerance and matching of ``versions``), with the change and
  the relative change; a target found in one result only has the other side null;
- limits and goals (not definitions) that became binding, and that stopped binding;
- profit summed over the horizon (the finance ``profit`` targets), and the objective.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from optimizer.analysis import versions
from optimizer.analysis.versions import TOLERANCE  # noqa: F401 - where it was first defined


class ResultError(ValueError):
    """A file that is not a result of ``solve --format json`` or of a batch."""


@dataclass(frozen=True)
class Change:
    a: float | None
    b: float | None

    @property
    def change(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a


@dataclass(frozen=True)
class ResultDiff:
    a: str
    b: str
    status: tuple[str, str]
    messages: tuple[str, str]
    profit: Change
    objective: Change
    objective_names: tuple[str | None, str | None]
    targets: list[dict]  # department, role, metric, period, unit, a, b, change, relative
    became_binding: list[str]
    stopped_binding: list[str]

    def to_json(self) -> dict:
        out = asdict(self)
        for name in ("profit", "objective"):
            out[name]["change"] = getattr(self, name).change
        return out


def read_result(path: str | Path) -> dict:
    try:
        result = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultError(f"{path}: cannot be read ({exc})") from None
    except ValueError as exc:
        raise ResultError(f"{path}: not JSON ({exc})") from None
    if not isinstance(result, dict) or not {"status", "targets", "constraints"} <= set(result):
        raise ResultError(f"{path}: not a result (expected the JSON of solve --format json)")
    return result


def compare(a: dict, b: dict, label_a: str = "a", label_b: str = "b") -> ResultDiff:
    """Two results, as ``versions.compare`` sees them (the one comparison): a is the base."""
    both = versions.compare([(label_a, a), (label_b, b)])
    va, vb = both.versions
    profit = both.profit
    return ResultDiff(
        a=va.label,
        b=vb.label,
        status=(a.get("status"), b.get("status")),
        messages=(va.message, vb.message),
        profit=Change(*profit),
        objective=Change(va.objective, vb.objective),
        objective_names=(va.objective_name, vb.objective_name),
        targets=[_pair(t) for t in both.targets if t["changed"]],
        became_binding=sorted(vb.starts_binding),
        stopped_binding=sorted(vb.stops_binding),
    )


def _pair(row: dict) -> dict:
    va, vb = row["values"]
    change = None if va is None or vb is None else vb - va
    relative = change / va if change is not None and va else None
    return {k: row[k] for k in (*versions.KEY, "unit")} | {
        "a": va, "b": vb, "change": change, "relative": relative,
    }  # fmt: skip
