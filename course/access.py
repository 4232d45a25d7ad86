"""Who may use what. Every endpoint declares it; an undeclared endpoint is refused (fail closed).

Declarations name *kinds* of principal. Object-level rules (which course, whose draft) belong
to the feature that owns the object (``schedule.access``, ``budgets.access``) and are applied
by the routes through ``*_or_404`` helpers, so a person never learns that something they may
not see exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from course.web import is_htmx

PUBLIC = "public"  #: anyone, signed in or not
DISPLAY = "display"  #: a projector display link (token in the URL; checked by the view)
#: The staff who work with courses and cases: facilitators, job consultants, team leads —
#: not finance, who reaches only what names ``FINANCE`` (fail closed: a page written for
#: "any staff" never opens to the finance office by accident).
STAFF = "staff"
#: A principal's role (``people.models.Role``'s values; a test holds them equal).
CITIZEN = "citizen"
FACILITATOR = "facilitator"
JOB_CONSULTANT = "job_consultant"
TEAM_LEAD = "team_lead"
FINANCE = "finance"

KINDS = {PUBLIC, DISPLAY, STAFF, CITIZEN, FACILITATOR, JOB_CONSULTANT, TEAM_LEAD, FINANCE}
#: The roles that count as ``STAFF``.
COURSE_STAFF = {FACILITATOR, JOB_CONSULTANT, TEAM_LEAD}

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
    role = current_user.role.value
    return {STAFF, role} if role in COURSE_STAFF else {role}


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
        if is_htmx() or request.method != "GET":
            abort(401)
        return redirect(url_for("people.start", next=request.full_path.rstrip("?")))
    abort(403)
