"""Minor changes after approval on the web: the citizen proposes a change to their approved
plan (from their plan page) or takes it back; the case's own job consultant or the team lead
approves or refuses it on the case page.

Fail closed: the citizen reaches only their own case (anything else is 404); staff only their
team's cases (404 otherwise), and only the case's own consultant or the team lead decides.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, make_response, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from course import realtime, web
from course.access import CITIZEN, JOB_CONSULTANT, TEAM_LEAD, allow
from course.approvals import fragments as approval_fragments
from course.approvals import pushes as approval_pushes
from course.approvals import services as approvals
from course.approvals.models import Case
from course.budgets import services as budget_services
from course.changes import fragments, labels, services
from course.changes.services import NEW_LINE_FIELDS, ChangeError
from course.extensions import db
from course.payouts import pushes as payout_pushes

bp = Blueprint("changes", __name__)


def _commit(case: Case) -> None:
    """Commit the step and push: the team's queues, the citizen's plan page, each notified
    person's badge, the payouts card (the approved lines may have changed); then mail the
    notices (a link only). A race is lost at the flush of the case's version."""
    notices = approvals.pending_notices()
    approval_pushes.push_case(case, notices)
    payout_pushes.push_payouts(case)
    try:
        realtime.commit_and_push()
    except StaleDataError:
        db.session.rollback()
        realtime.discard_pushes()
        raise ChangeError("decided") from None
    approval_pushes.mail_notices(notices)


# -- the citizen --------------------------------------------------------------------------------


def _my_case() -> Case:
    """The signed-in citizen's case, once it has been approved (404 before, or without one)."""
    draft = budget_services.draft_of(current_user)
    case = approvals.case_of(draft) if draft is not None else None
    if case is None or not case.was_approved:
        abort(404)
    return case


def _typed() -> tuple[services.Proposal, int]:
    """What the citizen typed in the proposal form, and how many new lines it showed."""
    form = request.form
    amounts, removed = {}, set()
    for key, value in form.items():
        head, _sep, tail = key.partition("-")
        if tail.isdigit() and len(tail) < 12:
            if head == "amount":
                amounts[int(tail)] = value
            elif head == "remove" and value == "1":
                removed.add(int(tail))
    shown = form.get("new_count", "1")
    count = min(int(shown), services.MAX_NEW_LINES) if shown.isdigit() else 1
    new_lines = [{name: form.get(f"new-{n}-{name}", "") for name in NEW_LINE_FIELDS}
                 for n in range(1, max(count, 1) + 1)]
    return services.Proposal(amounts=amounts, removed=removed, new_lines=new_lines,
                             reason=form.get("reason", "")), count


def _form_page(case: Case, status: int = 200, **context) -> Response:
    return web.render("changes/propose.html", fragments.FORM, status=status,
                      **fragments.form_context(case, **context))


@bp.get("/me/plan/change")
@allow(CITIZEN)
def propose_page():
    """Propose a minor change to the approved plan (phone first)."""
    return _form_page(_my_case())


@bp.post("/me/plan/change")
@allow(CITIZEN)
def propose():
    """Send the proposal to the job consultant; ``more`` shows one more new line instead. A
    refusal says why beside the button and keeps everything typed."""
    case = _my_case()
    typed, count = _typed()
    if request.form.get("more"):
        return _form_page(case, typed=typed, new_count=min(count + 1, services.MAX_NEW_LINES))
    try:
        services.propose(case, current_user, typed)
        _commit(case)
    except ChangeError as err:
        approvals.pending_notices()
        message = labels.error_message(err)
        return web.refuse(message, slot="change-message", page=lambda: web.render(
            "changes/propose.html", **fragments.form_context(
                _my_case(), typed=typed, error=message, new_count=count)))
    return _to_my_plan()


def _to_my_plan() -> Response:
    url = url_for("approvals.my_plan")
    if web.wants_fragment():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


@bp.post("/me/plan/change/withdraw")
@allow(CITIZEN)
def withdraw():
    """Take the open proposal back before it is decided."""
    case = _my_case()
    try:
        services.withdraw(case, current_user)
        _commit(case)
    except ChangeError as err:
        approvals.pending_notices()
        return web.refuse(labels.error_message(err), 409, slot="withdraw-message")
    return _to_my_plan()


# -- the job consultant -------------------------------------------------------------------------


def _team_case_or_404(case_id: int) -> Case:
    """A case of the signed-in job consultant's or team lead's team (404 otherwise)."""
    case = db.session.get(Case, case_id)
    if case is None or not approvals.is_team_consultant(current_user, case):
        abort(404)
    return case


def _decide(case_id: int, slot: str, step) -> Response:
    """Run the decision; answer with the case's region (a redirect to the page without
    JavaScript). A refusal says why in ``#<slot>``, beside its form."""
    case = _team_case_or_404(case_id)
    try:
        step(case)
        _commit(case)
    except ChangeError as err:
        approvals.pending_notices()
        return web.refuse(labels.error_message(err), 409 if err.code in (
            "decided", "stale") else 422, slot=slot)
    if not web.wants_fragment():
        return redirect(url_for("approvals.case_page", case_id=case.id), 303)
    return web.render(None, approval_fragments.CASE, **approval_fragments.case_context(case))


@bp.post("/cases/<int:case_id>/changes/<int:request_id>/approve")
@allow(JOB_CONSULTANT, TEAM_LEAD)
def approve(case_id: int, request_id: int):
    """Approve the proposed change: a new plan version, decided."""
    return _decide(case_id, "change-approve-message",
                   lambda case: services.approve(case, current_user, request_id))


@bp.post("/cases/<int:case_id>/changes/<int:request_id>/refuse")
@allow(JOB_CONSULTANT, TEAM_LEAD)
def refuse(case_id: int, request_id: int):
    """Refuse the proposed change with a reason."""
    reason = request.form.get("reason", "")
    return _decide(case_id, "change-refuse-message",
                   lambda case: services.refuse(case, current_user, request_id, reason))
