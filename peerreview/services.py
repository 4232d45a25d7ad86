"""Domain operations of sparring rounds.

Every function takes a :class:`~sqlalchemy.orm.Session` first, works inside the caller's
transaction and ``flush()``-es, never ``commit()``-s: the web route commits once, and only then
may anything be pushed (see :mod:`peerreview.signals` for the timing contract). Refusals raise a
:class:`~peerreview.errors.PeerReviewError` with a stable ``code``; nothing is written when one is
raised (all checks run before the first change).

Authorisation by role (who is a facilitator of which course) is the web side's job; these
functions enforce what the round itself knows: membership, assignments, ownership and state.
Ids are always looked up *within the round*, so a forged or foreign id is simply "not found".

``now`` parameters exist for tests; they must be timezone-aware.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from typing import Any, Required, TypedDict

from sqlalchemy import Row, bindparam, case, func, select
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from . import signals
from .allocation import DraftLoad, Seat, choose_snapshot, make_groups, rotation_order, shortfall
from .errors import InvalidInput, NotAllowed, NotFound, RateLimited, RoundStateError
from .models import (
    MAX_FEEDBACK_LENGTH,
    Assignment,
    Feedback,
    Round,
    RoundParticipant,
    Snapshot,
    utcnow,
)
from .prompts import default_prompt_set, find_criterion, has_stem, validate_prompt_set
from .snapshots import freeze_content, public_line_ids, public_line_titles
from .state import (
    Grouping,
    RoundState,
    apply_transition,
    ensure_accepts_feedback,
    ensure_hands_out_assignments,
)

__all__ = [
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_RATE_WINDOW_SECONDS",
    "CriterionFeedback",
    "DraftProgress",
    "FeedbackView",
    "Place",
    "RoundProgress",
    "SnapshotInput",
    "Tally",
    "add_feedback",
    "begin_closing",
    "close_round",
    "create_round",
    "feedback_for_draft",
    "feedback_for_owner",
    "feedback_to_moderate",
    "get_round",
    "has_snapshot",
    "hide_feedback",
    "join_round",
    "leave_round",
    "list_feedback",
    "mark_addressed",
    "mark_helpful",
    "mark_present",
    "next_assignment",
    "open_round",
    "pin_feedback",
    "pinned_feedback",
    "place_on_board",
    "progress",
    "reopen_round",
    "skip_assignment",
    "snapshot_for_reviewer",
    "tally",
    "unhide_feedback",
    "unpin_feedback",
]

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


# --------------------------------------------------------------------------- helpers


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
_VISIBLE = (
    select(Feedback.snapshot_id, func.count().label("count"),
           func.max(Feedback.created_at).label("last"))
    .where(Feedback.round_id == _ROUND, Feedback.hidden.is_(False))
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
           func.coalesce(_VISIBLE.c.last, Snapshot.taken_at), _PENDING.c.count)
    .outerjoin(_VISIBLE, _VISIBLE.c.snapshot_id == Snapshot.id)
    .outerjoin(_PENDING, _PENDING.c.snapshot_id == Snapshot.id)
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
#: all of the round's comments (hidden ones too: the facilitators' count), and its state.
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
    """Every snapshot with its visible comments, its newest one and its open assignments, in
    one statement of plain rows (not three queries and a snapshot object per draft)."""
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


# --------------------------------------------------------------------------- rounds


def create_round(
    session: Session,
    *,
    course_ref: int,
    title: str,
    agenda_item_ref: int | None = None,
    grouping: str = Grouping.GROUPS,
    group_size: int = 4,
    min_feedback: int = 2,
    anonymous: bool = False,
    duration_seconds: int = 15 * 60,
    prompt_set: Mapping[str, Any] | None = None,
) -> Round:
    """Plan a new sparring round for a course (state ``planned``).

    The default prompt set is the three approval criteria with the stems *Jeg kan lide… /
    Jeg ønsker… / Hvad nu hvis…* (:data:`peerreview.prompts.DEFAULT_PROMPT_SET`).

    :raises InvalidInput: ``invalid_title`` (1–200 characters), ``invalid_grouping``,
        ``invalid_group_size`` (3–4), ``invalid_minimum`` (1–10), ``invalid_duration``
        (1 minute – 4 hours), ``invalid_prompt_set``.
    """
    clean_title = title.strip() if isinstance(title, str) else ""
    if not clean_title or len(clean_title) > MAX_TITLE:
        raise InvalidInput("invalid_title", "title must be 1–200 characters", max_length=MAX_TITLE)
    if grouping not in {g.value for g in Grouping}:
        raise InvalidInput("invalid_grouping", f"unknown grouping {grouping!r}")
    if not _is_int(group_size) or not 3 <= group_size <= 4:
        raise InvalidInput("invalid_group_size", "groups have 3 or 4 people")
    if not _is_int(min_feedback) or not 1 <= min_feedback <= MAX_MIN_FEEDBACK:
        raise InvalidInput("invalid_minimum", "minimum must be 1–10", maximum=MAX_MIN_FEEDBACK)
    if not _is_int(duration_seconds) or not (
        MIN_DURATION_SECONDS <= duration_seconds <= MAX_DURATION_SECONDS
    ):
        raise InvalidInput("invalid_duration", "duration must be 1 minute to 4 hours")
    if not _is_int(course_ref) or not (agenda_item_ref is None or _is_int(agenda_item_ref)):
        raise TypeError("course_ref and agenda_item_ref are integer ids")
    round_ = Round(
        course_ref=course_ref,
        agenda_item_ref=agenda_item_ref,
        title=clean_title,
        state=RoundState.PLANNED.value,
        grouping=Grouping(grouping).value,
        group_size=group_size,
        min_feedback=min_feedback,
        anonymous=bool(anonymous),
        duration_seconds=duration_seconds,
        prompt_set=(
            default_prompt_set() if prompt_set is None else validate_prompt_set(prompt_set)
        ),
    )
    session.add(round_)
    session.flush()
    return round_


def open_round(
    session: Session,
    round_id: int,
    snapshots: Iterable[SnapshotInput],
    *,
    participant_refs: Iterable[int] = (),
    seed: int | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Round:
    """Open a planned round: freeze the drafts, seat everyone present and make the groups.

    Every snapshot's owner becomes a present participant (a draft in the round means its owner is
    in the room); ``participant_refs`` adds present reviewers without a draft, and people who
    pre-registered with :func:`join_round` and are present are included. Groups (or the single
    rotation) are made over all present participants with
    :func:`~peerreview.allocation.make_groups`, shuffled reproducibly by ``seed`` (default: the
    round id), so friends who enrolled together are not automatically grouped together.

    :param snapshots: the drafts, one per owner (see :class:`SnapshotInput`).
    :raises RoundStateError: ``invalid_transition`` unless planned; ``stale_round``.
    :raises InvalidInput: ``invalid_snapshot`` (bad content or ids, two drafts for one owner).
    """
    when = _clock(now)
    round_ = get_round(session, round_id)
    _check_version(round_, expected_version)
    if round_.state != RoundState.PLANNED:
        raise RoundStateError("invalid_transition", f"cannot open a round that is {round_.state}")

    items = list(snapshots)
    if not all(isinstance(item, Mapping) for item in items):
        raise InvalidInput("invalid_snapshot", "each snapshot must be an object")
    owners = [item.get("owner_ref") for item in items]
    if not all(_is_int(o) for o in owners) or len(set(owners)) != len(owners):
        raise InvalidInput("invalid_snapshot", "each snapshot needs its own integer owner_ref")
    extra = list(participant_refs)
    if not all(_is_int(p) for p in extra):
        raise InvalidInput("invalid_snapshot", "participant_refs must be integer ids")
    fields = [_snapshot_fields(item) for item in items]

    existing = {p.person_ref: p for p in round_.participants}
    for person_ref in dict.fromkeys([*owners, *extra]):
        participant = existing.get(person_ref)
        if participant is None:
            participant = RoundParticipant(person_ref=person_ref, joined_at=when)
            round_.participants.append(participant)
            existing[person_ref] = participant
        participant.present, participant.left_at = True, None

    present = sorted(ref for ref, p in existing.items() if p.present)
    order_seed = round_.id if seed is None else seed
    if round_.grouping == Grouping.ROTATION:
        groups = [rotation_order(present, seed=order_seed)]
    else:
        groups = make_groups(present, round_.group_size, seed=order_seed)
    seat = 0
    for group_no, members in enumerate(groups, start=1):
        for person_ref in members:
            existing[person_ref].group_no, existing[person_ref].seat_no = group_no, seat
            seat += 1

    for owner_ref, values in zip(owners, fields, strict=True):
        round_.snapshots.append(Snapshot(owner_ref=owner_ref, taken_at=when, **values))
    old = apply_transition(round_, RoundState.OPEN, now=when)
    _flush_round(session)
    signals.round_state_changed.send(
        round_.id, course_ref=round_.course_ref, old_state=old, new_state=round_.state
    )
    signals.round_opened.send(round_.id, course_ref=round_.course_ref)
    return round_


def begin_closing(
    session: Session,
    round_id: int,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Round:
    """``open → closing``: last comments; new assignments only for drafts below the minimum.

    :raises RoundStateError: ``invalid_transition``, ``stale_round``.
    """
    return _transition(session, round_id, RoundState.CLOSING, expected_version, _clock(now))


def reopen_round(
    session: Session,
    round_id: int,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Round:
    """``closing → open``: the room needs more time; nothing is lost or reset.

    :raises RoundStateError: ``invalid_transition`` (a closed round stays closed), ``stale_round``.
    """
    return _transition(session, round_id, RoundState.OPEN, expected_version, _clock(now))


def close_round(
    session: Session,
    round_id: int,
    *,
    override_by_ref: int | None = None,
    override_reason: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Round:
    """``closing → closed``: the round is complete and its visible feedback final.

    Refused while a present participant's draft has fewer visible comments than the minimum,
    unless a facilitator overrides with who (``override_by_ref``) and why (``override_reason``);
    the override and the short snapshots are recorded on the round. An override given when
    nothing is short is not recorded (there was nothing to override). Open assignments are
    abandoned.

    :raises RoundStateError: ``invalid_transition``, ``minimum_not_reached`` (with
        ``params["shortfall"]``, snapshot ids), ``stale_round``.
    :raises InvalidInput: ``override_reason_required``.
    """
    when = _clock(now)
    round_ = get_round(session, round_id)
    short = shortfall(_loads(session, round_.id), _seats(session, round_.id),
                      round_.min_feedback)
    return _transition(
        session,
        round_id,
        RoundState.CLOSED,
        expected_version,
        when,
        shortfall=short,
        override_by_ref=override_by_ref,
        override_reason=override_reason,
    )


def _transition(
    session: Session,
    round_id: int,
    target: RoundState,
    expected_version: int | None,
    now: datetime,
    **guard: Any,
) -> Round:
    round_ = get_round(session, round_id)
    _check_version(round_, expected_version)
    old = apply_transition(round_, target, now=now, **guard)
    if target == RoundState.CLOSED:
        _abandon_open_assignments(session, round_.id, now)
    _flush_round(session)
    signals.round_state_changed.send(
        round_.id, course_ref=round_.course_ref, old_state=old, new_state=round_.state
    )
    return round_


# --------------------------------------------------------------------------- participants


def join_round(
    session: Session,
    round_id: int,
    person_ref: int,
    *,
    snapshot: SnapshotInput | Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> RoundParticipant:
    """Check a person in (again): they are present and, in a running round, seated in a group.

    Before the round opens this pre-registers (without a snapshot: drafts are frozen when the
    round opens). In an open or closing round a late joiner may bring their draft; it is frozen
    now and enters the allocation at once. Someone who already has a snapshot in the round keeps
    it — the round reviews what was frozen — and a given ``snapshot`` is then ignored.

    :raises RoundStateError: ``round_closed``; ``round_not_open`` for a snapshot before opening.
    :raises InvalidInput: ``invalid_snapshot``.
    """
    when = _clock(now)
    round_ = get_round(session, round_id)
    if round_.state == RoundState.CLOSED:
        raise RoundStateError("round_closed", "the round is closed")
    if not _is_int(person_ref):
        raise TypeError("person_ref is an integer id")
    if snapshot is not None and round_.state == RoundState.PLANNED:
        raise RoundStateError("round_not_open", "drafts are frozen when the round opens")
    if snapshot is not None and snapshot.get("owner_ref", person_ref) != person_ref:
        raise InvalidInput("invalid_snapshot", "a person can only bring their own draft")

    # (Read and added one by one: the round's collections of a room of 500 are never loaded.)
    fields = (_snapshot_fields(snapshot) if snapshot is not None
              and not has_snapshot(session, round_.id, person_ref) else None)
    participant = _find_participant(session, round_.id, person_ref)
    if participant is None:
        participant = RoundParticipant(round_id=round_.id, person_ref=person_ref, joined_at=when)
        session.add(participant)
    participant.present, participant.left_at = True, None
    if round_.state != RoundState.PLANNED:
        _seat_newcomer(session, round_, participant)
    if fields is not None:
        session.add(Snapshot(round_id=round_.id, owner_ref=person_ref, taken_at=when, **fields))
    session.flush()
    session.expire(round_, ["participants", "snapshots"])  # (if loaded: read again with them)
    signals.participant_changed.send(
        round_.id, course_ref=round_.course_ref, person_ref=person_ref, present=True
    )
    return participant


def leave_round(
    session: Session, round_id: int, person_ref: int, *, now: datetime | None = None
) -> RoundParticipant:
    """Mark a person as left: their draft leaves the guarantee and their open assignment ends.

    Their comments stay and keep counting. Comments already being written on a draft they were
    assigned are still accepted (nothing written is lost). :func:`join_round` brings them back.

    :raises NotFound: ``not_participant``.  :raises RoundStateError: ``round_closed``.
    """
    return mark_present(session, round_id, person_ref, False, now=now)


def mark_present(
    session: Session,
    round_id: int,
    person_ref: int,
    present: bool,
    *,
    now: datetime | None = None,
) -> RoundParticipant:
    """Facilitator correction: mark an existing participant present or absent.

    Absent has the same effect as :func:`leave_round`; present as :func:`join_round` without a
    draft.

    :raises NotFound: ``not_participant``.  :raises RoundStateError: ``round_closed``.
    """
    when = _clock(now)
    round_ = get_round(session, round_id)
    if round_.state == RoundState.CLOSED:
        raise RoundStateError("round_closed", "the round is closed")
    participant = _participant(session, round_.id, person_ref)
    if present:
        participant.present, participant.left_at = True, None
        if round_.state != RoundState.PLANNED:
            _seat_newcomer(session, round_, participant)
    else:
        participant.present = False
        participant.left_at = participant.left_at or when
        _abandon_open_assignments(session, round_.id, when, reviewer_ref=person_ref)
    session.flush()
    signals.participant_changed.send(
        round_.id, course_ref=round_.course_ref, person_ref=person_ref, present=bool(present)
    )
    return participant


# --------------------------------------------------------------------------- assignments


def next_assignment(
    session: Session, round_id: int, reviewer_ref: int, *, now: datetime | None = None
) -> Assignment | None:
    """The draft this reviewer should review now, or ``None`` when there is none for them.

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
            return current
        current.abandoned_at = when
        session.flush()

    chosen = choose_snapshot(
        reviewer_ref,
        seats=seats,
        drafts=_loads(session, round_.id),
        reviewed={a.snapshot_id for a in assignments},
        minimum=round_.min_feedback,
        only_needed=round_.state == RoundState.CLOSING,
    )
    if chosen is None:
        return None
    assignment = Assignment(
        round_id=round_.id, reviewer_ref=reviewer_ref, snapshot_id=chosen, created_at=when
    )
    session.add(assignment)
    session.flush()
    # The snapshot with its content in one read (not two): whoever asked shows its peer view.
    set_committed_value(assignment, "snapshot",
                        session.get(Snapshot, chosen, options=[undefer(Snapshot.content)]))
    signals.assignment_made.send(
        round_.id,
        course_ref=round_.course_ref,
        assignment_id=assignment.id,
        reviewer_ref=reviewer_ref,
        snapshot_id=chosen,
    )
    return assignment


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


