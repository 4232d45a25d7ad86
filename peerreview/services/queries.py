"""Reading a round: its progress against the minimum, one plan's tally and place on the board,
and its feedback as the owner, the staff and the consoles see it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, case, func, select, true
from sqlalchemy.orm import Session, aliased

from peerreview.allocation import DraftLoad, Seat
from peerreview.errors import NotFound
from peerreview.models import (
    Assignment,
    Feedback,
    Round,
    RoundParticipant,
    Snapshot,
)
from peerreview.prompts import find_criterion
from peerreview.services.common import (
    _PLACE,
    _PROGRESS,
    _TALLY,
    _snapshot,
    get_round,
)
from peerreview.snapshots import public_line_titles
from peerreview.state import Grouping, RoundState


@dataclass(frozen=True, slots=True)
class DraftProgress:
    """One draft on the board: visible comments against the minimum."""

    snapshot_id: int
    owner_ref: int
    group_no: int | None
    seat_no: int | None
    present: bool
    feedback_count: int
    pending: int
    minimum: int

    @property
    def reached(self) -> bool:
        """Whether the draft has the minimum visible comments."""
        return self.feedback_count >= self.minimum

    @property
    def waiting(self) -> bool:
        """Present and still below the minimum: the board highlights it."""
        return self.present and not self.reached


@dataclass(frozen=True, slots=True)
class RoundProgress:
    """The projector board's numbers: every snapshot in seat order, and who is still waiting."""

    round_id: int
    state: str
    minimum: int
    drafts: list[DraftProgress]

    @property
    def waiting(self) -> list[int]:
        """Owner refs of present drafts below the minimum, the fewest comments first."""
        short = sorted(
            (d for d in self.drafts if d.waiting), key=lambda d: (d.feedback_count, d.seat_no or 0)
        )
        return [d.owner_ref for d in short]

    @property
    def complete(self) -> bool:
        """No present draft is below the minimum (the round may close without override)."""
        return not self.waiting

    @property
    def total_feedback(self) -> int:
        """All visible comments of the round."""
        return sum(d.feedback_count for d in self.drafts)


def progress(session: Session, round_id: int) -> RoundProgress:
    """Feedback count per snapshot against the minimum, and who is still waiting.

    Drafts whose owner left are listed (``present=False``) but never waiting.

    :raises NotFound: ``round_not_found``.
    """
    round_ = get_round(session, round_id)
    drafts = [
        DraftProgress(
            snapshot_id=snapshot_id,
            owner_ref=owner_ref,
            group_no=group_no,
            seat_no=seat_no,
            present=bool(present),
            feedback_count=count or 0,
            pending=open_ or 0,
            minimum=round_.min_feedback,
        )
        for snapshot_id, owner_ref, count, open_, group_no, seat_no, present
        in session.execute(_PROGRESS, {"round_id": round_.id})
    ]
    drafts.sort(key=lambda d: (d.seat_no is None, d.seat_no or 0, d.snapshot_id))
    return RoundProgress(round_.id, round_.state, round_.min_feedback, drafts)


@dataclass(frozen=True, slots=True)
class Tally:
    """What a change to one plan (a comment, moderation, a join or a leave) shows on the board:
    the round's totals and that plan's count.

    ``present`` is whether the plan's owner is in the room (a plan whose owner left is not on
    the board, and never waiting); ``waiting`` counts the present plans below the minimum;
    ``all_feedback`` counts hidden and held comments too (what the facilitators moderate);
    ``held`` the round's comments waiting for a facilitator.
    """

    total_feedback: int
    waiting: int
    minimum: int
    feedback_count: int
    present: bool
    all_feedback: int
    #: The round's state as the same statement read it (a caller that waited for a lock reads
    #: the state committed meanwhile with the counts, not in a statement of its own).
    state: str
    held: int = 0

    @property
    def plan_waiting(self) -> bool:
        """The commented plan is present and still below the minimum."""
        return self.present and self.feedback_count < self.minimum


