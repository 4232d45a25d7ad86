"""Feedback: who reviews what next (the fairness rules of :mod:`peerreview.allocation`), a
comment on the plan one was sent to, moderation, and the owner's marks."""

from __future__ import annotations

from datetime import datetime, timedelta
from math import ceil
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, undefer
from sqlalchemy.orm.attributes import set_committed_value

from peerreview.allocation import (
    choose_snapshot,
)
from peerreview.errors import InvalidInput, NotAllowed, NotFound, RateLimited
from peerreview.models import (
    MAX_FEEDBACK_LENGTH,
    Assignment,
    Feedback,
    Snapshot,
)
from peerreview.prompts import find_criterion, has_stem
from peerreview.services.common import (
    DEFAULT_RATE_LIMIT,
    DEFAULT_RATE_WINDOW_SECONDS,
    _clock,
    _feedback,
    _is_int,
    _loads,
    _open,
    _participant,
    _reviewer_assignments,
    _seats,
    _snapshot,
    get_round,
)
from peerreview.services.queries import ReviewerProgress, progress_from_rows
from peerreview.snapshots import public_line_ids
from peerreview.state import (
    RoundState,
    ensure_accepts_feedback,
    ensure_hands_out_assignments,
)


def next_assignment(
    session: Session, round_id: int, reviewer_ref: int, *, now: datetime | None = None
) -> Assignment | None:
    """The draft this reviewer should review now, or ``None`` when there is none for them
    (:func:`next_assignment_with_progress` without the progress)."""
    return next_assignment_with_progress(session, round_id, reviewer_ref, now=now)[0]


def next_assignment_with_progress(
    session: Session, round_id: int, reviewer_ref: int, *, now: datetime | None = None
) -> tuple[Assignment | None, ReviewerProgress | None]:
    """The draft this reviewer should review now (or ``None``), and how far they have come.

    The progress comes from the rows the choice has read (the seats, the reviewer's
    assignments, the drafts), with no statement of its own; it is ``None`` where no choice was
    made (the reviewer's open assignment is shown again): ask :func:`reviewer_progress` then.

    Idempotent while the reviewer has an open assignment (a reload shows the same draft); an
    assignment is completed by the reviewer's first comment on it, and one whose owner has left
    is abandoned and replaced. Otherwise :func:`~peerreview.allocation.choose_snapshot` picks
    the draft (in a closing round only drafts still below the minimum).

    :raises NotFound: ``round_not_found``, ``not_participant``.
    :raises NotAllowed: ``not_present`` (check in again first).
    :raises RoundStateError: ``round_not_open``, ``round_closed``.
    """
    when = _clock(now)
    round_ = get_round(session, round_id)
    ensure_hands_out_assignments(round_.state)
    seats = _seats(session, round_.id)
    if not any(seat.person_ref == reviewer_ref for seat in seats):
        _participant(session, round_.id, reviewer_ref)  # raises not_participant if not one
        raise NotAllowed("not_present", "the reviewer is marked as not present")

    assignments = _reviewer_assignments(session, round_.id, reviewer_ref)
    current = _open(assignments)
    if current is not None:
        if current.snapshot.owner_ref in {seat.person_ref for seat in seats}:
            return current, None
        current.abandoned_at = when
        session.flush()

    drafts = _loads(session, round_.id)
    progress = progress_from_rows(round_, reviewer_ref, seats, drafts, assignments)
    chosen = choose_snapshot(
        reviewer_ref,
        seats=seats,
        drafts=drafts,
        reviewed={a.snapshot_id for a in assignments},
        minimum=round_.min_feedback,
        only_needed=round_.state == RoundState.CLOSING,
    )
    if chosen is None:
        return None, progress
    assignment = Assignment(
        round_id=round_.id, reviewer_ref=reviewer_ref, snapshot_id=chosen, created_at=when
    )
    session.add(assignment)
    session.flush()
    # The snapshot with its content in one read (not two): whoever asked shows its peer view.
    set_committed_value(assignment, "snapshot",
                        session.get(Snapshot, chosen, options=[undefer(Snapshot.content)]))
    return assignment, progress


