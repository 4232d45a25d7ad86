"""The budget tool's routes: the citizen's editor, the attachments of its lines, the job
consultant's sparring comments, the staff read view and the A4 print view.

The editor is a page of small autosaving forms, one per field. A save (``save_field``) answers
with the field's status for its ``role=status`` slot, and out-of-band with the field's new
version and its message slot; the typed text itself is never swapped, so nothing moves under
the citizen's fingers. A stale save of the same field is a 409 whose message slot shows both
texts with "keep mine" / "use the saved one"; a refused value is a 422 with the reason. After a
successful change the response triggers ``budget-changed``, and the regions that show totals
and the checklist re-fetch themselves (so pages without them, like the workshop, need nothing).

The upload form sits inside each budget line (``budgets/_attachments.html``); with htmx an
upload answers with that line's fragment, so whatever else the citizen typed stays where it
is. The comments form answers with the comments fragment.

Without JavaScript every form still posts: success redirects back to the editor (or the page
the form was on), a refusal renders the page with the typed text and the message in place.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BuildError

from course import realtime, web
from course.access import CITIZEN, STAFF, allow
from course.budgets import files, fragments, labels, pushes, services, signals, sparring
from course.budgets.access import (
    can_edit_draft,
    can_see_draft,
    draft_or_404,
    ensure_writable,
    writable_draft_or_404,
)
from course.budgets.forms import ConfirmForm, FieldSaveForm, MoveForm, StrategyItemForm
from course.budgets.models import BudgetLine, Category, Draft, StrategyKind
from course.budgets.services import FieldConflict, FieldInvalid, UnknownField
from course.errors import error_response
from course.extensions import db
from course.i18n import kroner, long_date
from course.people.models import Citizen
from course.people.services import local_today

bp = Blueprint("budgets", __name__)

CHANGED = "budget-changed"


def shown(field: services.Field | None, value: Any) -> str:
    """A stored value as a person reads it (for the two texts of a conflict)."""
    if field is None:
        return str(value or "")
    kind = field.spec.kind
    if kind == "bool":
        return _("Yes") if value else _("No")
    if kind == "amount":
        return kroner(value) if value else "—"
    if kind == "date":
        return long_date(value) if value else "—"
    if kind == "choice":
        return (labels.category_label(value) if field.spec.choices is Category
                else labels.payment_label(value))
    return value or ""


def _shown_typed(field: services.Field, typed: str) -> str:
    """What the citizen sent, as they would read it."""
    if field.spec.is_text:
        return typed
    try:
        return shown(field, services.parse_value(field.spec, typed))
    except FieldInvalid:
        return typed


def _own_draft(draft_id: int) -> Draft:
    return writable_draft_or_404(draft_id)


def _fragment(template: str, status: int = 200, *, changed: bool = False, **context: Any):
    """A fragment of the editor; ``changed`` tells the page's totals and checklist to follow."""
    response = web.render(None, template, status=status, **context)
    if changed:
        response.headers["HX-Trigger"] = CHANGED
    return response


def _back_to_editor(anchor: str = "", line_id: int | None = None):
    """Back to the editor (a page without JavaScript), at ``anchor``, with ``line_id`` open."""
    target = url_for("budgets.my_draft", open=line_id)
    return redirect(target + (f"#{anchor}" if anchor else ""))


# -- the citizen's editor ------------------------------------------------------------------------


@bp.get("/me/budget")
@allow(CITIZEN)
def my_draft():
    """The citizen's own budget plan, created on the first visit: four parts, autosaved."""
    draft, created = services.draft_for(current_user)
    if created:
        db.session.commit()
    if draft.locked_at is not None:  # submitted: the plan page tells where it stands
        return redirect(url_for("approvals.my_plan"))
    # live: the sparring threads and the badge (the streams read before the regions)
    streams = realtime.streams_for(current_user)
    return web.render(fragments.EDITOR, streams=streams, **fragments.editor_context(draft))


@bp.post("/drafts/<int:draft_id>/fields")
@allow(CITIZEN)
def save_field(draft_id: int):
    """Autosave one field: 200 with its new version, 409 on a conflict, 422 if refused."""
    draft = _own_draft(draft_id)
    form = FieldSaveForm()
    if not form.validate_on_submit():
        abort(400)
    key, typed = form.field.data, form.typed()
    try:
        result = services.save_field(draft, key, typed, form.version.data)
    except UnknownField:
        db.session.rollback()
        abort(404)
    except FieldInvalid as err:
        db.session.rollback()
        state = {"kind": "invalid", "message": labels.error_message(err.code, **err.params),
                 "typed": typed}
        return _field_refused(draft, key, state, 422)
    except FieldConflict as err:
        db.session.rollback()
        field = services.resolve_field(draft, key)
        state = {"kind": "conflict", "theirs": shown(field, err.theirs),
                 "mine": _shown_typed(field, typed), "version": err.version, "typed": typed}
        return _field_refused(draft, key, state, 409)
    db.session.commit()
    if not web.wants_fragment():
        line_id = int(key.split(":")[1]) if key.startswith("line:") else None
        return _back_to_editor("f-" + key.replace(":", "-"), line_id)
    state = {"kind": result.warning} if result.warning else None
    return _fragment("budgets/_field_saved.html", key=key, version=result.version, state=state,
                     saved=True, draft=draft, changed=True)


