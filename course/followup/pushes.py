"""What the follow-up pushes: the citizen's plan page re-reads its outcome region (their
meetings are in it) when a meeting is added, moved, cancelled or noted; a report of a changed
plan pings the job consultant's notice badge (and mails a link, where SMTP is set up)."""

from __future__ import annotations

from course import realtime
from course.approvals.models import Case


def push_meetings(case: Case) -> None:
    realtime.refetch_to(realtime.citizen_room(case.citizen_id), "my-plan-outcome")