def skip_assignment(
    session: Session, round_id: int, reviewer_ref: int, *, now: datetime | None = None
) -> Assignment | None:
    """Give up the current assignment (e.g. "I can't review this one"); return it, or ``None``.

    The skipped draft counts as seen for this reviewer, so :func:`next_assignment` prefers others.

    :raises NotFound: ``round_not_found``, ``not_participant``.
    """
    when = _clock(now)
    round_ = get_round(session, round_id)
    _participant(session, round_.id, reviewer_ref)
    current = _open(_reviewer_assignments(session, round_.id, reviewer_ref))
    if current is not None:
        current.abandoned_at = when
        session.flush()
    return current


def _has_been_assigned(
    session: Session, round_id: int, reviewer_ref: int, snapshot_id: int
) -> bool:
    return (
        session.scalars(
            select(Assignment.id)
            .where(
                Assignment.round_id == round_id,
                Assignment.reviewer_ref == reviewer_ref,
                Assignment.snapshot_id == snapshot_id,
            )
            .limit(1)
        ).first()
        is not None
    )


def snapshot_for_reviewer(
    session: Session, round_id: int, reviewer_ref: int, snapshot_id: int
) -> dict[str, Any]:
    """The peer view of a snapshot the reviewer was sent to (nothing private, see
    :func:`peerreview.snapshots.peer_view`).

    :raises NotFound: ``round_not_found``, ``snapshot_not_found``.
    :raises NotAllowed: ``not_assigned``.
    """
    round_ = get_round(session, round_id)
    snapshot = _snapshot(session, round_.id, snapshot_id)
    if not _has_been_assigned(session, round_.id, reviewer_ref, snapshot.id):
        raise NotAllowed("not_assigned", "the reviewer was not sent to this draft")
    return snapshot.peer_view()





def _clean_text(text: Any) -> str:
    if not isinstance(text, str):
        raise InvalidInput("empty", "feedback text is missing")
    clean = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not clean:
        raise InvalidInput("empty", "feedback text is empty")
    if len(clean) > MAX_FEEDBACK_LENGTH:
        raise InvalidInput(
            "too_long",
            "feedback text is too long",
            max_length=MAX_FEEDBACK_LENGTH,
            length=len(clean),
        )
    if "\x00" in clean:  # PostgreSQL cannot store it, and no keyboard types it
        raise InvalidInput("invalid_text", "feedback text contains a NUL character")
    return clean


