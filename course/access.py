"""Who may use what. Every endpoint declares it; an undeclared endpoint is refused (fail closed).

Declarations name *kinds* of principal; object-level rules (which course, whose draft) live in
the ``can_*`` functions below and are applied by the routes through ``*_or_404`` helpers, so a
person never learns that something they may not see exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import Flask, abort, current_app, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from course.budgets.models import Draft
from course.errors import error_response
from course.people.models import Citizen, Role, Staff
from course.schedule.models import Course

PUBLIC = "public"  #: anyone, signed in or not
DISPLAY = "display"  #: a projector display link (token in the URL; checked by the view)
STAFF = "staff"  #: any staff role
CITIZEN = Role.CITIZEN.value
FACILITATOR = Role.FACILITATOR.value
JOB_CONSULTANT = Role.JOB_CONSULTANT.value
TEAM_LEAD = Role.TEAM_LEAD.value

KINDS = {PUBLIC, DISPLAY, STAFF, CITIZEN, FACILITATOR, JOB_CONSULTANT, TEAM_LEAD}

#: Endpoints Flask itself adds, declared here because they have no function of ours to mark.
BUILTIN_PUBLIC_ENDPOINTS = {"static"}

View = TypeVar("View", bound=Callable[..., object])


def allow(*kinds: str) -> Callable[[View], View]:
    """Declare who may use a view: ``@allow(STAFF)``, ``@allow(CITIZEN)``, ``@allow(PUBLIC)``."""
    unknown = set(kinds) - KINDS
    if not kinds or unknown:
        raise ValueError(f"unknown access kinds: {unknown or 'none given'}")

    def mark(view: View) -> View:
        view.teten_access = frozenset(kinds)  # type: ignore[attr-defined]
        return view

    return mark


def declared_kinds(app: Flask, endpoint: str) -> frozenset[str] | None:
    """The kinds declared for ``endpoint``, or ``None`` if it declares nothing."""
    if endpoint in BUILTIN_PUBLIC_ENDPOINTS:
        return frozenset({PUBLIC})
    view = app.view_functions.get(endpoint)
    return getattr(view, "teten_access", None)


def principal_kinds() -> set[str]:
    """The kinds the current request's principal counts as."""
    if not current_user.is_authenticated:
        return set()
    if isinstance(current_user, Staff):
        return {STAFF, current_user.role.value}
    return {CITIZEN}


def enforce() -> object | None:
    """``before_request``: refuse undeclared endpoints and principals of the wrong kind."""
    if request.endpoint is None:
        return None  # 404/405 follow from routing
    kinds = declared_kinds(current_app, request.endpoint)
    if kinds is None:
        current_app.logger.error("endpoint %s declares no access; refused", request.endpoint)
        abort(403)
    if PUBLIC in kinds or DISPLAY in kinds:
        return None
    mine = principal_kinds()
    if mine & kinds:
        return None
    if not mine:
        if request.headers.get("HX-Request") or request.method != "GET":
            abort(401)
        return redirect(url_for("people.start", next=request.full_path.rstrip("?")))
    abort(403)


# -- object-level rules -----------------------------------------------------------------------


def can_see_course(course: Course) -> bool:
    """Staff see their team's courses; a citizen sees their own course."""
    if isinstance(current_user, Staff):
        return course.team_id == current_user.team_id
    if isinstance(current_user, Citizen):
        return course.id == current_user.course_id
    return False


def can_facilitate(course: Course) -> bool:
    """Run the console: the course's facilitators and the team's team lead."""
    if not isinstance(current_user, Staff) or course.team_id != current_user.team_id:
        return False
    return current_user.role == Role.TEAM_LEAD or current_user in course.facilitators


def can_manage_participants(course: Course) -> bool:
    """Enrol citizens and re-issue codes: any staff of the course's team."""
    return isinstance(current_user, Staff) and course.team_id == current_user.team_id


def course_or_404(course_id: int, rule: Callable[[Course], bool] = can_see_course) -> Course:
    """The course, if ``rule`` lets the current principal at it; 404 otherwise."""
    from course.extensions import db

    course = db.session.get(Course, course_id)
    if course is None or not rule(course):
        abort(404)
    return course


def can_see_draft_in_progress(draft: Draft) -> bool:
    """A draft in progress: its owner, the owner's own job consultant, the course's facilitators
    (and the team's team lead). Peers never see a draft — only round snapshots of it."""
    if isinstance(current_user, Citizen):
        return draft.citizen_id == current_user.id
    if not isinstance(current_user, Staff) or draft.course.team_id != current_user.team_id:
        return False
    return (draft.citizen.job_consultant_id == current_user.id
            or current_user.role == Role.TEAM_LEAD
            or current_user in draft.course.facilitators)


def can_see_draft(draft: Draft) -> bool:
    """A draft in progress (above), or a submitted one: then also the job consultants and the
    team lead of the owner's team, for sparring and team decisions."""
    if can_see_draft_in_progress(draft):
        return True
    if not isinstance(current_user, Staff) or draft.course.team_id != current_user.team_id:
        return False
    from course.approvals.models import Case
    from course.extensions import db

    submitted = db.session.scalar(sa.select(Case.id).where(Case.draft_id == draft.id))
    return submitted is not None and current_user.role in (Role.JOB_CONSULTANT, Role.TEAM_LEAD)


def can_edit_draft(draft: Draft) -> bool:
    """Only the owner writes their plan."""
    return isinstance(current_user, Citizen) and draft.citizen_id == current_user.id


def writable_draft_or_404(draft_id: int) -> Draft:
    """The current citizen's own draft, to change it: 404 for anyone else's, 409 with a clear
    message while a submitted version is with the job consultants (the draft is read-only)."""
    draft = draft_or_404(draft_id, can_edit_draft)
    ensure_writable(draft)
    return draft


def ensure_writable(draft: Draft) -> None:
    """Refuse a change to a submitted (locked) draft with a translated 409."""
    if draft.locked_at is not None:
        abort(make_response(error_response(409, _(
            "Your plan has been submitted and cannot be changed now. If your job consultant "
            "sends it back, you can change it again."))))


def draft_or_404(draft_id: int, rule: Callable[[Draft], bool] = can_see_draft_in_progress
                 ) -> Draft:
    """The draft, if ``rule`` lets the current principal at it; 404 otherwise."""
    from course.extensions import db

    draft = db.session.get(Draft, draft_id)
    if draft is None or not rule(draft):
        abort(404)
    return draft