def tally(session: Session, round_id: int, snapshot_id: int) -> Tally:
    """The board's numbers after a change to ``snapshot_id``'s plan, in one row whatever the
    room's size: :func:`progress` without a row per plan (the push after every comment reads
    this; ``snapshot_id`` 0 for the totals alone).

    :raises NotFound: ``round_not_found``.
    """
    round_ = get_round(session, round_id)
    total, waiting, count, present, everything, state, held = session.execute(_TALLY, {
        "round_id": round_.id, "snapshot_id": snapshot_id, "minimum": round_.min_feedback,
    }).one()
    return Tally(total_feedback=int(total), waiting=waiting, minimum=round_.min_feedback,
                 feedback_count=int(count), present=bool(present), all_feedback=everything,
                 state=state, held=held)


@dataclass(frozen=True, slots=True)
class Place:
    """Where one person's plan stands on the board: its snapshot, and the owner of the present
    plan just before it in seat order (``None`` when it comes first)."""

    snapshot_id: int
    before: int | None


def place_on_board(session: Session, round_id: int, person_ref: int) -> Place | None:
    """Where ``person_ref``'s plan stands among the present plans (the board's order, as in
    :func:`progress`), in one row whatever the room's size; ``None`` if they have no plan in
    the round. A join puts their tile after ``before``'s instead of sending the whole board."""
    row = session.execute(_PLACE, {"round_id": round_id, "person_ref": person_ref}).first()
    return Place(snapshot_id=row.snapshot_id, before=row.before) if row is not None else None


@dataclass(frozen=True, slots=True)
class FeedbackView:
    """A visible comment as the owner (or the approval queue) sees it.

    ``reviewer_ref`` is ``None`` in an anonymous round: only facilitators, through
    :func:`feedback_to_moderate` (or :func:`list_feedback`), see who wrote it.
    """

    id: int
    round_id: int
    snapshot_id: int
    criterion: str
    criterion_label: str
    stem: str
    stem_label: str
    text: str
    line_ref: int | None
    line_title: str | None
    reviewer_ref: int | None
    pinned: bool
    helpful: bool
    addressed: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CriterionFeedback:
    """The comments on one criterion, in the prompt set's order."""

    key: str
    label: str
    items: list[FeedbackView]


def _view(round_: Round, feedback: Feedback) -> FeedbackView:
    """The audience-safe view of a visible comment (no reviewer in an anonymous round)."""
    criterion = find_criterion(round_.prompt_set, feedback.criterion) or {"stems": []}
    stems = {s["key"]: s["label"] for s in criterion["stems"]}
    line_title = None
    if feedback.line_ref is not None:
        line_title = public_line_titles(feedback.snapshot.content).get(feedback.line_ref)
    return FeedbackView(
        id=feedback.id,
        round_id=feedback.round_id,
        snapshot_id=feedback.snapshot_id,
        criterion=feedback.criterion,
        criterion_label=criterion.get("label", feedback.criterion),
        stem=feedback.stem,
        stem_label=stems.get(feedback.stem, feedback.stem),
        text=feedback.text,
        line_ref=feedback.line_ref,
        line_title=line_title,
        reviewer_ref=None if round_.anonymous else feedback.reviewer_ref,
        pinned=feedback.pinned,
        helpful=feedback.helpful,
        addressed=feedback.addressed,
        created_at=feedback.created_at,
    )


def _group_by_criterion(round_: Round, feedback: Sequence[Feedback]) -> list[CriterionFeedback]:
    views = [_view(round_, f) for f in feedback]
    return [
        CriterionFeedback(
            criterion["key"],
            criterion["label"],
            [v for v in views if v.criterion == criterion["key"]],
        )
        for criterion in round_.prompt_set["criteria"]
    ]


def _visible_feedback(session: Session, snapshot: Snapshot) -> list[Feedback]:
    return list(
        session.scalars(
            select(Feedback)
            .where(
                Feedback.round_id == snapshot.round_id,
                Feedback.snapshot_id == snapshot.id,
                Feedback.hidden.is_(False),
                Feedback.held.is_(False),
            )
            .order_by(Feedback.created_at, Feedback.id)
        )
    )


