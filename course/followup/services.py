"""Follow-up after approval: the meetings between the citizen and their job consultant, the
short note after each, the citizen's report that their plan has changed, and the job
consultant's calendar feed.

The approval's follow-up dates become meetings when the case is approved
(:func:`meetings_from_approval`, listening to ``approvals.signals.case_approved``). The case's
own job consultant or the team lead adds, moves and cancels meetings, and writes the note once
the meeting's day has come; an ended case takes no new meetings, and its meetings after the
end are closed. Every step is in the case's audit trail. Services flush; the route commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from course.approvals import services as approvals
from course.approvals.models import AuditEvent, Case, CaseState, Notification
from course.extensions import db
from course.followup.models import CalendarFeed, Meeting
from course.people.models import Citizen, Role, Staff
from course.types import LOCAL_ZONE, local_today, utcnow

#: The longest note after a meeting, and the longest report of a change.
MAX_NOTE, MAX_REPORT = 2000, 1000
#: How far ahead a meeting can be planned.
MAX_DAYS_AHEAD = 2 * 366
#: How many meetings a case can have in all (the approval allows 24 dates).
MAX_MEETINGS = 60
#: The citizen's calendar feed reaches this far back (the held meetings with their place in it).
FEED_DAYS_BACK = 92


class FollowUpError(Exception):
    """A refused step; ``code`` names the reason for a translated message
    (:data:`course.followup.labels.ERRORS`)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# -- who may ------------------------------------------------------------------------------------


def follows(staff: Staff, case: Case) -> bool:
    """Who plans a case's meetings and writes their notes: the case's own job consultant or
    the team lead (the team's other job consultants read them)."""
    return approvals.is_team_consultant(staff, case) and (
        staff.role == Role.TEAM_LEAD or case.consultant_id == staff.id)


def _require_follower(staff: Staff, case: Case) -> None:
    if not follows(staff, case):
        raise FollowUpError("not_your_case")


def _require_running(case: Case) -> None:
    """Meetings are planned on an approved case that has not ended."""
    if case.state == CaseState.REJECTED:
        raise FollowUpError("ended")
    if case.state != CaseState.APPROVED:
        raise FollowUpError("not_approved")


# -- meetings -----------------------------------------------------------------------------------


def meetings_of(case: Case) -> list[Meeting]:
    """The case's meetings by day and time, cancelled ones included."""
    return list(db.session.scalars(sa.select(Meeting).where(Meeting.case_id == case.id)
                                   .options(joinedload(Meeting.noted_by))
                                   .order_by(Meeting.on, Meeting.at, Meeting.id)))


def meetings_from_approval(case: Case, *, staff: Staff, **_: Any) -> list[Meeting]:
    """The follow-up dates fixed at approval become the case's meetings (receiver of
    ``approvals.signals.case_approved``)."""
    made = [Meeting(case_id=case.id, on=date.fromisoformat(day), origin="approval",
                    created_by_id=staff.id) for day in case.follow_up_dates or []]
    db.session.add_all(made)
    db.session.flush()
    return made


def is_closed(case: Case, meeting: Meeting) -> bool:
    """A meeting after an ended case's end is closed: it will not be held."""
    return case.state == CaseState.REJECTED and meeting.on > (case.ended_on or meeting.on)


