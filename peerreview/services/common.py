"""What the round services share: looking things up within a round, versions, seats and
loads, and the limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Required, TypedDict

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from peerreview.allocation import (
    DraftLoad,
    Seat,
)
from peerreview.errors import InvalidInput, NotFound, RoundStateError
from peerreview.models import (
    Assignment,
    Feedback,
    Round,
    RoundParticipant,
    Snapshot,
    utcnow,
)
from peerreview.snapshots import freeze_content
from peerreview.state import (
    Grouping,
)

DEFAULT_RATE_LIMIT = 6
"""Comments one person may post per window: a fast typist writes perhaps two a minute."""
DEFAULT_RATE_WINDOW_SECONDS = 60
MAX_TITLE = 200
MAX_MIN_FEEDBACK = 10
MIN_DURATION_SECONDS = 60
MAX_DURATION_SECONDS = 4 * 60 * 60


class SnapshotInput(TypedDict, total=False):
    """One draft handed over by the web side when a round opens (or a late joiner arrives).

    ``content`` is the draft as described in :mod:`peerreview.snapshots`; only the listed fields
    are kept.
    """

    owner_ref: Required[int]
    draft_ref: Required[int]
    draft_version: int | None
    content: Required[Mapping[str, Any]]





def _clock(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def get_round(session: Session, round_id: int) -> Round:
    """Load a round.

    :raises NotFound: ``round_not_found``.
    """
    round_ = session.get(Round, round_id) if _is_int(round_id) else None
    if round_ is None:
        raise NotFound("round_not_found", f"no round {round_id!r}")
    return round_


def _check_version(round_: Round, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != round_.version:
        raise RoundStateError(
            "stale_round", "the round changed meanwhile", current_version=round_.version
        )


def _flush_round(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:  # another console changed the round since we loaded it
        raise RoundStateError("stale_round", "the round changed meanwhile") from exc


def _find_participant(session: Session, round_id: int, person_ref: int) -> RoundParticipant | None:
    return session.scalars(
        select(RoundParticipant).where(
            RoundParticipant.round_id == round_id, RoundParticipant.person_ref == person_ref
        )
    ).one_or_none()


def _participant(session: Session, round_id: int, person_ref: int) -> RoundParticipant:
    participant = _find_participant(session, round_id, person_ref)
    if participant is None:
        raise NotFound("not_participant", f"person {person_ref!r} is not in round {round_id}")
    return participant


def _snapshot(session: Session, round_id: int, snapshot_id: int) -> Snapshot:
    snapshot = session.get(Snapshot, snapshot_id) if _is_int(snapshot_id) else None
    if snapshot is None or snapshot.round_id != round_id:
        raise NotFound("snapshot_not_found", f"no snapshot {snapshot_id!r} in round {round_id}")
    return snapshot


def _feedback(session: Session, round_id: int, feedback_id: int) -> Feedback:
    feedback = session.get(Feedback, feedback_id) if _is_int(feedback_id) else None
    if feedback is None or feedback.round_id != round_id:
        raise NotFound("feedback_not_found", f"no feedback {feedback_id!r} in round {round_id}")
    return feedback


def _abandon_open_assignments(
    session: Session, round_id: int, now: datetime, reviewer_ref: int | None = None
) -> None:
    query = select(Assignment).where(
        Assignment.round_id == round_id,
        Assignment.completed_at.is_(None),
        Assignment.abandoned_at.is_(None),
    )
    if reviewer_ref is not None:
        query = query.where(Assignment.reviewer_ref == reviewer_ref)
    for assignment in session.scalars(query):
        assignment.abandoned_at = now


def _snapshot_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one :class:`SnapshotInput` and return the frozen column values (not yet stored)."""
    draft_ref, draft_version = item.get("draft_ref"), item.get("draft_version")
    if not _is_int(draft_ref) or not (draft_version is None or _is_int(draft_version)):
        raise InvalidInput("invalid_snapshot", "draft_ref (and draft_version) must be integers")
    if "content" not in item:
        raise InvalidInput("invalid_snapshot", "content is missing")
    return {
        "draft_ref": draft_ref,
        "draft_version": draft_version,
        "content": freeze_content(item["content"]),
    }


