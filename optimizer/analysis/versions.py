"""Versions of a plan side by side: two or more labelled results, the first the base.

A result is the JSON of ``solve --format json`` (``report.payload.to_json``). Against the base:

- targets are matched on (department, role, metric, period); a version's value differs
  when ``|v - base| > TOLERANCE x max(1, |base|)``, or when only one of them has the target;
  a row equal everywhere is kept, marked unchanged;
- money: the finance department's figures in dollars, flows (``$/month``) summed over the
  horizon and balances (``$``) at its last month; profit is the first of them;
- binding limits and goals (never definitions), by name with their labels, and those that
  start or stop binding against the base.

A version without a plan (its status neither optimal nor feasible, or a plan that failed
the check) has no targets, money or binding limits: it is shown with its status and
message, and nothing is compared with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

TOLERANCE = 1e-6
KEY = ("department", "role", "metric", "period")
PLAN_STATUSES = ("optimal", "feasible")


def differs(base: float | None, value: float | None) -> bool:
    """Whether ``value`` differs from ``base`` beyond the tolerance (one missing: it does)."""
    if base is None or value is None:
        return (base is None) != (value is None)
    return abs(value - base) > TOLERANCE * max(1.0, abs(base))


@dataclass(frozen=True)
class Version:
    label: str
    status: str
    message: str
    has_plan: bool
    objective_name: str | None
    objective: float | None
    binding: dict[str, str]  # name: label, of every binding limit and goal
    starts_binding: dict[str, str]  # against the base (empty for the base itself)
    stops_binding: dict[str, str]


@dataclass(frozen=True)
class Versions:
    versions: tuple[Version, ...]
    targets: tuple[dict, ...]  # KEY, unit, values (one a version), differs, changed
    money: tuple[dict, ...]  # metric, unit, over ("horizon" or "end"), values, changes

    @property
    def labels(self) -> list[str]:
        return [v.label for v in self.versions]

    @property
    def profit(self) -> list[float | None]:
        """Profit over the horizon, one a version (None without a plan or profit target)."""
        row = next((m for m in self.money if m["metric"] == "profit"), None)
        return list(row["values"]) if row else [None] * len(self.versions)

    @property
    def profit_change(self) -> list[float | None]:
        row = next((m for m in self.money if m["metric"] == "profit"), None)
        return list(row["changes"]) if row else [None] * len(self.versions)

    def differing(self, index: int) -> int:
        """How many targets of version ``index`` differ from the base."""
        return sum(t["differs"][index] for t in self.targets)

    def target_frame(self, only_changed: bool = False) -> pd.DataFrame:
        """KEY and unit, one value column a version (its label), and ``changed``."""
        rows = [t for t in self.targets if t["changed"] or not only_changed]
        return pd.DataFrame(
            [{**{k: t[k] for k in (*KEY, "unit")}, **dict(zip(self.labels, t["values"])),
              "changed": t["changed"]} for t in rows],
            columns=[*KEY, "unit", *self.labels, "changed"],
        )  # fmt: skip

    def differs_frame(self, only_changed: bool = False) -> pd.DataFrame:
        """The shape of ``target_frame``'s value columns: True where a value differs."""
        rows = [t for t in self.targets if t["changed"] or not only_changed]
        return pd.DataFrame([t["differs"] for t in rows], columns=self.labels, dtype=bool)

    def money_frame(self) -> pd.DataFrame:
        """metric, unit, over, one value column a version, and one change column a version
        after the base (``<label> change``)."""
        rest = self.labels[1:]
        return pd.DataFrame(
            [{"metric": m["metric"], "unit": m["unit"], "over": m["over"],
              **dict(zip(self.labels, m["values"])),
              **{f"{label} change": c for label, c in zip(rest, m["changes"][1:])}}
             for m in self.money],
            columns=["metric", "unit", "over", *self.labels, *(f"{x} change" for x in rest)],
        )  # fmt: skip

    def to_json(self) -> dict:
        return {
            "base": self.labels[0],
            "tolerance": TOLERANCE,
            "versions": [
                {
                    "label": v.label,
                    "status": v.status,
                    "message": v.message,
                    "has_plan": v.has_plan,
                    "objective": {"name": v.objective_name, "value": v.objective},
                    "profit": profit,
                    "profit_change": change,
                    "targets_differing": self.differing(i),
                    "binding": _named(v.binding),
                    "starts_binding": _named(v.starts_binding),
                    "stops_binding": _named(v.stops_binding),
                }
                for i, (v, profit, change) in enumerate(
                    zip(self.versions, self.profit, self.profit_change)
                )
            ],
            "money": [
                dict(m, values=list(m["values"]), changes=list(m["changes"])) for m in self.money
            ],  # fmt: skip
            "targets": [
                dict(t, values=list(t["values"]), differs=list(t["differs"])) for t in self.targets
            ],  # fmt: skip
        }


