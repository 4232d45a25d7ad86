"""Privacy: the notice the municipality fills in (who processes what, why, for how long, the
citizen's rights), whether a citizen has read it, the retention periods, and the purge that
removes what has passed its time.

What the purge removes and what it keeps (docs/method.md, ../shared/SECURITY.md):

* A citizen who said no, never answered, or opted out before handing in a plan: the period
  runs from the course's kickoff. Their draft goes (lines, strategy, sparring comments, the
  attachments *and their files*), their code stops working, their contact details go and
  their name becomes a pseudonym ("Slettet borger #id"), their notices and their peer-review
  snapshot's text go.
* A citizen whose case ended: the period runs from the day it ended. What they wrote goes
  (the draft's texts and lines, attachments and files, the plan versions' and change
  requests' texts, peer-review texts about the plan), and the sparring around it (draft
  and case comments, follow-up meeting notes); and their personal details as above.
* Kept, as the law keeps them: the decisions and what they rest on — the case's state, dates,
  who decided, the ending reason and its note, the complaint guidance given, the ratings,
  each plan version's budget lines (what was applied for and granted: title, amount,
  payment method) with the totals, and the audit trail, which the database itself refuses
  to change (it never held names: it names the citizen by id, and that id now reads as the
  pseudonym); the payouts, receipts and repayment claims, which bookkeeping law keeps for
  five years (append-only too).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from course.approvals.models import Case, CaseComment, Notification, PlanVersion, Setting
from course.budgets.models import Draft, DraftComment, FieldVersion
from course.changes.models import ChangeRequest
from course.extensions import db
from course.followup.models import Meeting
from course.people import services as people
from course.people.models import Citizen, Role, Staff
from course.schedule.models import Course
from course.types import local_today, utcnow

# -- the notice's texts -------------------------------------------------------------------------

CONTROLLER = "privacy_controller"
CONTACT = "privacy_contact"
DPO = "privacy_dpo"
EXTRA = "privacy_extra"
#: The notice's texts the team lead fills in, each with its longest length.
TEXTS = {CONTROLLER: 300, CONTACT: 300, DPO: 300, EXTRA: 3000}

# -- the retention periods, in months -----------------------------------------------------------

DECLINED_MONTHS = "retention_declined_months"
ENDED_MONTHS = "retention_ended_months"
#: Per period: the default, the least and the most months the team lead may choose.
PERIODS = {DECLINED_MONTHS: (6, 1, 36), ENDED_MONTHS: (60, 12, 120)}

#: Every setting that is part of the notice: changing one shows the notice again.
NOTICE_SETTINGS = (*TEXTS, *PERIODS)

#: What a purged citizen is called from then on (the name column is data, not UI text).
PSEUDONYM = "Slettet borger #{id}"


class PrivacyError(Exception):
    """A refused step; ``code`` names the reason (:data:`course.privacy.labels.ERRORS`)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _require_lead(staff: Staff) -> None:
    if not isinstance(staff, Staff) or staff.role != Role.TEAM_LEAD or not staff.active:
        raise PrivacyError("not_lead")


def texts() -> dict[str, str]:
    """The notice's texts as filled in; empty: the translated default applies."""
    rows = {row.name: row.value for row in
            db.session.scalars(sa.select(Setting).where(Setting.name.in_(TEXTS)))}
    return {name: rows.get(name, "") for name in TEXTS}


def set_texts(staff: Staff, typed: dict[str, str]) -> None:
    """The team lead fills in the notice's texts (an empty one: the default applies).

    :raises PrivacyError: ``not_lead``; ``too_long`` (``field``, ``n``).
    """
    _require_lead(staff)
    cleaned = {}
    for name, longest in TEXTS.items():
        text = (typed.get(name) or "").replace("\r\n", "\n").strip()
        if len(text) > longest:
            raise PrivacyError("too_long", field=name, n=longest)
        cleaned[name] = text
    for name, text in cleaned.items():
        _save(staff, name, text)
    db.session.flush()


def _save(staff: Staff, name: str, value: str) -> None:
    setting = db.session.get(Setting, name)
    if setting is None:
        setting = Setting(name=name, value=value)
        db.session.add(setting)
    elif setting.value == value:
        return  # unchanged: the notice is not "changed" for the citizens
    setting.value, setting.updated_at, setting.updated_by_id = value, utcnow(), staff.id


def months(name: str) -> int:
    """A retention period in months (the default when not set or out of range)."""
    default, least, most = PERIODS[name]
    setting = db.session.get(Setting, name)
    try:
        value = int(setting.value) if setting is not None else default
    except ValueError:
        return default
    return value if least <= value <= most else default