# --------------------------------------------------------------------------- feedback


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
    snapshot = _snapshot(session, round_.id, snapshot_id)
    assignments = _reviewer_assignments(session, round_.id, reviewer_ref)
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

    since = when - timedelta(seconds=rate_window_seconds)
    recent, oldest = session.execute(
        select(func.count(), func.min(Feedback.created_at)).where(
            Feedback.round_id == round_.id,
            Feedback.reviewer_ref == reviewer_ref,
            Feedback.created_at > since,
        )
    ).one()
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
        created_at=when,
    )
    session.add(feedback)
    current = _open(assignments)
    if current is not None and current.snapshot_id == snapshot.id:
        current.completed_at = when
    session.flush()
    signals.feedback_added.send(
        round_.id,
        course_ref=round_.course_ref,
        feedback_id=feedback.id,
        snapshot_id=snapshot.id,
        owner_ref=snapshot.owner_ref,
        reviewer_ref=reviewer_ref,
    )
    return feedback


def _moderate(
    session: Session, round_id: int, feedback_id: int, action: str, **changes: Any
) -> Feedback:
    round_ = get_round(session, round_id)
    feedback = _feedback(session, round_.id, feedback_id)
    if action == "pinned" and feedback.hidden:
        raise NotAllowed("feedback_hidden", "a hidden comment cannot be pinned")
    changed = any(getattr(feedback, k) != v for k, v in changes.items())
    for key, value in changes.items():
        setattr(feedback, key, value)
    session.flush()
    if changed:
        signals.feedback_moderated.send(
            round_.id,
            course_ref=round_.course_ref,
            feedback_id=feedback.id,
            snapshot_id=feedback.snapshot_id,
            action=action,
        )
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
    and when.

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
    :raises NotAllowed: ``feedback_hidden``.
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
    if feedback.hidden:  # the owner cannot see it, so for them it does not exist
        raise NotFound("feedback_not_found", f"no feedback {feedback_id!r} in round {round_id}")
    if feedback.snapshot.owner_ref != owner_ref:
        raise NotAllowed("not_owner", "only the draft's owner marks its feedback")
    for key, value in marks.items():
        setattr(feedback, key, bool(value))
    session.flush()
    signals.feedback_marked.send(
        round_.id,
        course_ref=round_.course_ref,
        feedback_id=feedback.id,
        snapshot_id=feedback.snapshot_id,
        helpful=feedback.helpful,
        addressed=feedback.addressed,
    )
    return feedback


