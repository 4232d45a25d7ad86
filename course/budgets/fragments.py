"""The budget tool's fragments and the context builder of each, used by its routes and by the
pages of other features that include them; and its part of other features' pages (see
:data:`course.web.page_parts`)."""

from __future__ import annotations

from typing import Any

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from course import web
from course.budgets import files, labels, services, sparring
from course.budgets.access import can_edit_draft, can_see_draft_in_progress
from course.budgets.models import BudgetLine, Draft
from course.money import format_amount
from course.people.models import Citizen
from course.people.services import cpr_shaped

EDITOR = "budgets/editor.html"
ATTACHMENTS = "budgets/_attachments.html"
COMMENTS = "budgets/_comments.html"
THREAD = "budgets/_thread.html"

#: A plan with more budget lines than this shows each line folded (its title, price and what
#: it still lacks) until it is opened: a list to find one's way in on a phone, and a page that
#: does not grow by a whole form per line.
OPEN_LINES_MAX = 5


def editor_context(draft: Draft, **extra: Any) -> dict[str, Any]:
    """The citizen's editor: the four parts with their fields' versions, totals, checklist,
    the sparring comments, and what the features above show in it (the case's send-back
    note, the rounds' feedback)."""
    context = {
        "draft": draft,
        "versions": services.field_versions(draft),
        "states": {},
        "totals": services.totals(draft),
        "check": services.completeness(draft),
        "strategy": services.strategy_lists(draft),
        "strategy_labels": labels.STRATEGY_LABELS,
        "attachments_editable": attachments_editable(draft),
        **comments_context(draft, can_comment=True),
        **web.parts_of("budgets.draft", draft=draft),
        **extra,
    }
    context["open_lines"] = _open_lines(draft, context["states"])
    return context


def view_context(draft: Draft, *, can_comment: bool = False) -> dict[str, Any]:
    """A draft read by staff (the view page and the print view); ``can_comment`` where the
    page offers the comment form."""
    return {"draft": draft, "totals": services.totals(draft),
            "check": services.completeness(draft), "strategy": services.strategy_lists(draft),
            "strategy_labels": labels.STRATEGY_LABELS,
            **comments_context(draft, can_comment=can_comment),
            **web.parts_of("budgets.draft", draft=draft)}


def _open_lines(draft: Draft, states: dict[str, Any]) -> set[int] | None:
    """The ids of the lines the editor shows unfolded, ``None`` for all of them: the line asked
    for (``?open=<id>``, where a page without JavaScript lands) and any line with a refused
    save to show."""
    if len(draft.lines) <= OPEN_LINES_MAX:
        return None
    opened = {int(key.split(":")[1]) for key in states if key.startswith("line:")}
    asked = request.args.get("open", type=int)
    if asked is not None:
        opened.add(asked)
    return opened


def attachments_editable(draft: Draft) -> bool:
    """Whether the current person may upload to and delete from the draft's lines (its owner,
    while it is not submitted): a form is never shown to someone the route would refuse."""
    return can_edit_draft(draft) and draft.locked_at is None


def attachments_context(line: BudgetLine) -> dict[str, Any]:
    """One line's attachments, as its upload and delete answer with them."""
    return {"line": line, "can_edit": True, "attachments_editable":
            attachments_editable(line.draft)}


def comments_context(draft: Draft, *, can_comment: bool = False) -> dict[str, Any]:
    """The sparring on a draft: its threads, and ``may_comment`` where the page offers the
    form (``can_comment``) and the reader is one of the two sides while the draft is open;
    ``thread_closed`` where a side would write but the draft is handed in or decided."""
    side = sparring.is_a_side(draft, current_user)
    return {**thread_context(draft),
            "may_comment": can_comment and side and sparring.is_open(draft),
            "thread_closed": can_comment and side and not sparring.is_open(draft),
            "writer_is_citizen": isinstance(current_user, Citizen)}


def thread_context(draft: Draft) -> dict[str, Any]:
    """A draft's threads as every reader sees them (what the push renders once per room)."""
    return {"draft": draft, "threads": sparring.threads_of(draft)}


# -- template helpers: pure, no database ------------------------------------------------------


def amount_input(amount: int | None) -> str:
    """An amount as the citizen edits it: ``12.500`` (the ``kr.`` stands beside the box)."""
    return "" if amount is None else format_amount(amount).removesuffix(" kr.")


def save_field_url(draft_id: int) -> str:
    """Where a field of the draft saves to (built once per request: the editor asks per field)."""
    cache = g.setdefault("teten_save_urls", {})
    if draft_id not in cache:
        cache[draft_id] = url_for("budgets.save_field", draft_id=draft_id)
    return cache[draft_id]


def field_messages() -> Markup:
    """The autosave status texts as ``data-msg-*`` attributes of the fields' holder."""
    texts = {"saving": _("Saving…"), "retrying": _("Not saved – retrying"),
             "failed": _("Not saved")}
    return Markup(" ".join(f'data-msg-{k}="{escape(v)}"' for k, v in texts.items()))


def line_url(endpoint: str, draft_id: int, line_id: int) -> str:
    """A budget line's URL (``budgets.open_line``, ``budgets.move_line``): the route is built
    once per request and draft, the line's id put in — the editor of a long plan asks for
    three URLs per line, ≈ 10 µs each through ``url_for``."""
    cache = g.setdefault("teten_line_urls", {})
    key = (endpoint, draft_id)
    if key not in cache:
        head, found, tail = url_for(endpoint, draft_id=draft_id, line_id=0).rpartition("/lines/0")
        cache[key] = (head + "/lines/", tail) if found else None
    parts = cache[key]
    if parts is None:
        return url_for(endpoint, draft_id=draft_id, line_id=line_id)
    return f"{parts[0]}{line_id}{parts[1]}"


def opened_line_url(line_id: int) -> str:
    """The editor with one line open (``?open=<id>``, where a page without JavaScript lands),
    the editor's URL built once per request."""
    base = g.get("teten_editor_url")
    if base is None:
        base = g.teten_editor_url = url_for("budgets.my_draft")
    return f"{base}?open={line_id}"


FILTERS = {"amount_input": amount_input}
GLOBALS = {
    "cpr_shaped": cpr_shaped,
    "attachment_accept": files.ACCEPT,
    "max_comment_length": sparring.MAX_COMMENT,
    "save_field_url": save_field_url,
    "line_url": line_url,
    "opened_line_url": opened_line_url,
    "field_messages": field_messages,
}


# -- the budget tool's part of other features' pages -------------------------------------------


def citizen_page_part(_page: str, *, citizen: Citizen) -> dict[str, Any]:
    """The participant page (schedule) says whether the citizen has started a plan, and links
    to it for those who follow the citizen."""
    draft = services.draft_of(citizen)
    return {"draft": draft if draft and can_see_draft_in_progress(draft) else None,
            "draft_started": draft is not None}
