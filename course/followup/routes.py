"""The follow-up on the web: the job consultant plans, moves, cancels and notes a case's
meetings on the case page; the citizen reads them on their plan page and reports a changed
plan; the office's follow-up calendar, and the calendar feed to subscribe to.

A case's meetings are the team's job consultants' and team lead's to read (any other case is
404); the case's own job consultant and the team lead act on them. The feed's address is its
own key: ``/calendar/<token>.ics`` answers 404 to any token but a live one.
"""

from __future__ import annotations

from datetime import date, time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from course import realtime, web
from course.access import CITIZEN, JOB_CONSULTANT, PUBLIC, TEAM_LEAD, allow
from course.approvals import pushes as approval_pushes
from course.approvals import services as approvals
from course.approvals.models import Case
from course.budgets import services as budget_services
from course.extensions import db
from course.followup import fragments, labels, pushes, services

bp = Blueprint("followup", __name__)

OFFICE = (JOB_CONSULTANT, TEAM_LEAD)


def _case_or_404(case_id: int) -> Case:
    """A case of the signed-in job consultant's or team lead's team; 404 otherwise."""
    case = db.session.get(Case, case_id)
    if case is None or not approvals.is_team_consultant(current_user, case):
        abort(404)
    return case


def _day(name: str) -> date | None:
    """A date field: ISO from a date input, or dd-mm-yyyy typed; empty: ``None``."""
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        day, month, year = (int(x) for x in text.replace(".", "-").replace("/", "-").split("-"))
        return date(year, month, day)
    except ValueError:
        raise services.FollowUpError("no_date") from None


def _time(name: str) -> time | None:
    """A time field (``10:30`` or ``10.30``); empty: ``None``."""
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        hours, minutes = (int(x) for x in text.replace(".", ":").split(":")[:2])
        return time(hours, minutes)
    except ValueError:
        raise services.FollowUpError("bad_time") from None


def _base() -> str:
    """The app's address as people reach it (``PUBLIC_URL``, else the request's)."""
    return current_app.config.get("PUBLIC_URL") or request.host_url


# -- the job consultant's case --------------------------------------------------------------------


def _act(case_id: int, slot: str, step) -> Response:
    """Run one step on a case's meetings; commit, push (the citizen's pages re-read, their
    badge for a notice) and mail the notices it made (a link only); answer with the meetings
    region (the case page, without JavaScript). A refusal says why in ``#<slot>-message``,
    beside its form, and its notices are dropped."""
    case = _case_or_404(case_id)
    try:
        step(case)
    except services.FollowUpError as err:
        approvals.pending_notices()
        return web.refuse(labels.error_message(err), slot=f"{slot}-message")
    notices = approvals.pending_notices()
    pushes.push_meetings(case)
    approval_pushes.push_notices(notices)
    realtime.commit_and_push()
    approval_pushes.mail_notices(notices)
    if not web.wants_fragment():
        return redirect(url_for("approvals.case_page", case_id=case.id) + "#case-followup", 303)
    return web.render(None, fragments.CASE, **fragments.case_context(case))


@bp.post("/cases/<int:case_id>/meetings")
@allow(*OFFICE)
def add_meeting(case_id: int):
    """Plan a new follow-up meeting (a day, and a time if agreed)."""
    return _act(case_id, "meeting-add", lambda case: services.add(
        case, current_user, _day("on"), _time("at")))


@bp.post("/cases/<int:case_id>/meetings/<int:meeting_id>/move")
@allow(*OFFICE)
def move_meeting(case_id: int, meeting_id: int):
    """Move a planned meeting to another day (and time)."""
    return _act(case_id, f"meeting-{meeting_id}-move", lambda case: services.move(
        case, current_user, meeting_id, _day("on"), _time("at")))


@bp.post("/cases/<int:case_id>/meetings/<int:meeting_id>/cancel")
@allow(*OFFICE)
def cancel_meeting(case_id: int, meeting_id: int):
    """Cancel a planned meeting."""
    return _act(case_id, f"meeting-{meeting_id}-cancel", lambda case: services.cancel(
        case, current_user, meeting_id))


@bp.post("/cases/<int:case_id>/meetings/<int:meeting_id>/note")
@allow(*OFFICE)
def note_meeting(case_id: int, meeting_id: int):
    """The short note after a meeting (the citizen reads it too)."""
    return _act(case_id, f"meeting-{meeting_id}-note", lambda case: services.write_note(
        case, current_user, meeting_id, request.form.get("note", "")))


# -- the citizen ----------------------------------------------------------------------------------


def _own_case() -> Case:
    draft = budget_services.draft_of(current_user)
    case = approvals.case_of(draft) if draft is not None else None
    if case is None:
        abort(404)
    return case


@bp.post("/me/plan/changes")
@allow(CITIZEN)
def report_change():
    """"Der er sket ændringer i min plan": the job consultant is notified (once a day)."""
    case = _own_case()
    try:
        services.report_change(case, current_user, request.form.get("text", ""))
    except services.FollowUpError as err:
        approvals.pending_notices()
        return web.refuse(labels.error_message(err), slot="report-message")
    notices = approvals.pending_notices()
    approval_pushes.push_notices(notices)
    realtime.commit_and_push()
    approval_pushes.mail_notices(notices)
    if not web.wants_fragment():
        return redirect(url_for("approvals.my_plan") + "#my-followup", 303)
    return web.render(None, fragments.MINE, **fragments.mine_context(case, just_reported=True))


# -- the follow-up calendar -----------------------------------------------------------------------


@bp.get("/followup")
@allow(*OFFICE)
def calendar_page():
    """The follow-up calendar: the meetings from today on, week by week (a job consultant's own
    cases; the team's for the team lead), and the held ones still waiting for a note."""
    return web.render("followup/calendar.html", **fragments.calendar_context(current_user))


def _my_calendar_page(token: str | None = None) -> Response:
    feed = services.feed_of(current_user)
    url = _base().rstrip("/") + url_for("followup.feed", token=token) if token else None
    return web.render("followup/my_calendar.html", feed=feed, feed_url=url)


@bp.get("/followup/calendar")
@allow(*OFFICE)
def my_calendar():
    """"Min kalender": subscribe to the meetings in one's own calendar, or download them."""
    return _my_calendar_page()


@bp.post("/followup/calendar")
@allow(*OFFICE)
def new_calendar_link():
    """Make a new secret calendar address (the old one stops working), shown this once."""
    token = services.new_feed_token(current_user)
    db.session.commit()
    return _my_calendar_page(token)


def _ics(staff) -> Response:
    body = services.ics(staff, _base(), _("Follow-up: %(name)s"), _("Teten follow-up"))
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/followup/calendar.ics")
@allow(*OFFICE)
def download_calendar():
    """The signed-in job consultant's meetings as a calendar file, to import once."""
    response = _ics(current_user)
    response.headers["Content-Disposition"] = 'attachment; filename="teten-opfoelgning.ics"'
    return response


@bp.get("/calendar/<token>.ics")
@allow(PUBLIC)
def feed(token: str):
    """The calendar feed a job consultant subscribes to: the token in the address is the key
    (a wrong or renewed one is 404). Only the citizen's first name and the case's address."""
    staff = services.staff_of_token(token)
    if staff is None:
        abort(404)
    return _ics(staff)