def mark_helpful(
    session: Session, round_id: int, feedback_id: int, owner_ref: int, helpful: bool = True
) -> Feedback:
    """The owner marks a comment helpful (or takes it back). Any state, also after the round.

    :raises NotFound: ``round_not_found``, ``feedback_not_found`` (also for a hidden comment).
    :raises NotAllowed: ``not_owner``.
    """
    return _mark(session, round_id, feedback_id, owner_ref, helpful=helpful)


def mark_addressed(
    session: Session, round_id: int, feedback_id: int, owner_ref: int, addressed: bool = True
) -> Feedback:
    """The owner marks a comment as addressed in the draft (or takes it back).

    :raises NotFound: ``round_not_found``, ``feedback_not_found`` (also for a hidden comment).
    :raises NotAllowed: ``not_owner``.
    """
    return _mark(session, round_id, feedback_id, owner_ref, addressed=addressed)


# --------------------------------------------------------------------------- reading


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
    ``all_feedback`` counts hidden comments too (what the facilitators moderate).
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
    total, waiting, count, present, everything, state = session.execute(_TALLY, {
        "round_id": round_.id, "snapshot_id": snapshot_id, "minimum": round_.min_feedback,
    }).one()
    return Tally(total_feedback=int(total), waiting=waiting, minimum=round_.min_feedback,
                 feedback_count=int(count), present=bool(present), all_feedback=everything,
                 state=state)


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
            )
            .order_by(Feedback.created_at, Feedback.id)
        )
    )


