"""Realistic scenarios for batch benchmarks: the bundled ones, perturbed (seeded).

Scenario i is bundled scenario ``i mod 3`` with its money, market, time and rate inputs
scaled by independent factors in [1 - SPREAD, 1 + SPREAD]: a channel's price tiers move
together so they stay in order, shares stay below 1, headcount caps move by whole
people, profit goals move mostly down. Like a real what-if grid, some come out infeasible.

    python benchmarks/generate_scenarios.py OUT_DIR [--count 500] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = [
    ROOT / "scenarios" / f"{name}.yaml"
    for name in ("regional_sales", "seed_company", "software_company")
]
"""The bases of the generated companies: the one-month to six-month scenarios the batch
figures have always been measured on (the 12-month growth plan, 5 to 20 s an answer, would
change what a batch of 500 measures)."""
SPREAD = 0.1


def _times(value, factor: float, digits: int | None = 4, most: float | None = None):
    """``value`` (a number, or a list of one per month) times ``factor``, rounded (None: not),
    capped at ``most``."""
    if isinstance(value, list):
        return [_times(v, factor, digits, most) for v in value]
    out = value * factor if digits is None else round(value * factor, digits)
    return min(out, most) if most is not None else out


def _least(a, b):
    """The smaller of two monthly inputs, month by month where either is a list."""
    if isinstance(a, list) or isinstance(b, list):
        n = len(a) if isinstance(a, list) else len(b)
        a = a if isinstance(a, list) else [a] * n
        b = b if isinstance(b, list) else [b] * n
        return [min(x, y) for x, y in zip(a, b)]
    return min(a, b)


def perturb(data: dict, rng: random.Random) -> dict:
    def scale(section: dict, *keys: str) -> None:
        for key in keys:
            if section.get(key) is not None:
                section[key] = _times(section[key], rng.uniform(1 - SPREAD, 1 + SPREAD))

    mk, sa, fi = data["marketing"], data["sales"], data["finance"]
    scale(
        mk,
        "ad_budget_per_month",
        "market_size_leads_per_month",
        "total_addressable_market_leads",
        "ad_spend_per_marketer_per_month",
    )
    mk["qualified_lead_share"] = min(0.95, mk["qualified_lead_share"] * rng.uniform(0.9, 1.1))
    mk["organic_leads_per_month"] = _least(
        mk.get("organic_leads_per_month", 0), mk["market_size_leads_per_month"]
    )
    for channel in mk["channels"]:
        price = rng.uniform(1 - SPREAD, 1 + SPREAD)
        for tier in channel["tiers"]:
            tier["cost_per_lead"] = _times(tier["cost_per_lead"], price)
            scale(tier, "leads_per_month")
    for tier in sa["conversation_tiers"]:
        tier["conversion_rate"] = _times(
            tier["conversion_rate"], rng.uniform(0.95, 1.05), digits=None, most=1.0
        )
    for team in sa["teams"]:
        scale(team, "average_deal_value", "admin_minutes_per_conversation")
        scale(team.get("hours_lost_per_day", {}), "travel", "meetings", "follow_ups")
        reps = team["reps"]
        reps["max"] = max(reps.get("min", 0), reps["max"] + rng.randint(-1, 2))
        scale(reps, "cost_per_person_per_month")
    scale(fi, "fixed_bills_per_month")
    # goals are varied mostly downwards: a grid around today's goals, most of them reachable
    fi["profit_target_per_month"] = round(fi["profit_target_per_month"] * rng.uniform(0.5, 1.1))
    if data.get("delivery"):
        scale(data["delivery"], "units_per_worker_per_month", "unit_cost")
    if data.get("support"):
        scale(data["support"], "tickets_per_customer_per_month", "handle_minutes_per_ticket")
    return data


def generate(out: Path, count: int = 500, seed: int = 0) -> list[Path]:
    rng = random.Random(seed)
    bases = [yaml.safe_load(path.read_text()) for path in BUNDLED]
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        data = perturb(yaml.safe_load(yaml.safe_dump(bases[i % len(bases)])), rng)
        data["name"] = f"{data['name']} #{i:03d}"
        path = out / f"scenario_{i:03d}_{BUNDLED[i % len(bases)].stem}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"{len(generate(args.out, args.count, args.seed))} scenarios in {args.out}")