def feedback_for_owner(session: Session, round_id: int, owner_ref: int) -> list[CriterionFeedback]:
    """All visible comments on the owner's draft in this round, grouped by criterion.

    Every criterion of the prompt set is listed, also those without comments. Hidden comments,
    and comments held for review, are left out; reviewers are left out in an anonymous round.

    :raises NotFound: ``round_not_found``, ``snapshot_not_found`` (no draft of theirs here).
    """
    round_ = get_round(session, round_id)
    snapshot = session.scalars(
        select(Snapshot).where(Snapshot.round_id == round_.id, Snapshot.owner_ref == owner_ref)
    ).one_or_none()
    if snapshot is None:
        raise NotFound("snapshot_not_found", f"person {owner_ref!r} has no draft in this round")
    return _group_by_criterion(round_, _visible_feedback(session, snapshot))


def feedback_for_draft(
    session: Session, draft_ref: int
) -> list[tuple[Round, list[CriterionFeedback]]]:
    """The visible feedback that travels with a draft into the approval queue.

    One entry per closed round that reviewed the draft (oldest first), grouped by criterion as
    for the owner. Rounds still running are left out: their feedback is not final yet.
    """
    rows = session.execute(
        select(Round, Snapshot)
        .join(Snapshot, Snapshot.round_id == Round.id)
        .where(Snapshot.draft_ref == draft_ref, Round.state == RoundState.CLOSED.value)
        .order_by(Round.closed_at, Round.id)
    )
    return [
        (round_, _group_by_criterion(round_, _visible_feedback(session, snapshot)))
        for round_, snapshot in rows
    ]


def list_feedback(
    session: Session,
    round_id: int,
    *,
    snapshot_id: int | None = None,
    include_hidden: bool = False,
) -> list[Feedback]:
    """Comments of a round, oldest first, for the facilitator console (with ``include_hidden``
    for moderation). Reviewer ids are included, also in anonymous rounds: facilitators moderate.

    :raises NotFound: ``round_not_found``, ``snapshot_not_found``.
    """
    round_ = get_round(session, round_id)
    query = select(Feedback).where(Feedback.round_id == round_.id)
    if snapshot_id is not None:
        query = query.where(Feedback.snapshot_id == _snapshot(session, round_.id, snapshot_id).id)
    if not include_hidden:
        query = query.where(Feedback.hidden.is_(False))
    return list(session.scalars(query.order_by(Feedback.created_at, Feedback.id)))


