"""A seeded set of citizens with known outcome figures (tests/outcomes and e2e/seed_outcomes.py).

Rows are written directly, with the days chosen (the services would stamp today), as the
services would leave them: a case per citizen who handed in, its plan versions, the audit
trail's triage and send-back steps, the decision, and the payouts with a reversal.

The spring course (enrolled 5 January 2026), ten citizens:

====  =======  ==========  ===========================  ===========  =======  ======  ==========
      yes on   handed in   marked                       approved     total    paid    ended
====  =======  ==========  ===========================  ===========  =======  ======  ==========
0     12 Jan   2 Feb       yellow, sent back 9 Feb;     16 Feb       40,000   30,000
                           v2 12 Feb green              (green)               (20,000 reversed,
                                                                              15,000 + 15,000)
1     12 Jan   9 Feb       green                        2 Mar        30,000   30,000  4 May: job
2     13 Jan   10 Feb      yellow, then green           10 Mar       50,000   10,000
                                                        (yellow)
3     14 Jan   3 Feb       red                          20 Mar (red) 45,000   0
4     15 Jan   5 Feb       yellow                                                     5 Mar: not
                                                                                      approvable
5     15 Jan   11 Feb      green, sent back 25 Feb
6, 7  16, 19 Jan (writing)
8     said no 12 Jan
9     not decided
====  =======  ==========  ===========================  ===========  =======  ======  ==========

The autumn course (enrolled 3 August 2026): one citizen said yes 10 August, handed in 1
September, green, approved 15 September (20,000, all paid); one not decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from course.approvals.models import (
    AuditEvent,
    Case,
    CaseState,
    Colour,
    EndingReason,
    PlanVersion,
)
from course.budgets.models import Draft
from course.extensions import db
from course.payouts.models import Payout
from course.people import services as people
from course.people.models import Staff, Team
from course.schedule.models import Course
from course.schedule.services import new_course_code

SPRING_NAME = "Forårsforløbet"
AUTUMN_NAME = "Efterårsforløbet"
NAME = "Outcomesen"  #: every seeded citizen's surname (the export must not hold it)
EMAIL_DOMAIN = "borger.example"


def at(day: str, hour: int = 10) -> datetime:
    """A UTC moment on ``day`` at ``hour`` (10 UTC is the same day in Denmark)."""
    return datetime.combine(date.fromisoformat(day), time(hour), tzinfo=UTC)


@dataclass
class KnownSet:
    spring_id: int
    autumn_id: int
    citizen_ids: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)


def _citizen(course: Course, consultant: Staff, n: int, enrolled: str, decision: str,
             decided: str | None, known: KnownSet) -> int:
    name, email = f"Borger{n} {NAME}", f"borger{n}@{EMAIL_DOMAIN}"
    citizen, _code = people.enrol_citizen(course, name, consultant, email=email)
    citizen.created_at = at(enrolled, 9)
    citizen.decision = decision
    citizen.decided_on = date.fromisoformat(decided) if decided else None
    citizen.active = decision != "no"
    known.citizen_ids.append(citizen.id)
    known.names.append(name)
    known.emails.append(email)
    return citizen.id


def _case(citizen_id: int, course: Course, consultant: Staff, total: int,
          steps: list[tuple[str, str, str | None]]) -> Case:
    """A case from ``steps``: (action, day, colour) with actions ``submitted``, ``triaged``,
    ``sent_back``, ``approved`` and ``ended:<reason>``, applied as the services would."""
    draft = Draft(citizen_id=citizen_id, course_id=course.id, goal="Et mål")
    db.session.add(draft)
    db.session.flush()
    case = Case(draft_id=draft.id, citizen_id=citizen_id, course_id=course.id,
                team_id=course.team_id, consultant_id=consultant.id)
    db.session.add(case)
    db.session.flush()
    for action, day, colour in steps:
        when = at(day)
        if action == "submitted":
            number = len(case.versions) + 1
            content = {"total": total, "cap": 50_000, "lines": [
                {"id": 1, "title": "Kursus", "amount": total, "payment_method": "invoice",
                 "need_date": None}]}
            case.versions.append(PlanVersion(number=number, content=content,
                                             content_hash=f"{case.id}-{number}",
                                             submitted_at=when))
            case.state, case.colour, case.submitted_at = CaseState.SUBMITTED, None, when
            case.version_number, case.total = number, total
        elif action == "triaged":
            case.colour = Colour(colour)
            case.state = {Colour.GREEN: CaseState.IN_ASSESSMENT, Colour.YELLOW: CaseState.YELLOW,
                          Colour.RED: CaseState.RED}[case.colour]
        elif action == "sent_back":
            case.state = CaseState.SENT_BACK
        elif action == "approved":
            db.session.flush()
            case.state, case.length_months = CaseState.APPROVED, 9
            case.decided_version_id, case.decided_at = case.versions[-1].id, when
            case.decided_by_id, case.payments = consultant.id, {"1": "invoice"}
        elif action.startswith("ended:"):
            if case.state != CaseState.APPROVED:
                db.session.flush()
                case.decided_version_id, case.decided_at = case.versions[-1].id, when
                case.decided_by_id = consultant.id
            case.state = CaseState.REJECTED
            case.ending_reason = EndingReason(action.removeprefix("ended:"))
            case.ended_on, case.ended_by_id = date.fromisoformat(day), consultant.id
        db.session.flush()
        db.session.add(AuditEvent(
            case_id=case.id, citizen_id=citizen_id, at=when, actor_staff_id=consultant.id,
            action="rejected" if action.startswith("ended:") else action,
            version_number=case.version_number,
            colour=case.colour.value if case.colour else None))
    db.session.flush()
    return case


def _pay(case: Case, staff: Staff, amount: int, day: str, reverses: Payout | None = None
         ) -> Payout:
    payout = Payout(case_id=case.id, line_id=1, method="invoice", amount=amount,
                    supplier="Leverandør", invoice_number=f"F-{case.id}-{amount}",
                    received_on=date.fromisoformat(day), paid_on=date.fromisoformat(day),
                    reverses_id=reverses.id if reverses else None,
                    reason="Forkert beløb" if reverses else "", recorded_by_id=staff.id)
    db.session.add(payout)
    db.session.flush()
    return payout


def build(team: Team, consultant: Staff) -> KnownSet:
    """The two courses in ``team``, their citizens and cases (flushed, not committed)."""
    spring = Course(team=team, name=SPRING_NAME, code=new_course_code(), venue="Rum 1",
                    capacity=24, kickoff_on=date(2026, 1, 19), day1_on=date(2026, 1, 26),
                    day2_on=date(2026, 1, 27))
    autumn = Course(team=team, name=AUTUMN_NAME, code=new_course_code(), venue="Rum 1",
                    capacity=24, kickoff_on=date(2026, 8, 17), day1_on=date(2026, 8, 24),
                    day2_on=date(2026, 8, 25))
    db.session.add_all([spring, autumn])
    db.session.flush()
    known = KnownSet(spring.id, autumn.id)
    decisions = [("yes", "2026-01-12"), ("yes", "2026-01-12"), ("yes", "2026-01-13"),
                 ("yes", "2026-01-14"), ("yes", "2026-01-15"), ("yes", "2026-01-15"),
                 ("yes", "2026-01-16"), ("yes", "2026-01-19"), ("no", "2026-01-12"),
                 ("pending", None)]
    ids = [_citizen(spring, consultant, n, "2026-01-05", decision, decided, known)
           for n, (decision, decided) in enumerate(decisions)]
    c0 = _case(ids[0], spring, consultant, 40_000, [
        ("submitted", "2026-02-02", None), ("triaged", "2026-02-03", "yellow"),
        ("sent_back", "2026-02-09", None), ("submitted", "2026-02-12", None),
        ("triaged", "2026-02-13", "green"), ("approved", "2026-02-16", None)])
    first = _pay(c0, consultant, 20_000, "2026-02-20")
    _pay(c0, consultant, 15_000, "2026-03-01")
    _pay(c0, consultant, -20_000, "2026-03-02", reverses=first)
    _pay(c0, consultant, 15_000, "2026-03-03")
    c1 = _case(ids[1], spring, consultant, 30_000, [
        ("submitted", "2026-02-09", None), ("triaged", "2026-02-10", "green"),
        ("approved", "2026-03-02", None), ("ended:job", "2026-05-04", None)])
    _pay(c1, consultant, 30_000, "2026-03-15")
    c2 = _case(ids[2], spring, consultant, 50_000, [
        ("submitted", "2026-02-10", None), ("triaged", "2026-02-11", "yellow"),
        ("triaged", "2026-02-20", "green"), ("approved", "2026-03-10", None)])
    _pay(c2, consultant, 10_000, "2026-03-20")
    _case(ids[3], spring, consultant, 45_000, [
        ("submitted", "2026-02-03", None), ("triaged", "2026-02-04", "red"),
        ("approved", "2026-03-20", None)])
    _case(ids[4], spring, consultant, 25_000, [
        ("submitted", "2026-02-05", None), ("triaged", "2026-02-06", "yellow"),
        ("ended:not_approvable", "2026-03-05", None)])
    _case(ids[5], spring, consultant, 12_000, [
        ("submitted", "2026-02-11", None), ("triaged", "2026-02-12", "green"),
        ("sent_back", "2026-02-25", None)])
    d0 = _citizen(autumn, consultant, 10, "2026-08-03", "yes", "2026-08-10", known)
    _citizen(autumn, consultant, 11, "2026-08-03", "pending", None, known)
    late = _case(d0, autumn, consultant, 20_000, [
        ("submitted", "2026-09-01", None), ("triaged", "2026-09-02", "green"),
        ("approved", "2026-09-15", None)])
    _pay(late, consultant, 20_000, "2026-09-20")
    return known
