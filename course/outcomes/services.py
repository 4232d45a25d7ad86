"""The outcome figures of a team's courses, for the team lead and an evaluator.

Each figure is counted by its own day (all days are Danish local dates; a period includes both
its first and its last day, and either end may be open):

- *enrolled*: the day the citizen was enrolled; of them, who has not decided yet (*undecided*);
- *said yes* / *said no*: the day of the citizen's decision;
- *handed in*: the day the plan was first handed in (the first version, not a resubmission);
- *approved*: the day of the approval — also a plan ended after it was approved; by its *colour
  path*: red, when the team decided; yellow, when colleagues sparred on the version approved
  (re-marked green after the sparring); green, when the job consultant approved it alone;
- *sent back*: the day of each sending back (a plan sent back twice counts twice);
- *ended*: the day the course was ended, before or after an approval, by ending reason; the
  share ended in ordinary employment is of all ended;
- days from yes to the first hand-in, and from yes to the approval: of the plans handed in
  (approved) in the period whose citizen's yes is on record;
- *approved total*: the approved plans' totals; *paid*: all that has been paid to date on those
  same plans (payouts less their reversals, whenever paid), and the average paid per approved
  citizen — so the average is of the same citizens as the total approved.

Everything is read in a handful of queries whatever the number of citizens
(:func:`citizen_rows`), and computed in Python.
"""

from __future__ import annotations

import hashlib
import hmac
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from course.approvals.models import AuditEvent, Case, CaseState, Colour, EndingReason, PlanVersion
from course.extensions import db
from course.outcomes.models import OutcomeExport
from course.payouts.models import Payout
from course.people.models import Citizen, Staff, Team
from course.schedule.models import Course
from course.types import local_today

#: The colour paths, in the order they are shown.
PATHS = (Colour.GREEN.value, Colour.YELLOW.value, Colour.RED.value)
#: The days-between distribution's bins: (first day, last day or None for "and more").
DAY_BINS = ((0, 7), (8, 14), (15, 30), (31, 60), (61, 90), (91, None))
#: How many characters of the HMAC make a pseudonymous id (40 bits: no two citizens of a team
#: share one in any realistic number of citizens; short enough to read aloud).
PSEUDONYM_LENGTH = 10


class PeriodError(Exception):
    """A period that cannot be read; ``code`` names the reason (``outcomes.labels.ERRORS``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Period:
    """From ``since`` to ``until``, both days included; ``None``: open at that end."""

    since: date | None = None
    until: date | None = None

    def holds(self, day: date | None) -> bool:
        return day is not None and (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until)


def parse_period(since: str | None, until: str | None) -> Period:
    """The period typed in the filter (ISO dates, as ``<input type=date>`` sends them).

    :raises PeriodError: ``bad_from``, ``bad_to`` (not a date), ``reversed`` (from after to).
    """
    def read(text: str | None, code: str) -> date | None:
        text = (text or "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise PeriodError(code) from None

    period = Period(read(since, "bad_from"), read(until, "bad_to"))
    if period.since and period.until and period.since > period.until:
        raise PeriodError("reversed")
    return period


@dataclass(frozen=True)
class CitizenRow:
    """One citizen's way through the course, as the figures count it."""

    citizen_id: int
    course_id: int
    course: str
    enrolled_on: date
    decision: str  #: "pending", "yes" or "no"
    decided_on: date | None
    handed_in_on: date | None = None
    approved_on: date | None = None
    #: "green", "yellow" or "red" for an approved plan (see the module's definitions).
    path: str | None = None
    approved: int | None = None  #: the approved plan's total
    paid: int = 0  #: paid to date on the approved plan, less reversals
    ended_on: date | None = None
    ending_reason: EndingReason | None = None
    sent_back_on: tuple[date, ...] = ()

    def days(self, day: date | None) -> int | None:
        """Days from the citizen's yes to ``day`` (None without both)."""
        if day is None or self.decision != "yes" or self.decided_on is None:
            return None
        return (day - self.decided_on).days

    def touched(self, period: Period) -> bool:
        """Whether anything the figures count happened to the citizen in ``period``."""
        return any(period.holds(day) for day in (
            self.enrolled_on, self.decided_on, self.handed_in_on, self.approved_on,
            self.ended_on, *self.sent_back_on))


def _path(colour: str | None, triaged: list[str]) -> str | None:
    """The approved version's colour path: red when the team decided, yellow when colleagues
    sparred on it (and it was re-marked green), else green."""
    if colour == Colour.RED.value:
        return Colour.RED.value
    if Colour.YELLOW.value in triaged:
        return Colour.YELLOW.value
    return colour or (triaged[-1] if triaged else None)


