"""The approval queue's rules: submitting, assessing, the triage, decisions and the audit trail.

Services flush; routes commit (and push). Every refusal is an :class:`ApprovalError` whose
``code`` the routes turn into a translated message. Each acting service takes the case version
the person saw (``seen``): when someone else acted in between, :class:`ApprovalError`
``stale`` — one wins, the other is told, nothing is overwritten.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import holidays
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from course.approvals import signals
from course.approvals.models import (
    OPEN_STATES,
    AuditEvent,
    Case,
    CaseComment,
    CaseState,
    Colour,
    Criterion,
    EndingReason,
    Notification,
    PlanVersion,
    Rating,
    RatingValue,
    Setting,
    SparringRequest,
)
from course.budgets import services as budget_services
from course.budgets.models import Draft, DraftComment, PaymentMethod, StrategyKind
from course.extensions import db
from course.people.models import Citizen, Role, Staff
from course.schedule.models import Course
from course.types import local_today, utcnow

MIN_MONTHS, MAX_MONTHS = 6, 12
MAX_TEXT = 4000
MAX_FOLLOW_UP_DATES = 24


class ApprovalError(Exception):
    """A refused step; ``code`` names the reason for a translated message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# -- the frozen version -----------------------------------------------------------------------


def freeze(draft: Draft) -> dict[str, Any]:
    """The plan as the consultants decide on it: every part, private lines included (staff see
    them), with the total against the course's cap. Plain JSON, so a version never changes."""
    budget = budget_services.totals(draft)
    lists = budget_services.strategy_lists(draft)
    return {
        "goal": draft.goal or "",
        "motivation": draft.motivation or "",
        "lines": [{
            "id": line.id,
            "title": line.title or "",
            "category": line.category.value,
            "amount": line.amount or 0,
            "need_date": line.need_date.isoformat() if line.need_date else None,
            "price_source": line.price_source or "",
            "no_documentation": line.no_documentation or "",
            "payment_method": line.payment_method.value,
            "private": bool(line.private),
            "change": line.change or "",
            "job_effect": line.job_effect or "",
            "assumptions": line.assumptions or "",
            "attachments": [{"id": a.id, "name": a.original_name} for a in line.attachments],
        } for line in sorted(draft.lines, key=lambda x: (x.position, x.id))],
        "strategy": {kind.value: [item.text for item in lists[kind]] for kind in StrategyKind},
        "total": budget.total,
        "cap": budget.cap,
    }


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a version's content."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# -- who may do what --------------------------------------------------------------------------


def is_team_consultant(staff: Staff, case: Case) -> bool:
    """A job consultant or the team lead of the case's team (they read every submitted plan)."""
    return (isinstance(staff, Staff) and staff.active and staff.team_id == case.team_id
            and staff.role in (Role.JOB_CONSULTANT, Role.TEAM_LEAD))


def reads_submitted(staff: Staff, draft: Draft) -> bool:
    """The team's job consultants and team lead read a submitted plan (and its attachments),
    not only those who followed the citizen while it was written."""
    case = case_of(draft)
    return case is not None and is_team_consultant(staff, case)


def _require_team(staff: Staff, case: Case) -> None:
    if not is_team_consultant(staff, case):
        raise ApprovalError("not_in_team")


def _require_own(staff: Staff, case: Case) -> None:
    """Green is the citizen's own job consultant's to approve alone."""
    _require_team(staff, case)
    if case.consultant_id != staff.id:
        raise ApprovalError("not_your_case")


def _check_seen(case: Case, seen: int | None) -> None:
    if seen is not None and seen != case.version:
        raise ApprovalError("stale")


def _touch(case: Case) -> None:
    case.updated_at = utcnow()


# -- audit and notifications ------------------------------------------------------------------


def record(case: Case, action: str, *, staff: Staff | None = None,
           citizen: Citizen | None = None, reason: str = "", **details: Any) -> AuditEvent:
    """Append one step to the case's audit trail."""
    event = AuditEvent(case_id=case.id, citizen_id=case.citizen_id, action=action,
                       actor_staff_id=staff.id if staff else None,
                       actor_citizen_id=citizen.id if citizen else None,
                       version_number=case.versions[-1].number if case.versions else None,
                       colour=case.colour.value if case.colour else None,
                       reason=reason, details=details)
    db.session.add(event)
    return event


def notify(recipient: Staff | Citizen, kind: str, case: Case | None, link: str,
           about_day: date | None = None) -> Notification:
    """An in-app notice (and, after the commit, an e-mail with the link if SMTP is set up)."""
    note = Notification(kind=kind, link=link, case_id=case.id if case else None,
                        about_day=about_day)
    if isinstance(recipient, Staff):
        note.staff_id = recipient.id
    else:
        note.citizen_id = recipient.id
    db.session.add(note)
    db.session.info.setdefault("notices", []).append(note)
    return note


def pending_notices() -> list[Notification]:
    """The notices made since the last call (the route pushes and mails them after the commit,
    or forgets them after a rollback)."""
    return db.session.info.pop("notices", [])


def tell_the_other_side(draft: Draft, comment: DraftComment) -> list[Notification]:
    """A message in a sparring thread: the other side is notified — the citizen of their job
    consultant's message, the job consultant of the citizen's (on the case, once there is
    one; else on the draft they follow)."""
    case = case_of(draft)
    if comment.citizen_author_id is None:
        return [notify(draft.citizen, "consultant_commented", case,
                       "/me/plan" if case is not None else "/me/budget")]
    consultant = draft.citizen.job_consultant
    if consultant is None:
        return []
    return [notify(consultant, "citizen_replied", case,
                   f"/cases/{case.id}" if case is not None else f"/drafts/{draft.id}")]


# -- submitting -------------------------------------------------------------------------------


def case_of(draft: Draft) -> Case | None:
    return db.session.scalar(sa.select(Case).where(Case.draft_id == draft.id))


