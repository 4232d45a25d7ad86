"""The changes' fragments and their context builders, and its parts of the approval queue's
pages: the proposal (and the last decision) on the citizen's plan page, the proposal with what
it changes on the job consultant's case page, and the approved changes on the decision
document (see :data:`course.web.page_parts`)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_login import current_user

from course.approvals import services as approvals
from course.approvals.models import Case, CaseState
from course.budgets.models import Draft
from course.changes import services
from course.changes.models import ChangeRequest
from course.payouts import services as payouts

FORM = "changes/_form.html"
CASE = "changes/_case.html"


def form_context(case: Case, *, typed: services.Proposal | None = None, error: str = "",
                 new_count: int | None = None) -> dict[str, Any]:
    """The citizen's proposal form: the approved lines with what has been paid on each (the
    least each can be), the room left under the cap, new lines with their change theory, and
    the reason; with what was typed and why it was refused (a browser without JavaScript)."""
    figures = payouts.figures(case)
    version = approvals.decided_version(case)
    typed = typed or services.Proposal()
    count = max(1, len(typed.new_lines), new_count or 0)
    new_lines = (typed.new_lines + [{} for _ in range(count)])[:count]
    return {
        "case": case, "version": version, "cap": version.content["cap"],
        "lines": [{"line": line, "paid": figures.line(line["id"]).paid if figures.line(
            line["id"]) else 0, "has_payouts": bool(figures.line(line["id"])
                                                   and figures.line(line["id"]).payouts)}
                  for line in version.content["lines"]],
        "typed": typed, "new_lines": new_lines, "max_new": services.MAX_NEW_LINES,
        "error": error, "open_request": services.open_request(case),
    }


def case_context(case: Case, *, refusing: str = "") -> dict[str, Any]:
    """The open proposal on the job consultant's case page, with what it changes against the
    version it was proposed on, and whether the signed-in person decides on it."""
    request = services.open_request(case)
    if request is None:
        return {"change_request": None, "case": case}
    return {"change_request": request, "case": case,
            "change_base": services.base_version(request),
            "change_diff": services.what_changes(request),
            "change_stale": request.base_version_id != case.decided_version_id,
            "change_decides": services.decides(current_user, case),
            "change_refusing": refusing}


def case_part(_page: str, *, draft: Draft) -> dict[str, Any]:
    """The case page shows an open proposal (and the decision document the approved changes)."""
    case = approvals.case_of(draft)
    if case is None or not case.was_approved:
        return {}
    context = case_context(case)
    del context["case"]
    return {**context, "approved_changes": services.approved_changes(case)}


def queue_part(_page: str, *, rows: list[Any]) -> dict[str, Any]:
    """A queue row says when the citizen has proposed a change that waits for a decision."""
    waiting = services.proposed_in([row.case_id for row in rows
                                    if row.state == CaseState.APPROVED])
    return {"row_flags": {case_id: [_("Change proposed")] for case_id in waiting}}


def my_plan_part(_page: str, *, case: Case) -> dict[str, Any]:
    """The citizen's plan page: propose a change (an approved plan), the open proposal, or the
    last decision on one."""
    if not case.was_approved:
        return {}
    last: ChangeRequest | None = services.latest(case)
    return {"my_change": last, "can_propose_change": case.state == CaseState.APPROVED}
