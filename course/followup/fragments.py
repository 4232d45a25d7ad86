"""The follow-up's fragments and their context builders, and its parts of the approval queue's
pages: the meetings region on the job consultant's case, the citizen's meetings and the
"my plan has changed" form on their plan page (see :data:`course.web.page_parts`)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from course.approvals import services as approvals
from course.approvals.models import Case, CaseState
from course.budgets.models import Draft
from course.followup import services
from course.followup.models import Meeting
from course.followup.services import MAX_NOTE, MAX_REPORT
from course.people.models import Citizen
from course.types import local_today

CASE = "followup/_case.html"
MINE = "followup/_mine_body.html"
CALENDAR = "followup/_calendar.html"


def status(case: Case, meeting: Meeting, today) -> str:
    """``cancelled``, ``closed`` (after the course ended), ``held`` (it has a note), ``due``
    (its day has come, no note yet) or ``planned``."""
    if meeting.cancelled:
        return "cancelled"
    if services.is_closed(case, meeting):
        return "closed"
    if meeting.noted_at is not None:
        return "held"
    return "due" if meeting.on <= today else "planned"


def _meetings(case: Case) -> list[dict[str, Any]]:
    today = local_today()
    return [{"m": m, "status": status(case, m, today)} for m in services.meetings_of(case)]


def case_context(case: Case, **extra: Any) -> dict[str, Any]:
    """The meetings region on the case: each meeting with its status and note, and — for the
    case's own job consultant or the team lead — the forms to add, move, cancel and note them;
    the citizen's reports of a changed plan."""
    return {"case": case, "followup_meetings": _meetings(case),
            "followup_follows": services.follows(current_user, case),
            "followup_running": case.state == CaseState.APPROVED,
            "followup_reports": services.reports_of(case),
            "today": local_today(), "max_note": MAX_NOTE, **extra}


def mine_context(case: Case, **extra: Any) -> dict[str, Any]:
    """The citizen's meetings — the coming ones first, then the earlier ones, newest first,
    with the notes after them (they are about the citizen's case) — and the form to tell the
    job consultant their plan has changed."""
    today = local_today()
    meetings = _meetings(case)
    coming = [i for i in meetings if i["m"].on >= today and i["status"] != "held"]
    earlier = [i for i in reversed(meetings) if i not in coming]
    return {"case": case, "my_meetings": meetings, "my_coming": coming,
            "my_earlier": earlier,
            "my_followup_running": case.state == CaseState.APPROVED,
            "reported_today": services.reported_today(case),
            "max_report": MAX_REPORT, **extra}


def calendar_context(staff, **extra: Any) -> dict[str, Any]:
    return {**services.calendar(staff), **extra}


def case_part(_page: str, *, draft: Draft) -> dict[str, Any]:
    """The job consultant's case page shows the meetings once the plan has been approved."""
    case = approvals.case_of(draft)
    if case is None or not case.was_approved:
        return {}
    return case_context(case)


def my_plan_part(_page: str, *, case: Case) -> dict[str, Any]:
    """The citizen's plan page shows their meetings once the plan has been approved."""
    if not case.was_approved:
        return {}
    return mine_context(case)


def phone_part(_page: str, *, citizen: Citizen) -> dict[str, Any]:
    """The phone's "where you are" names the next meeting as it is planned now (moved,
    cancelled or added since the approval), not the approval's first date."""
    return {"next_followup": services.next_meeting(citizen)}
