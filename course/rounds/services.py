"""Glue between courses and the round domain: snapshots from drafts, rounds per course.

Nothing here decides who reviews what: :mod:`peerreview` does. This module only turns budget
drafts into the plain content a round freezes, and finds a course's rounds by the course and
agenda item refs stored on them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort

from course.budgets.models import Draft, StrategyKind
from course.budgets.services import draft_of
from course.extensions import db
from course.live import session as live
from course.people.models import Citizen
from course.schedule.models import Course, Day
from peerreview import services as pr
from peerreview.models import Round
from peerreview.services import SnapshotInput


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


def present_citizens(course: Course, day: Day) -> list[Citizen]:
    """The participants checked in today and not marked as left."""
    return [p.citizen for p in live.attendance(course, day) if p.present]


def start_round(course: Course, item_id: int, day: Day, *, title: str, grouping: str,
                min_feedback: int, anonymous: bool) -> Round:
    """Create and open a round for a sparring item from the present participants' drafts."""
    present = present_citizens(course, day)
    snapshots: list[SnapshotInput] = []
    reviewers: list[int] = []
    for citizen in present:
        draft = draft_of(citizen)
        if draft is None:
            reviewers.append(citizen.id)
        else:
            snapshots.append({"owner_ref": citizen.id, "draft_ref": draft.id,
                              "content": draft_content(draft)})
    round_ = pr.create_round(db.session, course_ref=course.id, agenda_item_ref=item_id,
                             title=title, grouping=grouping, min_feedback=min_feedback,
                             anonymous=anonymous)
    return pr.open_round(db.session, round_.id, snapshots, participant_refs=reviewers)


def round_for_item(course_id: int, item_id: int) -> Round | None:
    """The newest round of an agenda item of a course."""
    return db.session.scalars(sa.select(Round).where(
        Round.course_ref == course_id, Round.agenda_item_ref == item_id
    ).order_by(Round.id.desc()).limit(1)).first()


def round_in_course_or_404(course_id: int, round_id: int) -> Round:
    """A round of this course; 404 for a forged id or another course's round."""
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.course_ref != course_id:
        abort(404)
    return round_


def names(course_id: int) -> dict[int, str]:
    """Participant names of a course by id (for the board: owners' names only)."""
    return dict(db.session.execute(sa.select(Citizen.id, Citizen.name).where(
        Citizen.course_id == course_id)).all())


def board_context(round_: Round) -> dict[str, Any]:
    """What the board shows: counts against the minimum, who waits, the pinned comments."""
    return {"round": round_, "progress": pr.progress(db.session, round_.id),
            "names": names(round_.course_ref),
            "pinned": pr.pinned_feedback(db.session, round_.id)}


def join_late(round_: Round, citizen: Citizen) -> bool:
    """Seat a participant who checked in after the round opened, with a snapshot of their draft.

    Only someone present today who is not yet in the round joins; returns whether they did.
    """
    if any(p.person_ref == citizen.id for p in round_.participants):
        return False
    running = live.current_session(round_.course_ref)
    if running is None or not any(
            p.present and p.citizen.id == citizen.id
            for p in live.attendance(citizen.course, Day(running.day))):
        return False
    draft = draft_of(citizen)
    snapshot: SnapshotInput | None = None
    if draft is not None:
        snapshot = {"owner_ref": citizen.id, "draft_ref": draft.id,
                    "content": draft_content(draft)}
    pr.join_round(db.session, round_.id, citizen.id, snapshot=snapshot)
    return True
