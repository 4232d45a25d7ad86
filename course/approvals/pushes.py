"""What the approval queue pushes: the team's queues refetch when a case moves, and a notified
person's badge refetches (and they get an e-mail with a link, where SMTP is set up). Job
consultants and the team lead enter their team's queue room."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response, after_this_request

from course import mail, realtime
from course.approvals import fragments, services
from course.approvals.models import Case, Notification
from course.budgets.models import Draft, DraftComment
from course.extensions import db
from course.people.models import Citizen, Role, Staff

QUEUE_PING = "approvals/_queue_ping.html"
NOTICE_PING = "approvals/_notice_ping.html"


def queue_rooms(person: Staff | Citizen) -> Iterable[str]:
    """The team's queue, for its job consultants and team lead."""
    if isinstance(person, Staff) and person.role in (Role.JOB_CONSULTANT, Role.TEAM_LEAD):
        return [realtime.team_room(person.team_id)]
    return []


def push_case(case: Case, notices: list[Notification]) -> None:
    """Queue what a step on ``case`` changed: the team's queues, each notified person's badge
    and the citizen's "where you are" refetch (nothing of the case itself is pushed)."""
    realtime.render_to(realtime.team_room(case.team_id), "queue-ping", QUEUE_PING)
    citizen = realtime.citizen_room(case.citizen_id)
    realtime.refetch_to(citizen, "my-stage")
    realtime.refetch_to(citizen, "my-plan-outcome")
    push_notices(notices)


def push_case_thread(case: Case) -> None:
    """The colleagues' sparring (yellow) or the team's discussion (red) on the case, for the
    team's queue room — the people who read the case: the owner sees a colleague's answer
    without a reload."""
    realtime.render_to(realtime.team_room(case.team_id), f"case-thread-{case.id}",
                       fragments.CASE_THREAD, case=case)


def push_stage(citizen: Citizen) -> None:
    """The citizen's "where you are" refetches on their devices (their yes or no recorded:
    ``people.signals.participation_changed``)."""
    realtime.refetch_to(realtime.citizen_room(citizen.id), "my-stage")


def push_notices(notices: list[Notification]) -> None:
    """Queue a ping for each notified person's badge (every device they are signed in on);
    a citizen's notice centre, where it is open, reads its list afresh."""
    for note in notices:
        push_badge(note)


def push_badge(note: Notification) -> None:
    """The badge (and a citizen's notice list) of the person ``note`` is for refetches on each
    of their devices: a notice came, or one was read."""
    if note.staff_id:
        realtime.render_to(realtime.staff_room(note.staff_id), "notice-ping", NOTICE_PING)
        return
    name = realtime.citizen_room(note.citizen_id)
    realtime.render_to(name, "notice-ping", NOTICE_PING)
    realtime.refetch_to(name, "my-notices")


def mail_notices(notices: list[Notification]) -> int:
    """After the commit: mail each notified person who has an address a link to the notice
    (never its content); returns how many were sent."""
    links = []
    for note in notices:
        person = (db.session.get(Staff, note.staff_id) if note.staff_id
                  else db.session.get(Citizen, note.citizen_id))
        if person is not None and person.email:
            links.append((person.email, note.link))
    return mail.send_links(links)


def thread_comment_added(draft: Draft, comment: DraftComment) -> list[str]:
    """A message in a sparring thread (``budgets.signals.comment_added``): the other side is
    notified — their badge pinged now, an e-mail with a link once the message is committed —
    and, once the plan is handed in, the case's staff (the team's queue room, who read the
    case) get the thread too: returns that room for the budget tool's push."""
    notices = services.tell_the_other_side(draft, comment)
    services.pending_notices()  # pushed here and mailed below, not by a later step
    push_notices(notices)

    @after_this_request
    def _mail(response: Response) -> Response:
        if response.status_code < 400:
            mail_notices(notices)
        return response

    case = services.case_of(draft)
    return [realtime.team_room(case.team_id)] if case is not None else []
