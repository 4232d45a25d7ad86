"""Who may see which case's payouts (object-level; ``course.access`` declares the kinds).

Finance sees its own team's approved cases only: any other case is 404, so a finance account
never learns that a case in assessment, or another team's, exists.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from course.approvals.models import Case, CaseState
from course.extensions import db
from course.people.models import Role, Staff


def is_finance() -> bool:
    return isinstance(current_user, Staff) and current_user.role == Role.FINANCE


def finance_case_or_404(case_id: int) -> Case:
    """The case, if it is approved and of the signed-in finance account's team; 404 otherwise."""
    case = db.session.get(Case, case_id)
    if (case is None or not is_finance() or case.team_id != current_user.team_id
            or case.state != CaseState.APPROVED):
        abort(404)
    return case
