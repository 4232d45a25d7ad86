"""What the follow-up pushes: the citizen's plan page re-reads its outcome region (their
meetings are in it), and the phone its "where you are" (the next meeting), when a meeting is
added, moved, cancelled or noted. A report of a changed plan pings the job consultant's notice
badge (approvals.pushes) and mails a link, where SMTP is set up."""

from __future__ import annotations

from course import realtime
from course.approvals.models import Case


def push_meetings(case: Case) -> None:
    """The citizen's plan page (their meetings) and phone home (the next one) re-read."""
    room = realtime.citizen_room(case.citizen_id)
    realtime.refetch_to(room, "my-plan-outcome")
    realtime.refetch_to(room, "my-stage")
