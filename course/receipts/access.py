"""Who may see which receipts (object-level; ``course.access`` declares the kinds).

A citizen sees only their own case's receipts; the team's job consultants and lead, and the
team's finance office (approved cases only), see a case's receipts. Anything else is 404, so
nobody learns that a receipt they may not see exists.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from course.approvals import services as approvals
from course.approvals.models import Case
from course.budgets import services as budget_services
from course.extensions import db
from course.people.models import Citizen, Staff
from course.receipts import services
from course.receipts.models import Receipt, ReceiptUpload


def own_case_or_404() -> Case:
    """The signed-in citizen's case."""
    draft = budget_services.draft_of(current_user)
    case = approvals.case_of(draft) if draft is not None else None
    if case is None:
        abort(404)
    return case


def own_receipt_or_404(receipt_id: int) -> tuple[Case, Receipt]:
    """One of the signed-in citizen's own receipts, and its case."""
    case = own_case_or_404()
    receipt = db.session.get(Receipt, receipt_id)
    if receipt is None or receipt.case_id != case.id:
        abort(404)
    return case, receipt


def staff_case_or_404(case_id: int) -> Case:
    """A case whose receipts the signed-in staff member may decide on (services.may_act)."""
    case = db.session.get(Case, case_id)
    if case is None or not services.may_act(current_user, case):
        abort(404)
    return case


def upload_or_404(upload_id: int) -> ReceiptUpload:
    """A receipt's file, for its citizen and the staff who may decide on it."""
    found = services.upload_of(upload_id)
    if found is None:
        abort(404)
    upload, case = found
    if isinstance(current_user, Citizen):
        if case.citizen_id != current_user.id:
            abort(404)
    elif not (isinstance(current_user, Staff) and services.may_act(current_user, case)):
        abort(404)
    return upload