def _seat_newcomer(session: Session, round_: Round, participant: RoundParticipant) -> None:
    """Give a participant who is present in a running round a group and a seat, once.

    A late joiner goes to the group with the fewest present members (ties: lowest number), so
    groups stay balanced without reshuffling anyone who is already working. The seats and
    groups are counted in SQL: a join into a room of 500 loads no one else.
    """
    if participant.group_no is not None and participant.seat_no is not None:
        return
    others = (RoundParticipant.round_id == round_.id,
              RoundParticipant.person_ref != participant.person_ref,
              RoundParticipant.seat_no.is_not(None))
    if participant.seat_no is None:
        last = session.scalar(select(func.max(RoundParticipant.seat_no)).where(*others))
        participant.seat_no = (last if last is not None else -1) + 1
    if participant.group_no is None:
        if round_.grouping == Grouping.ROTATION:
            participant.group_no = 1
        else:
            # Only groups with someone present: joining an emptied group would mean being alone.
            sizes = dict(session.execute(
                select(RoundParticipant.group_no, func.count())
                .where(*others, RoundParticipant.present.is_(True),
                       RoundParticipant.group_no.is_not(None))
                .group_by(RoundParticipant.group_no)
            ).all())
            participant.group_no = min(sizes, key=lambda g: (sizes[g], g)) if sizes else 1


def has_snapshot(session: Session, round_id: int, person_ref: int) -> bool:
    """Whether ``person_ref``'s draft is frozen in the round (one indexed lookup): a caller
    joining them need not read their draft then, since :func:`join_round` keeps the frozen one."""
    return session.scalar(select(Snapshot.id).where(
        Snapshot.round_id == round_id, Snapshot.owner_ref == person_ref).limit(1)) is not None


# The statements a comment runs on every push, built once: building and keying a select with
# two grouped subqueries costs ≈ 0.5 ms of CPU per execution, more than PostgreSQL's own work.
_ROUND = bindparam("round_id")
_SEATS = (
    select(RoundParticipant.person_ref, RoundParticipant.group_no, RoundParticipant.seat_no)
    .where(RoundParticipant.round_id == _ROUND, RoundParticipant.present.is_(True))
    .order_by(RoundParticipant.id)
)
#: The comments that reached the owner: neither hidden nor held for review. Only these count
#: towards the minimum (the board, the allocation's "below the minimum", the close guard).
_VISIBLE = (
    select(Feedback.snapshot_id, func.count().label("count"),
           func.max(Feedback.created_at).label("last"))
    .where(Feedback.round_id == _ROUND, Feedback.hidden.is_(False), Feedback.held.is_(False))
    .group_by(Feedback.snapshot_id)
    .subquery()
)
#: Comments waiting for a facilitator, per plan: the allocation expects them as it expects an
#: open assignment's comment (most are let through), so reviewers spread to other plans rather
#: than pile onto one whose comments wait for review — while the plan still counts as below
#: the minimum until they are let through.
_HELD = (
    select(Feedback.snapshot_id, func.count().label("count"))
    .where(Feedback.round_id == _ROUND, Feedback.held.is_(True))
    .group_by(Feedback.snapshot_id)
    .subquery()
)
_PENDING = (
    select(Assignment.snapshot_id, func.count().label("count"))
    .where(
        Assignment.round_id == _ROUND,
        Assignment.completed_at.is_(None),
        Assignment.abandoned_at.is_(None),
    )
    .group_by(Assignment.snapshot_id)
    .subquery()
)
_LOADS = (
    select(Snapshot.id, Snapshot.owner_ref, _VISIBLE.c.count,
           func.coalesce(_VISIBLE.c.last, Snapshot.taken_at),
           func.coalesce(_PENDING.c.count, 0) + func.coalesce(_HELD.c.count, 0))
    .outerjoin(_VISIBLE, _VISIBLE.c.snapshot_id == Snapshot.id)
    .outerjoin(_PENDING, _PENDING.c.snapshot_id == Snapshot.id)
    .outerjoin(_HELD, _HELD.c.snapshot_id == Snapshot.id)
    .where(Snapshot.round_id == _ROUND)
    .order_by(Snapshot.id)
)
#: The counts with each owner's seat, for the board (no times: nothing is ranked).
_PROGRESS = (
    select(Snapshot.id, Snapshot.owner_ref, _VISIBLE.c.count, _PENDING.c.count,
           RoundParticipant.group_no, RoundParticipant.seat_no, RoundParticipant.present)
    .outerjoin(_VISIBLE, _VISIBLE.c.snapshot_id == Snapshot.id)
    .outerjoin(_PENDING, _PENDING.c.snapshot_id == Snapshot.id)
    .outerjoin(RoundParticipant, (RoundParticipant.round_id == Snapshot.round_id)
               & (RoundParticipant.person_ref == Snapshot.owner_ref))
    .where(Snapshot.round_id == _ROUND)
)

