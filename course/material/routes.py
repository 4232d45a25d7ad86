"""The speaker material's routes: material uploaded on an agenda item (the agenda editor),
put up, turned and taken down from the console; the projector's, the phones' and the speaker's
screen's regions and page images; the speaker's display links. Every change is committed, then
pushed (:mod:`course.material.pushes`)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from course import realtime, web
from course.access import CITIZEN, DISPLAY, STAFF, allow
from course.budgets import files
from course.extensions import csrf, db
from course.live import services as live_services
from course.material import fragments, labels, pushes, services
from course.material.models import Material, MaterialPage, SpeakerLink
from course.people.models import Citizen
from course.schedule.access import can_facilitate, course_or_404
from course.schedule.models import AgendaItem, Course

bp = Blueprint("material", __name__)

#: What an upload request may weigh besides its files (the form's other fields, the
#: multipart boundaries).
REQUEST_OVERHEAD = 256 * 1024


def _facilitated(course_id: int) -> Course:
    return course_or_404(course_id, can_facilitate)


def _item_or_404(course: Course, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.course_id != course.id:
        abort(404)
    return item


def _material_or_404(course: Course, material_id: int) -> Material:
    material = services.material_in_course(course, material_id)
    if material is None:
        abort(404)
    return material


# -- on an agenda item (the agenda editor) ----------------------------------------------------


def _item_page(course: Course, item: AgendaItem, *, error: str | None = None,
               status: int = 200):
    return web.render("material/item_material.html", status=status, course=course, item=item,
                      materials=services.for_item(item.id), error=error,
                      max_mb=services.MAX_BYTES // (1024 * 1024),
                      max_pages=services.MAX_PAGES)


@bp.get("/courses/<int:course_id>/items/<int:item_id>/material")
@allow(STAFF)
def item_material(course_id: int, item_id: int):
    """The material an agenda item carries, and the form to upload more."""
    course = _facilitated(course_id)
    return _item_page(course, _item_or_404(course, item_id))


@bp.post("/courses/<int:course_id>/items/<int:item_id>/material")
@allow(STAFF)
@csrf.exempt  # checked below, once the larger body limit is set (before the form is read)
def upload(course_id: int, item_id: int):
    """Upload a PDF (rendered to page images here) or pictures as the item's material."""
    course = _facilitated(course_id)
    item = _item_or_404(course, item_id)
    request.max_content_length = services.MAX_BYTES + REQUEST_OVERHEAD

    def refused(code: str, status: int = 422):
        message = labels.error_message(code)
        return web.refuse(message, status, page=lambda: _item_page(
            course, item, error=message, status=status))

    try:
        csrf.protect()
        chosen = request.files.getlist("file")
    except RequestEntityTooLarge:
        return refused("too_large", 413)
    uploads = [services.Upload(f.stream, f.filename) for f in chosen]
    try:
        material = services.add_material(course, item, current_user, uploads,
                                         fallback_name=_("material"))
    except services.MaterialError as err:
        return refused(err.code)
    stored = [page.storage_name for page in material.pages]
    pushes.push_material(course)
    try:
        realtime.commit_and_push()
    except Exception:
        db.session.rollback()
        for name in stored:  # a row that was never written leaves no file behind
            files.discard_file(name)
        raise
    return redirect(url_for("material.item_material", course_id=course.id, item_id=item.id),
                    303)


@bp.post("/courses/<int:course_id>/materials/<int:material_id>/delete")
@allow(STAFF)
def delete(course_id: int, material_id: int):
    """Remove a material: its pages' files go once that is committed."""
    course = _facilitated(course_id)
    material = _material_or_404(course, material_id)
    item_id = material.agenda_item_id
    services.delete_material(material)
    pushes.push_material(course)
    realtime.commit_and_push()
    return redirect(url_for("material.item_material", course_id=course.id, item_id=item_id),
                    303)


# -- the console ------------------------------------------------------------------------------


def _console_fragment(course: Course, **extra):
    return render_template(fragments.CONSOLE, **fragments.console_context(course, **extra))


def _after(course: Course, **extra):
    if not web.wants_fragment():
        return redirect(url_for("live.console", course_id=course.id))
    return _console_fragment(course, **extra)


@bp.get("/courses/<int:course_id>/material")
@allow(STAFF)
def console_region(course_id: int):
    """The console's material (re-read after a ping)."""
    return _console_fragment(_facilitated(course_id))


@bp.post("/courses/<int:course_id>/materials/<int:material_id>/show")
@allow(STAFF)
def show(course_id: int, material_id: int):
    """Put a material on the projector at its first page (``shown`` = 1), or take it down (0)."""
    course = _facilitated(course_id)
    material = _material_or_404(course, material_id)
    try:
        if request.form.get("shown") == "1":
            services.put_up(material)
        else:
            services.take_down(course.id)
    except services.MaterialError as err:
        return web.refuse(labels.error_message(err.code), 409)
    pushes.push_material(course)
    realtime.commit_and_push()
    return _after(course)


def _step() -> int:
    return -1 if request.form.get("step") == "-1" else 1


@bp.post("/courses/<int:course_id>/material/turn")
@allow(STAFF)
def turn(course_id: int):
    """Turn the page on the wall: ``step`` 1 (next) or -1 (previous); it stays at the ends."""
    course = _facilitated(course_id)
    try:
        services.turn(course.id, _step())
    except services.MaterialError as err:
        return web.refuse(labels.error_message(err.code), 409)
    pushes.push_material(course)
    realtime.commit_and_push()
    return _after(course)


