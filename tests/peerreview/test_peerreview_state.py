"""The round state machine, without a database."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from peerreview import InvalidInput, RoundStateError
from peerreview.models import Round
from peerreview.state import (
    MAX_OVERRIDE_REASON,
    TRANSITIONS,
    RoundState,
    apply_transition,
    can_transition,
    ensure_accepts_feedback,
    ensure_transition,
)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ALLOWED = {("planned", "open"), ("open", "closing"), ("closing", "open"), ("closing", "closed")}


def a_round(state: str = "planned") -> Round:
    return Round(course_ref=1, title="r", state=state, min_feedback=2, duration_seconds=600)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(RoundState, RoundState)))
def test_exactly_the_documented_transitions_are_allowed(current, target):
    allowed = (current.value, target.value) in ALLOWED
    assert can_transition(current, target) is allowed
    if allowed:
        ensure_transition(current, target)
    else:
        with pytest.raises(RoundStateError) as err:
            ensure_transition(current, target)
        assert err.value.code == "invalid_transition"


def test_closed_is_terminal():
    assert TRANSITIONS[RoundState.CLOSED] == frozenset()


@pytest.mark.parametrize(
    ("state", "code"), [("planned", "round_not_open"), ("closed", "round_closed")]
)
def test_feedback_only_while_open_or_closing(state, code):
    ensure_accepts_feedback("open")
    ensure_accepts_feedback("closing")
    with pytest.raises(RoundStateError) as err:
        ensure_accepts_feedback(state)
    assert err.value.code == code


def test_transitions_stamp_their_times():
    round_ = a_round()
    assert apply_transition(round_, "open", now=NOW) == "planned"
    assert (round_.state, round_.opened_at) == ("open", NOW)
    assert round_.ends_at == NOW + timedelta(seconds=600)
    apply_transition(round_, "closing", now=NOW + timedelta(minutes=9))
    assert round_.closing_at == NOW + timedelta(minutes=9)
    apply_transition(round_, "open", now=NOW + timedelta(minutes=10))
    assert round_.opened_at == NOW, "reopening keeps the original opening time"
    assert round_.closing_at is None
    apply_transition(round_, "closing", now=NOW + timedelta(minutes=12))
    apply_transition(round_, "closed", now=NOW + timedelta(minutes=13))
    assert round_.closed_at == NOW + timedelta(minutes=13)
    assert round_.completed_override_by_ref is None


def test_close_is_refused_while_drafts_lack_the_minimum():
    round_ = a_round("closing")
    with pytest.raises(RoundStateError) as err:
        apply_transition(round_, "closed", now=NOW, shortfall=[12, 4])
    assert err.value.code == "minimum_not_reached"
    assert err.value.params == {"shortfall": [4, 12], "minimum": 2}
    assert round_.state == "closing"


@pytest.mark.parametrize(
    ("by", "reason"), [(None, "tiden løb ud"), (9, None), (9, "   "), (9, "x" * 1001)]
)
def test_an_override_needs_who_and_why(by, reason):
    round_ = a_round("closing")
    with pytest.raises(InvalidInput) as err:
        apply_transition(
            round_, "closed", now=NOW, shortfall=[3], override_by_ref=by, override_reason=reason
        )
    assert err.value.code == "override_reason_required"
    assert round_.state == "closing"
    assert round_.completed_override_by_ref is None


def test_an_override_is_recorded():
    round_ = a_round("closing")
    apply_transition(
        round_,
        "closed",
        now=NOW,
        shortfall=[3, 1],
        override_by_ref=9,
        override_reason="  Borger 3 gik tidligt hjem  ",
    )
    assert round_.state == "closed"
    assert round_.completed_override_by_ref == 9
    assert round_.override_reason == "Borger 3 gik tidligt hjem"
    assert round_.override_shortfall == [1, 3]


def test_an_unneeded_override_is_not_recorded():
    round_ = a_round("closing")
    apply_transition(
        round_, "closed", now=NOW, override_by_ref=9, override_reason="for en sikkerheds skyld"
    )
    assert round_.state == "closed"
    assert round_.completed_override_by_ref is None and round_.override_reason is None


def test_an_override_reason_of_exactly_1000_characters_is_accepted():
    round_ = a_round("closing")
    reason = "x" * MAX_OVERRIDE_REASON
    apply_transition(
        round_, "closed", now=NOW, shortfall=[3], override_by_ref=9,
        override_reason=f"  {reason}\n",  # counted after trimming
    )
    assert MAX_OVERRIDE_REASON == 1000
    assert round_.state == "closed" and round_.override_reason == reason


def test_an_over_long_override_reason_is_refused_with_the_limit():
    round_ = a_round("closing")
    with pytest.raises(InvalidInput) as err:
        apply_transition(
            round_, "closed", now=NOW, shortfall=[3], override_by_ref=9,
            override_reason="x" * (MAX_OVERRIDE_REASON + 1),
        )
    assert err.value.code == "override_reason_required"
    assert err.value.params == {"max_length": 1000}
    assert round_.state == "closing"


def test_a_refused_transition_names_both_states():
    with pytest.raises(RoundStateError) as err:
        ensure_transition("closed", "open")
    assert err.value.code == "invalid_transition"
    assert err.value.params == {"current": "closed", "target": "open"}