def submit(draft: Draft, citizen: Citizen) -> Case:
    """Freeze a complete plan within the cap as a new version and put it in the queue.

    :raises ApprovalError: ``not_complete`` (checklist or cap), ``already_submitted`` (a version
        is with the consultants, or the case is decided).
    """
    if draft.citizen_id != citizen.id:
        raise ApprovalError("not_yours")
    case = case_of(draft)
    if case is not None and case.state != CaseState.SENT_BACK:
        raise ApprovalError("already_submitted")
    if not budget_services.can_submit(draft):
        raise ApprovalError("not_complete")
    now = utcnow()
    if case is None:
        case = Case(draft_id=draft.id, citizen_id=citizen.id, course_id=draft.course_id,
                    team_id=draft.course.team_id, consultant_id=citizen.job_consultant_id)
        db.session.add(case)
    case.state, case.colour, case.submitted_at, case.updated_at = (
        CaseState.SUBMITTED, None, now, now)
    case.consultant_id = citizen.job_consultant_id  # theirs now, if it changed meanwhile
    content = freeze(draft)
    number = len(case.versions) + 1
    case.versions.append(PlanVersion(number=number, content=content,
                                     content_hash=content_hash(content), submitted_at=now))
    case.version_number, case.total = number, content["total"]
    draft.locked_at = now
    db.session.flush()
    record(case, "submitted", citizen=citizen, hash=case.versions[-1].content_hash)
    if citizen.job_consultant is not None:
        notify(citizen.job_consultant, "new_submission", case, f"/cases/{case.id}")
    return case


# -- assessing --------------------------------------------------------------------------------


def ratings(version: PlanVersion) -> dict[Criterion, Rating]:
    return {r.criterion: r for r in version.ratings}


def rate(case: Case, staff: Staff, criterion: str, value: str, note: str,
         seen: int | None = None) -> Rating:
    """Rate one criterion on the current version (yes / uncertain / no, with a note)."""
    _check_seen(case, seen)
    _assessor(case, staff)
    try:
        criterion_, value_ = Criterion(criterion), RatingValue(value)
    except ValueError:
        raise ApprovalError("bad_rating") from None
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise ApprovalError("too_long", n=MAX_TEXT)
    version = case.current
    rating = ratings(version).get(criterion_)
    if rating is None:
        rating = Rating(version_id=version.id, criterion=criterion_)
        db.session.add(rating)
        version.ratings.append(rating)
    rating.value, rating.note, rating.by_id, rating.at = value_, note, staff.id, utcnow()
    if case.state == CaseState.SUBMITTED:
        case.state = CaseState.IN_ASSESSMENT
    _touch(case)
    db.session.flush()
    record(case, "rated", staff=staff, criterion=criterion_.value, value=value_.value, note=note)
    return rating


def _assessor(case: Case, staff: Staff) -> None:
    """Who assesses now: the case's consultant; on the team list (red), anyone in the team."""
    if case.state not in OPEN_STATES:
        raise ApprovalError("decided")
    if case.state == CaseState.RED:
        _require_team(staff, case)
    else:
        _require_own(staff, case)


def suggested_colour(version: PlanVersion) -> Colour | None:
    """The seed's triage read off the ratings: the plan (substantial change, coherence) and the
    citizen (realistic for them). Confident in both: green; in one of the two: yellow; in
    neither: red. ``None`` until all three are rated."""
    given = ratings(version)
    if len(given) < len(Criterion):
        return None
    plan_ok = all(given[c].value == RatingValue.YES
                  for c in (Criterion.SUBSTANTIAL_CHANGE, Criterion.COHERENCE))
    citizen_ok = given[Criterion.REALISTIC].value == RatingValue.YES
    if plan_ok and citizen_ok:
        return Colour.GREEN
    if plan_ok or citizen_ok:
        return Colour.YELLOW
    return Colour.RED


def triage(case: Case, staff: Staff, colour: str, seen: int | None = None) -> Case:
    """Choose green (approve alone), yellow (colleagues spar) or red (the team decides)."""
    _check_seen(case, seen)
    _assessor(case, staff)
    try:
        chosen = Colour(colour)
    except ValueError:
        raise ApprovalError("bad_colour") from None
    if case.state == CaseState.RED:
        raise ApprovalError("team_decides")
    was_yellow = case.state == CaseState.YELLOW
    case.colour = chosen
    case.state = {Colour.GREEN: CaseState.IN_ASSESSMENT, Colour.YELLOW: CaseState.YELLOW,
                  Colour.RED: CaseState.RED}[chosen]
    _touch(case)
    db.session.flush()
    suggested = suggested_colour(case.current)
    extra: dict[str, Any] = {}
    if was_yellow and chosen != Colour.YELLOW:
        # re-triaged after the colleague sparring: who advised what goes on record with it
        extra = {"from_colour": Colour.YELLOW.value, "advice": advice_given(case)}
    record(case, "triaged", staff=staff, suggested=suggested.value if suggested else None,
           **extra)
    if chosen == Colour.RED:
        for colleague in colleagues(case, exclude=staff):
            notify(colleague, "team_decision", case, f"/cases/{case.id}")
    return case


def has_consultant(case: Case) -> bool:
    """Whether the case's job consultant can act on it (someone who left the team cannot)."""
    consultant = case.consultant
    return (consultant is not None and consultant.active and consultant.team_id == case.team_id
            and consultant.role == Role.JOB_CONSULTANT)


def assignable(case: Case, staff: Staff) -> list[Staff]:
    """Whom ``staff`` may give the open case to: the team lead any job consultant of the team
    but the current one; a job consultant only themselves, and only a case without an active
    consultant (they take it over). Empty when there is no choice to make."""
    if case.state not in OPEN_STATES or not is_team_consultant(staff, case):
        return []
    if staff.role == Role.TEAM_LEAD:
        return [p for p in colleagues(case, exclude=None)
                if p.role == Role.JOB_CONSULTANT and p.id != case.consultant_id]
    return [staff] if not has_consultant(case) else []