def _meeting(case: Case, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.case_id != case.id:
        raise FollowUpError("unknown_meeting")
    return meeting


def _check_day(on: date | None, today: date) -> date:
    if on is None:
        raise FollowUpError("no_date")
    if on < today:
        raise FollowUpError("past_date")
    if on > today + timedelta(days=MAX_DAYS_AHEAD):
        raise FollowUpError("too_far")
    return on


def _tell_the_citizen(case: Case) -> None:
    """The citizen is notified that their meetings changed (a link to their plan page), once
    until they have read it: planning several meetings makes one notice, not several."""
    waiting = db.session.scalar(sa.select(Notification.id).where(
        Notification.citizen_id == case.citizen_id, Notification.case_id == case.id,
        Notification.kind == "meetings_changed", Notification.read_at.is_(None)).limit(1))
    if waiting is None:
        approvals.notify(case.citizen, "meetings_changed", case, "/me/plan")


def _when(meeting: Meeting) -> str:
    return meeting.on.isoformat() + (f" {meeting.at:%H:%M}" if meeting.at else "")


def add(case: Case, staff: Staff, on: date | None, at: time | None = None, *,
        today: date | None = None) -> Meeting:
    """Plan a new meeting on a running case, from today up to two years ahead.

    :raises FollowUpError: ``ended``, ``not_approved``, ``not_your_case``, ``no_date``,
        ``past_date``, ``too_far``, ``too_many``.
    """
    _require_running(case)
    _require_follower(staff, case)
    on = _check_day(on, today or local_today())
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)
                              .where(Meeting.case_id == case.id))
    if count >= MAX_MEETINGS:
        raise FollowUpError("too_many", n=MAX_MEETINGS)
    meeting = Meeting(case_id=case.id, on=on, at=at, origin="added", created_by_id=staff.id)
    db.session.add(meeting)
    db.session.flush()
    approvals.record(case, "meeting_added", staff=staff, meeting=meeting.id,
                     on=_when(meeting))
    _tell_the_citizen(case)
    return meeting


def move(case: Case, staff: Staff, meeting_id: int, on: date | None, at: time | None = None,
         *, today: date | None = None) -> Meeting:
    """Move a planned meeting to another day (and time), from today on.

    :raises FollowUpError: as :func:`add`, and ``unknown_meeting``, ``cancelled``, ``noted``.
    """
    _require_running(case)
    _require_follower(staff, case)
    meeting = _meeting(case, meeting_id)
    if meeting.cancelled:
        raise FollowUpError("cancelled")
    if meeting.noted_at is not None:
        raise FollowUpError("noted")
    on = _check_day(on, today or local_today())
    before = _when(meeting)
    meeting.on, meeting.at = on, at
    db.session.flush()
    approvals.record(case, "meeting_moved", staff=staff, meeting=meeting.id, before=before,
                     on=_when(meeting))
    _tell_the_citizen(case)
    return meeting


def cancel(case: Case, staff: Staff, meeting_id: int) -> Meeting:
    """Cancel a planned meeting (one that has a note was held: it stays).

    :raises FollowUpError: ``ended``, ``not_approved``, ``not_your_case``, ``unknown_meeting``,
        ``cancelled``, ``noted``.
    """
    _require_running(case)
    _require_follower(staff, case)
    meeting = _meeting(case, meeting_id)
    if meeting.cancelled:
        raise FollowUpError("cancelled")
    if meeting.noted_at is not None:
        raise FollowUpError("noted")
    meeting.cancelled_at = utcnow()
    db.session.flush()
    approvals.record(case, "meeting_cancelled", staff=staff, meeting=meeting.id,
                     on=_when(meeting))
    _tell_the_citizen(case)
    return meeting


def write_note(case: Case, staff: Staff, meeting_id: int, text: str, *,
               today: date | None = None) -> Meeting:
    """The short note after a meeting: once its day has come, not on a cancelled meeting, and
    on an ended case only for the meetings up to its end. Written again, it replaces the
    note (the audit trail keeps each).

    :raises FollowUpError: ``not_approved``, ``not_your_case``, ``unknown_meeting``,
        ``cancelled``, ``closed``, ``before_meeting``, ``empty_note``, ``note_too_long``.
    """
    if not case.was_approved:
        raise FollowUpError("not_approved")
    _require_follower(staff, case)
    meeting = _meeting(case, meeting_id)
    if meeting.cancelled:
        raise FollowUpError("cancelled")
    if is_closed(case, meeting):
        raise FollowUpError("closed")
    if meeting.on > (today or local_today()):
        raise FollowUpError("before_meeting", date=meeting.on)
    text = (text or "").strip()
    if not text:
        raise FollowUpError("empty_note")
    if len(text) > MAX_NOTE:
        raise FollowUpError("note_too_long", n=MAX_NOTE)
    meeting.note, meeting.noted_at, meeting.noted_by_id = text, utcnow(), staff.id
    db.session.flush()
    approvals.record(case, "meeting_noted", staff=staff, meeting=meeting.id, on=_when(meeting),
                     note=text)
    return meeting


