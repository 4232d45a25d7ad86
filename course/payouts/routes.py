"""The finance office's pages: the team's approved cases with approved / paid / left, and one
case's payouts, recorded per approved line and corrected by reversing entries.

Only ``FINANCE`` reaches these (fail closed); a case that is not the team's approved one is 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request, url_for
from flask_login import current_user

from course import realtime, web
from course.access import FINANCE, allow
from course.approvals.models import Case
from course.payouts import fragments, labels, pushes, services
from course.payouts.access import finance_case_or_404

bp = Blueprint("payouts", __name__)


@bp.get("/payouts")
@allow(FINANCE)
def overview():
    """The team's approved cases with approved / paid / left; ``?unpaid=1``: only those not
    fully paid."""
    context = fragments.overview_context(current_user.team_id,
                                         not_fully_paid=request.args.get("unpaid") == "1")
    return web.render("payouts/overview.html", fragments.OVERVIEW, **context)


@bp.get("/payouts/cases/<int:case_id>")
@allow(FINANCE)
def case_page(case_id: int):
    """One approved case's lines, what has been paid on each and what is left."""
    case = finance_case_or_404(case_id)
    return web.render("payouts/case.html", fragments.CASE, **fragments.case_context(case))


def _done(case: Case) -> Response:
    """Commit, push, and answer with the case's region (the page, without JavaScript)."""
    pushes.push_payouts(case)
    realtime.commit_and_push()
    if not web.wants_fragment():
        return redirect(url_for("payouts.case_page", case_id=case.id), 303)
    return web.render(None, fragments.CASE, **fragments.case_context(case))


@bp.post("/payouts/cases/<int:case_id>/lines/<int:line_id>")
@allow(FINANCE)
def record(case_id: int, line_id: int):
    """Record a payout on one approved line; a refusal says why beside the line's form and
    keeps what was typed."""
    case = finance_case_or_404(case_id)
    form = request.form
    entry = services.Entry(amount=form.get("amount", ""), paid_on=form.get("paid_on", ""),
                           received_on=form.get("received_on", ""),
                           supplier=form.get("supplier", ""),
                           invoice_number=form.get("invoice_number", ""))
    try:
        services.record(case, current_user, line_id, entry)
    except services.PayoutError as err:
        message = labels.error_message(err)
        return web.refuse(message, slot=f"line-{line_id}-message", page=lambda: web.render(
            "payouts/case.html", **fragments.case_context(
                finance_case_or_404(case_id), typed={line_id: entry},
                errors={line_id: message})))
    return _done(case)


@bp.post("/payouts/cases/<int:case_id>/payouts/<int:payout_id>/reverse")
@allow(FINANCE)
def reverse(case_id: int, payout_id: int):
    """Correct a payout by a reversing entry, with the reason."""
    case = finance_case_or_404(case_id)
    reason = request.form.get("reason", "")
    try:
        services.reverse(case, current_user, payout_id, reason)
    except services.PayoutError as err:
        message = labels.error_message(err)
        return web.refuse(message, slot=f"reverse-{payout_id}-message", page=lambda: web.render(
            "payouts/case.html", **fragments.case_context(
                finance_case_or_404(case_id), reversing=payout_id, reverse_error=message,
                reason=reason)))
    return _done(case)
