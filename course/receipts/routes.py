"""The receipts on the web: the citizen hands one in from the phone (a photo or a PDF); the
job consultant or the finance office looks at it (through an access-checked route, never a
public URL), accepts it or asks for it again, and marks a missing or refused one as a
repayment claim; the team lead sets the days to hand one in."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from course import realtime, web
from course.access import CITIZEN, FINANCE, JOB_CONSULTANT, TEAM_LEAD, allow
from course.approvals import fragments as approval_fragments
from course.approvals import pushes as approval_pushes
from course.approvals import services as approvals
from course.approvals.models import Case
from course.budgets import files
from course.extensions import db
from course.payouts import fragments as payout_fragments
from course.payouts.access import is_finance
from course.receipts import access, fragments, labels, services

bp = Blueprint("receipts", __name__)

DECIDING = (JOB_CONSULTANT, TEAM_LEAD, FINANCE)


def _commit(case: Case, *, by_citizen: bool = False) -> None:
    """Commit, then push and mail the notices the step made (a link only). After a staff
    member's step the citizen's plan page refetches its outcome region (their receipts are in
    it); the citizen's own upload answers with its receipt instead."""
    notices = approvals.pending_notices()
    approval_pushes.push_notices(notices)
    if not by_citizen:
        realtime.refetch_to(realtime.citizen_room(case.citizen_id), "my-plan-outcome")
    realtime.commit_and_push()
    approval_pushes.mail_notices(notices)


# -- the citizen --------------------------------------------------------------------------------


def _my_plan_page(case: Case, errors: dict[int, str]) -> Response:
    """The plan page again (without JavaScript), the refused receipt saying why."""
    return web.render("approvals/my_plan.html", streams=realtime.streams_for(current_user),
                      **{**approval_fragments.my_outcome_context(case),
                         **fragments.mine_context(case, errors=errors)})


@bp.post("/me/receipts/<int:receipt_id>")
@allow(CITIZEN)
def upload(receipt_id: int):
    """Hand in a receipt: a photo taken on the phone, or a PDF."""
    case, receipt = access.own_receipt_or_404(receipt_id)
    chosen = request.files.get("file")
    chosen = chosen if chosen is not None and chosen.filename else None
    try:
        row = services.upload(
            case, current_user, receipt.id, chosen.stream if chosen else None,
            chosen.filename if chosen else None,
            max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"], fallback_name=_("receipt"))
    except (services.ReceiptError, files.AttachmentError) as err:
        approvals.pending_notices()
        message = (labels.error_message(err) if isinstance(err, services.ReceiptError)
                   else labels.upload_message(err.code))
        return web.refuse(message, slot=f"receipt-{receipt_id}-message",
                          page=lambda: _my_plan_page(access.own_case_or_404(),
                                                     {receipt_id: message}))
    storage_name = row.storage_name
    try:
        _commit(case, by_citizen=True)
    except Exception:
        db.session.rollback()
        files.discard_file(storage_name)
        raise
    if not web.wants_fragment():
        flash(_("Thank you: the receipt is handed in."), "success")
        return redirect(url_for("approvals.my_plan", _anchor=f"receipt-{receipt_id}"), 303)
    view = next(v for v in services.views_of(case) if v.id == receipt_id)
    return web.render(None, fragments.MY_RECEIPT, r=view, error="",
                      done=_("Thank you: the receipt is handed in."))


@bp.get("/receipts/files/<int:upload_id>")
@allow(CITIZEN, *DECIDING)
def file(upload_id: int):
    """A receipt's file, to its citizen and the staff who decide on it. A photo is shown in
    the page (it was decoded and encoded again at upload: no metadata, no script); a PDF is
    always a download. ``nosniff`` and ``no-store`` either way."""
    upload = access.upload_or_404(upload_id)
    path = files.path_for(upload.storage_name)
    if not path.is_file():
        current_app.logger.error("receipt upload %s has no file", upload.id)
        abort(404)
    response = send_file(path, mimetype=upload.content_type,
                         as_attachment=not upload.is_picture,
                         download_name=upload.original_name, conditional=False, etag=False,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the job consultant and the finance office ------------------------------------------------


def _case_page(case: Case, **receipts: Any) -> Response:
    """The page the deciding person works on (finance's payout page, or the consultant's case
    page), its receipts as given (a refusal's message and what was typed)."""
    if is_finance():
        return web.render("payouts/case.html", **{**payout_fragments.case_context(case),
                                                   **fragments.case_context(case, **receipts)})
    return web.render("approvals/case.html", streams=realtime.streams_for(current_user),
                      **approval_fragments.case_context(
                          case, **fragments.case_context(case, **receipts)))


def _decided(case: Case) -> Response:
    _commit(case)
    if not web.wants_fragment():
        endpoint = "payouts.case_page" if is_finance() else "approvals.case_page"
        return redirect(url_for(endpoint, case_id=case.id, _anchor=f"receipts-{case.id}"), 303)
    return web.render(None, fragments.CASE, **fragments.case_context(case))


@bp.post("/cases/<int:case_id>/receipts/<int:receipt_id>/review")
@allow(*DECIDING)
def review(case_id: int, receipt_id: int):
    """Accept the receipt handed in, or ask for it again with the reason."""
    case = access.staff_case_or_404(case_id)
    form = request.form
    upload_id = form.get("upload_id", "")
    reason = form.get("reason", "")
    try:
        services.review(case, current_user, receipt_id,
                        int(upload_id) if upload_id.isdigit() else None,
                        form.get("verdict", ""), reason)
    except services.ReceiptError as err:
        approvals.pending_notices()
        message = labels.error_message(err)
        slot = f"receipt-{receipt_id}-review"
        return web.refuse(message, slot=f"{slot}-message", page=lambda: _case_page(
            access.staff_case_or_404(case_id), errors={slot: message},
            typed={f"{slot}-reason": reason}))
    return _decided(case)


@bp.post("/cases/<int:case_id>/receipts/<int:receipt_id>/claim")
@allow(*DECIDING)
def claim(case_id: int, receipt_id: int):
    """Record a repayment claim for a missing or refused receipt: the amount and the reason."""
    case = access.staff_case_or_404(case_id)
    amount, reason = request.form.get("amount", ""), request.form.get("reason", "")
    try:
        services.claim(case, current_user, receipt_id, amount, reason)
    except services.ReceiptError as err:
        message = labels.error_message(err)
        slot = f"receipt-{receipt_id}-claim"
        return web.refuse(message, slot=f"{slot}-message", page=lambda: _case_page(
            access.staff_case_or_404(case_id), errors={slot: message},
            typed={f"{slot}-amount": amount, f"{slot}-reason": reason}))
    return _decided(case)


# -- the setting ------------------------------------------------------------------------------


@bp.post("/settings/receipt-days")
@allow(TEAM_LEAD)
def save_days():
    """The days a citizen has to hand in a receipt, for transfers recorded from now on."""
    typed = request.form.get("days", "")
    try:
        services.set_receipt_days(current_user, typed)
    except services.ReceiptError as err:
        message = labels.error_message(err)
        return web.refuse(message, slot="receipt-days-message", page=lambda: web.render(
            "approvals/settings.html", **approval_fragments.settings_context(
                **fragments.settings_context(typed=typed, error=message))))
    db.session.commit()
    flash(_("The receipt deadline is saved. Transfers recorded from now on get it."), "success")
    return redirect(url_for("approvals.settings", _anchor="receipt-days"), 303)
