"""Erlang C staffing for live channels (phone, chat): how many agents a service level needs.

Inputs are one interval's contact volume ``V`` arriving over ``interval`` minutes, the average
handle time ``AHT`` (seconds, talk plus wrap), the answer-time target ``T`` (seconds) and the
service-level target (the share of contacts answered within ``T``, e.g. 0.8 for 80/20).
The model is M/M/N: Poisson arrivals, exponential handle times, nobody abandons.

Formulas (``N`` agents answering contacts):

- traffic, in Erlangs: ``A = V * AHT / (interval * 60)``;
- Erlang B by its recurrence, which never overflows: ``B(0) = 1``,
  ``B(n) = A * B(n-1) / (n + A * B(n-1))``;
- probability of waiting (Erlang C), for ``N > A``: ``P(wait) = N * B(N) / (N - A * (1 - B(N)))``
  (the same number as the textbook ``(A^N / N!) * N / (N - A)`` over
  ``sum_{k<N} A^k / k! + (A^N / N!) * N / (N - A)``, without its factorials);
- service level: ``SL = 1 - P(wait) * exp(-(N - A) * T / AHT)``;
- average speed of answer: ``ASA = P(wait) * AHT / (N - A)`` seconds;
- occupancy: ``A / N``.

With ``N <= A`` the queue grows without limit: service level 0, ``P(wait)`` 1, ASA infinite.

Required agents are the smallest ``N > A`` meeting the service level, the maximum occupancy
and, optionally, a cap on ASA. Every one of the three improves as ``N`` grows, and worsens as
volume grows, so the search walks the recurrence upwards once. Shrinkage (breaks, training,
absence) turns agents on the phones into agents to schedule:
``scheduled = ceil(required / (1 - shrinkage))``.

Erlang C is not linear in volume, so the optimisation model uses :func:`staffing_table`:
contact-volume bands mapped to the agents each band needs, for integer constraints.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

#: Search limit: traffic needing more agents than this is rejected rather than searched.
MAX_AGENTS = 1_000_000
#: Slack for comparing a computed service level, occupancy or ASA with its target.
_EPS = 1e-12


@dataclass(frozen=True)
class Staffing:
    """Erlang C result for one interval.

    ``agents_required`` is the number of agents answering contacts that the other fields
    describe: from :func:`agents_required`, the smallest number meeting the targets; from
    :func:`service_with_agents`, the number given. ``agents_scheduled`` adds shrinkage.
    When the queue is unstable (agents <= traffic) the service level is 0, ``p_wait`` 1,
    ``asa_seconds`` ``math.inf`` and occupancy 1 (agents are never idle).
    """

    traffic_erlangs: float
    agents_required: int
    agents_scheduled: int
    service_level: float
    p_wait: float
    asa_seconds: float
    occupancy: float


@dataclass(frozen=True)
class StaffingTable:
    """Contact-volume bands and the agents each band needs (a band is ``(previous, volume]``).

    Arrays are read-only and sorted by volume; ``agents_required`` never falls as volume rises.
    """

    volumes: np.ndarray
    traffic_erlangs: np.ndarray
    agents_required: np.ndarray
    agents_scheduled: np.ndarray

    def required_for(self, volume: float) -> int:
        """Agents the smallest band holding ``volume`` needs (conservative: its upper edge)."""
        _check_number("volume", volume, low=0.0)
        i = int(np.searchsorted(self.volumes, volume, side="left"))
        if i >= len(self.volumes):
            raise ValueError(
                f"volume = {volume:g}: above the table's largest band ({self.volumes[-1]:g})"
            )
        return int(self.agents_required[i])

    def rows(self) -> list[dict]:
        """One dict a band: volume, traffic_erlangs, agents_required, agents_scheduled."""
        return [
            {
                "volume": float(v),
                "traffic_erlangs": float(a),
                "agents_required": int(r),
                "agents_scheduled": int(s),
            }
            for v, a, r, s in zip(
                self.volumes, self.traffic_erlangs, self.agents_required, self.agents_scheduled
            )
        ]


# ---- validation -------------------------------------------------------------------------
def _check_number(
    name: str,
    value: float,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} = {value!r}: expected a number")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} = {value}: expected a finite number")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(
            f"{name} = {value:g}: expected a number {'>' if low_open else '>='} {low:g}"
        )
    if high is not None and (value >= high if high_open else value > high):
        raise ValueError(
            f"{name} = {value:g}: expected a number {'<' if high_open else '<='} {high:g}"
        )
    return value


def _check_share(name: str, value: float, *, zero_ok: bool = True, one_ok: bool = True) -> float:
    lo, hi = "[" if zero_ok else "(", "]" if one_ok else ")"
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} = {value!r}: expected a share in {lo}0, 1{hi}")
    v = float(value)
    if (
        not math.isfinite(v)
        or v < 0
        or v > 1
        or (v == 0 and not zero_ok)
        or (v == 1 and not one_ok)
    ):
        raise ValueError(
            f"{name} = {value:g}: expected a share in {lo}0, 1{hi} (e.g. 0.8 for 80 %)"
        )
    return v


@dataclass(frozen=True)
class _Targets:
    interval_minutes: float
    aht_seconds: float
    answer_within_seconds: float
    service_level: float
    max_occupancy: float
    shrinkage: float
    max_asa_seconds: float


def _targets(
    interval_minutes: float,
    aht_seconds: float,
    answer_within_seconds: float,
    service_level: float,
    max_occupancy: float | None,
    shrinkage: float,
    max_asa_seconds: float | None,
) -> _Targets:
    return _Targets(
        interval_minutes=_check_number("interval minutes", interval_minutes, low=0, low_open=True),
        aht_seconds=_check_number("AHT seconds", aht_seconds, low=0, low_open=True),
        answer_within_seconds=_check_number("answer within seconds", answer_within_seconds, low=0),
        # 1 is out of reach: with any traffic some contacts always wait (P(wait) > 0).
        service_level=_check_share("service level", service_level, one_ok=False),
        max_occupancy=1.0
        if max_occupancy is None
        else _check_share("max occupancy", max_occupancy, zero_ok=False),
        # Shrinkage 1 would mean nobody scheduled is ever available.
        shrinkage=_check_share("shrinkage", shrinkage, one_ok=False),
        # ASA is positive whenever there is traffic, so a cap of 0 is out of reach.
        max_asa_seconds=math.inf
        if max_asa_seconds is None
        else _check_number("max ASA seconds", max_asa_seconds, low=0, low_open=True),
    )


# ---- the formulas -----------------------------------------------------------------------
def traffic_erlangs(volume: float, interval_minutes: float, aht_seconds: float) -> float:
    """Offered traffic ``A = volume * AHT / interval``, in Erlangs."""
    volume = _check_number("volume", volume, low=0)
    interval = _check_number("interval minutes", interval_minutes, low=0, low_open=True)
    aht = _check_number("AHT seconds", aht_seconds, low=0, low_open=True)
    return volume * aht / (interval * 60.0)


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability B(N, A) by the overflow-free recurrence."""
    b = 1.0
    for n in range(1, agents + 1):
        ab = traffic * b
        b = ab / (n + ab)
    return b