def assign(case: Case, staff: Staff, consultant_id: int, seen: int | None = None) -> Case:
    """Give an open case — and its citizen, so that a new version after a send-back goes to the
    same person — to another job consultant of the team (see :func:`assignable` for who may).
    A green marking is the former consultant's to act on: the new one chooses the colour again.
    The new consultant is notified; the audit trail records who moved it from whom to whom."""
    _check_seen(case, seen)
    _require_team(staff, case)
    if case.state not in OPEN_STATES:
        raise ApprovalError("decided")
    chosen = next((p for p in assignable(case, staff) if p.id == consultant_id), None)
    if chosen is None:
        if staff.role != Role.TEAM_LEAD:
            raise ApprovalError("lead_assigns")
        raise ApprovalError("bad_consultant")
    before, colour = case.consultant_id, case.colour
    case.consultant_id = case.citizen.job_consultant_id = chosen.id
    if case.colour == Colour.GREEN:
        # Green is the consultant's own judgement to approve alone: the new one chooses again
        # (the ratings stay, with who gave them).
        case.colour = None
    # Nobody spars on their own case: a sparring request to the new consultant is answered.
    db.session.execute(sa.update(SparringRequest).where(
        SparringRequest.case_id == case.id, SparringRequest.staff_id == chosen.id,
        SparringRequest.answered_at.is_(None)).values(answered_at=utcnow()))
    _touch(case)
    db.session.flush()
    record(case, "assigned", staff=staff, before=before, after=chosen.id,
           colour_before=colour.value if colour else None)
    if chosen.id != staff.id:
        notify(chosen, "case_assigned", case, f"/cases/{case.id}")
    return case


def asked_to_spar(case: Case, staff: Staff) -> bool:
    """Whether ``staff`` was asked to spar on the case (a colleague, not its consultant)."""
    return db.session.scalar(sa.select(SparringRequest.id).where(
        SparringRequest.case_id == case.id, SparringRequest.staff_id == staff.id)) is not None


def colleagues(case: Case, exclude: Staff | None) -> list[Staff]:
    """The team's active job consultants and team lead (the people who decide together)."""
    query = sa.select(Staff).where(Staff.team_id == case.team_id, Staff.active,
                                   Staff.role.in_([Role.JOB_CONSULTANT, Role.TEAM_LEAD]))
    people = db.session.scalars(query.order_by(Staff.name)).all()
    return [p for p in people if exclude is None or p.id != exclude.id]


def ask_colleagues(case: Case, staff: Staff, staff_ids: list[int],
                   seen: int | None = None) -> list[SparringRequest]:
    """Ask colleagues in the team to comment on a yellow case."""
    _check_seen(case, seen)
    _require_own(staff, case)
    if case.state != CaseState.YELLOW:
        raise ApprovalError("not_yellow")
    team = {p.id: p for p in colleagues(case, exclude=staff)}
    if not staff_ids or any(i not in team for i in staff_ids):
        raise ApprovalError("bad_colleague")
    asked = {r.staff_id for r in db.session.scalars(
        sa.select(SparringRequest).where(SparringRequest.case_id == case.id))}
    made = []
    for staff_id in dict.fromkeys(staff_ids):
        if staff_id in asked:
            continue
        made.append(SparringRequest(case_id=case.id, staff_id=staff_id, asked_by_id=staff.id))
        notify(team[staff_id], "sparring_request", case, f"/cases/{case.id}")
    db.session.add_all(made)
    _touch(case)
    db.session.flush()
    record(case, "colleagues_asked", staff=staff, asked=[r.staff_id for r in made])
    return made


def comment(case: Case, staff: Staff, text: str) -> CaseComment:
    """A colleague's comment in the yellow sparring or the red team discussion."""
    _require_team(staff, case)
    if case.state not in (CaseState.YELLOW, CaseState.RED):
        raise ApprovalError("no_discussion")
    text = (text or "").strip()
    if not text:
        raise ApprovalError("empty")
    if len(text) > MAX_TEXT:
        raise ApprovalError("too_long", n=MAX_TEXT)
    note = CaseComment(author_id=staff.id, text=text, author=staff)
    case.comments.append(note)  # listed at once: the push renders the thread before the commit
    for request in db.session.scalars(sa.select(SparringRequest).where(
            SparringRequest.case_id == case.id, SparringRequest.staff_id == staff.id,
            SparringRequest.answered_at.is_(None))):
        request.answered_at = utcnow()
    # Not a step on the case (its version stays): the owner, who sees the answer arrive live,
    # acts on the page they have without being told someone else acted meanwhile.
    db.session.flush()
    record(case, "commented", staff=staff)
    if case.consultant is not None and case.consultant_id != staff.id:
        notify(case.consultant, "colleague_commented", case, f"/cases/{case.id}")
    return note


def advice_given(case: Case) -> list[dict[str, Any]]:
    """The colleagues' comments in the case's sparring, as the record keeps them: who (id and
    name, as they were then), when, what."""
    return [{"by": note.author_id, "name": note.author.name,
             "at": note.created_at.isoformat(timespec="seconds"), "text": note.text}
            for note in case.comments]


def re_triages(case: Case) -> list[AuditEvent]:
    """The case's re-triages after colleague sparring (yellow to green or red), oldest first,
    each with the advice it was made on (``details["advice"]``)."""
    return [event for event in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.action == "triaged").order_by(AuditEvent.id))
        if event.details.get("from_colour") == Colour.YELLOW.value]


# -- deciding ---------------------------------------------------------------------------------


@dataclass
class Approval:
    """What an approval fixes (checked by :func:`approve`)."""

    length_months: int | None
    follow_up: str
    follow_up_dates: list[date] = field(default_factory=list)
    payments: dict[int, str] = field(default_factory=dict)
    participants: list[int] = field(default_factory=list)


def _decider(case: Case, staff: Staff, participants: list[int]) -> list[int]:
    """Who decides: green — the case's consultant alone; red — the team, recording who took part
    (the person recording it among them). Returns the participants to record."""
    if case.state not in OPEN_STATES:
        raise ApprovalError("decided")
    if case.state == CaseState.RED:
        _require_team(staff, case)
        team = {p.id for p in colleagues(case, exclude=None)}
        chosen = list(dict.fromkeys([*participants, staff.id]))
        if any(i not in team for i in chosen) or len(chosen) < 2:
            raise ApprovalError("bad_participants")
        return chosen
    _require_own(staff, case)
    return []


