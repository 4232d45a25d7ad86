"""Percentiles and ratios, without numpy (the table must not depend on a plotting extra)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) with linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(a: float, b: float) -> float:
    """``a / b``, NaN when either is missing or ``b`` is zero."""
    if b == 0 or math.isnan(a) or math.isnan(b):
        return math.nan
    return a / b


def spread(values: Sequence[float]) -> dict[str, float | int | None]:
    """A figure measured once per block: its median, quartiles and range over the blocks.

    NaN values (a block that measured nothing) are left out; ``n`` says how many counted.
    """
    kept = [v for v in values if v is not None and not math.isnan(v)]
    if not kept:
        return {"n": 0, "median": None, "p25": None, "p75": None, "min": None, "max": None}
    return {"n": len(kept), "median": percentile(kept, 50), "p25": percentile(kept, 25),
            "p75": percentile(kept, 75), "min": min(kept), "max": max(kept)}


def block_ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """Per-block ratios: block ``i`` of one system over block ``i`` of the other (the blocks
    of one round ran next to each other, so each ratio compares like with like)."""
    if len(numerators) != len(denominators):
        raise ValueError(f"{len(numerators)} blocks against {len(denominators)}")
    return [ratio(a, b) for a, b in zip(numerators, denominators, strict=True)]


def interleave(systems: Sequence[str], rounds: int) -> list[tuple[int, str]]:
    """The order of the blocks: ``rounds`` rounds, each with one block of every system.

    The order inside a round rotates, so no system always runs first (just after a pause) or
    always right after the same neighbour: with three systems A, B, C the rounds run
    ABC, BCA, CAB, ABC, ...
    """
    if rounds < 0:
        raise ValueError("rounds must be >= 0")
    order = list(systems)
    schedule = []
    for r in range(rounds):
        shift = r % len(order) if order else 0
        schedule += [(r, name) for name in order[shift:] + order[:shift]]
    return schedule


def windows(samples: Sequence[tuple[float, float]], count: int) -> list[list[float]]:
    """Split ``(time, value)`` samples into ``count`` windows of equal duration (by time):
    the blocks of a run that has no natural ones (the many-rooms run)."""
    if count < 1:
        raise ValueError("count must be >= 1")
    if not samples:
        return [[] for _ in range(count)]
    first = min(t for t, _ in samples)
    last = max(t for t, _ in samples)
    width = (last - first) / count or 1.0
    out: list[list[float]] = [[] for _ in range(count)]
    for t, value in samples:
        out[min(count - 1, int((t - first) / width))].append(value)
    return out
