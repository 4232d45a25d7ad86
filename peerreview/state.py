"""The round state machine.

::

    planned ──open──▶ open ──begin closing──▶ closing ──close──▶ closed
                        ▲                        │
                        └────────reopen──────────┘

* **planned** — configured; people may pre-register; no snapshots yet, no feedback.
* **open** — snapshots frozen, groups made; reviewers get assignments and post feedback.
* **closing** — the facilitator's "last comments": feedback is still accepted (nobody loses what
  they are typing) and new assignments go only to drafts still below the minimum, which is what
  the projector board is steering the room towards.
* **closed** — final. No feedback, no assignments; the visible feedback travels with the drafts
  into the approval queue.

``closing → open`` **is allowed**: closing is a soft wrap-up, and when the room needs more time the
facilitator must be able to take it back without losing anything. ``closed`` is terminal because
its feedback (and any override) is on record and may already be in the approval queue. There is no
shortcut ``open → closed``: the close guard runs on ``closing → closed`` only, so a round always
passes the moment where the board shows who is still waiting.

``closing → closed`` is refused (code ``minimum_not_reached``) while a present participant's
snapshot has fewer than ``min_feedback`` visible comments, unless the facilitator overrides with
who and why; the override, and which snapshots were short, are recorded on the round.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from .errors import InvalidInput, RoundStateError

if TYPE_CHECKING:
    from .models import Round

__all__ = [
    "Grouping",
    "RoundState",
    "RoundStateError",
    "TRANSITIONS",
    "MAX_OVERRIDE_REASON",
    "can_transition",
    "ensure_transition",
    "ensure_accepts_feedback",
    "ensure_hands_out_assignments",
    "apply_transition",
]


class RoundState(StrEnum):
    """The four states of a round (stored as their string value)."""

    PLANNED = "planned"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


class Grouping(StrEnum):
    """How reviewers are steered: small groups of 3–4, or the whole room as one rotation."""

    GROUPS = "groups"
    ROTATION = "rotation"


TRANSITIONS: Mapping[RoundState, frozenset[RoundState]] = {
    RoundState.PLANNED: frozenset({RoundState.OPEN}),
    RoundState.OPEN: frozenset({RoundState.CLOSING}),
    RoundState.CLOSING: frozenset({RoundState.OPEN, RoundState.CLOSED}),
    RoundState.CLOSED: frozenset(),
}

MAX_OVERRIDE_REASON = 1000


def can_transition(current: str, target: str) -> bool:
    """Whether the state machine allows ``current → target``."""
    return RoundState(target) in TRANSITIONS[RoundState(current)]


def ensure_transition(current: str, target: str) -> None:
    """Refuse a transition the state machine does not allow.

    :raises RoundStateError: ``invalid_transition``.
    """
    if not can_transition(current, target):
        raise RoundStateError(
            "invalid_transition",
            f"{current} → {target} is not allowed",
            current=current,
            target=target,
        )


def ensure_accepts_feedback(state: str) -> None:
    """Feedback is accepted while open or closing.

    :raises RoundStateError: ``round_not_open`` (planned) or ``round_closed`` (closed).
    """
    if state == RoundState.PLANNED:
        raise RoundStateError("round_not_open", "the round has not started")
    if state == RoundState.CLOSED:
        raise RoundStateError("round_closed", "the round is closed")


ensure_hands_out_assignments = ensure_accepts_feedback
"""Assignments are handed out in the same states as feedback is accepted."""


def apply_transition(
    round_: Round,
    target: str,
    *,
    now: datetime,
    shortfall: Collection[int] = (),
    override_by_ref: int | None = None,
    override_reason: str | None = None,
) -> str:
    """Move ``round_`` to ``target``, stamping the time; return the previous state.

    :param shortfall: for ``closing → closed``, the ids of present snapshots below the minimum
        (the caller computes them from the database).
    :param override_by_ref: who overrides the close guard (with ``override_reason``). Recorded only
        when it was needed, i.e. when ``shortfall`` is not empty.
    :raises RoundStateError: ``invalid_transition``, or ``minimum_not_reached`` (with
        ``params["shortfall"]``) when closing with a shortfall and no override.
    :raises InvalidInput: ``override_reason_required`` for an override without a person or with an
        empty or over-long reason.
    """
    previous = round_.state
    ensure_transition(previous, target)
    if target == RoundState.CLOSED and shortfall:
        if override_by_ref is None and override_reason is None:
            raise RoundStateError(
                "minimum_not_reached",
                f"{len(shortfall)} present draft(s) lack the minimum feedback",
                shortfall=sorted(shortfall),
                minimum=round_.min_feedback,
            )
        reason = (override_reason or "").strip()
        if override_by_ref is None or not reason or len(reason) > MAX_OVERRIDE_REASON:
            raise InvalidInput(
                "override_reason_required",
                "an override needs who and why (1–1000 characters)",
                max_length=MAX_OVERRIDE_REASON,
            )
        round_.completed_override_by_ref = override_by_ref
        round_.override_reason = reason
        round_.override_shortfall = sorted(shortfall)

    round_.state = RoundState(target).value
    if target == RoundState.OPEN:
        round_.opened_at = round_.opened_at or now
        round_.closing_at = None
    elif target == RoundState.CLOSING:
        round_.closing_at = now
    elif target == RoundState.CLOSED:
        round_.closed_at = now
    return previous