def approve(case: Case, staff: Staff, approval: Approval, seen: int | None = None) -> Case:
    """Approve the current version: length 6–12 months, a follow-up plan, payment per line.

    Green: the case's own consultant alone, after choosing green. Red: the team's decision.
    """
    _check_seen(case, seen)
    participants = _decider(case, staff, approval.participants)
    if case.state != CaseState.RED and case.colour != Colour.GREEN:
        raise ApprovalError("not_green")
    version = case.current
    if version.content["total"] > version.content["cap"]:
        raise ApprovalError("over_cap")
    if approval.length_months is None or not MIN_MONTHS <= approval.length_months <= MAX_MONTHS:
        raise ApprovalError("bad_length")
    follow_up = (approval.follow_up or "").strip()
    if not follow_up and not approval.follow_up_dates:
        raise ApprovalError("no_follow_up")
    if len(follow_up) > MAX_TEXT or len(approval.follow_up_dates) > MAX_FOLLOW_UP_DATES:
        raise ApprovalError("too_long", n=MAX_TEXT)
    line_ids = [line["id"] for line in version.content["lines"]]
    methods = {m.value for m in PaymentMethod}
    if set(approval.payments) != set(line_ids) or any(
            v not in methods for v in approval.payments.values()):
        raise ApprovalError("bad_payments")
    now = utcnow()
    case.state = CaseState.APPROVED
    case.decided_version_id, case.decided_at, case.decided_by_id = version.id, now, staff.id
    case.length_months = approval.length_months
    case.follow_up = follow_up
    case.follow_up_dates = sorted(d.isoformat() for d in approval.follow_up_dates)
    case.payments = {str(k): v for k, v in approval.payments.items()}
    case.team_participants = participants
    _touch(case)
    db.session.flush()
    record(case, "approved", staff=staff, length_months=approval.length_months,
           participants=participants)
    notify(case.citizen, "approved", case, "/me/plan")
    signals.case_approved.send(case, staff=staff)
    return case


def send_back(case: Case, staff: Staff, note: str, participants: list[int] = (),
              seen: int | None = None) -> Case:
    """Send the plan back with the changes asked for: the draft opens again for the citizen."""
    _check_seen(case, seen)
    chosen = _decider(case, staff, list(participants))
    note = (note or "").strip()
    if not note:
        raise ApprovalError("no_changes_asked")
    if len(note) > MAX_TEXT:
        raise ApprovalError("too_long", n=MAX_TEXT)
    case.state, case.send_back_note = CaseState.SENT_BACK, note
    case.team_participants = chosen
    case.draft.locked_at = None
    _touch(case)
    db.session.flush()
    record(case, "sent_back", staff=staff, reason=note, participants=chosen)
    notify(case.citizen, "sent_back", case, "/me/plan")
    return case


def _ender(case: Case, staff: Staff, participants: list[int]) -> list[int]:
    """Who ends the case: while it is open, who decides on it (:func:`_decider`: green — the
    case's consultant, red — the team); once it is sent back or approved, the case's own job
    consultant or the team lead. Returns the participants to record."""
    if case.state == CaseState.REJECTED:
        raise ApprovalError("ended")
    if case.state in OPEN_STATES:
        return _decider(case, staff, participants)
    _follower(case, staff)
    return []


def _follower(case: Case, staff: Staff) -> None:
    """Who follows a case the office is not deciding on (sent back, approved): its own job
    consultant or the team lead."""
    _require_team(staff, case)
    if staff.role != Role.TEAM_LEAD and case.consultant_id != staff.id:
        raise ApprovalError("not_your_case")


def handed_in_on(case: Case) -> date:
    """The day the plan was first handed in: nothing about the case happened before it."""
    return local_today(case.versions[0].submitted_at)


def reject(case: Case, staff: Staff, reason: str, note: str, participants: list[int] = (),
           seen: int | None = None, *, ended_on: date | None = None,
           today: date | None = None) -> Case:
    """End the course with one of the seed's ending reasons, at any time: while the plan is
    with the office, sent back or approved. ``ended_on`` (default today) is the ending's date:
    not in the future, not before the plan was handed in. An approval stays on the case (its
    date, length and who decided): the decision document prints the approval and the ending.

    :raises ApprovalError: ``ended`` (already), who may not (see :func:`_ender`),
        ``bad_reason``, ``future_date``, ``before_hand_in``, ``too_long``.
    """
    _check_seen(case, seen)
    chosen = _ender(case, staff, list(participants))
    try:
        ending = EndingReason(reason)
    except ValueError:
        raise ApprovalError("bad_reason") from None
    today = today or local_today()
    ended_on = ended_on or today
    if ended_on > today:
        raise ApprovalError("future_date")
    if ended_on < handed_in_on(case):
        raise ApprovalError("before_hand_in", date=handed_in_on(case))
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise ApprovalError("too_long", n=MAX_TEXT)
    now = utcnow()
    after_approval = case.state == CaseState.APPROVED
    if case.state == CaseState.SENT_BACK:
        case.draft.locked_at = now  # the plan is no longer the citizen's to change
    case.state, case.ending_reason, case.ending_note = CaseState.REJECTED, ending, note
    case.ended_on, case.ended_by_id = ended_on, staff.id
    case.complaint_guidance = complaint_guidance() or ""
    if not after_approval:  # the ending is the decision on the plan
        case.decided_version_id, case.decided_at, case.decided_by_id = (
            case.current.id, now, staff.id)
        case.team_participants = chosen
    _touch(case)
    db.session.flush()
    record(case, "rejected", staff=staff, reason=ending.value, note=note, participants=chosen,
           ended_on=ended_on.isoformat(), after_approval=after_approval)
    notify(case.citizen, "ended", case, "/me/plan")
    return case


# -- after approval: follow-up and its flags ----------------------------------------------------

#: What the job consultant records after approval: the citizen got a job, or a substantial
#: change happened. Either restarts the six months (docs/method.md §6, the sixth reason).
PROGRESS_KINDS = ("job", "substantial_change")
#: Six consecutive months without a job or a substantial change: decide whether to end.
IDLE_MONTHS = 6


