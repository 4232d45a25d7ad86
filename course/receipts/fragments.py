"""The receipts' fragments and their context builders, and their parts of other features'
pages (see :data:`course.web.page_parts`): the receipts on the job consultant's case and on
finance's payout page, the citizen's own on their plan page, the overdue flag in the queue's
rows, and the deadline's setting on the settings page."""

from __future__ import annotations

from typing import Any

from flask_babel import ngettext

from course.approvals import services as approvals
from course.approvals.models import Case, CaseState
from course.budgets.models import Draft
from course.receipts import services

CASE = "receipts/_case.html"
MINE = "receipts/_mine.html"
MY_RECEIPT = "receipts/_my_receipt.html"


def case_context(case: Case, *, errors: dict[str, str] | None = None,
                 typed: dict[str, str] | None = None) -> dict[str, Any]:
    """The case's receipts for the staff who decide on them: each with its payout, due date,
    state, the files handed in, and the forms to accept, ask again and claim repayment.
    ``errors`` by slot (``"<id>-review"``, ``"<id>-claim"``), ``typed`` by field name."""
    return {"receipts_part": {"case_id": case.id, "views": services.views_of(case),
                              "errors": errors or {}, "typed": typed or {}}}


def mine_context(case: Case, *, errors: dict[int, str] | None = None) -> dict[str, Any]:
    """The citizen's own receipts on their plan page (approved cases only)."""
    if case.state != CaseState.APPROVED:
        return {}
    return {"my_receipts": {"views": services.views_of(case), "errors": errors or {},
                            "days": services.receipt_days()}}


def settings_context(*, typed: str | None = None, error: str = "") -> dict[str, Any]:
    setting = services.days_setting()
    return {"receipt_days_part": {
        "days": typed if typed is not None else str(services.receipt_days()),
        "setting": setting, "error": error, "default": services.DEFAULT_DAYS,
        "min": services.MIN_DAYS, "max": services.MAX_DAYS}}


# -- parts of other features' pages ---------------------------------------------------------------


def case_part(_page: str, *, draft: Draft) -> dict[str, Any]:
    """The job consultant's case page shows the receipts of an approved (or ended) plan."""
    case = approvals.case_of(draft)
    if case is None or not case.was_approved:
        return {}
    return case_context(case)


def payouts_case_part(_page: str, *, case: Case) -> dict[str, Any]:
    """Finance's payout page shows the case's receipts beside the payouts."""
    return case_context(case)


def my_plan_part(_page: str, *, case: Case) -> dict[str, Any]:
    return mine_context(case)


def queue_part(_page: str, *, rows: list[Any]) -> dict[str, Any]:
    """A queue row says when a receipt of the case is overdue."""
    counts = services.overdue_by_case(row.case_id for row in rows
                                      if row.state == CaseState.APPROVED)
    return {"row_flags": {case_id: [ngettext("%(num)d receipt overdue",
                                             "%(num)d receipts overdue", n)]
                          for case_id, n in counts.items()}}


def settings_part(_page: str) -> dict[str, Any]:
    return settings_context()
