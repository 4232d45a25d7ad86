"""Rounds: create and open one from the present drafts, its state changes (closing, reopening,
closing with an override), and who sits in it (joining late, leaving, marked present)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from peerreview.allocation import (
    make_groups,
    rotation_order,
    shortfall,
)
from peerreview.errors import InvalidInput, RoundStateError
from peerreview.models import (
    Round,
    RoundParticipant,
    Snapshot,
)
from peerreview.prompts import default_prompt_set, validate_prompt_set
from peerreview.services.common import (
    MAX_DURATION_SECONDS,
    MAX_MIN_FEEDBACK,
    MAX_TITLE,
    MIN_DURATION_SECONDS,
    SnapshotInput,
    _abandon_open_assignments,
    _check_version,
    _clock,
    _find_participant,
    _flush_round,
    _is_int,
    _loads,
    _participant,
    _seat_newcomer,
    _seats,
    _snapshot_fields,
    get_round,
    has_snapshot,
)
from peerreview.state import (
    Grouping,
    RoundState,
    apply_transition,
)


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
    require_enough: bool = False,
    override_by_ref: int | None = None,
    override_reason: str | None = None,
) -> Round:
    """Open a planned round: freeze the drafts, seat everyone present and make the groups.

    Every snapshot's owner becomes a present participant (a draft in the round means its owner is
    in the room); ``participant_refs`` adds present reviewers without a draft, and people who
    pre-registered with :func:`join_round` and are present are included. Groups (or the single
    rotation) are made over all present participants with
    :func:`~peerreview.allocation.make_groups`, shuffled reproducibly by ``seed`` (default: the
    round id), so friends who enrolled together are not automatically grouped together.

    :param snapshots: the drafts, one per owner (see :class:`SnapshotInput`).
    :param require_enough: refuse fewer drafts than ``min_feedback + 1`` (``too_few_plans``,
        with ``plans`` and ``needed``): with fewer, the drafts cannot each get the minimum from
        the others. A facilitator may insist: ``override_by_ref`` and ``override_reason`` (at
        most 1,000 characters) open it anyway, and are recorded on the round.
    :raises RoundStateError: ``invalid_transition`` unless planned; ``stale_round``.
    :raises InvalidInput: ``invalid_snapshot`` (bad content or ids, two drafts for one owner);
        ``too_few_plans``; ``override_reason_required`` for a reason without who, or too long.
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
    reason = (override_reason or "").strip() or None
    if (reason is None) != (override_by_ref is None) or (reason and len(reason) > 1000):
        raise InvalidInput("override_reason_required", "who and why, at most 1,000 characters")
    needed = round_.min_feedback + 1
    if require_enough and len(items) < needed and reason is None:
        raise InvalidInput("too_few_plans", "too few drafts for the minimum",
                           plans=len(items), needed=needed)
    if reason is not None and len(items) < needed:
        round_.opened_override_by_ref, round_.opened_override_reason = override_by_ref, reason

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
    apply_transition(round_, RoundState.OPEN, now=when)
    _flush_round(session)
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
    apply_transition(round_, target, now=now, **guard)
    if target == RoundState.CLOSED:
        _abandon_open_assignments(session, round_.id, now)
    _flush_round(session)
    return round_





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
    return participant