def record_progress(case: Case, staff: Staff, kind: str, on: date | None, note: str,
                    seen: int | None = None, *, today: date | None = None) -> AuditEvent:
    """Record a job obtained or a substantial change on an approved case (its own job
    consultant or the team lead), on a day between the approval and today; the six months
    without one run from the latest.

    :raises ApprovalError: ``not_approved_case``, who may not, ``bad_progress``,
        ``progress_date``, ``too_long``.
    """
    _check_seen(case, seen)
    if case.state != CaseState.APPROVED:
        raise ApprovalError("ended" if case.state == CaseState.REJECTED
                            else "not_approved_case")
    _follower(case, staff)
    if kind not in PROGRESS_KINDS:
        raise ApprovalError("bad_progress")
    today = today or local_today()
    on = on or today
    approved_on = local_today(case.decided_at)
    if not approved_on <= on <= today:
        raise ApprovalError("progress_date", date=approved_on)
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise ApprovalError("too_long", n=MAX_TEXT)
    case.progress_on = max(on, case.progress_on or on)
    _touch(case)
    db.session.flush()
    return record(case, "progress", staff=staff, reason=kind, on=on.isoformat(), note=note)


def progress_events(case: Case) -> list[AuditEvent]:
    """The jobs and substantial changes recorded on the case, newest first."""
    return list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.action == "progress").options(
        selectinload(AuditEvent.actor_staff)).order_by(AuditEvent.id.desc())))


def add_months(day: date, months: int) -> date:
    """``day`` so many months on; the 31st of a shorter month is its last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class FollowUpFlags:
    """What an approved case asks of its job consultant: six months without a job or a
    substantial change (from the approval, or the last one recorded) — decide whether to end,
    the seed's sixth reason — and the approved length's end. Both due *on* their day."""

    idle_since: date
    idle_due: date
    length_ends: date
    today: date

    @property
    def no_change_six_months(self) -> bool:
        return self.today >= self.idle_due

    @property
    def length_ended(self) -> bool:
        return self.today >= self.length_ends


def follow_up_flags(approved_on: date | None, length_months: int | None,
                    progress_on: date | None, today: date) -> FollowUpFlags | None:
    """The flags of an approved case (``None`` without an approval)."""
    if approved_on is None or length_months is None:
        return None
    since = max(approved_on, progress_on or approved_on)
    return FollowUpFlags(since, add_months(since, IDLE_MONTHS),
                         add_months(approved_on, length_months), today)


def case_flags(case: Case, today: date | None = None) -> FollowUpFlags | None:
    """:func:`follow_up_flags` of an approved case (none once it has ended)."""
    if case.state != CaseState.APPROVED or case.decided_at is None:
        return None
    return follow_up_flags(local_today(case.decided_at), case.length_months, case.progress_on,
                           today or local_today())


def sign_declaration(case: Case, citizen: Citizen) -> Case:
    """The citizen signs the declaration on honour after approval (once; recorded)."""
    if case.citizen_id != citizen.id:
        raise ApprovalError("not_yours")
    if case.state != CaseState.APPROVED:
        raise ApprovalError("not_approved")
    if case.declaration_signed_at is not None:
        raise ApprovalError("already_signed")
    case.declaration_signed_at = utcnow()
    _touch(case)
    db.session.flush()
    record(case, "declaration_signed", citizen=citizen)
    return case


# -- the municipality's settings ---------------------------------------------------------------

COMPLAINT_GUIDANCE = "complaint_guidance"
#: The guidance is a few paragraphs: where to complain, by when, and how.
MAX_GUIDANCE = 3000


def complaint_guidance() -> str | None:
    """The complaint guidance (klagevejledning) the municipality filled in, ``None`` when it has
    not: the decision document then shows the translated default."""
    setting = db.session.get(Setting, COMPLAINT_GUIDANCE)
    return setting.value if setting is not None else None


def setting_row(name: str) -> Setting | None:
    return db.session.get(Setting, name)


def set_complaint_guidance(staff: Staff, text: str | None) -> Setting | None:
    """The team lead fills in the complaint guidance that every decision ending a plan carries
    (``None``: back to the default text). A case already ended keeps what it was given.

    :raises ApprovalError: ``not_lead``; ``empty_guidance`` (nothing but spaces: a decision
        without guidance is not allowed, choose the default instead); ``too_long``.
    """
    if not isinstance(staff, Staff) or staff.role != Role.TEAM_LEAD or not staff.active:
        raise ApprovalError("not_lead")
    setting = db.session.get(Setting, COMPLAINT_GUIDANCE)
    if text is None:
        if setting is not None:
            db.session.delete(setting)
        db.session.flush()
        return None
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise ApprovalError("empty_guidance")
    if len(text) > MAX_GUIDANCE:
        raise ApprovalError("too_long", n=MAX_GUIDANCE)
    if setting is None:
        setting = Setting(name=COMPLAINT_GUIDANCE, value=text)
        db.session.add(setting)
    setting.value, setting.updated_at, setting.updated_by_id = text, utcnow(), staff.id
    db.session.flush()
    return setting


# -- the decision document ----------------------------------------------------------------------


@dataclass(frozen=True)
class ColourStep:
    """One marking on the case's way to its decision: the colour chosen, by whom and when."""

    colour: str
    by: str
    at: datetime


def colour_path(case: Case) -> list[ColourStep]:
    """The colours the case was marked, in order (green / yellow / red and any re-triage), read
    from its audit trail: the decision document shows the path taken."""
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.action == "triaged",
        AuditEvent.colour.is_not(None)).options(selectinload(AuditEvent.actor_staff))
        .order_by(AuditEvent.at, AuditEvent.id))
    return [ColourStep(e.colour, e.actor_staff.name if e.actor_staff else "", e.at)
            for e in events]


def decided_version(case: Case) -> PlanVersion:
    """The version the decision was made on (the current one while the case is open)."""
    return next((v for v in case.versions if v.id == case.decided_version_id), case.current)


# -- reminders --------------------------------------------------------------------------------

#: A reminder goes out when this many days (or fewer) are left before the budget deadline.
REMIND_DAYS = 3


