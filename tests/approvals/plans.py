"""An approved plan built the way the services build one: where the tests of what comes after
approval (payouts, receipts, changes) start from.

Each test module names its own texts and lines, so that what it must find (or must never find,
like the motivation on the finance office's pages) is its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Flask

from course.approvals import services as approvals
from course.budgets import sparring
from course.budgets.models import BudgetLine, Draft, StrategyItem, StrategyKind
from course.extensions import db
from course.people.models import Citizen, Staff
from tests.conftest import World


@dataclass(frozen=True)
class PlanLine:
    """A budget line and how the approval pays it (``invoice`` or ``own_account``)."""

    title: str
    amount: int
    method: str
    change: str = "Forandringen"
    job_effect: str = "Vejen til et job"
    price_source: str = "Leverandøren"
    no_documentation: str = "Leverandørens hjemmeside"


def approved_plan(app: Flask, world: World, index: int = 0, *, lines: list[PlanLine],
                  goal: str = "Et job", motivation: str = "Jeg vil gerne arbejde",
                  strategy: str = "Punkt", rating_note: str = "", comment: str | None = None,
                  approve: bool = True, cap: int | None = None) -> int:
    """Citizen ``index`` of ``world`` writes the plan (with the consultant's ``comment`` in its
    sparring thread), submits it; unless ``approve`` is false their consultant rates it yes
    three times (with ``rating_note``), marks it green and approves it for nine months. Returns
    the case's id."""
    with app.app_context():
        citizen = db.session.get(Citizen, world.citizens[index][0])
        if cap is not None:
            citizen.course.budget_cap = cap
        draft = Draft(citizen_id=citizen.id, course_id=world.course_id, goal=goal,
                      motivation=motivation)
        draft.lines = [BudgetLine(position=n, title=line.title, amount=line.amount,
                                  change=line.change, job_effect=line.job_effect,
                                  price_source=line.price_source,
                                  no_documentation=line.no_documentation,
                                  need_date=date(2027, 2, 1))
                       for n, line in enumerate(lines)]
        draft.strategy = [StrategyItem(kind=kind, position=0, text=f"{strategy} {kind.value}")
                          for kind in StrategyKind]
        db.session.add(draft)
        db.session.flush()
        consultant = db.session.get(Staff, world.consultant_id)
        if comment is not None:
            sparring.add_comment(draft, consultant, comment, None)
        case = approvals.submit(draft, citizen)
        if approve:
            for criterion in ("substantial_change", "realistic", "coherence"):
                approvals.rate(case, consultant, criterion, "yes", rating_note)
            approvals.triage(case, consultant, "green")
            ids = [line["id"] for line in case.current.content["lines"]]
            approvals.approve(case, consultant, approvals.Approval(
                length_months=9, follow_up="Møde hver måned",
                payments={i: line.method for i, line in zip(ids, lines, strict=True)}))
        db.session.commit()
        return case.id