def feedback_for_owner(session: Session, round_id: int, owner_ref: int) -> list[CriterionFeedback]:
    """All visible comments on the owner's draft in this round, grouped by criterion.

    Every criterion of the prompt set is listed, also those without comments. Hidden comments
    are left out; reviewers are left out in an anonymous round.

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
) -> tuple[list[Row[Any]], int]:
    """The round's comments as the facilitators' console moderates them — the newest ``limit``
    (all with ``None``), hidden ones too, oldest first — and how many the round has in all.

    Plain rows with ``id, reviewer_ref, owner_ref, text, hidden, pinned``: a console gets them
    on every comment of the room, so one statement and no objects, whatever the round's size.
    Reviewer ids are included, also in anonymous rounds: facilitators moderate.

    :raises NotFound: ``round_not_found``.
    """
    round_ = get_round(session, round_id)
    query = (
        select(Feedback.id, Feedback.reviewer_ref, Snapshot.owner_ref, Feedback.text,
               Feedback.hidden, Feedback.pinned, func.count().over().label("total"))
        .join(Snapshot, Snapshot.id == Feedback.snapshot_id)
        .where(Feedback.round_id == round_.id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    return rows[::-1], rows[0].total if rows else 0


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
        )
        .order_by(Feedback.created_at, Feedback.id)
    )
    return [_view(round_, f) for f in pinned]