def set_periods(staff: Staff, typed: dict[str, str]) -> None:
    """The team lead sets the retention periods.

    :raises PrivacyError: ``not_lead``; ``months_not_a_number`` / ``months_out_of_range``
        (``field``, ``least``, ``most``).
    """
    _require_lead(staff)
    chosen = {}
    for name, (_default, least, most) in PERIODS.items():
        text = (typed.get(name) or "").strip()
        if not (text.isascii() and text.isdigit()):
            raise PrivacyError("months_not_a_number", field=name)
        value = int(text)
        if not least <= value <= most:
            raise PrivacyError("months_out_of_range", field=name, least=least, most=most)
        chosen[name] = str(value)
    for name, value in chosen.items():
        _save(staff, name, value)
    db.session.flush()


def last_change() -> Setting | None:
    """The notice's setting changed last (who and when), if any was ever set."""
    return db.session.scalars(sa.select(Setting).where(Setting.name.in_(NOTICE_SETTINGS))
                              .order_by(Setting.updated_at.desc()).limit(1)).first()


def notice_changed_at() -> datetime | None:
    row = last_change()
    return row.updated_at if row is not None else None


# -- has the citizen read it --------------------------------------------------------------------


def must_see_notice(citizen: Citizen) -> bool:
    """Has the citizen not yet said they read the notice as it is now?"""
    if citizen.privacy_seen_at is None:
        return True
    changed = notice_changed_at()
    return changed is not None and citizen.privacy_seen_at < changed


def mark_seen(citizen: Citizen) -> None:
    """The citizen says they have read the notice: it is not shown again until it changes."""
    citizen.privacy_seen_at = utcnow()
    db.session.flush()


# -- the purge ----------------------------------------------------------------------------------


def add_months(day: date, n: int) -> date:
    """``day`` ``n`` months later (the month's last day when it is shorter)."""
    years, month0 = divmod(day.month - 1 + n, 12)
    year, month = day.year + years, month0 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


DECLINED, ENDED = "declined", "ended"


@dataclass
class Expired:
    """One citizen whose data has passed its time: why, since when it is kept, and what goes."""

    citizen_id: int
    reason: str  #: :data:`DECLINED` or :data:`ENDED`
    kept_until: date  #: the last day the data was kept
    case_id: int | None = None
    removed: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        what = ", ".join(f"{n} {name}" for name, n in self.removed.items() if n) or "no rows"
        about = f"case {self.case_id}" if self.case_id else "no case"
        return (f"citizen {self.citizen_id} ({self.reason}, {about}, kept until "
                f"{self.kept_until.isoformat()}): {what}")


def expired(today: date | None = None) -> list[Expired]:
    """The citizens whose data is past its retention period on ``today`` (Danish time):
    kept through the last day of the period, purged from the day after."""
    today = today or local_today()
    declined_months, ended_months = months(DECLINED_MONTHS), months(ENDED_MONTHS)
    found: list[Expired] = []
    with_case = sa.select(Case.citizen_id)
    rows = db.session.execute(
        sa.select(Citizen.id, Course.kickoff_on).join(Course, Course.id == Citizen.course_id)
        .where(Citizen.purged_at.is_(None), Citizen.id.not_in(with_case),
               sa.or_(Citizen.decision != "yes", Citizen.opted_out_at.is_not(None)))
        .order_by(Citizen.id))
    for citizen_id, kickoff_on in rows:
        until = add_months(kickoff_on, declined_months)
        if until < today:
            found.append(Expired(citizen_id, DECLINED, until))
    rows = db.session.execute(
        sa.select(Case.citizen_id, Case.id, Case.ended_on)
        .join(Citizen, Citizen.id == Case.citizen_id)
        .where(Citizen.purged_at.is_(None), Case.ended_on.is_not(None)).order_by(Case.id))
    for citizen_id, case_id, ended_on in rows:
        until = add_months(ended_on, ended_months)
        if until < today:
            found.append(Expired(citizen_id, ENDED, until, case_id))
    return found


def purge(today: date | None = None, *, dry_run: bool = False) -> list[Expired]:
    """Remove what has passed its time on ``today`` (see the module's text), or with
    ``dry_run`` only say what would go. Flushes; the caller commits (files go after the
    commit). Running it again the same day finds nothing more."""
    today = today or local_today()
    found = expired(today)
    for item in found:
        item.removed = _purge_one(item, today, dry_run=dry_run)
    if not dry_run:
        db.session.flush()
    return found


#: The texts a frozen plan (a plan version, a change request, a peer-review snapshot) holds
#: beside its budget lines' titles and amounts.
PLAN_TEXTS = ("goal", "motivation", "price_source", "no_documentation", "change",
              "job_effect", "assumptions")