def remind_deadlines(today: date | None = None) -> list[Notification]:
    """Notices for plans not yet with the consultants whose budget deadline is near: to the
    citizen and to their job consultant, once per deadline (run daily: ``flask remind``)."""
    from course.people.services import budget_deadline

    today = today or local_today()
    made: list[Notification] = []
    for citizen in db.session.scalars(sa.select(Citizen).where(
            Citizen.active, Citizen.decision == "yes", Citizen.decided_on.is_not(None))):
        deadline = budget_deadline(citizen)
        if deadline is None or not 0 <= (deadline - today).days <= REMIND_DAYS:
            continue
        draft = budget_services.draft_of(citizen)
        case = case_of(draft) if draft is not None else None
        if case is not None and case.state != CaseState.SENT_BACK:
            continue  # with the consultants already, decided, or ended: nothing to remind
        already = db.session.scalar(sa.select(Notification.id).where(
            Notification.citizen_id == citizen.id, Notification.kind == "deadline",
            Notification.about_day == deadline))
        if already is not None:
            continue
        made.append(notify(citizen, "deadline", None, "/me/budget", about_day=deadline))
        if citizen.job_consultant is not None:
            made.append(notify(citizen.job_consultant, "deadline", None,
                               f"/courses/{citizen.course_id}/citizens/{citizen.id}",
                               about_day=deadline))
    db.session.flush()
    return made


# -- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference between two versions, for the consultant's "what changed": the plan's
    ``part`` (goal, motivation, line_added, line_removed, line_changed, attachment_added,
    attachment_removed, strategy), the line's ``title`` (or the strategy list's kind), the
    line's ``field`` that changed, and the stored values before and after (shown in the UI's
    words by ``approvals.labels.change_values``)."""

    part: str
    title: str
    before: Any
    after: Any
    field: str | None = None


#: A budget line's fields, in the order the editor shows them.
LINE_FIELDS = ("title", "amount", "category", "need_date", "price_source", "no_documentation",
               "payment_method", "change", "job_effect", "assumptions", "private")


def changes(old: PlanVersion, new: PlanVersion) -> list[Change]:
    """What changed between two versions of a plan: the goal and motivation, lines added and
    removed, each changed field of a line, documentation attached or removed, the strategy."""
    a, b = old.content, new.content
    out: list[Change] = []
    for part in ("goal", "motivation"):
        if a[part] != b[part]:
            out.append(Change(part, part, a[part], b[part]))
    old_lines = {line["id"]: line for line in a["lines"]}
    new_lines = {line["id"]: line for line in b["lines"]}
    for line_id, line in new_lines.items():
        before = old_lines.get(line_id)
        if before is None:
            out.append(Change("line_added", line["title"], None, line))
            continue
        out += [Change("line_changed", line["title"], before.get(key), line.get(key), key)
                for key in LINE_FIELDS if before.get(key) != line.get(key)]
        was = {doc["id"]: doc["name"] for doc in before.get("attachments", [])}
        now = {doc["id"]: doc["name"] for doc in line.get("attachments", [])}
        out += [Change("attachment_added", line["title"], None, now[doc]) for doc in now
                if doc not in was]
        out += [Change("attachment_removed", line["title"], was[doc], None) for doc in was
                if doc not in now]
    for line_id, line in old_lines.items():
        if line_id not in new_lines:
            out.append(Change("line_removed", line["title"], line, None))
    for kind in StrategyKind:
        if a["strategy"][kind.value] != b["strategy"][kind.value]:
            out.append(Change("strategy", kind.value, "\n".join(a["strategy"][kind.value]),
                              "\n".join(b["strategy"][kind.value])))
    return out


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue: what the row shows and nothing else."""

    case_id: int
    state: CaseState
    version_number: int
    total: int
    citizen_name: str
    course_id: int
    course_name: str
    consultant_id: int | None
    consultant_name: str | None
    #: Days the office has kept the case waiting; None once it is with the citizen or decided.
    waiting_days: int | None
    budget_deadline: date | None
    colour: Colour | None = None
    decided_on: date | None = None
    #: Open, and nobody can act on it: no job consultant, or theirs has left the team.
    needs_consultant: bool = False
    #: Sent back, and the citizen's budget deadline has passed without a new version.
    deadline_passed: bool = False
    #: Colleagues asked to spar who have not answered in SPARRING_ANSWER_DAYS working days.
    unanswered_sparring: tuple[str, ...] = ()
    #: Approved, and six months without a recorded job or substantial change: decide whether
    #: to end (the seed's sixth reason).
    no_change_six_months: bool = False
    #: Approved, and the approved length has come to its end.
    length_ended: bool = False

    @property
    def reference(self) -> str:
        return f"TET-{self.case_id:05d}"

    @property
    def overdue(self) -> bool:
        return (self.deadline_passed or bool(self.unanswered_sparring)
                or self.no_change_six_months or self.length_ended)


#: Queue filter "state" values: the case states, plus "new" for submitted.
FILTER_STATES = [s.value for s in CaseState]

#: How the queue can be sorted; the first is the default.
QUEUE_SORTS = ("waiting", "deadline", "state", "name")

#: A colleague asked to spar on a yellow case answers within this many working days.
SPARRING_ANSWER_DAYS = 3

_STATE_ORDER = {state: n for n, state in enumerate(CaseState)}
_SORT_KEYS = {
    # longest waiting first; the cases with the citizen and the decided ones after them
    "waiting": lambda row: (row.waiting_days is None, -(row.waiting_days or 0), row.case_id),
    "deadline": lambda row: (row.budget_deadline is None, row.budget_deadline or date.max,
                             row.case_id),
    "state": lambda row: (_STATE_ORDER[row.state], -(row.waiting_days or 0), row.case_id),
    "name": lambda row: (row.citizen_name.casefold(), row.case_id),
}


@functools.cache
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year))


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``: Monday to Friday, not a Danish
    public holiday (so a request made on a Friday has had one working day on Monday)."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in _public_holidays(day.year):
            days += 1
    return days


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: every field is in the page's URL, so a filter can be saved."""

    view: str = "mine"
    state: str = ""
    course_id: int | None = None
    min_days: int | None = None
    search: str = ""
    sort: str = "waiting"
    overdue_only: bool = False


@dataclass(frozen=True)
class Workload:
    """One job consultant's share of the team's open cases (the team lead's overview)."""

    staff_id: int
    name: str
    open: int = 0
    new: int = 0
    overdue: int = 0
    oldest_days: int | None = None


