"""Glue between courses and the round domain: snapshots from drafts, rounds per course.

Nothing here decides who reviews what: :mod:`peerreview` does. This module only turns budget
drafts into the plain content a round freezes, and finds a course's rounds by the course and
agenda item refs stored on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort

from course.budgets.models import Draft, StrategyKind
from course.budgets.services import draft_of
from course.extensions import db
from course.live import day as live_day
from course.people.models import Citizen
from course.schedule.models import AgendaItem, Course, Day, ItemKind
from course.types import utcnow
from peerreview import services as peerreview
from peerreview.errors import InvalidInput
from peerreview.models import Round, RoundParticipant
from peerreview.prompts import DEFAULT_PROMPT_SET, DEFAULT_STEMS, default_prompt_set
from peerreview.services import SnapshotInput
from peerreview.state import RoundState

#: At most this many criteria in a facilitator's own prompt set (one per line of the form).
MAX_CRITERIA = 6
DEFAULT_CRITERIA_TEXT = "\n".join(c["label"] for c in DEFAULT_PROMPT_SET["criteria"])


def draft_content(draft: Draft) -> dict[str, Any]:
    """The draft as :func:`peerreview.snapshots.freeze_content` takes it (private flags kept:
    the domain's peer view removes private lines and an unshared motivation)."""
    strategy = {kind.value: "\n".join(item.text for item in draft.strategy
                                      if item.kind == kind and item.text)
                for kind in StrategyKind}
    return {
        "goal": draft.goal or "",
        "lines": [{
            "id": line.id,
            "title": line.title or "",
            "category": line.category.value if line.category else None,
            "amount": line.amount or 0,
            "need_date": line.need_date.isoformat() if line.need_date else None,
            "change_theory": {"change": line.change or "", "job_effect": line.job_effect or "",
                              "assumptions": line.assumptions or ""},
            "private": bool(line.private),
        } for line in draft.lines],
        "strategy": strategy,
        "motivation": draft.motivation or "",
        "motivation_shared": bool(draft.motivation_shared),
    }


def _snapshot_input(citizen: Citizen) -> SnapshotInput | None:
    draft = draft_of(citizen)
    if draft is None:
        return None
    return {"owner_ref": citizen.id, "draft_ref": draft.id, "content": draft_content(draft)}


def prompt_set_from_text(text: str) -> dict[str, Any]:
    """The prompt set the start form describes: one criterion per line, each with the stems
    *Jeg kan lide… / Jeg ønsker… / Hvad nu hvis…*.

    The approval criteria unchanged keep their keys (the approval queue lines feedback up with
    its own ratings by them); any other set gets keys ``c1``, ``c2``, …

    :raises InvalidInput: ``invalid_prompt_set`` for no line, more than :data:`MAX_CRITERIA`
        lines or a line over 200 characters.
    """
    labels = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not labels or len(labels) > MAX_CRITERIA:
        raise InvalidInput("invalid_prompt_set", "one to six criteria, one per line")
    default = [c["label"] for c in DEFAULT_PROMPT_SET["criteria"]]
    if labels == default:
        return default_prompt_set()
    return {"criteria": [{"key": f"c{n}", "label": label, "stems": DEFAULT_STEMS}
                         for n, label in enumerate(labels, start=1)]}


#: The start form's minutes when the item's time is up or not known (its planned length
#: is used first).
DEFAULT_ROUND_MINUTES = 15
#: A round's longest time, in minutes (the start form's and the domain's limit).
MAX_ROUND_MINUTES = 240


def default_round_minutes(item_minutes: int, remaining_seconds: int | None) -> int:
    """The minutes the start form offers for a round: the minutes left of the item on now (its
    countdown's ``remaining_seconds``, to the nearest minute), so that the round's time — the
    one the phones count down — ends with the item's clock, the one the wall and the console
    show. When the item's time is up or not known (less than a minute left, or no countdown):
    the item's planned minutes, else :data:`DEFAULT_ROUND_MINUTES`. Never more than
    :data:`MAX_ROUND_MINUTES`."""
    if remaining_seconds is not None and remaining_seconds >= 60:
        return min((remaining_seconds + 30) // 60, MAX_ROUND_MINUTES)
    if item_minutes and item_minutes > 0:
        return min(item_minutes, MAX_ROUND_MINUTES)
    return DEFAULT_ROUND_MINUTES


def round_countdown(round_: Round) -> live_day.Countdown | None:
    """The round's own countdown while it is open (the phones tick it; the console says its
    minutes, beside the item's clock)."""
    if round_.state != RoundState.OPEN or round_.ends_at is None:
        return None
    now = utcnow()
    remaining = int((round_.ends_at - now).total_seconds())
    now_ms = int(now.timestamp() * 1000)
    return live_day.Countdown(True, remaining, now_ms + remaining * 1000, now_ms)


def present_citizens(course: Course, day: Day) -> list[Citizen]:
    """The participants checked in today and not marked as left."""
    return [p.citizen for p in live_day.attendance(course, day) if p.present]


@dataclass(frozen=True)
class RoomForRound:
    """Who a round would start with: the present with a plan (their drafts are frozen), the
    present without one (they review), and the enrolled who are not checked in."""

    with_plan: list[Citizen]
    without_plan: list[Citizen]
    not_checked_in: list[Citizen]


def room_for_round(course: Course, day: Day) -> RoomForRound:
    """The room a round started now would have (one query for attendance, one for drafts)."""
    presence = live_day.attendance(course, day)
    drafted = set(db.session.scalars(sa.select(Draft.citizen_id).where(
        Draft.course_id == course.id)))
    present = [p.citizen for p in presence if p.present]
    return RoomForRound([c for c in present if c.id in drafted],
                        [c for c in present if c.id not in drafted],
                        [p.citizen for p in presence if not p.present])


def start_round(course: Course, item_id: int, day: Day, *, title: str, grouping: str,
                min_feedback: int, anonymous: bool, duration_seconds: int = 15 * 60,
                prompt_set: dict[str, Any] | None = None, override_by_ref: int | None = None,
                override_reason: str | None = None) -> Round:
    """Create and open a round for a sparring item from the present participants' drafts.

    Refused (``too_few_plans``) with fewer present plans than ``min_feedback + 1``: then not
    every plan can get the minimum from the others, and phones would say every plan has had
    its feedback. A facilitator who insists gives a reason (``override_reason``), recorded on
    the round.
    """
    present = present_citizens(course, day)
    snapshots: list[SnapshotInput] = []
    reviewers: list[int] = []
    for citizen in present:
        snapshot = _snapshot_input(citizen)
        if snapshot is None:
            reviewers.append(citizen.id)
        else:
            snapshots.append(snapshot)
    round_ = peerreview.create_round(db.session, course_ref=course.id, agenda_item_ref=item_id,
                             title=title, grouping=grouping, min_feedback=min_feedback,
                             anonymous=anonymous, duration_seconds=duration_seconds,
                             prompt_set=prompt_set)
    return peerreview.open_round(db.session, round_.id, snapshots, participant_refs=reviewers,
                                 require_enough=True, override_by_ref=override_by_ref,
                                 override_reason=override_reason)


def round_for_item(course_id: int, item_id: int) -> Round | None:
    """The newest round of an agenda item of a course."""
    return db.session.scalars(sa.select(Round).where(
        Round.course_ref == course_id, Round.agenda_item_ref == item_id
    ).order_by(Round.id.desc()).limit(1)).first()


def running_round(course_id: int) -> Round | None:
    """The course's round that is open or closing, if any (at most one runs at a time)."""
    return db.session.scalars(sa.select(Round).where(
        Round.course_ref == course_id,
        Round.state.in_([RoundState.OPEN.value, RoundState.CLOSING.value]),
    ).order_by(Round.id.desc()).limit(1)).first()


def round_in_course_or_404(course_id: int, round_id: int) -> Round:
    """A round of this course; 404 for a forged id or another course's round."""
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.course_ref != course_id:
        abort(404)
    return round_


def round_and_course_or_404(course_id: int, round_id: int) -> tuple[Round, Course]:
    """A round of this course and the course, in one read (a comment reads the course's "hold
    comments for review" at once); 404 as :func:`round_in_course_or_404`."""
    row = db.session.execute(sa.select(Round, Course).join(
        Course, Course.id == Round.course_ref).where(
        Round.id == round_id, Round.course_ref == course_id)).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def names(course_id: int) -> dict[int, str]:
    """Participant names of a course by id (for the board: owners' names only)."""
    return dict(db.session.execute(sa.select(Citizen.id, Citizen.name).where(
        Citizen.course_id == course_id)).all())


def board_context(round_: Round) -> dict[str, Any]:
    """What the board shows: counts against the minimum, who waits, the pinned comments.

    ``tiles`` are the present plans as ``(owner id, owner's name, comments, waiting)``, worked
    out once here for every audience of a push (a room of 500 is 500 tiles per rendering).
    """
    progress = peerreview.progress(db.session, round_.id)
    people = names(round_.course_ref)
    tiles = [(d.owner_ref, people.get(d.owner_ref, "?"), d.feedback_count, d.waiting)
             for d in progress.drafts if d.present]
    return {"round": round_, "names": people, "tiles": tiles, "minimum": progress.minimum,
            "total": progress.total_feedback, "waiting": sum(1 for tile in tiles if tile[3]),
            "pinned": peerreview.pinned_feedback(db.session, round_.id)}


def names_of(course_id: int, ids: Iterable[int]) -> dict[int, str]:
    """Some participants' names by id (the people of a few comments, not the whole room)."""
    return dict(db.session.execute(sa.select(Citizen.id, Citizen.name).where(
        Citizen.course_id == course_id, Citizen.id.in_(set(ids)))).all())


def follow_attendance(round_: Round, citizen: Citizen, present: bool) -> bool:
    """Carry a check-in or a "has left" into the running round; returns whether it changed it.

    Someone who leaves drops out of the guarantee (their open assignment ends, their comments
    stay); someone checked in (again) is seated, bringing their draft if the round has none of
    theirs yet.
    """
    seat = db.session.scalar(sa.select(RoundParticipant).where(  # one row, not the room's
        RoundParticipant.round_id == round_.id, RoundParticipant.person_ref == citizen.id))
    if present and seat is not None and seat.present:
        return False  # signed in again on another device: nothing changes
    if present:
        peerreview.join_round(db.session, round_.id, citizen.id,
                              snapshot=_late_snapshot(round_, citizen))
    elif seat is not None and seat.present:
        peerreview.leave_round(db.session, round_.id, citizen.id)
    else:
        return False
    return True


def waiting_to_start(course: Course) -> bool:
    """Is the item on now a sparring round whose round has not started (its start form shows
    who is in the room)?"""
    running = live_day.running_day(course.id)
    item = (db.session.get(AgendaItem, running.current_item_id)
            if running is not None and running.current_item_id else None)
    return item is not None and item.kind == ItemKind.SPARRING_ROUND


def join_late(round_: Round, citizen: Citizen) -> bool:
    """Seat a participant who checked in after the round opened, with a snapshot of their draft.

    Only someone present today who is not yet in the round joins; returns whether they did.
    """
    if db.session.scalar(sa.select(RoundParticipant.id).where(
            RoundParticipant.round_id == round_.id,
            RoundParticipant.person_ref == citizen.id)) is not None:
        return False  # (one indexed lookup: this runs on every review page of a big room)
    running = live_day.running_day(round_.course_ref)
    if running is None or not live_day.is_present(round_.course_ref, Day(running.day), citizen.id):
        return False
    peerreview.join_round(db.session, round_.id, citizen.id,
                          snapshot=_late_snapshot(round_, citizen))
    return True


def _late_snapshot(round_: Round, citizen: Citizen) -> SnapshotInput | None:
    """The draft a (late) joiner brings, read only if the round has none of theirs yet: one
    coming back keeps what was frozen, so their draft and its lines are not read for nothing."""
    if peerreview.has_snapshot(db.session, round_.id, citizen.id):
        return None
    return _snapshot_input(citizen)