def next_meeting(citizen: Citizen, today: date | None = None) -> Meeting | None:
    """The citizen's next meeting from today on, on their running approved case."""
    return db.session.scalar(
        sa.select(Meeting).join(Case, Meeting.case_id == Case.id)
        .where(Case.citizen_id == citizen.id, Case.state == CaseState.APPROVED,
               Meeting.cancelled_at.is_(None), Meeting.on >= (today or local_today()))
        .order_by(Meeting.on, Meeting.at, Meeting.id).limit(1))


# -- the citizen reports a change -----------------------------------------------------------------


def reports_of(case: Case) -> list[AuditEvent]:
    """The citizen's reports that their plan has changed, newest first."""
    return list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.action == "plan_changed_reported")
        .order_by(AuditEvent.id.desc())))


def reported_today(case: Case, now: datetime | None = None) -> bool:
    """Has the citizen reported a change on this case today (Danish time)?"""
    latest = db.session.scalar(sa.select(sa.func.max(AuditEvent.at)).where(
        AuditEvent.case_id == case.id, AuditEvent.action == "plan_changed_reported"))
    return latest is not None and local_today(latest) == local_today(now)


def report_change(case: Case, citizen: Citizen, text: str, *,
                  now: datetime | None = None) -> AuditEvent:
    """The citizen tells their job consultant that their plan has changed ("der er sket
    ændringer i min plan"), with a few words if they like: once a day, on a running case.
    The job consultant is notified (a link to the case, nothing of the text).

    :raises FollowUpError: ``not_yours``, ``ended``, ``not_approved``, ``report_too_long``,
        ``once_a_day``.
    """
    if case.citizen_id != citizen.id:
        raise FollowUpError("not_yours")
    _require_running(case)
    text = (text or "").strip()
    if len(text) > MAX_REPORT:
        raise FollowUpError("report_too_long", n=MAX_REPORT)
    if reported_today(case, now):
        raise FollowUpError("once_a_day")
    event = approvals.record(case, "plan_changed_reported", citizen=citizen, text=text)
    consultant = case.consultant or citizen.job_consultant
    if consultant is not None:
        approvals.notify(consultant, "plan_changed", case, f"/cases/{case.id}")
    db.session.flush()
    return event


# -- the office's follow-up calendar --------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One meeting in the follow-up calendar, with what the list shows of its case."""

    meeting: Meeting
    case: Case

    @property
    def first_name(self) -> str:
        return first_name(self.case.citizen.name)


def first_name(name: str) -> str:
    return (name or "").split(" ", 1)[0] or "?"


def _calendar_query(staff: Staff) -> sa.Select:
    query = (sa.select(Meeting, Case).join(Case, Meeting.case_id == Case.id)
             .where(Case.state == CaseState.APPROVED, Meeting.cancelled_at.is_(None))
             .options(joinedload(Case.citizen), joinedload(Case.consultant)))
    if staff.role == Role.TEAM_LEAD:
        return query.where(Case.team_id == staff.team_id)
    return query.where(Case.consultant_id == staff.id)


def calendar(staff: Staff, *, today: date | None = None) -> dict[str, Any]:
    """The follow-up calendar of a job consultant (their own cases) or a team lead (the
    team's): the meetings from today on, by week, and the held ones still without a note."""
    today = today or local_today()
    query = _calendar_query(staff)
    coming = [Row(m, c) for m, c in db.session.execute(
        query.where(Meeting.on >= today).order_by(Meeting.on, Meeting.at, Meeting.id))]
    unnoted = [Row(m, c) for m, c in db.session.execute(
        query.where(Meeting.on < today, Meeting.noted_at.is_(None))
        .order_by(Meeting.on, Meeting.at, Meeting.id))]
    weeks: list[tuple[date, list[Row]]] = []
    for row in coming:
        monday = row.meeting.on - timedelta(days=row.meeting.on.weekday())
        if not weeks or weeks[-1][0] != monday:
            weeks.append((monday, []))
        weeks[-1][1].append(row)
    return {"weeks": weeks, "unnoted": unnoted, "today": today,
            "this_monday": today - timedelta(days=today.weekday())}


