"""Live pages: the citizen's phone home, the facilitator console and the projector."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from htmx_flask import request as htmx_request

from course import access, realtime
from course.access import CITIZEN, DISPLAY, STAFF, allow
from course.budgets import services as budget_services
from course.extensions import db
from course.live import bp, pushes, services, session, session_routes
from course.live.forms import AnnouncementForm
from course.live.models import DisplayLink
from course.people import services as people_services
from course.people.models import Citizen
from course.schedule.models import Course
from course.web import render

ANNOUNCEMENT_TEMPLATE = "live/_announcement.html"


def _push_announcement(course_id: int) -> None:
    """Queue the announcement region for every audience of the course."""
    realtime.render_for(
        course_id, "announcement", ANNOUNCEMENT_TEMPLATE,
        {realtime.PARTICIPANTS: {}, realtime.FACILITATORS: {}, realtime.PROJECTOR: {}},
        announcement=services.current_announcement(course_id),
    )


@bp.get("/me")
@allow(CITIZEN)
def phone():
    """The citizen's phone: what happens in the course now, and announcements as they come."""
    course = current_user.course
    context = {**session_routes.now_context(course),
               **session_routes.questions_context(course, realtime.PARTICIPANTS)}
    return render_template("live/phone.html", audience=realtime.PARTICIPANTS,
                           announcement=services.current_announcement(course.id),
                           streams=realtime.streams_for(current_user),
                           **context)


@bp.get("/me/workshop")
@allow(CITIZEN)
def workshop():
    """During the change-theory workshop: the step on now, and the citizen's own lines to write
    a change theory for (autosaved, like the budget tool itself)."""
    course = current_user.course
    draft = budget_services.draft_of(current_user)
    versions = budget_services.field_versions(draft) if draft else {}
    return render_template("live/workshop.html", audience=realtime.PARTICIPANTS, draft=draft,
                           versions=versions,
                           streams=realtime.streams_for(current_user),
                           **session_routes.now_context(course))


@bp.get("/courses/<int:course_id>/announcement")
@allow(STAFF, CITIZEN)
def announcement_region(course_id: int):
    """The announcement region as the caller's audience sees it (re-fetched after a gap)."""
    course = access.course_or_404(course_id)
    audience = realtime.PARTICIPANTS if isinstance(current_user, Citizen) else realtime.FACILITATORS
    return render_template(ANNOUNCEMENT_TEMPLATE, audience=audience, course=course,
                           announcement=services.current_announcement(course.id))


@bp.get("/courses/<int:course_id>/console")
@allow(STAFF)
def console(course_id: int):
    """The facilitator console: announcements and the projector's display links."""
    course = access.course_or_404(course_id, access.can_facilitate)
    return _console(course, AnnouncementForm(formdata=None))


def _console(course, form, *, new_link: tuple[DisplayLink, str] | None = None, status=200):
    """The console page, or only its announcement/projector panel for an htmx request (the
    day, questions and attendance regions of the page are not re-rendered then)."""
    panel = {
        "course": course, "form": form, "new_link": new_link,
        "announcement": services.current_announcement(course.id),
        "links": services.live_display_links(course),
        "join_locked_for": people_services.throttle_retry_after(
            [people_services.course_throttle_key(course)]),
    }
    if htmx_request.htmx and not htmx_request.htmx.boosted:
        return render("live/console.html", "live/_console_panel.html", **panel), status
    day = session_routes.day_of_session(course)
    page = {**panel, **session_routes.now_context(course),
            **session_routes.questions_context(course, realtime.FACILITATORS),
            "day": day, "presence": session.attendance(course, day),
            "streams": realtime.streams_for(current_user)}
    return render("live/console.html", "live/_console_panel.html", **page), status


@bp.post("/courses/<int:course_id>/announcements")
@allow(STAFF)
def announce(course_id: int):
    """Post an announcement: saved first, then pushed to the projector and every phone."""
    course = access.course_or_404(course_id, access.can_facilitate)
    form = AnnouncementForm()
    if not form.validate_on_submit():
        return _console(course, form, status=422)
    try:
        services.post_announcement(course, current_user, form.text.data)
    except services.LiveError:
        form.text.errors.append(_("Write the announcement first."))
        return _console(course, form, status=422)
    _push_announcement(course.id)
    realtime.commit_and_push()
    return _after_change(course)


def _after_change(course: Course):
    """The console panel for htmx; a redirect for a plain form (a reload must not resubmit)."""
    if not htmx_request.htmx:
        return redirect(url_for("live.console", course_id=course.id))
    return _console(course, AnnouncementForm(formdata=None))


@bp.post("/courses/<int:course_id>/announcements/clear")
@allow(STAFF)
def clear_announcement(course_id: int):
    """Take the announcement off every screen."""
    course = access.course_or_404(course_id, access.can_facilitate)
    services.clear_announcement(course)
    _push_announcement(course.id)
    realtime.commit_and_push()
    return _after_change(course)


@bp.post("/courses/<int:course_id>/join-lock/lift")
@allow(STAFF)
def lift_join_lock(course_id: int):
    """Let the room sign in again after too many wrong codes locked the course code."""
    course = access.course_or_404(course_id, access.can_facilitate)
    people_services.clear_throttle([people_services.course_throttle_key(course)])
    db.session.commit()
    return _after_change(course)


@bp.post("/courses/<int:course_id>/display-links")
@allow(STAFF)
def create_display_link(course_id: int):
    """Make a projector link for this course (shown once, in the console)."""
    course = access.course_or_404(course_id, access.can_facilitate)
    link, token = services.create_display_link(course, current_user)
    db.session.commit()
    return _console(course, AnnouncementForm(formdata=None), new_link=(link, token))


@bp.post("/courses/<int:course_id>/display-links/<int:link_id>/revoke")
@allow(STAFF)
def revoke_display_link(course_id: int, link_id: int):
    """Stop a projector link at once: its screen is disconnected and shows nothing more."""
    course = access.course_or_404(course_id, access.can_facilitate)
    link = db.session.get(DisplayLink, link_id)
    if link is None or link.course_id != course.id:
        abort(404)
    services.revoke_display_link(link)
    db.session.commit()
    pushes.disconnect_display(link)
    return _after_change(course)


def _link_or_404(token: str) -> DisplayLink:
    link = services.display_link_for_token(token)
    if link is None:
        abort(404)
    return link


@bp.get("/projector/<token>")
@allow(DISPLAY)
def projector(token: str):
    """The projector view of one course, opened through a display link (no sign-in, no timeout)."""
    link = _link_or_404(token)
    course = db.session.get(Course, link.course_id)
    return render_template(
        "live/projector.html", token=token,
        announcement=services.current_announcement(course.id),
        streams=realtime.current_seqs([realtime.room(course.id, realtime.PROJECTOR)]),
        **session_routes.now_context(course),
    )


@bp.get("/projector/<token>/announcement")
@allow(DISPLAY)
def projector_announcement(token: str):
    """The projector's announcement region (re-fetched after a reconnect or a gap)."""
    link = _link_or_404(token)
    return render_template(ANNOUNCEMENT_TEMPLATE, audience=realtime.PROJECTOR,
                           announcement=services.current_announcement(link.course_id))


@bp.post("/courses/<int:course_id>/projector")
@allow(STAFF)
def open_projector(course_id: int):
    """Open the projector from the console: a fresh display link, in a new window."""
    course = access.course_or_404(course_id, access.can_facilitate)
    _, token = services.create_display_link(course, current_user)
    db.session.commit()
    return redirect(url_for("live.projector", token=token))

