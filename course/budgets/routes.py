"""Budget tool views: the citizen's editor, the staff read view and the A4 print view.

The editor is a page of small autosaving forms, one per field. A save (``save_field``) answers
with the field's status for its ``role=status`` slot, and out-of-band with the field's new
version and its message slot; the typed text itself is never swapped, so nothing moves under
the citizen's fingers. A stale save of the same field is a 409 whose message slot shows both
texts with "keep mine" / "use the saved one"; a refused value is a 422 with the reason. After a
successful change the response triggers ``budget-changed``, and the regions that show totals
and the checklist re-fetch themselves (so pages without them, like the workshop, need nothing).

Without JavaScript every form still posts: success redirects back to the editor, a refusal
renders the editor with the typed text and the message in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from htmx_flask import request as htmx_request
from markupsafe import Markup, escape

from course.access import CITIZEN, STAFF, allow
from course.budgets import bp, labels, services
from course.budgets.access import can_edit_draft, draft_or_404, writable_draft_or_404
from course.budgets.forms import ConfirmForm, FieldSaveForm, MoveForm, StrategyItemForm
from course.budgets.models import BudgetLine, Category, Draft, StrategyKind
from course.budgets.services import FieldConflict, FieldInvalid, UnknownField
from course.extensions import db
from course.i18n import kroner, long_date
from course.money import format_amount
from course.people.models import Citizen, Staff
from course.people.services import cpr_shaped, local_today

EDITOR = "budgets/editor.html"
CHANGED = "budget-changed"

bp.add_app_template_global(cpr_shaped, "cpr_shaped")
bp.add_app_template_global(services.field_versions, "field_versions")


def _per_request(key: str, make: Callable[[], Any]) -> Any:
    """A value computed once per request (the editor asks for it once per budget line)."""
    cache = g.setdefault("teten_per_request", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


@bp.app_template_global()
def save_field_url(draft_id: int) -> str:
    return _per_request(f"save:{draft_id}",
                        lambda: url_for("budgets.save_field", draft_id=draft_id))


@bp.app_template_global()
def field_messages() -> Markup:
    """The autosave status texts as ``data-msg-*`` attributes of the fields' holder."""
    texts = {"saving": _("Saving…"), "retrying": _("Not saved – retrying"),
             "failed": _("Not saved")}
    return Markup(" ".join(f'data-msg-{k}="{escape(v)}"' for k, v in texts.items()))


@bp.app_template_filter("amount_input")
def amount_input(amount: int | None) -> str:
    """An amount as the citizen edits it: ``12.500`` (the ``kr.`` stands beside the box)."""
    return "" if amount is None else format_amount(amount).removesuffix(" kr.")


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


#: A plan with more budget lines than this shows each line folded (its title, price and what
#: it still lacks) until it is opened: a list to find one's way in on a phone, and a page that
#: does not grow by a whole form per line.
OPEN_LINES_MAX = 5


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


def _editor_context(draft: Draft, **extra: Any) -> dict[str, Any]:
    context = {
        "draft": draft,
        "versions": services.field_versions(draft),
        "states": {},
        "totals": services.totals(draft),
        "check": services.completeness(draft),
        "strategy": services.strategy_lists(draft),
        "strategy_labels": labels.STRATEGY_LABELS,
        "live": False,
        **extra,
    }
    context["open_lines"] = _open_lines(draft, context["states"])
    return context


def _fragment(template: str, status: int = 200, *, changed: bool = False, **context: Any):
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    if changed:
        response.headers["HX-Trigger"] = CHANGED
    return response


def _back_to_editor(anchor: str = "", line_id: int | None = None):
    """Back to the editor (a page without JavaScript), at ``anchor``, with ``line_id`` open."""
    target = url_for("budgets.my_draft", open=line_id)
    return redirect(target + (f"#{anchor}" if anchor else ""))