def queue(staff: Staff, chosen: QueueFilter | None = None, *, today: date | None = None
          ) -> tuple[list[QueueRow], dict[str, int]]:
    """The queue for ``staff``: their own cases (``mine``) or the team's (``team``), filtered by
    state, course, waiting time, the citizen's name or the case's reference and overdue flags,
    sorted as chosen; with counts per state (before the state filter, so the tabs show what each
    holds)."""
    chosen = chosen or QueueFilter()
    rows = team_rows(staff, mine_only=chosen.view != "team", today=today)
    return filter_rows(rows, chosen)


def team_rows(staff: Staff, *, mine_only: bool = False, today: date | None = None
              ) -> list[QueueRow]:
    """Every case of ``staff``'s team (or only theirs) as queue rows, oldest submission first."""
    from course.people.services import budget_deadline_of

    today = today or local_today()
    # Only what a row shows, as plain rows in one statement: a team's queue holds hundreds of
    # cases, and an object per case, citizen and course cost more than the query.
    query = (
        sa.select(Case.id, Case.state, Case.version_number, Case.total, Case.submitted_at,
                  Case.colour, Case.decided_at, Citizen.name, Citizen.decision,
                  Citizen.decided_on, Course.id, Course.name, Case.consultant_id, Staff.name,
                  Case.length_months, Case.progress_on,
                  # has_consultant(), in SQL: can the case's consultant act on it?
                  sa.and_(Staff.active, Staff.role == Role.JOB_CONSULTANT,
                          Staff.team_id == Case.team_id))
        .join(Citizen, Citizen.id == Case.citizen_id)
        .join(Course, Course.id == Case.course_id)
        .outerjoin(Staff, Staff.id == Case.consultant_id)
        .where(Case.team_id == staff.team_id)
    )
    if mine_only:
        query = query.where(Case.consultant_id == staff.id)
    # colleagues asked on a yellow case who have not answered: one statement for the team
    unanswered: dict[int, list[str]] = {}
    asked = (sa.select(SparringRequest.case_id, Staff.name, SparringRequest.asked_at)
             .join(Staff, Staff.id == SparringRequest.staff_id)
             .join(Case, Case.id == SparringRequest.case_id)
             .where(Case.team_id == staff.team_id, Case.state == CaseState.YELLOW,
                    SparringRequest.answered_at.is_(None))
             .order_by(SparringRequest.id))
    for case_id, name, asked_at in db.session.execute(asked):
        if working_days_between(local_today(asked_at), today) >= SPARRING_ANSWER_DAYS:
            unanswered.setdefault(case_id, []).append(name)
    rows = []
    for (case_id, state_, version_number, total, submitted_at, colour, decided_at, citizen,
         decision, decided_on, course_id, course, consultant_id, consultant, length_months,
         progress_on, able) in db.session.execute(query.order_by(Case.submitted_at, Case.id)):
        state = CaseState(state_)
        deadline = budget_deadline_of(decision, decided_on)
        is_open = state in OPEN_STATES
        flags = follow_up_flags(local_today(decided_at), length_months, progress_on, today) if (
            state == CaseState.APPROVED and decided_at is not None) else None
        rows.append(QueueRow(
            case_id, state, version_number, total, citizen, course_id, course, consultant_id,
            consultant,
            waiting_days=(today - local_today(submitted_at)).days if is_open else None,
            budget_deadline=deadline, colour=Colour(colour) if colour else None,
            decided_on=local_today(decided_at) if decided_at else None,
            needs_consultant=is_open and not able,
            deadline_passed=(state == CaseState.SENT_BACK and deadline is not None
                             and deadline < today),
            unanswered_sparring=tuple(unanswered.get(case_id, ())),
            no_change_six_months=flags is not None and flags.no_change_six_months,
            length_ended=flags is not None and flags.length_ended))
    return rows


def filter_rows(rows: list[QueueRow], chosen: QueueFilter
                ) -> tuple[list[QueueRow], dict[str, int]]:
    """``rows`` narrowed and sorted as ``chosen`` says, and the counts per state before the
    state filter."""
    needle = " ".join(chosen.search.split()).casefold()
    rows = [
        row for row in rows
        if (chosen.course_id is None or row.course_id == chosen.course_id)
        and (chosen.min_days is None
             or (row.waiting_days is not None and row.waiting_days >= chosen.min_days))
        and (not needle or needle in row.citizen_name.casefold()
             or needle in row.reference.casefold())
        and (not chosen.overdue_only or row.overdue)
    ]
    counts = {s: 0 for s in FILTER_STATES}
    for row in rows:
        counts[row.state.value] += 1
    if chosen.state:
        rows = [row for row in rows if row.state.value == chosen.state]
    rows.sort(key=_SORT_KEYS.get(chosen.sort, _SORT_KEYS["waiting"]))
    return rows, counts


def workload(staff: Staff, rows: list[QueueRow]) -> list[Workload]:
    """Open cases per active job consultant of ``staff``'s team (every one, also those with
    none), from the team's ``rows``; the cases nobody can act on under no name."""
    consultants = db.session.execute(
        sa.select(Staff.id, Staff.name).where(
            Staff.team_id == staff.team_id, Staff.active, Staff.role == Role.JOB_CONSULTANT)
        .order_by(Staff.name)).all()
    out = {staff_id: Workload(staff_id, name) for staff_id, name in consultants}
    for row in rows:
        if row.state not in OPEN_STATES and not row.overdue:
            continue
        key = row.consultant_id if row.consultant_id in out and not row.needs_consultant else None
        w = out.get(key) or Workload(0, "")
        days = [d for d in (w.oldest_days, row.waiting_days) if d is not None]
        out[key] = dataclasses.replace(
            w, open=w.open + (row.state in OPEN_STATES),
            new=w.new + (row.state == CaseState.SUBMITTED), overdue=w.overdue + row.overdue,
            oldest_days=max(days, default=None))
    return list(out.values())