# -- the calendar feed ----------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(staff: Staff) -> CalendarFeed | None:
    return db.session.get(CalendarFeed, staff.id)


def new_feed_token(staff: Staff) -> str:
    """A new secret calendar address for ``staff`` (the old one, if any, stops working).
    Returns the token; only its hash is kept, so the address is shown this once."""
    token = secrets.token_urlsafe(32)
    feed = feed_of(staff)
    if feed is None:
        feed = CalendarFeed(staff_id=staff.id, token_hash=_hash(token))
        db.session.add(feed)
    else:
        feed.token_hash, feed.created_at = _hash(token), utcnow()
    db.session.flush()
    return token


def staff_of_token(token: str) -> Staff | None:
    """Whose calendar address this is: an active job consultant or team lead; else nobody."""
    if not token or len(token) > 100:
        return None
    feed = db.session.scalar(sa.select(CalendarFeed).where(
        CalendarFeed.token_hash == _hash(token)))
    if feed is None:
        return None
    staff = db.session.get(Staff, feed.staff_id)
    if staff is None or not staff.active or staff.role not in (Role.JOB_CONSULTANT,
                                                               Role.TEAM_LEAD):
        return None
    return staff


def feed_meetings(staff: Staff, *, today: date | None = None) -> list[tuple[Meeting, Case]]:
    """The meetings of the cases ``staff`` is the job consultant of, from three months back:
    cancelled ones and those after an ended case's end included (the calendar marks them
    cancelled)."""
    since = (today or local_today()) - timedelta(days=FEED_DAYS_BACK)
    return list(db.session.execute(
        sa.select(Meeting, Case).join(Case, Meeting.case_id == Case.id)
        .where(Case.consultant_id == staff.id, Meeting.on >= since)
        .options(joinedload(Case.citizen)).order_by(Meeting.on, Meeting.at, Meeting.id)).all())


def ics(staff: Staff, base_url: str, summary: str, calendar_name: str, *,
        today: date | None = None) -> bytes:
    """The iCalendar of ``staff``'s meetings: one event per meeting, its UID stable, on the
    day (or at the agreed time, an hour, Danish time), ``summary`` with the citizen's first
    name (``%(name)s``) and the case's address — nothing else about the citizen or the plan.
    A cancelled meeting, or one after its case ended, is ``STATUS:CANCELLED`` (a subscribed
    calendar then takes it off, rather than keeping a stale copy)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Teten//Opfølgning//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", calendar_name)
    cal.add("x-wr-timezone", "Europe/Copenhagen")
    host = base_url.split("//", 1)[-1].split("/", 1)[0]
    stamp = utcnow()
    for meeting, case in feed_meetings(staff, today=today):
        event = Event()
        event.add("uid", f"followup-meeting-{meeting.id}@{host}")
        event.add("dtstamp", stamp)
        if meeting.at is None:
            event.add("dtstart", meeting.on)
            event.add("dtend", meeting.on + timedelta(days=1))
        else:
            start = datetime.combine(meeting.on, meeting.at, tzinfo=LOCAL_ZONE)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(hours=1))
        event.add("summary", summary % {"name": first_name(case.citizen.name)})
        event.add("url", f"{base_url.rstrip('/')}/cases/{case.id}")
        cancelled = meeting.cancelled or is_closed(case, meeting)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if meeting.at is None else "OPAQUE")
        cal.add_component(event)
    cal.add_missing_timezones()  # a VTIMEZONE for Europe/Copenhagen, where a time is set
    return cal.to_ical()