def add_feedback(
    session: Session,
    round_id: int,
    reviewer_ref: int,
    snapshot_id: int,
    *,
    criterion: str,
    stem: str,
    text: str,
    line_ref: int | None = None,
    held: bool = False,
    rate_limit: int = DEFAULT_RATE_LIMIT,
    rate_window_seconds: int = DEFAULT_RATE_WINDOW_SECONDS,
    now: datetime | None = None,
) -> Feedback:
    """Store one comment by a reviewer on a snapshot they were sent to.

    Checks, in this order (the first failure is reported, nothing is stored): the round exists
    and takes feedback (open or closing); the snapshot belongs to the round; the reviewer is a
    participant, not its owner, and was assigned this snapshot (also an assignment that ended
    since — a comment typed before leaving is not lost); the criterion and stem are in the
    round's prompt set; the text is 1–1000 characters after trimming; an anchored line is a
    non-private line of the snapshot; the reviewer posted fewer than ``rate_limit`` comments in
    the last ``rate_window_seconds``. The reviewer's open assignment on this snapshot is completed
    by the comment.

    ``held`` (the course holds comments for review): the comment waits for a facilitator
    (:func:`release_feedback`); until then only its author and the facilitators see it, and it
    does not count towards the minimum.

    :raises NotFound: ``round_not_found``, ``snapshot_not_found``, ``not_participant``.
    :raises RoundStateError: ``round_not_open``, ``round_closed``.
    :raises NotAllowed: ``own_draft``, ``not_assigned``.
    :raises InvalidInput: ``unknown_criterion``, ``unknown_stem``, ``empty``, ``too_long``,
        ``invalid_text``, ``line_not_found`` (also for a private line: a peer must not learn that
        it exists).
    :raises RateLimited: ``rate_limited`` with ``params["retry_after"]`` (whole seconds).
    """
    when = _clock(now)
    round_ = get_round(session, round_id)
    ensure_accepts_feedback(round_.state)
    # One read: the reviewer's assignments (a handful) with their plans, and their comments in
    # the rate window (the plan they comment on is then found without a read of its own).
    since = when - timedelta(seconds=rate_window_seconds)
    in_window = (Feedback.round_id == round_.id, Feedback.reviewer_ref == reviewer_ref,
                 Feedback.created_at > since)
    rows = session.execute(
        select(Assignment,
               select(func.count()).where(*in_window).scalar_subquery(),
               select(func.min(Feedback.created_at)).where(*in_window).scalar_subquery())
        .where(Assignment.round_id == round_.id, Assignment.reviewer_ref == reviewer_ref)
        .options(joinedload(Assignment.snapshot))
    ).all()
    assignments = [assignment for assignment, _recent, _oldest in rows]
    recent, oldest = (rows[0][1], rows[0][2]) if rows else (0, None)
    snapshot = _snapshot(session, round_.id, snapshot_id)
    if not any(a.snapshot_id == snapshot.id for a in assignments):
        # Only participants are ever sent to a plan, never to their own: the reasons are
        # looked up when there is no assignment (and no query is spent on the usual case).
        _participant(session, round_.id, reviewer_ref)
        if snapshot.owner_ref == reviewer_ref:
            raise NotAllowed("own_draft", "nobody reviews their own draft")
        raise NotAllowed("not_assigned", "the reviewer was not sent to this draft")

    criterion_entry = find_criterion(round_.prompt_set, criterion)
    if criterion_entry is None:
        raise InvalidInput("unknown_criterion", f"no criterion {criterion!r}")
    if not has_stem(criterion_entry, stem):
        raise InvalidInput("unknown_stem", f"no stem {stem!r} for {criterion!r}")
    clean = _clean_text(text)
    if line_ref is not None and (
        not _is_int(line_ref) or line_ref not in public_line_ids(snapshot.content)
    ):
        raise InvalidInput("line_not_found", f"no budget line {line_ref!r} to comment on")

    if recent >= rate_limit:
        # The window frees a slot when its oldest comment ages out.
        wait = (oldest - since).total_seconds() if oldest is not None else rate_window_seconds
        raise RateLimited(
            "rate_limited", "too many comments in a short time", retry_after=max(1, ceil(wait))
        )

    feedback = Feedback(
        round_id=round_.id,
        snapshot=snapshot,  # (also keeps it loaded for the caller: ``feedback.snapshot``)
        reviewer_ref=reviewer_ref,
        criterion=criterion,
        stem=stem,
        text=clean,
        line_ref=line_ref,
        held=bool(held),
        created_at=when,
    )
    session.add(feedback)
    current = _open(assignments)
    if current is not None and current.snapshot_id == snapshot.id:
        current.completed_at = when
    session.flush()
    return feedback


def _moderate(
    session: Session, round_id: int, feedback_id: int, action: str, **changes: Any
) -> Feedback:
    round_ = get_round(session, round_id)
    feedback = _feedback(session, round_.id, feedback_id)
    if action == "pinned" and feedback.hidden:
        raise NotAllowed("feedback_hidden", "a hidden comment cannot be pinned")
    if action == "pinned" and feedback.held:
        raise NotAllowed("feedback_held", "a comment waiting for review cannot be pinned")
    for key, value in changes.items():
        setattr(feedback, key, value)
    session.flush()
    return feedback


def hide_feedback(
    session: Session,
    round_id: int,
    feedback_id: int,
    *,
    by_ref: int,
    now: datetime | None = None,
) -> Feedback:
    """Hide a comment (facilitator moderation). Any state, idempotent.

    The owner and the projector no longer see it, it stops counting towards the minimum, it is
    unpinned and it does not travel to the approval queue. The record stays, with who hid it
    and when. A comment held for review that is hidden is decided: it no longer waits.

    :raises NotFound: ``round_not_found``, ``feedback_not_found``.
    """
    feedback = _feedback(session, get_round(session, round_id).id, feedback_id)
    if feedback.hidden:
        return feedback
    return _moderate(
        session,
        round_id,
        feedback_id,
        "hidden",
        hidden=True,
        hidden_by_ref=by_ref,
        hidden_at=_clock(now),
        pinned=False,
        held=False,
    )