def compare(results: list[tuple[str, dict]]) -> Versions:
    """The versions ``(label, result)`` side by side, the first one the base. A label
    given twice gets ``#2``, ``#3``... so each version keeps a column of its own."""
    if len(results) < 2:
        raise ValueError(f"two or more versions to compare, got {len(results)}")
    labels = _unique([label for label, _ in results])
    payloads = [payload for _, payload in results]
    plans = [_has_plan(p) for p in payloads]
    base_binding = _binding(payloads[0]) if plans[0] else {}
    versions = []
    for i, (label, p, planned) in enumerate(zip(labels, payloads, plans)):
        binding = _binding(p) if planned else {}
        both = i > 0 and planned and plans[0]
        versions.append(
            Version(
                label=label,
                status=str(p.get("status")),
                message=_message(p),
                has_plan=planned,
                objective_name=(p.get("objective") or {}).get("name"),
                objective=(p.get("objective") or {}).get("value") if planned else None,
                binding=binding,
                starts_binding={n: t for n, t in binding.items() if n not in base_binding}
                if both else {},
                stops_binding={n: t for n, t in base_binding.items() if n not in binding}
                if both else {},
            )
        )  # fmt: skip
    tables = [_targets(p) if planned else {} for p, planned in zip(payloads, plans)]
    return Versions(tuple(versions), _target_rows(tables, plans), _money_rows(tables, plans))


def _target_rows(tables: list[dict], plans: list[bool]) -> tuple[dict, ...]:
    keys = list(dict.fromkeys(k for table in tables for k in table))
    rows = []
    for key in keys:
        found = [table.get(key) for table in tables]
        values = tuple(t["value"] if t else None for t in found)
        flags = tuple(
            i > 0 and plans[0] and planned and differs(values[0], value)
            for i, (value, planned) in enumerate(zip(values, plans))
        )
        unit = next(t["unit"] for t in found if t)
        rows.append(dict(zip(KEY, key)) | {"unit": unit, "values": values, "differs": flags,
                                           "changed": any(flags)})  # fmt: skip
    return tuple(rows)


def _money_rows(tables: list[dict], plans: list[bool]) -> tuple[dict, ...]:
    figures: dict[str, str] = {}
    for table in tables:
        for (department, _, metric, _), t in table.items():
            if department == "finance" and (metric == "profit" or str(t["unit"]).startswith("$")):
                figures.setdefault(metric, t["unit"])
    order = ["profit", *(m for m in figures if m != "profit")]
    rows = []
    for metric in (m for m in order if m in figures):
        unit = figures[metric]
        over = "end" if unit == "$" else "horizon"
        values = tuple(_money(table, metric, over) if planned else None
                       for table, planned in zip(tables, plans))  # fmt: skip
        changes = tuple(
            None if i == 0 or values[0] is None or v is None else v - values[0]
            for i, v in enumerate(values)
        )
        rows.append({"metric": metric, "unit": unit, "over": over, "values": values,
                     "changes": changes})  # fmt: skip
    return tuple(rows)


def _money(table: dict, metric: str, over: str) -> float | None:
    """A finance figure over the horizon (summed) or at its end (the last month's)."""
    found = sorted(
        (k[3], t["value"]) for k, t in table.items()
        if k[0] == "finance" and k[2] == metric and t["value"] is not None
    )  # fmt: skip
    if not found:
        return None
    return found[-1][1] if over == "end" else sum(v for _, v in found)


def _targets(result: dict) -> dict[tuple, dict]:
    return {tuple(t[k] for k in KEY): t for t in result.get("targets") or []}


def _has_plan(result: dict) -> bool:
    verified = (result.get("verified") or {}).get("ok", True)
    return result.get("status") in PLAN_STATUSES and verified is not False


def _binding(result: dict) -> dict[str, str]:
    """Binding limits and goals, never definitions (a definition holds by construction)."""
    return {
        c["name"]: c.get("label") or c["name"]
        for c in result.get("constraints") or []
        if c.get("binding") and c.get("kind") != "definition"
    }


def _message(result: dict) -> str:
    error = result.get("error") or {}
    solver = result.get("solver_status")
    return result.get("message") or error.get("message") or f"the solver reports {solver}"


def _named(limits: dict[str, str]) -> list[dict]:
    return [{"name": name, "label": label} for name, label in limits.items()]


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return out
