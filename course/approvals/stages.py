"""Where a citizen is in the process, in one word everyone uses alike.

The process is the method's: a week to decide after the information meeting; after a yes, at
most four weeks to write the budget plan (the course days fall inside them); the plan handed
in and assessed; sent back to revise, approved, or ended. The participation (people), the
draft (budgets) and the case (here) each hold part of it; :func:`stage_of` reads them in that
order of precedence — a *no* or an opt-out ends everything, a case outranks the draft — so the
course list, the citizen page, the phone's home and the queue say the same thing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from course.approvals.models import Case, CaseState
from course.extensions import db
from course.people.models import Citizen
from course.people.services import Participation, local_today, participation
from course.schedule.models import Course


class Stage(enum.StrEnum):
    DECIDING = "deciding"  # betænkningstid
    SAID_NO = "said_no"
    OPTED_OUT = "opted_out"
    WRITING = "writing"  # after the yes: the four weeks
    HANDED_IN = "handed_in"  # with the job consultants
    SENT_BACK = "sent_back"  # revising
    APPROVED = "approved"
    ENDED = "ended"


#: The steps a citizen's phone shows, in order, and which stage stands on which step.
STEPS = ("decide", "write", "hand_in", "decision")
STEP_OF = {
    Stage.DECIDING: "decide", Stage.WRITING: "write", Stage.SENT_BACK: "write",
    Stage.HANDED_IN: "hand_in", Stage.APPROVED: "decision", Stage.ENDED: "decision",
    Stage.SAID_NO: "decide", Stage.OPTED_OUT: "decision",
}

_BY_CASE_STATE = {
    CaseState.SUBMITTED: Stage.HANDED_IN, CaseState.IN_ASSESSMENT: Stage.HANDED_IN,
    CaseState.YELLOW: Stage.HANDED_IN, CaseState.RED: Stage.HANDED_IN,
    CaseState.SENT_BACK: Stage.SENT_BACK, CaseState.APPROVED: Stage.APPROVED,
    CaseState.REJECTED: Stage.ENDED,
}


@dataclass(frozen=True)
class Where:
    """A citizen's stage with what the phone's home needs to say about it."""

    stage: Stage
    participation: Participation
    case: Case | None
    next_follow_up: date | None = None

    @property
    def step(self) -> str:
        return STEP_OF[self.stage]

    @property
    def steps_done(self) -> int:
        """How many of :data:`STEPS` lie behind the citizen."""
        decided = self.stage == Stage.ENDED or (self.stage == Stage.APPROVED
                                                and not self.declaration_due)
        return STEPS.index(self.step) + (1 if decided else 0)

    @property
    def declaration_due(self) -> bool:
        """Approved, and the declaration on honour not signed yet: the citizen's next act."""
        return (self.stage == Stage.APPROVED and self.case is not None
                and self.case.declaration_signed_at is None)


def stage(p: Participation, case_state: CaseState | None) -> Stage:
    """The stage from the participation and the case's state (None: nothing handed in)."""
    if p.status == "no":
        return Stage.SAID_NO
    if p.status == "opted_out":
        return Stage.OPTED_OUT
    if case_state is not None:
        return _BY_CASE_STATE[case_state]
    return Stage.DECIDING if p.status == "pending" else Stage.WRITING


def stage_of(citizen: Citizen, today: date | None = None) -> Where:
    """Where ``citizen`` is now, for their own phone (their case read once)."""
    today = today or local_today()
    p = participation(citizen, today)
    case = db.session.scalar(sa.select(Case).where(Case.citizen_id == citizen.id))
    follow_up = None
    if case is not None and case.state == CaseState.APPROVED:
        coming = sorted(d for d in case.follow_up_dates or [] if d >= today.isoformat())
        follow_up = date.fromisoformat(coming[0]) if coming else None
    return Where(stage(p, case.state if case else None), p, case, follow_up)


def stages_in(course: Course, roster: list[tuple[Citizen, Participation]]
              ) -> dict[int, Stage]:
    """Every listed citizen's stage in ``course``: the cases read in one query."""
    states = dict(db.session.execute(
        sa.select(Case.citizen_id, Case.state).where(Case.course_id == course.id)).all())
    return {citizen.id: stage(p, states.get(citizen.id)) for citizen, p in roster}