def _wants_fragment() -> bool:
    return bool(htmx_request.htmx) and not htmx_request.htmx.boosted


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
    return render_template(EDITOR, **_editor_context(draft))


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
    if not _wants_fragment():
        line_id = int(key.split(":")[1]) if key.startswith("line:") else None
        return _back_to_editor("f-" + key.replace(":", "-"), line_id)
    state = {"kind": "cpr"} if result.cpr_warning else None
    return _fragment("budgets/_field_saved.html", key=key, version=result.version, state=state,
                     saved=True, draft=draft, changed=True)


def _field_refused(draft: Draft, key: str, state: dict[str, Any], status: int):
    if not _wants_fragment():
        return render_template(EDITOR, **_editor_context(draft, states={key: state})), status
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
    if not _wants_fragment():
        return _back_to_editor(f"line-{line.id}", line.id)
    return _fragment("budgets/_line.html", draft=draft, line=line, new=True,
                     versions=services.field_versions(draft), states={}, changed=True)


@bp.get("/drafts/<int:draft_id>/lines/<int:line_id>")
@allow(CITIZEN)
def open_line(draft_id: int, line_id: int):
    """A folded budget line, opened: all its fields (htmx swaps it in for the folded one)."""
    draft = _own_draft(draft_id)
    line = _line_or_404(draft, line_id)
    if not _wants_fragment():
        return _back_to_editor(f"line-{line.id}", line.id)
    return _fragment("budgets/_line.html", draft=draft, line=line, opened=True,
                     versions=services.field_versions(draft), states={})


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
    if not _wants_fragment():
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
    if not _wants_fragment():
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
        if not _wants_fragment():
            context = _editor_context(draft, add_errors={kind: (message, typed)})
            return render_template(EDITOR, **context), 422
        response = _fragment("budgets/_add_error.html", 422, message=message)
        response.headers["HX-Retarget"] = f"#add-{kind}-message"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    db.session.commit()
    if not _wants_fragment():
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
    if not _wants_fragment():
        return _back_to_editor("part-strategy")
    return _fragment("budgets/_empty.html", changed=True)


@bp.get("/drafts/<int:draft_id>/lines/<int:line_id>/theory")
@allow(CITIZEN)
def line_theory(draft_id: int, line_id: int):
    """One line's change theory on a page of its own (the workshop's phone form)."""
    draft = _own_draft(draft_id)
    line = _line_or_404(draft, line_id)
    return render_template("budgets/line_theory.html", draft=draft, line=line,
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


def _can_comment(draft: Draft) -> bool:
    """The citizen's own job consultant spars with them on the draft in progress."""
    return isinstance(current_user, Staff) and draft.citizen.job_consultant_id == current_user.id


@bp.get("/drafts/<int:draft_id>")
@allow(STAFF, CITIZEN)
def view_draft(draft_id: int):
    """A draft in progress, read-only: for the owner's job consultant and the facilitators."""
    draft = draft_or_404(draft_id)
    if isinstance(current_user, Citizen):
        return redirect(url_for("budgets.my_draft"))
    return render_template("budgets/view.html", draft=draft, totals=services.totals(draft),
                           check=services.completeness(draft),
                           strategy=services.strategy_lists(draft),
                           strategy_labels=labels.STRATEGY_LABELS, can_comment=_can_comment(draft))


@bp.get("/drafts/<int:draft_id>/print")
@allow(STAFF, CITIZEN)
def print_draft(draft_id: int):
    """The whole plan on A4: the consultant's decision basis, and the citizen's own copy."""
    draft = draft_or_404(draft_id)
    back = (url_for("budgets.my_draft") if isinstance(current_user, Citizen)
            else url_for("budgets.view_draft", draft_id=draft.id))
    return render_template("budgets/print.html", draft=draft, totals=services.totals(draft),
                           back_url=back, printed_on=local_today(),
                           check=services.completeness(draft),
                           strategy=services.strategy_lists(draft),
                           strategy_labels=labels.STRATEGY_LABELS)
