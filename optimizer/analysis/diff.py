"""What changed between two results (``solve --format json`` or a batch result file).

- targets are matched on (department, role, metric, period); one changed when
  ``|b - a| > TOLERANCE x max(1, |a|)``; a target found in one result only is listed
  with the other side null;
- limits and goals (not definitions) that became binding, and that stopped binding;
- profit summed over the horizon (the finance ``profit`` targets), and the objective.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

TOLERANCE = 1e-6


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
    return ResultDiff(
        a=label_a,
        b=label_b,
        status=(a.get("status"), b.get("status")),
        messages=(_message(a), _message(b)),
        profit=Change(_profit(a), _profit(b)),
        objective=Change(_objective(a), _objective(b)),
        objective_names=(
            (a.get("objective") or {}).get("name"),
            (b.get("objective") or {}).get("name"),
        ),
        targets=changed_targets(a["targets"], b["targets"]),
        became_binding=sorted(_binding(b) - _binding(a)),
        stopped_binding=sorted(_binding(a) - _binding(b)),
    )


def changed_targets(a: list[dict], b: list[dict]) -> list[dict]:
    def key(t: dict) -> tuple:
        return (t["department"], t["role"], t["metric"], t["period"])

    old, new = {key(t): t for t in a}, {key(t): t for t in b}
    rows = []
    for k in [*old, *(k for k in new if k not in old)]:
        va = old[k]["value"] if k in old else None
        vb = new[k]["value"] if k in new else None
        if va is not None and vb is not None and abs(vb - va) <= TOLERANCE * max(1.0, abs(va)):
            continue
        if va is None and vb is None:
            continue
        change = None if va is None or vb is None else vb - va
        relative = change / va if change is not None and va else None
        unit = (old.get(k) or new.get(k))["unit"]
        rows.append(
            dict(zip(("department", "role", "metric", "period"), k))
            | {
                "unit": unit,
                "a": va,
                "b": vb,
                "change": change,
                "relative": relative,
            }
        )
    return rows


def _message(result: dict) -> str:
    error = result.get("error") or {}
    solver = result.get("solver_status")
    return result.get("message") or error.get("message") or f"the solver reports {solver}"


def _binding(result: dict) -> set[str]:
    return {
        c["name"]
        for c in result["constraints"]
        if c.get("binding") and c.get("kind") != "definition"
    }


def _profit(result: dict) -> float | None:
    values = [
        t["value"] for t in result["targets"] if (t["role"], t["metric"]) == ("finance", "profit")
    ]
    return sum(v for v in values if v is not None) if values else None


def _objective(result: dict) -> float | None:
    return (result.get("objective") or {}).get("value")


def print_diff(diff: ResultDiff, console=None) -> None:
    """The diff for people: profit first, then changed targets, then binding limits."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    status = diff.status[0] if diff.status[0] == diff.status[1] else " -> ".join(diff.status)
    console.print(f"A = {diff.a}\nB = {diff.b}\nstatus: {status}")
    for side, state, message in zip("AB", diff.status, diff.messages):
        if state != "optimal":
            console.print(f"{side} has no optimal plan: {message}")
    console.print(f"profit over the horizon: {_change_text(diff.profit, money=True)}")
    if diff.objective_names[0] == diff.objective_names[1]:
        console.print(f"objective ({diff.objective_names[0]}): {_change_text(diff.objective)}")
    if set(diff.status) != {"optimal"}:
        return  # a side without a plan has no targets or limits to compare
    table = Table(title=f"{len(diff.targets)} target(s) changed", title_justify="left")
    for column in ("department", "role", "metric", "period", "A", "B", "change", "%"):
        table.add_column(column, justify="right" if column in ("A", "B", "change", "%") else "left")
    for t in diff.targets:
        pct = "" if t["relative"] is None else f"{100 * t['relative']:+.1f}%"
        change = "" if t["change"] is None else f"{t['change']:+,.6g}"
        table.add_row(
            t["department"],
            t["role"],
            t["metric"],
            t["period"],
            _number(t["a"]),
            _number(t["b"]),
            change,
            pct,
        )
    if diff.targets:
        console.print(table)
    for title, names in (
        ("became binding", diff.became_binding),
        ("stopped binding", diff.stopped_binding),
    ):
        console.print(f"{len(names)} limit(s) {title}" + (":" if names else ""))
        for name in names:
            console.print(f"  {name}")


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:,.6g}"


def _change_text(change: Change, money: bool = False) -> str:
    def show(v: float | None) -> str:
        if v is None:
            return "n/a"
        return f"${v:,.0f}" if money else f"{v:,.6g}"

    text = f"{show(change.a)} -> {show(change.b)}"
    if change.change is not None:
        sign = "+" if change.change >= 0 else "-"
        text += f" ({sign}{show(abs(change.change))})"
    return text
