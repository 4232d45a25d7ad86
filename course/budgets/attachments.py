"""Attachments of budget lines: upload, download and delete (the rules are in ``files``).

The upload form sits inside each budget line of the draft editor (``budgets/_attachments.html``,
included once per line). With htmx a request answers with that line's fragment, so whatever
else the citizen has typed on the page stays where it is; without JavaScript it redirects back
to the draft with a flashed message. A file that is too large is a 413 with a translated text
(htmx shows it without touching the page).
"""

from __future__ import annotations

import math
from urllib.parse import urlsplit, urlunsplit

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from htmx_flask import request as htmx_request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BuildError

from course.access import CITIZEN, STAFF, allow
from course.budgets import bp, files
from course.budgets.access import (
    can_edit_draft,
    can_see_draft,
    ensure_writable,
    writable_draft_or_404,
)
from course.budgets.models import BudgetLine, Draft
from course.errors import error_response
from course.extensions import db

FRAGMENT = "budgets/_attachments.html"


def file_size(size: int) -> str:
    """``340 kB`` or ``2,4 MB`` (Danish decimals), as a person reads a file's size."""
    if size < 1024 * 1024:
        return _("%(n)s kB", n=format_decimal(max(1, math.ceil(size / 1024))))
    return _("%(n)s MB", n=format_decimal(round(size / 1024 / 1024, 1), format="#,##0.#"))


def max_attachment_size() -> str:
    """The upload limit (``ATTACHMENT_MAX_BYTES``) as a person reads it: ``10 MB``."""
    return file_size(current_app.config["ATTACHMENT_MAX_BYTES"])


# The partial is included by the draft editor, which knows nothing of these.
bp.add_app_template_filter(file_size, "file_size")
bp.add_app_template_global(max_attachment_size, "max_attachment_size")
bp.add_app_template_global(files.ACCEPT, "attachment_accept")


@bp.app_template_global("may_edit_attachments")
def may_edit_attachments(line: BudgetLine) -> bool:
    """Whether the current person may upload to and delete from ``line`` (its draft's owner).

    The partial asks this as well as trusting its ``can_edit``: a form is never shown to
    someone the route would refuse.
    """
    return can_edit_draft(line.draft) and line.draft.locked_at is None


def wants_fragment() -> bool:
    """A non-boosted htmx request gets the fragment; anything else a page or a redirect."""
    return bool(htmx_request.htmx) and not htmx_request.htmx.boosted


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


def _messages() -> dict[str, str]:
    return {
        "missing": _("Choose a file first."),
        "empty": _("The file is empty. Choose another one."),
        "too_large": _("The file is too large: at most %(size)s.", size=max_attachment_size()),
        "type": _("Only PDF, JPEG and PNG files can be attached, and this file is none of them "
                  "— whatever its name says. Save it as a PDF or take a picture of it."),
        "unreadable_image": _("The picture could not be read. Take it again, or save it as "
                              "a PDF."),
        "too_many_pixels": _("The picture has too many pixels. Take it at a lower resolution "
                             "or send a screenshot."),
    }


def _line_or_404(draft: Draft, line_id: int) -> BudgetLine:
    line = db.session.get(BudgetLine, line_id)
    if line is None or line.draft_id != draft.id:
        abort(404)
    return line


def _answer(line: BudgetLine, *, status: int = 200, message: str | None = None,
            error: str | None = None):
    """The line's fragment for htmx (the status or error shown in it); otherwise a redirect."""
    if wants_fragment():
        response = make_response(render_template(
            FRAGMENT, line=line, can_edit=True, attachment_status=message,
            attachment_error=error), status)
    else:
        if error:
            flash(error, "error")
        elif message:
            flash(message)
        response = redirect(back_to_draft(f"attachments-{line.id}"), 303)
    response.vary.add("HX-Request")
    return response


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """A body over Flask's ``MAX_CONTENT_LENGTH``: say what the attachment limit is."""
    if request.endpoint == "budgets.upload_attachment":
        return error_response(413, _messages()["too_large"])
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
        message = _messages()[refused.code]
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

