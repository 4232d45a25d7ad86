"""The approval queue's fragments and their context builders, used by its routes and pushes;
and its parts of other pages: the case's state beside the citizen's draft, the unread notices
in every page's header (see :data:`course.web.page_parts`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_login import current_user

from course import money, web
from course.approvals import labels, services, stages
from course.approvals.models import Case, CaseState, Criterion, EndingReason, RatingValue
from course.budgets import fragments as budget_fragments
from course.budgets.models import Draft
from course.extensions import db
from course.people import services as people
from course.people.models import Citizen, Role, Staff
from course.people.services import Participation, budget_deadline
from course.schedule.models import Course
from course.types import local_today, utcnow

CASE = "approvals/_case.html"
CASE_THREAD = "approvals/_case_thread.html"
MY_STAGE = "approvals/_my_stage.html"
NOTICE_BADGE = "approvals/_notice_badge.html"
MY_OUTCOME = "approvals/_my_outcome.html"
MY_NOTICES = "approvals/_my_notices.html"


def case_context(case: Case, **extra: Any) -> dict[str, Any]:
    """The assessment screen: the plan's version beside everything needed to decide on it, as
    the signed-in job consultant may act on it."""
    version = case.current
    previous = case.versions[-2] if len(case.versions) > 1 else None
    return {
        "case": case, "version": version, "ratings": services.ratings(version),
        "suggested": services.suggested_colour(version),
        "changes": services.changes(previous, version) if previous else None,
        "previous": previous,
        "colleagues": services.colleagues(case, exclude=current_user),
        "assignable": services.assignable(case, current_user),
        "has_consultant": services.has_consultant(case),
        "mine": case.consultant_id == current_user.id,
        "criteria": list(Criterion), "rating_values": list(RatingValue),
        "endings": list(EndingReason), "lines": lines_with_payment(case),
        "participation_deadline": budget_deadline(case.citizen),
        "team_participant_names": staff_names(case.team_participants or []),
        "re_triages": services.re_triages(case),
        "asked": services.asked_to_spar(case, current_user),
        **follow_up_context(case),
        **budget_fragments.comments_context(case.draft, can_comment=True),
        **web.parts_of("approvals.case", draft=case.draft),
        **extra,
    }


def follow_up_context(case: Case) -> dict[str, Any]:
    """After the plan left the office's hands (sent back, approved): may the signed-in person
    end the course or record a job (its own job consultant or the team lead), the approved
    case's flags, the jobs and changes recorded, and the ending date's bounds."""
    today = local_today()
    return {
        "follows": (case.state in (CaseState.SENT_BACK, CaseState.APPROVED)
                    and (case.consultant_id == current_user.id
                         or current_user.role == Role.TEAM_LEAD)),
        "flags": services.case_flags(case, today),
        "progress_kinds": services.PROGRESS_KINDS,
        "progress": services.progress_events(case) if case.was_approved else [],
        "today": today, "handed_in_on": services.handed_in_on(case),
        "approved_on": local_today(case.decided_at) if case.was_approved else None,
    }


def decision_context(case: Case) -> dict[str, Any]:
    """The decision document: the assessment's facts, the colours the case was marked on its
    way, the version decided on, and — where the plan is ended — the complaint guidance it was
    given (the municipality's text at the time, else the default)."""
    guidance = ""
    if case.state == CaseState.REJECTED:
        guidance = (case.complaint_guidance or services.complaint_guidance()
                    or str(labels.DEFAULT_COMPLAINT_GUIDANCE))
    return case_context(case, version=services.decided_version(case),
                        colour_path=services.colour_path(case), complaint_guidance=guidance,
                        printed_on=local_today())


@dataclass(frozen=True)
class TrailRow:
    """One step of a citizen's audit trail as they read it in an access request."""

    at: datetime
    step: str
    by: str
    version: int | None
    colour: str
    what: str


def trail_context(case: Case) -> dict[str, Any]:
    """The audit trail of the case's citizen (every case of theirs), in words and local time,
    rating notes included: the page and the CSV of an access request read the same rows."""
    citizen = case.citizen
    events = services.trail(citizen)
    notes = services.rating_notes(events)
    ids: set[int] = set()
    for event in events:
        d = event.details or {}
        ids.update(i for i in (d.get("before"), d.get("after")) if isinstance(i, int))
        ids.update(d.get("asked") or [])
        ids.update(d.get("participants") or [])
    names = services.staff_names_by_id(ids)
    rows = [TrailRow(
        at=event.at, step=labels.trail_step(event.action),
        by=event.actor_staff.name if event.actor_staff else citizen.name,
        version=event.version_number, colour=labels.colour_label(event.colour),
        what=labels.trail_what(event, note=notes.get(event.id), names=names))
        for event in events]
    return {"case": case, "citizen": citizen, "rows": rows, "printed_on": utcnow()}


def leaflet_context(course: Course | None) -> dict[str, Any]:
    """The information leaflet about the offer (issue 16, point 11), its figures from the rules
    that enforce them — the cap (the course's own, else the method's), the week to decide, the
    weeks to write the plan, the course's length on approval — never retyped; with a course,
    its three meetings and venue."""
    return {
        "course": course,
        "cap": course.budget_cap if course is not None else money.DEFAULT_CAP,
        "decision_days": people.DECISION_DAYS,
        "plan_weeks": people.PLAN_DAYS // 7,
        "min_months": services.MIN_MONTHS, "max_months": services.MAX_MONTHS,
        "declaration": str(labels.DECLARATION),
    }


def settings_context(text: str | None = None, error: str = "", **extra: Any) -> dict[str, Any]:
    """The municipality's settings page: the complaint guidance (as typed, else as saved, else
    the default to start from), and the settings of the features above (their parts)."""
    setting = services.setting_row(services.COMPLAINT_GUIDANCE)
    return {"setting": setting, "error": error,
            # not filled in yet: the default is the text to start editing from
            "text": text if text is not None else (
                setting.value if setting else str(labels.DEFAULT_COMPLAINT_GUIDANCE)),
            "default_guidance": str(labels.DEFAULT_COMPLAINT_GUIDANCE),
            "max_guidance": services.MAX_GUIDANCE,
            **web.parts_of("approvals.settings"), **extra}


def lines_with_payment(case: Case) -> list[dict[str, Any]]:
    """The version's lines, each with the payment method the decision confirmed."""
    return [dict(line, confirmed=case.payments.get(str(line["id"])))
            for line in case.current.content["lines"]]


def staff_names(ids: list[int]) -> str:
    """Who took part in a team decision, by name."""
    if not ids:
        return ""
    return ", ".join(sorted(db.session.scalars(sa.select(Staff.name).where(Staff.id.in_(ids)))))


def my_outcome_context(case: Case) -> dict[str, Any]:
    """The citizen's plan page: where the case stands and the version they submitted, with
    the sparring thread on their plan (see ``budgets.fragments.thread_context``)."""
    return {**budget_fragments.comments_context(case.draft, can_comment=True),
            "case": case, "draft": case.draft, "version": case.current,
            "lines": lines_with_payment(case),
            **web.parts_of("approvals.my_plan", case=case)}


def my_notices_context(citizen: Citizen) -> dict[str, Any]:
    """The citizen's notice centre: newest first, the unread marked."""
    return {"notes": services.notices_of(citizen)}


def unread_notices() -> int:
    """How many unread notices the signed-in person has (the header's badge)."""
    if not current_user.is_authenticated or not isinstance(current_user, Staff | Citizen):
        return 0
    return services.unread_count(current_user)


# -- the queue's parts of other pages -------------------------------------------------------------


def layout_part(_page: str) -> dict[str, Any]:
    """Every page's header shows the unread notices."""
    return {"unread_notices": unread_notices()}


def draft_part(_page: str, *, draft: Draft) -> dict[str, Any]:
    """The citizen's editor shows what the job consultant asked them to change."""
    return {"case": services.case_of(draft)}


def phone_part(_page: str, *, citizen: Citizen) -> dict[str, Any]:
    """The phone's home says where the citizen is in the process and what to do next."""
    return {"where": stages.stage_of(citizen)}


def citizen_page_part(_page: str, *, citizen: Citizen) -> dict[str, Any]:
    """The participant page (schedule) names the citizen's stage, as the course list does."""
    return {"where": stages.stage_of(citizen)}


def participants_part(_page: str, *, course: Course,
                      roster: list[tuple[Citizen, Participation]]) -> dict[str, Any]:
    """The course's participant list names each citizen's stage (the cases read at once)."""
    return {"stages": stages.stages_in(course, roster)}
