"""The reactions' routes: the phones react, the projector re-reads its burst, the
facilitators choose the course's set. A reaction is committed, then its burst is pushed
(coalesced: :mod:`course.reactions.pushes`)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from course import realtime, web
from course.access import CITIZEN, DISPLAY, STAFF, allow
from course.extensions import db
from course.live import services as live_services
from course.reactions import fragments, labels, pushes, services
from course.schedule.access import can_edit_course, course_or_404
from course.schedule.models import Course

bp = Blueprint("reactions", __name__)

#: Longer than any emoji of the lists (a form value is cut to this before anything else).
EMOJI_MAX = 16


# -- the phone ----------------------------------------------------------------------------------


def _phone(course: Course, status: int = 200, **extra):
    if not web.wants_fragment():
        return web.render("reactions/phone_page.html", None, status=status,
                          **fragments.phone_context(course, **extra))
    return render_template(fragments.PHONE, **fragments.phone_context(course, **extra)), status


@bp.get("/courses/<int:course_id>/reactions")
@allow(CITIZEN)
def phone_region(course_id: int):
    """The course's reaction buttons on the phone (re-fetched when the set changes)."""
    course = course_or_404(course_id)
    return render_template(fragments.PHONE, **fragments.phone_context(course))


@bp.post("/courses/<int:course_id>/reactions")
@allow(CITIZEN)
def react(course_id: int):
    """Send one reaction (``emoji``, one of the course's set)."""
    course = course_or_404(course_id)
    emoji = request.form.get("emoji", "")[:EMOJI_MAX]
    try:
        reaction = services.react(course, current_user, emoji)
    except services.ReactionError as err:
        db.session.rollback()
        return _phone(course, 422, error=labels.error_message(err.code))
    sent = reaction.emoji
    db.session.commit()
    pushes.after_reaction(course.id)
    if not web.wants_fragment():
        return redirect(url_for("live.phone"), 303)
    return _phone(course, sent=sent)


# -- the projector ------------------------------------------------------------------------------


@bp.get("/projector/<token>/reactions")
@allow(DISPLAY)
def projector_region(token: str):
    """The burst of the last seconds (re-fetched after a gap)."""
    link = live_services.display_link_for_token(token)
    if link is None:
        abort(404)
    return render_template(fragments.PROJECTOR, **fragments.projector_context(link.course_id))


# -- the course's set ---------------------------------------------------------------------------


@bp.post("/courses/<int:course_id>/reactions/set")
@allow(STAFF)
def choose_set(course_id: int):
    """Save the reactions the course offers (``emoji``, one or more of the allowed list)."""
    course = course_or_404(course_id, can_edit_course)
    emojis = [e[:EMOJI_MAX] for e in request.form.getlist("emoji")[:50]]
    try:
        services.choose_set(course, emojis)
    except services.ReactionError as err:
        db.session.rollback()
        typed = [services.canonical(e) for e in emojis]
        context = fragments.settings_context(course, error=labels.error_message(err.code),
                                             chosen=typed)
        return web.render("reactions/settings_page.html", fragments.SETTINGS, status=422,
                          **context)
    pushes.push_set(course)
    realtime.commit_and_push()
    if not web.wants_fragment():
        return redirect(url_for("schedule.edit_course", course_id=course.id,
                                _anchor="reactions"), 303)
    return render_template(fragments.SETTINGS, **fragments.settings_context(course, saved=True))