def scrub_plan(content: dict, purged_on: date) -> dict:
    """A frozen plan without what the citizen wrote: each line keeps its id, title, category,
    amount, need date and payment method (what was applied for and granted), the totals stay."""
    kept = dict(content)
    for key in PLAN_TEXTS:
        if key in kept:
            kept[key] = ""
    if isinstance(kept.get("strategy"), dict):
        kept["strategy"] = {kind: [] for kind in kept["strategy"]}
    elif "strategy" in kept:
        kept["strategy"] = []
    kept["lines"] = [
        {**{key: ("" if key in PLAN_TEXTS else value) for key, value in line.items()},
         **({"attachments": []} if "attachments" in line else {})}
        for line in content.get("lines") or [] if isinstance(line, dict)]
    kept["purged_on"] = purged_on.isoformat()
    return kept


def _purge_one(item: Expired, today: date, *, dry_run: bool) -> dict[str, int]:
    from peerreview.models import Feedback, Snapshot

    citizen = db.session.get(Citizen, item.citizen_id)
    removed: dict[str, int] = {}
    draft = db.session.scalar(sa.select(Draft).where(Draft.citizen_id == citizen.id))
    if draft is not None:
        comments = db.session.scalars(
            sa.select(DraftComment).where(DraftComment.draft_id == draft.id)).all()
        removed["draft comments"] = len(comments)
        removed["budget lines"] = len(draft.lines)
        removed["attachments"] = sum(len(line.attachments) for line in draft.lines)
        removed["strategy items"] = len(draft.strategy)
        if not dry_run:
            keys = [f"draft:{draft.id}:%"] + [f"line:{line.id}:%" for line in draft.lines] + [
                f"strategy:{s.id}:%" for s in draft.strategy]
            db.session.execute(sa.delete(FieldVersion).where(
                sa.or_(*(FieldVersion.key.like(key) for key in keys))))
            for comment in comments:
                db.session.delete(comment)
            db.session.flush()
            if item.case_id is None:
                db.session.delete(draft)  # its lines, strategy and attachments (and files) go
            else:
                # the case points at the draft: it stays, empty
                for line in list(draft.lines):
                    db.session.delete(line)
                for entry in list(draft.strategy):
                    db.session.delete(entry)
                draft.goal, draft.motivation = "", ""
            db.session.flush()
    snapshots = db.session.scalars(sa.select(Snapshot).where(Snapshot.owner_ref == citizen.id)
                                   ).all()
    feedback = db.session.scalars(sa.select(Feedback).where(
        Feedback.snapshot_id.in_([s.id for s in snapshots]))).all() if snapshots else []
    removed["peer-review snapshots"] = len(snapshots)
    removed["peer feedback texts"] = len(feedback)
    if not dry_run:
        for snapshot in snapshots:
            snapshot.content = scrub_plan(snapshot.content or {}, today)
        for entry in feedback:
            entry.text = ""
    if item.case_id is not None:
        case = db.session.get(Case, item.case_id)
        versions = db.session.scalars(sa.select(PlanVersion).where(
            PlanVersion.case_id == case.id)).all()
        case_comments = db.session.scalars(sa.select(CaseComment).where(
            CaseComment.case_id == case.id)).all()
        meetings = db.session.scalars(sa.select(Meeting).where(Meeting.case_id == case.id,
                                                                Meeting.note != "")).all()
        changes = db.session.scalars(sa.select(ChangeRequest).where(
            ChangeRequest.case_id == case.id)).all()
        removed["plan version texts"] = len(versions)
        removed["case comments"] = len(case_comments)
        removed["meeting notes"] = len(meetings)
        removed["change request texts"] = len(changes)
        if not dry_run:
            for version in versions:
                version.content = scrub_plan(version.content, today)
            for comment in case_comments:
                comment.text = ""
            for meeting in meetings:
                meeting.note = ""
            for change in changes:
                change.content, change.reason = scrub_plan(change.content, today), ""
            case.follow_up, case.send_back_note = "", ""
    notices = db.session.scalars(sa.select(Notification).where(
        Notification.citizen_id == citizen.id)).all()
    removed["notices"] = len(notices)
    removed["personal details"] = 1
    if not dry_run:
        for notice in notices:
            db.session.delete(notice)
        people.end_sessions(citizen=citizen, reason="purged")
        citizen.name = PSEUDONYM.format(id=citizen.id)
        citizen.phone, citizen.email, citizen.eligibility = "", "", []
        citizen.code_hash = f"purged-{citizen.id}"  # no code's HMAC (64 hex digits) matches
        citizen.active = False
        citizen.purged_at = utcnow()
    return removed
