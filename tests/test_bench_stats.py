"""The benchmark's block statistics: the interleaving schedule, per-block ratios and spreads.

Pure functions (no servers, no database): they decide what ``make bench`` reports as a ratio
and its spread, so a mistake here would misreport every figure.
"""

from __future__ import annotations

import math

import pytest

from bench.stats import block_ratios, interleave, percentile, spread, windows


def test_every_round_runs_each_system_once_and_the_first_place_rotates():
    schedule = interleave(["teten", "floor", "bare"], 4)
    assert schedule == [
        (0, "teten"), (0, "floor"), (0, "bare"),
        (1, "floor"), (1, "bare"), (1, "teten"),
        (2, "bare"), (2, "teten"), (2, "floor"),
        (3, "teten"), (3, "floor"), (3, "bare"),
    ]
    assert interleave(["a", "b"], 0) == []


def test_a_ratio_is_taken_within_each_block_not_over_the_pooled_figures():
    teten = [10.0, 20.0, 30.0]
    floor = [5.0, 5.0, 10.0]
    assert block_ratios(teten, floor) == [2.0, 4.0, 3.0]
    with pytest.raises(ValueError):
        block_ratios([1.0], [1.0, 2.0])
    assert math.isnan(block_ratios([1.0], [0.0])[0])


def test_the_spread_is_median_quartiles_and_range_without_the_blocks_that_measured_nothing():
    got = spread([4.0, 1.0, math.nan, 3.0, 2.0, 5.0])
    assert got == {"n": 5, "median": 3.0, "p25": 2.0, "p75": 4.0, "min": 1.0, "max": 5.0}
    assert spread([])["median"] is None
    assert spread([math.nan])["n"] == 0


def test_percentile_interpolates_between_ranks():
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))


def test_windows_split_a_run_by_time_into_equal_spans():
    samples = [(0.0, 1.0), (1.0, 2.0), (2.0, 3.0), (3.0, 4.0), (4.0, 5.0)]
    assert windows(samples, 2) == [[1.0, 2.0], [3.0, 4.0, 5.0]]
    assert windows([], 3) == [[], [], []]
    assert windows([(5.0, 1.0)], 2) == [[1.0], []]