def feedback_to_moderate(
    session: Session, round_id: int, limit: int | None = None
) -> tuple[list[Row[Any]], int, int]:
    """The round's comments as the facilitators' console moderates them — the newest ``limit``
    (all with ``None``), hidden and held ones too, oldest first — how many the round has in
    all, and how many of them wait for a facilitator.

    Plain rows with ``id, reviewer_ref, owner_ref, text, hidden, pinned, held``: a console gets
    them on every comment of the room, so one statement and no objects, whatever the round's
    size. Reviewer ids are included, also in anonymous rounds: facilitators moderate.

    :raises NotFound: ``round_not_found``.
    """
    round_ = get_round(session, round_id)
    query = (
        select(Feedback.id, Feedback.reviewer_ref, Snapshot.owner_ref, Feedback.text,
               Feedback.hidden, Feedback.pinned, Feedback.held,
               func.count().over().label("total"),
               func.sum(case((Feedback.held.is_(True), 1), else_=0)).over().label("held_total"))
        .join(Snapshot, Snapshot.id == Feedback.snapshot_id)
        .where(Feedback.round_id == round_.id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    return rows[::-1], rows[0].total if rows else 0, int(rows[0].held_total) if rows else 0


def pinned_feedback(session: Session, round_id: int) -> list[FeedbackView]:
    """The visible pinned comments, the only ones whose full text the projector shows; as views,
    so an anonymous round stays anonymous on the wall.

    :raises NotFound: ``round_not_found``.
    """
    round_ = get_round(session, round_id)
    pinned = session.scalars(
        select(Feedback)
        .where(
            Feedback.round_id == round_.id,
            Feedback.pinned.is_(True),
            Feedback.hidden.is_(False),
            Feedback.held.is_(False),
        )
        .order_by(Feedback.created_at, Feedback.id)
    )
    return [_view(round_, f) for f in pinned]


@dataclass(frozen=True)
class ReviewerProgress:
    """How far one reviewer has come: the plans they have commented on, and how many they are
    expected to (the others' plans in their group; in a rotation, the minimum each plan needs,
    or fewer plans if the room has fewer). A phone shows "plan 2 of 3"."""

    done: int
    expected: int


def reviewer_progress(session: Session, round_: Round, reviewer_ref: int) -> ReviewerProgress:
    """:class:`ReviewerProgress` of ``reviewer_ref`` in one statement."""
    me = aliased(RoundParticipant)
    other = aliased(RoundParticipant)
    done = (select(func.count(Assignment.id))
            .where(Assignment.round_id == round_.id, Assignment.reviewer_ref == reviewer_ref,
                   Assignment.completed_at.is_not(None))
            .scalar_subquery())
    rotation = round_.grouping == Grouping.ROTATION
    same_group = true() if rotation else me.group_no == other.group_no
    plans = (select(func.count(other.id))
             .join(me, (me.round_id == other.round_id) & (me.person_ref == reviewer_ref)
                   & same_group)
             .join(Snapshot, (Snapshot.round_id == other.round_id)
                   & (Snapshot.owner_ref == other.person_ref))
             .where(other.round_id == round_.id, other.person_ref != reviewer_ref,
                    other.present)
             .scalar_subquery())
    done_count, others = session.execute(select(done, plans)).one()
    expected = min(round_.min_feedback, others) if rotation else others
    return ReviewerProgress(done_count, expected)


def progress_from_rows(round_: Round, reviewer_ref: int, seats: Sequence[Seat],
                       drafts: Sequence[DraftLoad], assignments: Sequence[Assignment]
                       ) -> ReviewerProgress:
    """:class:`ReviewerProgress` from rows the next plan's choice has read anyway (the present
    seats, every draft, the reviewer's assignments): what :func:`reviewer_progress` counts in
    SQL, with no statement."""
    done = sum(1 for a in assignments if a.completed_at is not None)
    rotation = round_.grouping == Grouping.ROTATION
    mine = next((seat for seat in seats if seat.person_ref == reviewer_ref), None)
    if mine is None:
        return ReviewerProgress(done, 0)
    peers = {seat.person_ref for seat in seats if seat.person_ref != reviewer_ref
             and (rotation or seat.group_no == mine.group_no)}
    others = sum(1 for draft in drafts if draft.owner_ref in peers)
    expected = min(round_.min_feedback, others) if rotation else others
    return ReviewerProgress(done, expected)


#: What became of a comment, as its author is told (:func:`feedback_by_reviewer`).
WAITING, HIDDEN, DELIVERED = "waiting", "hidden", "delivered"


@dataclass(frozen=True, slots=True)
class GivenFeedback:
    """One of a reviewer's own comments, and what became of it: ``waiting`` for a facilitator
    (the course holds comments for review), ``hidden`` by one, or ``delivered`` to the owner."""

    id: int
    owner_ref: int
    criterion_label: str
    stem_label: str
    text: str
    status: str
    created_at: datetime


def feedback_by_reviewer(session: Session, round_id: int, reviewer_ref: int
                         ) -> list[GivenFeedback]:
    """The comments ``reviewer_ref`` wrote in the round, newest first, each with what became of
    it — the author's own view: only they (and the facilitators) learn that a comment of theirs
    waits or was hidden.

    :raises NotFound: ``round_not_found``.
    """
    round_ = get_round(session, round_id)
    rows = session.execute(
        select(Feedback, Snapshot.owner_ref)
        .join(Snapshot, Snapshot.id == Feedback.snapshot_id)
        .where(Feedback.round_id == round_.id, Feedback.reviewer_ref == reviewer_ref)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
    ).all()
    given = []
    for feedback, owner_ref in rows:
        criterion = find_criterion(round_.prompt_set, feedback.criterion) or {"stems": []}
        stems = {s["key"]: s["label"] for s in criterion["stems"]}
        status = HIDDEN if feedback.hidden else WAITING if feedback.held else DELIVERED
        given.append(GivenFeedback(
            id=feedback.id, owner_ref=owner_ref,
            criterion_label=criterion.get("label", feedback.criterion),
            stem_label=stems.get(feedback.stem, feedback.stem), text=feedback.text,
            status=status, created_at=feedback.created_at))
    return given
