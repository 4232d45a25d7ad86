"""The money module: Danish input, whole kroner, the cap — with property-based tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.money import (
    DEFAULT_CAP,
    MAX_LINE_AMOUNT,
    AmountError,
    budget,
    format_amount,
    parse_amount,
)


@pytest.mark.parametrize("raw, amount", [
    ("12500", 12500), ("12.500", 12500), ("12.500 kr.", 12500), ("12.500 kr", 12500),
    ("  4.100  ", 4100), ("1.000.000", 1_000_000), ("12.500,00", 12500), ("12.500,-", 12500),
    ("DKK 900", 900), ("1", 1), ("12 500", 12500),
])
def test_danish_amounts_are_read(raw, amount):
    assert parse_amount(raw) == amount


@pytest.mark.parametrize("raw, code", [
    ("", "empty"), ("  ", "empty"), ("-500", "negative"), ("0", "not_positive"),
    ("1.234,50", "ore"), ("12,5", "ore"), ("tolv", "not_a_number"), ("1e309", "not_a_number"),
    ("12.50", "not_a_number"), ("1.2345", "not_a_number"), ("1000001", "too_large"),
    ("9" * 40, "too_large"), ("NaN", "not_a_number"), ("inf", "not_a_number"),
    ("12.500.5", "not_a_number"), ("0x10", "not_a_number"), ("½", "not_a_number"),
])
def test_bad_amounts_are_refused_with_a_reason(raw, code):
    with pytest.raises(AmountError) as err:
        parse_amount(raw)
    assert err.value.code == code


def test_amounts_format_the_danish_way():
    assert format_amount(41100) == "41.100 kr."
    assert format_amount(50000) == "50.000 kr."
    assert format_amount(999) == "999 kr."
    assert format_amount(-1200) == "-1.200 kr."


@given(st.integers(min_value=1, max_value=MAX_LINE_AMOUNT))
def test_formatting_then_parsing_gives_the_amount_back(amount):
    assert parse_amount(format_amount(amount)) == amount
    assert parse_amount(str(amount)) == amount


@given(st.text(max_size=30))
def test_any_text_is_either_a_valid_amount_or_a_clear_refusal(raw):
    try:
        amount = parse_amount(raw)
    except AmountError as err:
        assert err.code in {"empty", "negative", "ore", "not_a_number", "too_large",
                            "not_positive"}
    else:
        assert isinstance(amount, int) and 1 <= amount <= MAX_LINE_AMOUNT


@given(st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=MAX_LINE_AMOUNT)),
                max_size=30),
       st.integers(min_value=1, max_value=200_000))
def test_budget_sums_and_the_cap(amounts, cap):
    result = budget(amounts, cap)
    assert result.total == sum(a for a in amounts if a)
    assert result.remaining + result.total - result.excess == cap
    assert result.over_cap == (result.excess > 0)
    assert result.remaining >= 0 and result.excess >= 0


def test_default_cap_is_the_methods():
    assert DEFAULT_CAP == 50_000
    assert budget([41_100]).remaining == 8_900
    over = budget([30_000, 25_000])
    assert over.over_cap and over.excess == 5_000 and over.remaining == 0


def test_zero_kroner_is_formatted_without_a_sign():
    assert format_amount(0) == "0 kr."
    assert format_amount(1) == "1 kr."
    assert format_amount(-1) == "-1 kr."


@pytest.mark.parametrize("raw", [
    "12.500 DKK", "12.500 dkk", "12500DKK", "DKK 12.500", "dkk12.500", "12.500,- DKK",
])
def test_kroner_written_as_dkk_before_or_after_the_amount_are_read(raw):
    assert parse_amount(raw) == 12500


@pytest.mark.parametrize("raw, amount", [
    ("12\u00a0500", 12500), ("1\u00a0000\u00a0000", 1_000_000), ("12\u00a0500\u00a0kr.", 12500),
    ("12.500\u00a0kr.", 12500),
])
def test_thousands_grouped_with_a_no_break_space_are_read(raw, amount):
    assert parse_amount(raw) == amount


@pytest.mark.parametrize("raw", [",-", " ,- ", ",- kr."])
def test_a_bare_no_ore_mark_is_an_empty_amount_not_ore(raw):
    with pytest.raises(AmountError) as err:
        parse_amount(raw)
    assert err.value.code == "empty"
