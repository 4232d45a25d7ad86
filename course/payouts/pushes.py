"""What a payout pushes: the read-only card on the job consultants' case page (their team's
queue room, the people who read the case) and the citizen's plan page refetch."""

from __future__ import annotations

from course import realtime
from course.approvals.models import Case
from course.payouts import services

CARD = "payouts/_card.html"


def push_payouts(case: Case) -> None:
    """Queue the case's payouts card for the team's job consultants and the citizen's plan
    page's refetch (it shows their own payouts)."""
    realtime.render_to(realtime.team_room(case.team_id), f"case-payouts-{case.id}", CARD,
                       payout_figures=services.figures(case))
    realtime.refetch_to(realtime.citizen_room(case.citizen_id), "my-plan-outcome")