def _erlang_c_from_b(agents: int, traffic: float, b: float) -> float:
    return agents * b / (agents - traffic * (1.0 - b))


def erlang_c(agents: int, traffic: float) -> float:
    """Probability of waiting P(wait) with ``agents`` answering ``traffic`` Erlangs (1 if unstable)."""
    agents = _check_agents(agents)
    traffic = _check_number("traffic", traffic, low=0)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    return _erlang_c_from_b(agents, traffic, erlang_b(agents, traffic))


def _check_agents(agents: int) -> int:
    if isinstance(agents, bool) or not isinstance(agents, int | np.integer):
        raise ValueError(f"agents = {agents!r}: expected a whole number")
    if agents < 0:
        raise ValueError(f"agents = {agents}: expected a whole number >= 0")
    if agents > MAX_AGENTS:
        raise ValueError(f"agents = {agents}: expected at most {MAX_AGENTS}")
    return int(agents)


def _scheduled(agents: int, shrinkage: float) -> int:
    # Rounded before ceil: 21 / (1 - 0.3) is 30.000000000000004 in floating point.
    return math.ceil(round(agents / (1.0 - shrinkage), 9))


def _metrics(
    agents: int, traffic: float, p_wait: float, aht: float, answer_within: float
) -> tuple[float, float, float]:
    """(service level, ASA seconds, occupancy) for a stable queue."""
    surplus = agents - traffic
    sl = 1.0 - p_wait * math.exp(-surplus * answer_within / aht)
    return min(1.0, max(0.0, sl)), p_wait * aht / surplus, traffic / agents


def _idle(traffic: float, agents: int, shrinkage: float) -> Staffing:
    return Staffing(traffic, agents, _scheduled(agents, shrinkage), 1.0, 0.0, 0.0, 0.0)


