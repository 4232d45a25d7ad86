"""The payouts' fragments and their context builders, and its parts of the approval queue's
pages: the read-only card on the job consultant's case, the citizen's own payouts on their
plan page (see :data:`course.web.page_parts`)."""

from __future__ import annotations

from typing import Any

from course import web
from course.approvals import services as approvals
from course.approvals.models import Case, CaseState
from course.budgets.models import Draft
from course.payouts import services

CASE = "payouts/_case.html"
OVERVIEW = "payouts/_overview.html"


def case_context(case: Case, *, typed: dict[int, services.Entry] | None = None,
                 errors: dict[int, str] | None = None, reversing: int | None = None,
                 reverse_error: str = "", reason: str = "") -> dict[str, Any]:
    """Finance's payout page for one case: the citizen's name and the case reference, the
    approved lines with approved / paid / left and their payouts, and a form per line (with
    what was typed and why it was refused, for a browser without JavaScript). Nothing of the
    plan's texts: the context holds no plan version."""
    figures = services.figures(case)
    return {"case_id": case.id, "reference": case.reference, "citizen_name": case.citizen.name,
            "figures": figures, "typed": typed or {}, "errors": errors or {},
            "reversing": reversing, "reverse_error": reverse_error, "reason": reason,
            **web.parts_of("payouts.case", case=case)}


def overview_context(team_id: int, *, not_fully_paid: bool) -> dict[str, Any]:
    """The team's approved cases with approved / paid / left, all or the not fully paid."""
    return {"cases": services.team_cases(team_id, not_fully_paid=not_fully_paid),
            "not_fully_paid": not_fully_paid}


def case_part(_page: str, *, draft: Draft) -> dict[str, Any]:
    """The job consultant's case page shows what has been paid on an approved plan."""
    case = approvals.case_of(draft)
    if case is None or case.state != CaseState.APPROVED:
        return {}
    return {"payout_figures": services.figures(case)}


def my_plan_part(_page: str, *, case: Case) -> dict[str, Any]:
    """The citizen's plan page shows their own payouts: what was paid to whom and when."""
    if case.state != CaseState.APPROVED:
        return {}
    return {"my_payouts": services.figures(case)}