def citizen_rows(team_id: int, course_id: int | None = None) -> list[CitizenRow]:
    """Every citizen of the team's courses (of one course), with their days and amounts: five
    queries, whatever the number of citizens."""
    citizens = sa.select(Citizen.id, Citizen.course_id, Course.name, Citizen.created_at,
                         Citizen.decision, Citizen.decided_on).join(
        Course, Course.id == Citizen.course_id).where(Course.team_id == team_id)
    cases = sa.select(Case.id, Case.citizen_id, Case.state, Case.colour, Case.version_number,
                      Case.length_months, Case.decided_at, Case.total, Case.ended_on,
                      Case.ending_reason).join(Citizen, Citizen.id == Case.citizen_id).join(
        Course, Course.id == Citizen.course_id).where(Course.team_id == team_id)
    if course_id is not None:
        citizens = citizens.where(Citizen.course_id == course_id)
        cases = cases.where(Citizen.course_id == course_id)
    case_rows = db.session.execute(cases).all()
    case_ids = sa.select(cases.subquery().c.id)
    first_hand_in = dict(db.session.execute(
        sa.select(PlanVersion.case_id, sa.func.min(PlanVersion.submitted_at))
        .where(PlanVersion.case_id.in_(case_ids)).group_by(PlanVersion.case_id)).all())
    triaged: dict[tuple[int, int | None], list[str]] = {}
    sent_back: dict[int, list[date]] = {}
    for case_id, action, at, number, colour in db.session.execute(
            sa.select(AuditEvent.case_id, AuditEvent.action, AuditEvent.at,
                      AuditEvent.version_number, AuditEvent.colour)
            .where(AuditEvent.case_id.in_(case_ids),
                   AuditEvent.action.in_(("triaged", "sent_back")))
            .order_by(AuditEvent.at, AuditEvent.id)):
        if action == "triaged" and colour:
            triaged.setdefault((case_id, number), []).append(colour)
        elif action == "sent_back":
            sent_back.setdefault(case_id, []).append(local_today(at))
    paid = dict(db.session.execute(
        sa.select(Payout.case_id, sa.func.sum(Payout.amount))
        .where(Payout.case_id.in_(case_ids)).group_by(Payout.case_id)).all())
    by_citizen = {}
    for (case_id, citizen_id, state, colour, number, length, decided_at, total, ended_on,
         reason) in case_rows:
        approved = length is not None  # only an approval fixes the length
        colour_value = colour.value if colour else None
        handed_in: datetime | None = first_hand_in.get(case_id)
        by_citizen[citizen_id] = {
            "handed_in_on": local_today(handed_in) if handed_in else None,
            "approved_on": local_today(decided_at) if approved and decided_at else None,
            "path": _path(colour_value, triaged.get((case_id, number), [])) if approved else None,
            "approved": total if approved else None,
            "paid": int(paid.get(case_id) or 0) if approved else 0,
            "ended_on": ended_on if state == CaseState.REJECTED else None,
            "ending_reason": reason if state == CaseState.REJECTED else None,
            "sent_back_on": tuple(sent_back.get(case_id, ())),
        }
    return [CitizenRow(citizen_id, course, course_name, local_today(created_at), decision,
                       decided_on, **by_citizen.get(citizen_id, {}))
            for citizen_id, course, course_name, created_at, decision, decided_on
            in db.session.execute(citizens.order_by(Citizen.id))]


# -- the figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """Days between two steps: how many citizens (``n``), the median and the mean."""

    n: int
    median: float | None
    mean: float | None
    #: How many fall in each of :data:`DAY_BINS`.
    bins: tuple[int, ...] = ()

    @classmethod
    def of(cls, days: list[int]) -> Spread:
        bins = tuple(sum(1 for d in days if low <= d and (high is None or d <= high))
                     for low, high in DAY_BINS)
        if not days:
            return cls(0, None, None, bins)
        return cls(len(days), float(statistics.median(days)),
                   round(statistics.fmean(days), 1), bins)


@dataclass(frozen=True)
class Figures:
    """The outcome figures of one filter (see the module's definitions)."""

    enrolled: int
    undecided: int
    said_yes: int
    said_no: int
    handed_in: int
    approved: int
    paths: dict[str, int]
    sent_back: int
    ended: int
    ended_after_approval: int
    reasons: dict[EndingReason, int]
    ended_in_job: int
    yes_to_hand_in: Spread
    yes_to_approval: Spread
    approved_total: int
    paid_total: int

    @property
    def job_share(self) -> float | None:
        """The share of the ended ended in ordinary employment (0–1), None if none ended."""
        return self.ended_in_job / self.ended if self.ended else None

    @property
    def average_paid(self) -> int | None:
        """Paid per approved citizen, in whole kroner (rounded), None if none approved."""
        return round(self.paid_total / self.approved) if self.approved else None


