"""Sparring comments on a draft in progress: the job consultant writes, the citizen reads.

The draft editor (and the consultant's view of a draft) include ``budgets/_comments.html``
with ``draft`` and ``can_comment``. With htmx the comment form answers with that fragment;
without JavaScript a comment redirects back to the page it was written on, and a refused one
(empty, too long) comes back as a page with the typed text kept and the reason beside it.
"""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    render_template_string,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from course.access import CITIZEN, STAFF, allow
from course.budgets import bp, sparring
from course.budgets.access import draft_or_404
from course.budgets.attachments import same_site_referrer, wants_fragment
from course.budgets.models import BudgetLine, Draft
from course.extensions import db

FRAGMENT = "budgets/_comments.html"
#: The page around the fragment for a browser without JavaScript (a refused comment, or the
#: comments on their own). The editor's pages include the same fragment.
PAGE = """{% extends "layouts/office.html" if current_user.is_staff else "layouts/phone.html" %}
{% set live = false %}
{% block title %}{{ _('Sparring') }} · Teten{% endblock %}
{% block main %}{% include "budgets/_comments.html" %}{% endblock %}"""

bp.add_app_template_global(sparring.comments_of, "draft_comments")
bp.add_app_template_global(sparring.can_comment_on_draft, "can_comment_on_draft")
bp.add_app_template_global(sparring.MAX_COMMENT, "max_comment_length")


def _messages() -> dict[str, str]:
    return {
        "empty": _("Write a comment before you send it."),
        "too_long": _("The comment is too long: at most %(max)d characters.",
                      max=sparring.MAX_COMMENT),
    }


def _render(draft: Draft, *, status: int = 200, **context: Any):
    """The comments fragment for htmx, else the small page around it."""
    context = {"draft": draft, "can_comment": sparring.can_comment_on_draft(draft), **context}
    if wants_fragment():
        body = render_template(FRAGMENT, **context)
    else:
        body = render_template_string(PAGE, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def _anchor_line(draft: Draft, raw: str) -> BudgetLine | None:
    """The budget line a comment is anchored to; a line of another draft is a 404."""
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit():
        abort(404)
    line = db.session.get(BudgetLine, int(raw))
    if line is None or line.draft_id != draft.id:
        abort(404)
    return line


@bp.get("/drafts/<int:draft_id>/comments")
@allow(CITIZEN, STAFF)
def draft_comments(draft_id: int):
    """The sparring comments on a draft, for those who may see the draft in progress."""
    draft = draft_or_404(draft_id)
    return _render(draft)


@bp.post("/drafts/<int:draft_id>/comments")
@allow(STAFF)
def add_draft_comment(draft_id: int):
    """The citizen's own job consultant comments on the draft or on one of its lines.

    Facilitators and the team lead may read the draft but not comment (403); anyone who may
    not see it gets a 404.
    """
    draft = draft_or_404(draft_id)
    if not sparring.can_comment_on_draft(draft):
        abort(403)
    line = _anchor_line(draft, request.form.get("line_id", ""))
    text = request.form.get("text", "")
    try:
        sparring.add_comment(draft, current_user._get_current_object(), text, line)
    except sparring.CommentError as refused:
        db.session.rollback()
        return _render(draft, status=422, comment_error=_messages()[refused.code],
                       comment_text=text, comment_line_id=line.id if line else None)
    db.session.commit()
    message = _("Your comment is sent.")
    if wants_fragment():
        return _render(draft, comment_status=message)
    flash(message)
    back = same_site_referrer() or url_for("budgets.draft_comments", draft_id=draft.id)
    return redirect(f"{back}#draft-comments-{draft.id}", 303)