#: One comment's effect on the board, in one row: the round's visible comments, its present
#: plans below the minimum, one plan's visible comments and whether its owner is present, and
#: all of the round's comments (hidden and held ones too: the facilitators' count), its state,
#: and its comments waiting for a facilitator.
_SNAPSHOT_ID = bindparam("snapshot_id")
_SEEN = func.coalesce(_VISIBLE.c.count, 0)
_PRESENT = RoundParticipant.present.is_(True)
_TALLY = (
    select(
        func.coalesce(func.sum(_VISIBLE.c.count), 0),
        func.count().filter(_PRESENT & (_SEEN < bindparam("minimum"))),
        func.coalesce(func.max(case((Snapshot.id == _SNAPSHOT_ID, _SEEN))), 0),
        func.count().filter(_PRESENT & (Snapshot.id == _SNAPSHOT_ID)),
        select(func.count()).where(Feedback.round_id == _ROUND).scalar_subquery(),
        select(Round.state).where(Round.id == _ROUND).scalar_subquery(),
        select(func.count()).where(Feedback.round_id == _ROUND,
                                   Feedback.held.is_(True)).scalar_subquery(),
    )
    .select_from(Snapshot)
    .outerjoin(_VISIBLE, _VISIBLE.c.snapshot_id == Snapshot.id)
    .outerjoin(RoundParticipant, (RoundParticipant.round_id == Snapshot.round_id)
               & (RoundParticipant.person_ref == Snapshot.owner_ref))
    .where(Snapshot.round_id == _ROUND)
)


#: Where one person's plan stands on the board (present plans in seat order): its snapshot and
#: the owner of the present plan just before it (``None``: it comes first). The person is
#: counted in whether or not present (they have just left, or just joined).
_ON_BOARD = (
    select(Snapshot.id.label("snapshot_id"), Snapshot.owner_ref.label("owner_ref"),
           func.lag(Snapshot.owner_ref).over(order_by=(
               RoundParticipant.seat_no.is_(None), RoundParticipant.seat_no, Snapshot.id,
           )).label("before"))
    .join(RoundParticipant, (RoundParticipant.round_id == Snapshot.round_id)
          & (RoundParticipant.person_ref == Snapshot.owner_ref))
    .where(Snapshot.round_id == _ROUND,
           _PRESENT | (Snapshot.owner_ref == bindparam("person_ref")))
    .subquery()
)
_PLACE = select(_ON_BOARD.c.snapshot_id, _ON_BOARD.c.before).where(
    _ON_BOARD.c.owner_ref == bindparam("person_ref")).limit(1)


def _seats(session: Session, round_id: int) -> list[Seat]:
    """The present participants, read as plain rows (a big room's ranking builds no objects)."""
    return [Seat(person, group if group is not None else 0, seat or 0)
            for person, group, seat in session.execute(_SEATS, {"round_id": round_id})]


def _loads(session: Session, round_id: int) -> list[DraftLoad]:
    """Every snapshot with its visible comments, its newest one and the comments expected of
    it (open assignments and comments held for review), in one statement of plain rows (not
    three queries and a snapshot object per draft)."""
    return [
        DraftLoad(
            snapshot_id=snapshot_id,
            owner_ref=owner_ref,
            feedback_count=count or 0,
            pending=open_ or 0,
            waiting_since=since.timestamp(),
        )
        for snapshot_id, owner_ref, count, since, open_ in session.execute(
            _LOADS, {"round_id": round_id})
    ]


def _reviewer_assignments(session: Session, round_id: int, reviewer_ref: int) -> list[Assignment]:
    """Every assignment a reviewer had in the round (a handful): one read answers both "were
    they sent to this plan?" and "which one is open?"."""
    return list(session.scalars(
        select(Assignment).where(
            Assignment.round_id == round_id, Assignment.reviewer_ref == reviewer_ref
        )
    ))


def _open(assignments: Sequence[Assignment]) -> Assignment | None:
    return next((a for a in assignments if a.completed_at is None and a.abandoned_at is None),
                None)