def agents_required(
    volume: float,
    interval_minutes: float,
    aht_seconds: float,
    answer_within_seconds: float,
    service_level: float,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    max_asa_seconds: float | None = None,
) -> Staffing:
    """The smallest number of agents meeting the service level, occupancy and ASA targets.

    ``service_level``, ``max_occupancy`` and ``shrinkage`` are shares (0.8, not 80). With no
    volume no agents are needed. Raises ``ValueError`` naming the first bad input.
    """
    t = _targets(
        interval_minutes,
        aht_seconds,
        answer_within_seconds,
        service_level,
        max_occupancy,
        shrinkage,
        max_asa_seconds,
    )
    a = traffic_erlangs(volume, t.interval_minutes, t.aht_seconds)
    if a == 0:
        return _idle(a, 0, t.shrinkage)
    # Occupancy A / N <= max forces N >= A / max; stability forces N > A.
    start = max(math.floor(a) + 1, math.ceil(a / t.max_occupancy - 1e-9), 1)
    if start > MAX_AGENTS:
        raise ValueError(f"traffic of {a:g} Erlangs needs more than {MAX_AGENTS} agents")
    b = erlang_b(start - 1, a)
    for n in range(start, MAX_AGENTS + 1):
        ab = a * b
        b = ab / (n + ab)
        p_wait = _erlang_c_from_b(n, a, b)
        sl, asa, occ = _metrics(n, a, p_wait, t.aht_seconds, t.answer_within_seconds)
        if (
            sl >= t.service_level - _EPS
            and occ <= t.max_occupancy + _EPS
            and asa <= t.max_asa_seconds * (1 + _EPS)
        ):
            return Staffing(a, n, _scheduled(n, t.shrinkage), sl, p_wait, asa, occ)
    raise ValueError(f"traffic of {a:g} Erlangs needs more than {MAX_AGENTS} agents")


def service_with_agents(
    volume: float,
    interval_minutes: float,
    aht_seconds: float,
    answer_within_seconds: float,
    agents: int,
    shrinkage: float = 0.0,
) -> Staffing:
    """The reverse question: the service level, P(wait), ASA and occupancy ``agents`` achieve.

    ``agents`` (answering contacts, at least 1) is reported as ``agents_required``. With
    ``agents`` at or below the traffic the queue is unstable and this is an answer, not an
    error: service level 0, P(wait) 1, ASA infinite, occupancy 1.
    """
    t = _targets(interval_minutes, aht_seconds, answer_within_seconds, 0.0, None, shrinkage, None)
    n = _check_agents(agents)
    if n < 1:
        raise ValueError(f"agents = {n}: expected a whole number >= 1")
    a = traffic_erlangs(volume, t.interval_minutes, t.aht_seconds)
    if a == 0:
        return _idle(a, n, t.shrinkage)
    scheduled = _scheduled(n, t.shrinkage)
    if n <= a:
        return Staffing(a, n, scheduled, 0.0, 1.0, math.inf, 1.0)
    p_wait = _erlang_c_from_b(n, a, erlang_b(n, a))
    sl, asa, occ = _metrics(n, a, p_wait, t.aht_seconds, t.answer_within_seconds)
    return Staffing(a, n, scheduled, sl, p_wait, asa, occ)


def meets_targets(
    result: Staffing,
    service_level: float,
    max_occupancy: float | None = None,
    max_asa_seconds: float | None = None,
) -> bool:
    """Whether ``result`` meets a service-level target and the optional caps."""
    sl = _check_share("service level", service_level, one_ok=False)
    occ = 1.0 if max_occupancy is None else _check_share("max occupancy", max_occupancy)
    asa = math.inf if max_asa_seconds is None else float(max_asa_seconds)
    if result.traffic_erlangs == 0:
        return True
    return (
        result.agents_required > result.traffic_erlangs
        and result.service_level >= sl - _EPS
        and result.occupancy <= occ + _EPS
        and result.asa_seconds <= asa * (1 + _EPS)
    )