def _field_refused(draft: Draft, key: str, state: dict[str, Any], status: int):
    if not web.wants_fragment():
        return web.render(fragments.EDITOR, status=status,
                          **fragments.editor_context(draft, states={key: state}))
    return _fragment("budgets/_field_saved.html", status, key=key, state=state, saved=False,
                     draft=draft)


@bp.get("/drafts/<int:draft_id>/fields")
@allow(CITIZEN)
def saved_field(draft_id: int):
    """One field as saved on the server, with its version ("use the saved one")."""
    draft = draft_or_404(draft_id, can_edit_draft)
    key = request.args.get("field", "")
    try:
        resolved = services.resolve_field(draft, key)
    except UnknownField:
        abort(404)
    return _fragment("budgets/_field.html", draft=draft, field=resolved,
                     versions=services.field_versions(draft), states={},
                     strategy_labels=labels.STRATEGY_LABELS)


@bp.post("/drafts/<int:draft_id>/lines")
@allow(CITIZEN)
def add_line(draft_id: int):
    """Add an empty budget line at the end of the list."""
    draft = _own_draft(draft_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    line = services.add_line(draft)
    db.session.commit()
    if not web.wants_fragment():
        return _back_to_editor(f"line-{line.id}", line.id)
    return _fragment("budgets/_line.html", draft=draft, line=line, new=True,
                     versions=services.field_versions(draft), states={}, changed=True)


@bp.get("/drafts/<int:draft_id>/lines/<int:line_id>")
@allow(CITIZEN)
def open_line(draft_id: int, line_id: int):
    """A folded budget line, opened: all its fields (htmx swaps it in for the folded one)."""
    draft = _own_draft(draft_id)
    line = _line_or_404(draft, line_id)
    if not web.wants_fragment():
        return _back_to_editor(f"line-{line.id}", line.id)
    return _fragment("budgets/_line.html", draft=draft, line=line, opened=True,
                     versions=services.line_versions(line), states={})


def _line_or_404(draft: Draft, line_id: int) -> BudgetLine:
    try:
        return services.line_of(draft, line_id)
    except UnknownField:
        abort(404)


@bp.post("/drafts/<int:draft_id>/lines/<int:line_id>/delete")
@allow(CITIZEN)
def delete_line(draft_id: int, line_id: int):
    """Remove a budget line (the citizen confirmed it in the line's "remove" panel)."""
    draft = _own_draft(draft_id)
    line = _line_or_404(draft, line_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_line(draft, line)
    db.session.commit()
    if not web.wants_fragment():
        return _back_to_editor("part-budget")
    return _fragment("budgets/_empty.html", changed=True)


@bp.post("/drafts/<int:draft_id>/lines/<int:line_id>/move")
@allow(CITIZEN)
def move_line(draft_id: int, line_id: int):
    """Move a line up or down. htmx gets 204 and moves the line in the page (autosave.js), so
    text being typed elsewhere is never re-rendered away."""
    draft = _own_draft(draft_id)
    line = _line_or_404(draft, line_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    services.move_line(draft, line, form.direction.data)
    db.session.commit()
    if not web.wants_fragment():
        return _back_to_editor(f"line-{line.id}", line.id)
    return "", 204


@bp.post("/drafts/<int:draft_id>/strategy/<kind>")
@allow(CITIZEN)
def add_strategy_item(draft_id: int, kind: str):
    """Add an item to one strategy list (continue / stop / start doing)."""
    draft = _own_draft(draft_id)
    try:
        strategy_kind = StrategyKind(kind)
    except ValueError:
        abort(404)
    form = StrategyItemForm()
    if not form.validate_on_submit():
        abort(400)
    typed = form.text.data or ""
    try:
        result = services.add_strategy_item(draft, strategy_kind, typed)
    except FieldInvalid as err:
        db.session.rollback()
        message = labels.error_message(err.code, **err.params)
        if not web.wants_fragment():
            context = fragments.editor_context(draft, add_errors={kind: (message, typed)})
            return web.render(fragments.EDITOR, status=422, **context)
        response = _fragment("budgets/_add_error.html", 422, message=message)
        response.headers["HX-Retarget"] = f"#add-{kind}-message"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    db.session.commit()
    if not web.wants_fragment():
        return _back_to_editor("part-strategy")
    item = services.strategy_item_of(draft, int(result.key.split(":")[1]))
    states = {result.key: {"kind": "cpr"}} if result.cpr_warning else {}
    return _fragment("budgets/_strategy_item.html", draft=draft, item=item, add_kind=kind,
                     versions=services.field_versions(draft), states=states,
                     strategy_labels=labels.STRATEGY_LABELS, changed=True)


@bp.post("/drafts/<int:draft_id>/strategy/items/<int:item_id>/delete")
@allow(CITIZEN)
def delete_strategy_item(draft_id: int, item_id: int):
    """Remove one item from a strategy list."""
    draft = _own_draft(draft_id)
    try:
        item = services.strategy_item_of(draft, item_id)
    except UnknownField:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_strategy_item(draft, item)
    db.session.commit()
    if not web.wants_fragment():
        return _back_to_editor("part-strategy")
    return _fragment("budgets/_empty.html", changed=True)


@bp.get("/drafts/<int:draft_id>/lines/<int:line_id>/theory")
@allow(CITIZEN)
def line_theory(draft_id: int, line_id: int):
    """One line's change theory on a page of its own (the workshop's phone form)."""
    draft = _own_draft(draft_id)
    line = _line_or_404(draft, line_id)
    return web.render("budgets/line_theory.html", draft=draft, line=line,
                           versions=services.field_versions(draft), states={})


# -- regions that follow every change -----------------------------------------------------------


@bp.get("/drafts/<int:draft_id>/totals")
@allow(CITIZEN, STAFF)
def totals(draft_id: int):
    """The total, what is left and any excess over the cap (re-fetched after each save)."""
    draft = draft_or_404(draft_id)
    return _fragment("budgets/_totals.html", draft=draft, totals=services.totals(draft))


@bp.get("/drafts/<int:draft_id>/checklist")
@allow(CITIZEN, STAFF)
def checklist(draft_id: int):
    """What is still missing before the plan can be submitted, and the deadline."""
    draft = draft_or_404(draft_id)
    return _fragment("budgets/_checklist.html", draft=draft,
                     check=services.completeness(draft))


# -- reading: staff and print --------------------------------------------------------------------


@bp.get("/drafts/<int:draft_id>")
@allow(STAFF, CITIZEN)
def view_draft(draft_id: int):
    """A draft in progress, read-only: for the owner's job consultant and the facilitators."""
    draft = draft_or_404(draft_id)
    if isinstance(current_user, Citizen):
        return redirect(url_for("budgets.my_draft"))
    streams = realtime.streams_for(current_user)  # live: the sparring threads
    return web.render("budgets/view.html", streams=streams,
                      **fragments.view_context(draft, can_comment=True))


@bp.get("/drafts/<int:draft_id>/print")
@allow(STAFF, CITIZEN)
def print_draft(draft_id: int):
    """The whole plan on A4: the consultant's decision basis, and the citizen's own copy."""
    draft = draft_or_404(draft_id)
    back = (url_for("budgets.my_draft") if isinstance(current_user, Citizen)
            else url_for("budgets.view_draft", draft_id=draft.id))
    return web.render("budgets/print.html", **fragments.view_context(draft),
                           back_url=back, printed_on=local_today())


# -- attachments of budget lines ------------------------------------------------------------


def same_site_referrer() -> str | None:
    """The page the request came from, as a local path — never a redirect to another site."""
    parts = urlsplit(request.referrer or "")
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return None
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


def back_to_draft(anchor: str | None = None) -> str:
    """Where a request without JavaScript goes back to: the citizen's draft editor.

    Falls back to the page the form was on (a staff view of the draft) and then the start page.
    """
    try:
        return url_for("budgets.my_draft", _anchor=anchor)
    except BuildError:
        back = same_site_referrer()
        if back is not None:
            return back + (f"#{anchor}" if anchor else "")
        return url_for("people.start")


def _line_or_404(draft: Draft, line_id: int) -> BudgetLine:
    line = db.session.get(BudgetLine, line_id)
    if line is None or line.draft_id != draft.id:
        abort(404)
    return line


def _answer(line: BudgetLine, *, status: int = 200, message: str | None = None,
            error: str | None = None):
    """The line's fragment for htmx (the status or error shown in it); otherwise a redirect."""
    if web.wants_fragment():
        return web.render(None, fragments.ATTACHMENTS, status=status, attachment_status=message,
                          attachment_error=error, **fragments.attachments_context(line))
    if error:
        flash(error, "error")
    elif message:
        flash(message)
    return redirect(back_to_draft(f"attachments-{line.id}"), 303)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """A body over Flask's ``MAX_CONTENT_LENGTH``: say what the attachment limit is."""
    if request.endpoint == "budgets.upload_attachment":
        return error_response(413, labels.attachment_message("too_large"))
    return error_response(413)


@bp.post("/drafts/<int:draft_id>/lines/<int:line_id>/attachments")
@allow(CITIZEN)
def upload_attachment(draft_id: int, line_id: int):
    """Attach a PDF, JPEG or PNG to one of the citizen's own budget lines."""
    draft = writable_draft_or_404(draft_id)
    line = _line_or_404(draft, line_id)
    upload = request.files.get("file")
    chosen = upload is not None and bool(upload.filename)
    try:
        attachment = files.add_attachment(
            line, upload.stream if chosen else None, upload.filename if chosen else None,
            max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"], fallback_name=_("attachment"))
    except files.AttachmentError as refused:
        db.session.rollback()
        message = labels.attachment_message(refused.code)
        if refused.code == "too_large":
            return error_response(413, message)
        return _answer(line, status=422, error=message)
    storage_name, name = attachment.storage_name, attachment.original_name
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        files.discard_file(storage_name)
        raise
    return _answer(line, message=_("Attached: %(name)s", name=name))


@bp.get("/attachments/<int:attachment_id>")
@allow(CITIZEN, STAFF)
def download_attachment(attachment_id: int):
    """Send an attachment as a download, only to those who may see the draft in progress.

    Always a download (``Content-Disposition: attachment``) of the type found at upload, with
    ``nosniff``, so no browser ever renders an uploaded file as a page of Teten.
    """
    attachment = files.attachment_or_none(attachment_id)
    if attachment is None or not can_see_draft(attachment.line.draft):
        abort(404)
    path = files.path_of(attachment)
    if not path.is_file():
        current_app.logger.error("attachment %s has no file", attachment.id)
        abort(404)
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name, conditional=False, etag=False,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/attachments/<int:attachment_id>/delete")
@allow(CITIZEN)
def delete_attachment(attachment_id: int):
    """The owner removes an attachment: its row, and its file once that is committed."""
    attachment = files.attachment_or_none(attachment_id)
    if attachment is None or not can_edit_draft(attachment.line.draft):
        abort(404)
    ensure_writable(attachment.line.draft)
    line, name = attachment.line, attachment.original_name
    files.delete_attachment(attachment)
    db.session.commit()
    return _answer(line, message=_("Removed: %(name)s", name=name))


# -- sparring: the citizen and their job consultant ---------------------------------------------


def _anchor_line(draft: Draft, raw: str) -> BudgetLine | None:
    """The budget line a message is anchored to; a line of another draft is a 404."""
    raw = raw.strip()
    if not raw:
        return None
    line_id = web.as_id(raw)
    if line_id is None:
        abort(404)
    line = db.session.get(BudgetLine, line_id)
    if line is None or line.draft_id != draft.id:
        abort(404)
    return line


@bp.get("/drafts/<int:draft_id>/comments")
@allow(CITIZEN, STAFF)
def draft_comments(draft_id: int):
    """The sparring threads on a draft, for those who may read it: the threads for htmx (and
    a screen re-reading its region), else a small page with the form."""
    draft = draft_or_404(draft_id, can_see_draft)
    return web.render("budgets/comments.html", fragments.THREAD,
                      **fragments.comments_context(draft, can_comment=True))


@bp.post("/drafts/<int:draft_id>/comments")
@allow(CITIZEN, STAFF)
def add_draft_comment(draft_id: int):
    """The citizen or their own job consultant writes in the thread on the draft or on one
    of its lines; the other side sees it live and is notified.

    Anyone else who may read the draft is refused (403); anyone who may not see it gets a 404.
    A refusal says why beside the form and keeps the text in it.
    """
    draft = draft_or_404(draft_id, can_see_draft)
    line = _anchor_line(draft, request.form.get("line_id", ""))
    text = request.form.get("text", "")
    author = current_user._get_current_object()
    try:
        comment = sparring.add_comment(draft, author, text, line)
    except sparring.CommentError as refused:
        message = labels.comment_message(refused.code)
        return web.refuse(
            message, 403 if refused.code == "not_yours" else 422,
            slot=f"draft-comments-{draft.id}-message",
            page=lambda: render_template(
                "budgets/comments.html", **fragments.comments_context(draft, can_comment=True),
                comment_error=message, comment_text=text,
                comment_line_id=line.id if line else None))
    rooms = [room for _receiver, more in signals.comment_added.send(draft, comment=comment)
             for room in more or ()]
    pushes.push_thread(draft, *rooms)
    realtime.commit_and_push()
    if web.wants_fragment():
        return web.render(None, fragments.THREAD, **fragments.thread_context(draft))
    flash(_("Your message is sent."))
    back = same_site_referrer() or url_for("budgets.draft_comments", draft_id=draft.id)
    return redirect(f"{back}#draft-comments-{draft.id}", 303)