def release_feedback(
    session: Session,
    round_id: int,
    feedback_id: int,
    *,
    by_ref: int,
    now: datetime | None = None,
) -> Feedback:
    """Let a comment held for review through (facilitator moderation). Any state, idempotent.

    From now on it is a comment like any other: the owner sees it, the projector counts it, and
    it counts towards the minimum. Who let it through, and when, is kept.

    :raises NotFound: ``round_not_found``, ``feedback_not_found``.
    :raises NotAllowed: ``feedback_hidden_release`` when it was hidden meanwhile (a hide is a
        decision: :func:`unhide_feedback` is its own step).
    """
    feedback = _feedback(session, get_round(session, round_id).id, feedback_id)
    if feedback.hidden:
        raise NotAllowed("feedback_hidden_release", "a hidden comment is not let through")
    if not feedback.held:
        return feedback
    return _moderate(
        session, round_id, feedback_id, "released", held=False, released_by_ref=by_ref,
        released_at=_clock(now),
    )


def unhide_feedback(session: Session, round_id: int, feedback_id: int) -> Feedback:
    """Show a hidden comment again (the hide was a mistake). Idempotent.

    :raises NotFound: ``round_not_found``, ``feedback_not_found``.
    """
    return _moderate(
        session, round_id, feedback_id, "shown", hidden=False, hidden_by_ref=None, hidden_at=None
    )


def pin_feedback(session: Session, round_id: int, feedback_id: int) -> Feedback:
    """Pin a comment to the projector for plenary discussion (its full text is shown there).

    :raises NotFound: ``round_not_found``, ``feedback_not_found``.
    :raises NotAllowed: ``feedback_hidden``, ``feedback_held`` (let it through first).
    """
    return _moderate(session, round_id, feedback_id, "pinned", pinned=True)


def unpin_feedback(session: Session, round_id: int, feedback_id: int) -> Feedback:
    """Take a comment off the projector.

    :raises NotFound: ``round_not_found``, ``feedback_not_found``.
    """
    return _moderate(session, round_id, feedback_id, "unpinned", pinned=False)


def _mark(
    session: Session, round_id: int, feedback_id: int, owner_ref: int, **marks: bool
) -> Feedback:
    round_ = get_round(session, round_id)
    feedback = _feedback(session, round_.id, feedback_id)
    if feedback.hidden or feedback.held:  # the owner cannot see it: for them it is not there
        raise NotFound("feedback_not_found", f"no feedback {feedback_id!r} in round {round_id}")
    if feedback.snapshot.owner_ref != owner_ref:
        raise NotAllowed("not_owner", "only the draft's owner marks its feedback")
    for key, value in marks.items():
        setattr(feedback, key, bool(value))
    session.flush()
    return feedback


def mark_helpful(
    session: Session, round_id: int, feedback_id: int, owner_ref: int, helpful: bool = True
) -> Feedback:
    """The owner marks a comment helpful (or takes it back). Any state, also after the round.

    :raises NotFound: ``round_not_found``, ``feedback_not_found`` (also for a hidden or a held
        comment).
    :raises NotAllowed: ``not_owner``.
    """
    return _mark(session, round_id, feedback_id, owner_ref, helpful=helpful)


def mark_addressed(
    session: Session, round_id: int, feedback_id: int, owner_ref: int, addressed: bool = True
) -> Feedback:
    """The owner marks a comment as addressed in the draft (or takes it back).

    :raises NotFound: ``round_not_found``, ``feedback_not_found`` (also for a hidden or a held
        comment).
    :raises NotAllowed: ``not_owner``.
    """
    return _mark(session, round_id, feedback_id, owner_ref, addressed=addressed)