def staffing_table(
    volume_bands: Iterable[float],
    interval_minutes: float,
    aht_seconds: float,
    answer_within_seconds: float,
    service_level: float,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    max_asa_seconds: float | None = None,
) -> StaffingTable:
    """Required agents for every volume band at once (each band's upper edge, sorted).

    The Erlang B recurrence runs over all bands together as numpy arrays, one step per agent
    count, and each band keeps the first count meeting every target: the same answers as
    :func:`agents_required`, band by band.
    """
    t = _targets(
        interval_minutes,
        aht_seconds,
        answer_within_seconds,
        service_level,
        max_occupancy,
        shrinkage,
        max_asa_seconds,
    )
    raw = list(volume_bands)
    if not raw:
        raise ValueError("volume bands: expected at least one band")
    volumes = np.array(
        sorted({_check_number(f"volume band {v!r}", v, low=0) for v in raw}), dtype=float
    )
    a = volumes * t.aht_seconds / (t.interval_minutes * 60.0)
    if a[-1] / t.max_occupancy >= MAX_AGENTS:
        raise ValueError(f"traffic of {a[-1]:g} Erlangs needs more than {MAX_AGENTS} agents")
    required = np.where(a == 0, 0, -1).astype(np.int64)
    b = np.ones_like(a)
    n = 0
    while (required < 0).any():
        n += 1
        if n > MAX_AGENTS:
            raise ValueError(f"traffic of {a[-1]:g} Erlangs needs more than {MAX_AGENTS} agents")
        ab = a * b
        b = ab / (n + ab)
        stable = (required < 0) & (n > a)
        if not stable.any():
            continue
        surplus = np.where(stable, n - a, 1.0)
        p_wait = np.where(stable, n * b / (surplus + a * b), 1.0)
        sl = 1.0 - p_wait * np.exp(-surplus * t.answer_within_seconds / t.aht_seconds)
        asa = p_wait * t.aht_seconds / surplus
        ok = (
            stable
            & (sl >= t.service_level - _EPS)
            & (a / n <= t.max_occupancy + _EPS)
            & (asa <= t.max_asa_seconds * (1 + _EPS))
        )
        required[ok] = n
    scheduled = np.array([_scheduled(int(r), t.shrinkage) for r in required], dtype=np.int64)
    for arr in (volumes, a, required, scheduled):
        arr.setflags(write=False)
    return StaffingTable(volumes, a, required, scheduled)


def answering(scheduled: int, shrinkage: float) -> int:
    """The most agents answering contacts that ``scheduled`` agents on the roster give."""
    n = math.floor(scheduled * (1.0 - shrinkage)) + 1
    while n > 0 and _scheduled(n, shrinkage) > scheduled:
        n -= 1
    return n


def capacity(
    max_scheduled: int,
    interval_minutes: float,
    aht_seconds: float,
    answer_within_seconds: float,
    service_level: float,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    max_asa_seconds: float | None = None,
) -> np.ndarray:
    """``cap[N]``: the most contacts an interval may bring for N scheduled agents to meet every target.

    The inverse of :func:`agents_required`: ``agents_required(V).agents_scheduled <= N``
    exactly when ``V <= cap[N]``. Each value is found by bisection on traffic (every target
    worsens as traffic grows), for all N at once, to 1e-12 relative. This is the table the
    optimisation model uses: ``volume <= sum_N cap[N] * chosen[N]``.
    """
    t = _targets(
        interval_minutes,
        aht_seconds,
        answer_within_seconds,
        service_level,
        max_occupancy,
        shrinkage,
        max_asa_seconds,
    )
    on = np.array([answering(n, t.shrinkage) for n in range(max_scheduled + 1)], dtype=float)
    lo = np.zeros_like(on)
    hi = on * t.max_occupancy  # occupancy A / n <= max caps traffic outright
    for _ in range(100):
        mid = (lo + hi) / 2
        ok = _meets(on, mid, t)
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
        if np.all(hi - lo <= 1e-13 * np.maximum(1.0, hi)):
            break
    lo = np.where(_meets(on, hi, t), hi, lo)
    return lo * t.interval_minutes * 60.0 / t.aht_seconds


def _meets(on: np.ndarray, traffic: np.ndarray, t: _Targets) -> np.ndarray:
    """Whether ``on`` agents answering ``traffic`` Erlangs meet every target (vectorised)."""
    b = np.ones_like(traffic)
    for k in range(1, int(on.max(initial=0)) + 1):
        step = k <= on
        ab = traffic * b
        b = np.where(step, ab / (k + ab), b)
    stable = on > traffic
    surplus = np.where(stable, on - traffic, 1.0)
    p_wait = np.where(stable, on * b / (surplus + traffic * b), 1.0)
    sl = 1.0 - p_wait * np.exp(-surplus * t.answer_within_seconds / t.aht_seconds)
    asa = p_wait * t.aht_seconds / surplus
    occupancy = np.divide(traffic, on, out=np.zeros_like(traffic), where=on > 0)
    meets = (
        stable
        & (sl >= t.service_level - _EPS)
        & (occupancy <= t.max_occupancy + _EPS)
        & (asa <= t.max_asa_seconds * (1 + _EPS))
    )
    return meets | (traffic == 0)
