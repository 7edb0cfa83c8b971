"""Service levels by Erlang C, exactly, in whole people.

Erlang C is not linear in volume, so each channel's agents are chosen from a table:
``cap[N]`` is the most contacts its busiest interval may bring for N scheduled agents to
meet the service level, the occupancy cap and the optional ASA cap
(``optimizer.model.erlang.capacity``, exact to 1e-12). With one binary per headcount,

    sum_N chosen[t, N] = 1,   agents[t] = sum_N N * chosen[t, N],
    contacts in the busiest interval[t] <= sum_N cap[N] * chosen[t, N].

The limit binds in whole people when one agent fewer could not meet it:
contacts > cap[N - 1].

A line run at one of its service bands (``ServiceBand``: for example 80/20, 60/60, best
effort) has one table per band and one binary per band and headcount,

    sum_{b,N} chosen[t, b, N] = 1,   contacts[t] <= sum_{b,N} cap_b[N] * chosen[t, b, N],

so ``band[t, b] = sum_N chosen[t, b, N]`` is 1 for the band the month runs at; the
customers' churn and the collection of invoices follow it
(``optimizer.model.chain.customers``, ``optimizer.model.chain.cash``). A best-effort band's
table has only the occupancy cap.
"""

from __future__ import annotations

import functools

import numpy as np

from optimizer.model.chain.common import Vars, add_family
from optimizer.model.erlang import capacity
from optimizer.model.linear import LinearModel


@functools.lru_cache(maxsize=256)
def _capacity(max_agents: int, table: tuple) -> np.ndarray:
    """The Erlang C table, computed once per distinct channel (re-solves reuse it)."""
    table = dict(table)
    if table["service_level"] is None:  # best effort: only the occupancy cap
        table.update(service_level=0.0, answer_within_seconds=1.0, max_asa_seconds=None)
    cap = capacity(max_agents, **table)
    cap.setflags(write=False)
    return cap


def add_service_level(
    model: LinearModel,
    v: Vars,
    *,
    key: str,
    contacts: np.ndarray,
    agents: np.ndarray,
    max_agents: int,
    table: dict,
    parameter: str | None,
    variant: str = "",
    fill: dict | None = None,
    whole: bool = True,
    bands: list[tuple[str, dict]] | None = None,
) -> None:
    """Tie ``agents`` (per month) to the Erlang C table for ``contacts`` (per busiest interval).

    ``variant`` and ``fill`` choose and fill the service level's sentence
    (``support-*_service_level`` in ``optimizer.scenario.families``). When ``agents`` are
    not whole people (a workforce flow: employed full-time equivalents, productive people
    ramping up), the roster scheduled is at most them instead of equal to them.

    ``bands`` (name, what it changes in ``table``) makes the line run at one of them each
    month: the choice gains a band axis (``v["service_band"]`` keeps it)."""
    months = v.months
    counts = np.arange(max_agents + 1, dtype=float)
    staffing_axes = [("month", months), ("agents", [str(n) for n in range(max_agents + 1)])]
    if bands:
        staffing_axes.insert(1, ("band", [name for name, _ in bands]))
        cap = np.array([_capacity(max_agents, tuple(sorted({**table, **change}.items())))
                        for _, change in bands])  # fmt: skip
        counts = np.broadcast_to(counts, cap.shape)
    else:
        cap = _capacity(max_agents, tuple(sorted(table.items())))
    chosen = model.add_vars(f"{key}_staffing", staffing_axes, ub=1.0, integer=True, unit="choice")
    v[f"{key}_staffing"] = chosen
    if bands:
        v["service_band"] = chosen
    axes = [("month", months)]
    add_family(
        model,
        f"support-{key}_staffing_choice",
        fill={"line": "ticket desk" if key == "ticket_closure" else key},
        axes=axes,
        lhs=[(1.0, chosen)],
        sense="==",
        rhs=1.0,
    )
    add_family(
        model,
        f"support-{key}_staffing_count",
        variant="" if whole else "flow",
        fill={"line": "ticket desk" if key == "ticket_closure" else key},
        axes=axes,
        lhs=[(1.0, agents)],
        sense="==" if whole else ">=",
        rhs_terms=[(counts, chosen)],
    )
    add_family(
        model,
        f"support-{key}_service_level",
        variant=variant,
        fill=fill,
        axes=axes,
        lhs=[(1.0, contacts)],
        sense="<=",
        rhs_terms=[(cap, chosen)],
        parameter=parameter,
        step_down=[
            (np.concatenate([np.full(cap.shape[:-1] + (1,), 1e30), cap[..., :-1]], axis=-1), chosen)
        ],  # no one fewer than 0
    )