# -- page images ------------------------------------------------------------------------------


def _send_page(page: MaterialPage):
    path = files.path_for(page.storage_name)
    if not path.is_file():
        current_app.logger.error("material page %s has no file", page.id)
        abort(404)
    response = Response(path.read_bytes(), mimetype=page.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/courses/<int:course_id>/material/pages/<int:page_id>")
@allow(STAFF, CITIZEN)
def page_image(course_id: int, page_id: int):
    """A page's image: any page for the course's staff; for its citizens only the page on
    the wall now."""
    course = course_or_404(course_id)
    page = services.page_in_course(course.id, page_id)
    if page is None:
        abort(404)
    if isinstance(current_user, Citizen) and not services.is_shown(course.id, page):
        abort(404)
    return _send_page(page)


# -- the phone --------------------------------------------------------------------------------


@bp.get("/courses/<int:course_id>/material/now")
@allow(CITIZEN)
def phone_region(course_id: int):
    """The page on the wall now, on the phone (re-read after a ping)."""
    course = course_or_404(course_id)
    return render_template(fragments.PHONE, **fragments.phone_context(course))


# -- the projector ----------------------------------------------------------------------------


def _display_course(token: str) -> Course:
    link = live_services.display_link_for_token(token)
    if link is None:
        abort(404)
    return db.session.get(Course, link.course_id)


@bp.get("/projector/<token>/material")
@allow(DISPLAY)
def projector_region(token: str):
    """The projector's material: the page on the wall, full stage, or nothing."""
    course = _display_course(token)
    return render_template(fragments.PROJECTOR, **fragments.projector_context(course.id, token))


@bp.get("/projector/<token>/material/<int:page_id>")
@allow(DISPLAY)
def projector_image(token: str, page_id: int):
    """The image of the page on the wall (no other page)."""
    course = _display_course(token)
    page = services.page_in_course(course.id, page_id)
    if page is None or not services.is_shown(course.id, page):
        abort(404)
    return _send_page(page)


# -- the speaker's display links and view -----------------------------------------------------


@bp.post("/courses/<int:course_id>/speaker")
@allow(STAFF)
def open_speaker_view(course_id: int):
    """Open the speaker's view from the console: a fresh speaker link, in a new window."""
    course = _facilitated(course_id)
    _, token = services.create_speaker_link(course, current_user)
    db.session.commit()
    return redirect(url_for("material.speaker", token=token))


@bp.post("/courses/<int:course_id>/speaker-links/<int:link_id>/revoke")
@allow(STAFF)
def revoke_speaker_link(course_id: int, link_id: int):
    """Stop a speaker link at once: its screen is disconnected and shows nothing more."""
    course = _facilitated(course_id)
    link = db.session.get(SpeakerLink, link_id)
    if link is None or link.course_id != course.id:
        abort(404)
    services.revoke_speaker_link(link)
    db.session.commit()
    pushes.disconnect_speaker(link)
    return _after(course)


def _speaker_course(token: str) -> Course:
    link = services.speaker_link_for_token(token)
    if link is None:
        abort(404)
    return db.session.get(Course, link.course_id)


@bp.get("/speaker/<token>")
@allow(DISPLAY)
def speaker(token: str):
    """The screen facing the speaker: the clock, the next item, the top questions and the
    page on the wall (no sign-in: the link's token; nothing the projector would not show)."""
    course = _speaker_course(token)
    return web.render(
        "material/speaker.html",
        streams=realtime.current_seqs([realtime.room(course.id, realtime.PROJECTOR)]),
        **fragments.speaker_now_context(course), **fragments.speaker_questions_context(course),
        **fragments.speaker_material_context(course, token))


@bp.get("/speaker/<token>/now")
@allow(DISPLAY)
def speaker_now(token: str):
    course = _speaker_course(token)
    return render_template(fragments.SPEAKER_NOW, **fragments.speaker_now_context(course))


@bp.get("/speaker/<token>/questions")
@allow(DISPLAY)
def speaker_questions(token: str):
    course = _speaker_course(token)
    return render_template(fragments.SPEAKER_QUESTIONS,
                           **fragments.speaker_questions_context(course))


@bp.get("/speaker/<token>/material")
@allow(DISPLAY)
def speaker_material(token: str):
    course = _speaker_course(token)
    return render_template(fragments.SPEAKER_MATERIAL,
                           **fragments.speaker_material_context(course, token))


@bp.post("/speaker/<token>/material/turn")
@allow(DISPLAY)
def speaker_turn(token: str):
    """The speaker turns the page on the wall (``step`` 1 or -1; it stays at the ends)."""
    course = _speaker_course(token)
    try:
        services.turn(course.id, _step())
    except services.MaterialError as err:
        return web.refuse(labels.error_message(err.code), 409)
    pushes.push_material(course)
    realtime.commit_and_push()
    if not web.wants_fragment():
        return redirect(url_for("material.speaker", token=token))
    return render_template(fragments.SPEAKER_MATERIAL,
                           **fragments.speaker_material_context(course, token))


@bp.get("/speaker/<token>/material/<int:page_id>")
@allow(DISPLAY)
def speaker_image(token: str, page_id: int):
    """The image of the page on the wall (no other page)."""
    course = _speaker_course(token)
    page = services.page_in_course(course.id, page_id)
    if page is None or not services.is_shown(course.id, page):
        abort(404)
    return _send_page(page)