def for_information(staff: Staff, limit: int = 20) -> list[Case]:
    """Green cases, approved alone by their consultant: presented to the team for information
    (a red case approved by the team keeps its colour red)."""
    return list(db.session.scalars(sa.select(Case).where(
        Case.team_id == staff.team_id, Case.state == CaseState.APPROVED,
        Case.colour == Colour.GREEN).options(
        selectinload(Case.citizen), selectinload(Case.course), selectinload(Case.decided_by)
    ).order_by(Case.decided_at.desc()).limit(limit)))


def trail(citizen: Citizen) -> list[AuditEvent]:
    """Every step on the citizen's cases, oldest first (the access-request export)."""
    return list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.citizen_id == citizen.id).order_by(AuditEvent.at, AuditEvent.id)))


def rating_notes(events: list[AuditEvent]) -> dict[int, str]:
    """The note of each ``rated`` event, for an access request: recorded with the event since
    the note was kept in the trail; for an earlier event, the rating's note when the event is
    the last rating of that criterion on that version (a later re-rating overwrote the rating's
    note, so an earlier event's note is not known and none is shown)."""
    notes: dict[int, str] = {}
    last: dict[tuple[int, int | None, str], AuditEvent] = {}
    for event in events:
        if event.action != "rated":
            continue
        if "note" in event.details:
            notes[event.id] = event.details["note"] or ""
        else:
            last[(event.case_id, event.version_number, event.details.get("criterion", ""))] = event
    if last:
        rows = db.session.execute(sa.select(PlanVersion.case_id, PlanVersion.number,
                                             Rating.criterion, Rating.note)
                                  .join(Rating, Rating.version_id == PlanVersion.id)
                                  .where(PlanVersion.case_id.in_({k[0] for k in last})))
        for case_id, number, criterion, note in rows:
            event = last.get((case_id, number, Criterion(criterion).value))
            if event is not None:
                notes[event.id] = note or ""
    return notes


def staff_names_by_id(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Staff.id, Staff.name).where(Staff.id.in_(ids))).all())


def _unread_of(person: Staff | Citizen) -> sa.ColumnElement[bool]:
    column = Notification.staff_id if isinstance(person, Staff) else Notification.citizen_id
    return sa.and_(column == person.id, Notification.read_at.is_(None))


def unread(person: Staff | Citizen) -> list[Notification]:
    """A person's unread notices, newest first."""
    return list(db.session.scalars(sa.select(Notification).where(
        _unread_of(person)).order_by(Notification.id.desc())))


def notices_of(person: Staff | Citizen, limit: int = 50) -> list[Notification]:
    """A person's notices, read and unread, newest first (the notice centre)."""
    column = Notification.staff_id if isinstance(person, Staff) else Notification.citizen_id
    return list(db.session.scalars(sa.select(Notification).where(column == person.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def read_notice(person: Staff | Citizen, notice_id: int) -> Notification | None:
    """Mark one of ``person``'s notices read (``None``: not theirs, or no such notice)."""
    note = db.session.get(Notification, notice_id)
    mine = note is not None and (note.staff_id == person.id if isinstance(person, Staff)
                                 else note.citizen_id == person.id)
    if not mine:
        return None
    if note.read_at is None:
        note.read_at = utcnow()
    return note


def read_notices_about(person: Staff | Citizen, link: str) -> list[Notification]:
    """Mark ``person``'s unread notices that lead to ``link`` read (they are looking at it);
    returns them."""
    notes = [note for note in unread(person) if note.link == link]
    for note in notes:
        note.read_at = utcnow()
    return notes


def unread_count(person: Staff | Citizen) -> int:
    """How many unread notices (the header's badge on every page: one indexed count)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        _unread_of(person)))


# -- exports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovedLine:
    """One approved budget line as the finance office pays it out."""

    reference: str
    approved_on: date
    consultant: str
    citizen: str
    course: str
    title: str
    amount: int
    payment_method: str
    need_date: date | None
    #: The day the case ended, if it has (an approval stays on record; payouts stop).
    ended_on: date | None = None


#: The audit steps that approve a plan version: the decision, and a minor change after it.
APPROVING_STEPS = ("approved", "change_approved")


def approved_lines(team_id: int, *, course_id: int | None = None, since: date | None = None,
                   until: date | None = None) -> list[ApprovedLine]:
    """The team's approved budget lines, as decided — the decided version (after any minor
    changes), the payment method the decision confirmed — each dated by the step that approved
    it (the decision, or the change that added it), kept between ``since`` and ``until``
    (local dates, both included), oldest first. A plan ended after its approval stays, with
    the day it ended."""
    query = (sa.select(Case).where(Case.team_id == team_id, Case.length_months.is_not(None))
             .options(selectinload(Case.versions), selectinload(Case.decided_by),
                      selectinload(Case.citizen), selectinload(Case.course)))
    if course_id:
        query = query.where(Case.course_id == course_id)
    cases = db.session.scalars(query.order_by(Case.decided_at, Case.id)).all()
    approved_at: dict[tuple[int, int], datetime] = {}
    if cases:
        for case_id, number, at in db.session.execute(
                sa.select(AuditEvent.case_id, AuditEvent.version_number, AuditEvent.at).where(
                    AuditEvent.case_id.in_([c.id for c in cases]),
                    AuditEvent.action.in_(APPROVING_STEPS))):
            approved_at.setdefault((case_id, number), at)
    out = []
    for case in cases:
        decided = next(v for v in case.versions if v.id == case.decided_version_id)
        # the versions that were approved, oldest first: a line is dated by the first of them
        # that holds it
        approving = [v for v in case.versions
                     if (case.id, v.number) in approved_at and v.number <= decided.number]
        for line in decided.content["lines"]:
            first = next((v for v in approving
                          if any(other["id"] == line["id"] for other in v.content["lines"])),
                         None)
            at = approved_at[(case.id, first.number)] if first is not None else case.decided_at
            day = local_today(at)
            if (since is not None and day < since) or (until is not None and day > until):
                continue
            out.append(ApprovedLine(
                case.reference, day, case.decided_by.name if case.decided_by else "",
                case.citizen.name, case.course.name, line["title"], line["amount"],
                case.payments.get(str(line["id"]), line["payment_method"]),
                date.fromisoformat(line["need_date"]) if line["need_date"] else None,
                case.ended_on))
    return sorted(out, key=lambda line: (line.approved_on, line.reference))