def figures(rows: list[CitizenRow], period: Period = Period()) -> Figures:
    """The figures of ``rows`` in ``period`` (each counted by its own day)."""
    enrolled = [r for r in rows if period.holds(r.enrolled_on)]
    decided = [r for r in rows if period.holds(r.decided_on)]
    handed_in = [r for r in rows if period.holds(r.handed_in_on)]
    approved = [r for r in rows if period.holds(r.approved_on)]
    ended = [r for r in rows if period.holds(r.ended_on)]
    paths = Counter(r.path for r in approved)
    reasons = Counter(r.ending_reason for r in ended)
    return Figures(
        enrolled=len(enrolled),
        undecided=sum(1 for r in enrolled if r.decision == "pending"),
        said_yes=sum(1 for r in decided if r.decision == "yes"),
        said_no=sum(1 for r in decided if r.decision == "no"),
        handed_in=len(handed_in),
        approved=len(approved),
        paths={path: paths.get(path, 0) for path in PATHS},
        sent_back=sum(1 for r in rows for day in r.sent_back_on if period.holds(day)),
        ended=len(ended),
        ended_after_approval=sum(1 for r in ended if r.approved_on is not None),
        reasons={reason: reasons[reason] for reason in EndingReason if reasons.get(reason)},
        ended_in_job=reasons.get(EndingReason.JOB, 0),
        yes_to_hand_in=Spread.of([d for r in handed_in if (d := r.days(r.handed_in_on))
                                  is not None]),
        yes_to_approval=Spread.of([d for r in approved if (d := r.days(r.approved_on))
                                   is not None]),
        approved_total=sum(r.approved or 0 for r in approved),
        paid_total=sum(r.paid for r in approved),
    )


def outcome_figures(team_id: int, course_id: int | None = None,
                    period: Period = Period()) -> Figures:
    return figures(citizen_rows(team_id, course_id), period)


def team_courses(team_id: int) -> list[Course]:
    """The courses the filter offers: the team's, newest first."""
    return list(db.session.scalars(sa.select(Course).where(Course.team_id == team_id)
                                   .order_by(Course.kickoff_on.desc(), Course.id.desc())))


def team_name(team_id: int) -> str:
    team = db.session.get(Team, team_id)
    return team.name if team else ""


# -- the export -----------------------------------------------------------------------------------


def pseudonym(secret: str | bytes, team_id: int, citizen_id: int) -> str:
    """A citizen's id for an evaluator: the same in every export of the team, and nothing an
    evaluator can turn back into the database id or a name.

    An HMAC (SHA-256) of the citizen's id under the app's secret key, with the team as a salt,
    truncated: without the key the ids cannot be recomputed from the database ids (which are
    sequential, so a hash without a key could be reversed by trying them all); two teams' exports
    cannot be joined on them; and one evaluator can follow a citizen through several exports of
    the team. Rotating the secret key gives everyone new ids.
    """
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"teten-outcomes:{team_id}:{citizen_id}".encode(),
                      hashlib.sha256).hexdigest()
    return "P-" + digest[:PSEUDONYM_LENGTH].upper()


def export_rows(rows: list[CitizenRow], period: Period) -> list[CitizenRow]:
    """The citizens an export of ``period`` holds: those something counted happened to in it."""
    return [r for r in rows if r.touched(period)]


def record_export(staff: Staff, fmt: str, course_id: int | None, period: Period,
                  rows: int) -> OutcomeExport:
    """Keep on record that ``staff`` downloaded the rows (the exports' log)."""
    entry = OutcomeExport(team_id=staff.team_id, staff_id=staff.id, format=fmt,
                          course_id=course_id, period_from=period.since,
                          period_to=period.until, rows=rows)
    db.session.add(entry)
    db.session.flush()
    return entry


def recent_exports(team_id: int, limit: int = 10) -> list[OutcomeExport]:
    """The team's latest downloads, newest first, with who made them."""
    return list(db.session.scalars(
        sa.select(OutcomeExport).where(OutcomeExport.team_id == team_id)
        .options(joinedload(OutcomeExport.staff))
        .order_by(OutcomeExport.at.desc(), OutcomeExport.id.desc()).limit(limit)))
