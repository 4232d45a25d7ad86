"""The approval queue on the web: the citizen submits and sees the outcome; job consultants work
the queue, assess on one screen, triage, spar, decide; exports for the finance office.

Every acting form carries the case ``version`` it was rendered with; a step on a case someone
else changed meanwhile is refused (409) and nothing is overwritten.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import (
    Response,
    abort,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from course import realtime
from course.access import CITIZEN, JOB_CONSULTANT, TEAM_LEAD, allow
from course.approvals import bp, pushes
from course.approvals import services as cases
from course.approvals.models import (
    Case,
    CaseState,
    Colour,
    Criterion,
    EndingReason,
    Notification,
    RatingValue,
)
from course.budgets import services as budgets
from course.budgets.labels import payment_label, strategy_label
from course.budgets.models import Draft
from course.errors import error_response
from course.extensions import db
from course.people.models import Citizen, Role, Staff
from course.schedule.models import Course
from course.types import utcnow
from course.web import render

ERRORS: dict[str, Callable[[dict[str, Any]], str]] = {
    "not_complete": lambda p: _("The plan is not ready to submit yet: see what is missing in "
                                "the checklist."),
    "already_submitted": lambda p: _("Your plan has already been submitted."),
    "not_yours": lambda p: _("That is not your plan."),
    "not_in_team": lambda p: _("Only the job consultants of the citizen's team can do that."),
    "not_your_case": lambda p: _("Only the citizen's own job consultant can do that. Ask them, "
                                 "or comment if they asked you to spar."),
    "stale": lambda p: _("Someone else acted on this case at the same time. Reload the page to "
                         "see what they did."),
    "decided": lambda p: _("The case has been decided already."),
    "bad_rating": lambda p: _("Choose yes, uncertain or no for the criterion."),
    "too_long": lambda p: _("At most %(n)d characters.", n=p.get("n", 4000)),
    "bad_colour": lambda p: _("Choose green, yellow or red."),
    "team_decides": lambda p: _("The case is on the team's list: the team decides."),
    "not_yellow": lambda p: _("Colleagues are asked to spar on a yellow case."),
    "bad_colleague": lambda p: _("Choose one or more colleagues from the team."),
    "bad_consultant": lambda p: _("Choose one of the team's job consultants."),
    "lead_assigns": lambda p: _("Only the team lead can give a case to another job consultant. "
                                "You can take over a case that has no job consultant."),
    "no_discussion": lambda p: _("Comments are for yellow and red cases."),
    "empty": lambda p: _("Write your comment first."),
    "bad_participants": lambda p: _("Tick who took part in the team decision: at least two "
                                    "from the team."),
    "not_green": lambda p: _("Choose green before approving alone."),
    "over_cap": lambda p: _("The plan is over the budget cap and cannot be approved."),
    "bad_length": lambda p: _("The course length must be 6 to 12 months."),
    "no_follow_up": lambda p: _("Write the follow-up plan or give at least one meeting date."),
    "bad_payments": lambda p: _("Choose the payment method for every budget line."),
    "no_changes_asked": lambda p: _("Write what the citizen should change."),
    "bad_reason": lambda p: _("Choose one of the ending reasons."),
    "not_approved": lambda p: _("The declaration is signed after the plan is approved."),
    "already_signed": lambda p: _("You have already signed the declaration."),
    "bad_date": lambda p: _("Write dates as dd-mm-yyyy, one per line."),
}

def message(err: cases.ApprovalError) -> str:
    make = ERRORS.get(err.code)
    return make(err.params) if make else _("That is not possible right now.")


# -- labels (templates) -----------------------------------------------------------------------


@bp.app_template_filter("case_state_label")
def case_state_label(state: CaseState | str) -> str:
    labels = g.get("teten_case_states")  # the queue asks once per row: translate once
    if labels is None:
        labels = g.teten_case_states = {
            CaseState.SUBMITTED: _("New"),
            CaseState.IN_ASSESSMENT: _("In assessment"),
            CaseState.YELLOW: _("Yellow – sparring"),
            CaseState.RED: _("Red – team decision"),
            CaseState.SENT_BACK: _("Sent back"),
            CaseState.APPROVED: _("Approved"),
            CaseState.REJECTED: _("Ended"),
        }
    return labels[CaseState(state)]


@bp.app_template_filter("colour_label")
def colour_label(colour: Colour | str | None) -> str:
    if not colour:
        return ""
    return {Colour.GREEN: _("Green"), Colour.YELLOW: _("Yellow"),
            Colour.RED: _("Red")}[Colour(colour)]


@bp.app_template_filter("criterion_label")
def criterion_label(criterion: Criterion | str) -> str:
    return {
        Criterion.SUBSTANTIAL_CHANGE: _("The plan can bring a substantial change to the "
                                        "citizen's job chances."),
        Criterion.REALISTIC: _("The citizen's ability to carry out the plan seems realistic "
                               "(e.g. vulnerability, language, ambition, commitment, practical "
                               "coherence)."),
        Criterion.COHERENCE: _("The plan's means (budget lines) and goals (wished-for changes) "
                               "hang together."),
    }[Criterion(criterion)]


@bp.app_template_filter("rating_label")
def rating_label(value: RatingValue | str) -> str:
    return {RatingValue.YES: _("Yes"), RatingValue.UNCERTAIN: _("Uncertain"),
            RatingValue.NO: _("No")}[RatingValue(value)]


@bp.app_template_filter("ending_label")
def ending_label(reason: EndingReason | str | None) -> str:
    if not reason:
        return ""
    return {
        EndingReason.JOB: _("Ordinary employment"),
        EndingReason.NOT_APPROVABLE: _("The budget plan cannot be approved"),
        EndingReason.CITIZEN_OPTS_OUT: _("The citizen wants to end the course"),
        EndingReason.MISTRUST: _("Serious mistrust in the ability to carry out the plan"),
        EndingReason.AGREEMENTS_BROKEN: _("Agreements are not kept"),
        EndingReason.NO_CHANGE_6_MONTHS: _("6 months without a job or a substantial change"),
    }[EndingReason(reason)]


@bp.app_template_filter("notice_label")
def notice_label(kind: str) -> str:
    return {
        "new_submission": _("A new plan is waiting for your assessment."),
        "sparring_request": _("A colleague asks you to spar on a case."),
        "colleague_commented": _("A colleague commented on your case."),
        "team_decision": _("A case is on the team's list for a decision."),
        "case_assigned": _("A case has been given to you."),
        "outcome": _("There is news about your plan."),
        "deadline": _("The budget deadline is close."),
    }.get(kind, _("There is news."))


@bp.app_template_filter("iso_date")
def iso_date(value: str | None) -> date | None:
    """An ISO date string from a frozen version, as a date for ``long_date``."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.app_template_global()
def change_label(change: cases.Change) -> str:
    """What a version difference is about, in words."""
    if change.part == "goal":
        return _("Goal")
    if change.part == "motivation":
        return _("Personal motivation")
    if change.part == "line_added":
        return _("New budget line: %(title)s", title=change.title)
    if change.part == "line_removed":
        return _("Budget line removed: %(title)s", title=change.title)
    if change.part == "strategy":
        return strategy_label(change.title)
    return _("Budget line changed: %(what)s", what=change.title)


@bp.app_template_global()
def staff_names(ids: list[int]) -> str:
    people = db.session.scalars(db.select(Staff).where(Staff.id.in_(ids))).all()
    return ", ".join(sorted(p.name for p in people))


@bp.app_template_global()
def unread_notices() -> int:
    """How many unread notices the signed-in person has (the header's badge)."""
    if not current_user.is_authenticated or not isinstance(current_user, Staff | Citizen):
        return 0
    return cases.unread_count(current_user)


@bp.app_template_global()
def case_for_draft(draft: Draft) -> Case | None:
    return cases.case_of(draft)


# -- pushing and answering --------------------------------------------------------------------


def _commit(case: Case) -> None:
    """Commit the step and push: the team's queues refetch, each notified person's badge
    refetches, and notices go out by e-mail (a link only). A race is lost at the flush of the
    case's version: nothing of the loser's step is kept."""
    notices = cases.pending_notices()
    pushes.push_case(case, notices)
    try:
        realtime.commit_and_push()
    except StaleDataError:
        db.session.rollback()
        realtime.discard_pushes()
        raise cases.ApprovalError("stale") from None
    pushes.mail_notices(notices)


def _refused(err: cases.ApprovalError, status: int = 422) -> Response:
    db.session.rollback()
    realtime.discard_pushes()
    cases.pending_notices()
    return error_response(409 if err.code == "stale" else status, message(err))


def _seen() -> int | None:
    value = request.form.get("version", "")
    return int(value) if value.isdigit() else None


def _ids(name: str) -> list[int]:
    try:
        return [int(v) for v in request.form.getlist(name) if v.strip()]
    except ValueError:
        abort(404)


# -- the citizen ------------------------------------------------------------------------------


def _own_case() -> tuple[Draft, Case | None]:
    draft = budgets.draft_of(current_user)
    if draft is None:
        abort(404)
    return draft, cases.case_of(draft)


@bp.post("/me/plan/submit")
@allow(CITIZEN)
def submit():
    """Submit the plan: a frozen version goes to the job consultant's queue."""
    draft, _case = _own_case()
    try:
        case = cases.submit(draft, current_user)
        _commit(case)
    except cases.ApprovalError as err:
        return _refused(err)
    return redirect(url_for("approvals.my_plan"), 303)


@bp.get("/me/plan")
@allow(CITIZEN)
def my_plan():
    """Where the submitted plan stands: waiting, sent back, approved (and the declaration)
    or ended. Reading it marks the citizen's notices as read."""
    for note in cases.unread(current_user):
        note.read_at = utcnow()
    db.session.commit()
    draft = budgets.draft_of(current_user)
    case = cases.case_of(draft) if draft is not None else None
    if case is None:  # nothing submitted yet: the notice was about the draft
        return redirect(url_for("budgets.my_draft"))
    return render_template("approvals/my_plan.html", draft=draft, case=case,
                           version=case.current, lines=_lines_with_payment(case))


def _lines_with_payment(case: Case) -> list[dict[str, Any]]:
    return [dict(line, confirmed=case.payments.get(str(line["id"])))
            for line in case.current.content["lines"]]


@bp.post("/me/plan/declaration")
@allow(CITIZEN)
def sign_declaration():
    """The citizen signs the declaration on honour (tro- og loveerklæring)."""
    _draft, case = _own_case()
    if case is None:
        abort(404)
    if request.form.get("agree") != "1":
        return error_response(422, _("Tick the box to sign the declaration."))
    try:
        cases.sign_declaration(case, current_user)
        _commit(case)
    except cases.ApprovalError as err:
        return _refused(err)
    return redirect(url_for("approvals.my_plan"), 303)


# -- the queue --------------------------------------------------------------------------------


STAFF_DECIDING = (JOB_CONSULTANT, TEAM_LEAD)


@bp.get("/queue")
@allow(*STAFF_DECIDING)
def queue():
    """The approval queue: mine or the team's, filtered, longest waiting first; live."""
    args = request.args
    # the team lead has no caseload of their own: the team's queue is theirs by default
    default = "team" if current_user.role == Role.TEAM_LEAD else "mine"
    view = args.get("view", default) if args.get("view") in ("mine", "team") else default
    state = args.get("state", "")
    if state not in cases.FILTER_STATES:
        state = ""
    course_id = args.get("course", type=int)
    min_days = args.get("days", type=int)
    rows, counts = cases.queue(current_user, view=view, state=state, course_id=course_id,
                               min_days=min_days if min_days and min_days > 0 else None)
    courses = db.session.scalars(db.select(Course).where(
        Course.team_id == current_user.team_id).order_by(Course.kickoff_on.desc())).all()
    context = {"rows": rows, "counts": counts, "view": view, "state": state,
               "course_id": course_id, "min_days": min_days, "courses": courses,
               "for_information": cases.for_information(current_user)}
    if request.headers.get("HX-Request"):
        return render("approvals/queue.html", "approvals/_queue.html", **context)
    return render_template("approvals/queue.html", **context,
                           streams=realtime.streams_for(current_user))


def _case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not cases.is_team_consultant(current_user, case):
        abort(404)
    return case


def _case_context(case: Case, **extra: Any) -> dict[str, Any]:
    version = case.current
    previous = case.versions[-2] if len(case.versions) > 1 else None
    return {
        "case": case, "version": version, "ratings": cases.ratings(version),
        "suggested": cases.suggested_colour(version),
        "changes": cases.changes(previous, version) if previous else None,
        "previous": previous,
        "colleagues": cases.colleagues(case, exclude=current_user),
        "assignable": cases.assignable(case, current_user),
        "has_consultant": cases.has_consultant(case),
        "mine": case.consultant_id == current_user.id,
        "criteria": list(Criterion), "rating_values": list(RatingValue),
        "endings": list(EndingReason), "lines": _lines_with_payment(case),
        "draft": case.draft, "participation_deadline": _deadline(case),
        **extra,
    }


def _deadline(case: Case) -> date | None:
    from course.people.services import budget_deadline

    return budget_deadline(case.citizen)


@bp.get("/cases/<int:case_id>")
@allow(*STAFF_DECIDING)
def case_page(case_id: int):
    """The assessment screen: the plan version beside everything needed to decide on it."""
    case = _case_or_404(case_id)
    return render_template("approvals/case.html", **_case_context(case),
                           streams=realtime.streams_for(current_user))


def _act(case_id: int, step: Callable[[Case], object]):
    """Run one step on a case; answer with the case page (or its region for htmx)."""
    case = _case_or_404(case_id)
    try:
        try:
            step(case)
        except StaleDataError:  # the step's own flush lost a race (see _commit)
            raise cases.ApprovalError("stale") from None
        _commit(case)
    except cases.ApprovalError as err:
        return _refused(err)
    if not request.headers.get("HX-Request"):
        return redirect(url_for("approvals.case_page", case_id=case.id), 303)
    return render("approvals/case.html", "approvals/_case.html", **_case_context(case))


@bp.post("/cases/<int:case_id>/ratings")
@allow(*STAFF_DECIDING)
def rate(case_id: int):
    """Rate the three criteria (yes / uncertain / no, each with a note)."""
    form = request.form

    def step(case: Case) -> None:
        seen = _seen()
        for criterion in Criterion:
            value = form.get(f"{criterion.value}-value", "")
            if value:
                cases.rate(case, current_user, criterion.value, value,
                           form.get(f"{criterion.value}-note", ""), seen)
                seen = None  # our own first rating moved the version on
    return _act(case_id, step)


@bp.post("/cases/<int:case_id>/triage")
@allow(*STAFF_DECIDING)
def triage(case_id: int):
    """Choose the colour: green, yellow or red."""
    return _act(case_id, lambda case: cases.triage(case, current_user,
                                                   request.form.get("colour", ""), _seen()))


@bp.post("/cases/<int:case_id>/colleagues")
@allow(*STAFF_DECIDING)
def ask_colleagues(case_id: int):
    """Ask colleagues to spar on a yellow case."""
    return _act(case_id, lambda case: cases.ask_colleagues(case, current_user, _ids("staff_id"),
                                                           _seen()))


@bp.post("/cases/<int:case_id>/consultant")
@allow(*STAFF_DECIDING)
def assign(case_id: int):
    """Give the case to another job consultant (the team lead), or take over a case that has
    none (a job consultant)."""
    try:
        consultant_id = int(request.form.get("consultant_id", ""))
    except ValueError:
        consultant_id = 0  # refused below with the message, not a bare 404
    return _act(case_id, lambda case: cases.assign(case, current_user, consultant_id, _seen()))


@bp.post("/cases/<int:case_id>/comments")
@allow(*STAFF_DECIDING)
def comment(case_id: int):
    """A comment in the yellow sparring or the red team discussion."""
    return _act(case_id, lambda case: cases.comment(case, current_user,
                                                    request.form.get("text", "")))


def _dates(text: str) -> list[date]:
    out = []
    for part in text.replace(",", "\n").split():
        try:
            day, month, year = (int(x) for x in part.replace(".", "-").replace("/", "-")
                                .split("-"))
            out.append(date(year, month, day))
        except ValueError:
            if len(part) == 10 and part[4] == "-":  # ISO, from a date input
                try:
                    out.append(date.fromisoformat(part))
                    continue
                except ValueError:
                    pass
            raise cases.ApprovalError("bad_date") from None
    return out


@bp.post("/cases/<int:case_id>/approve")
@allow(*STAFF_DECIDING)
def approve(case_id: int):
    """Approve: course length, follow-up plan and the payment method of every line."""
    form = request.form

    def step(case: Case) -> None:
        length = form.get("length_months", "")
        payments = {line["id"]: form.get(f"payment-{line['id']}", "")
                    for line in case.current.content["lines"]}
        cases.approve(case, current_user, cases.Approval(
            length_months=int(length) if length.strip().isdigit() else None,
            follow_up=form.get("follow_up", ""),
            follow_up_dates=_dates(form.get("follow_up_dates", "")),
            payments=payments, participants=_ids("participant")), _seen())
    return _act(case_id, step)


@bp.post("/cases/<int:case_id>/send-back")
@allow(*STAFF_DECIDING)
def send_back(case_id: int):
    """Send the plan back with the changes asked for; the citizen's draft opens again."""
    return _act(case_id, lambda case: cases.send_back(
        case, current_user, request.form.get("note", ""), _ids("participant"), _seen()))


@bp.post("/cases/<int:case_id>/reject")
@allow(*STAFF_DECIDING)
def reject(case_id: int):
    """End the course with one of the seed's ending reasons."""
    return _act(case_id, lambda case: cases.reject(
        case, current_user, request.form.get("reason", ""), request.form.get("note", ""),
        _ids("participant"), _seen()))


@bp.get("/cases/<int:case_id>/decision")
@allow(*STAFF_DECIDING)
def decision_document(case_id: int):
    """The printable decision document of a case."""
    case = _case_or_404(case_id)
    return render_template("approvals/decision.html", **_case_context(case))


# -- records and exports ----------------------------------------------------------------------


def _csv(rows: list[list[Any]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows([[_safe_cell(v) for v in row] for row in rows])
    response = make_response("\ufeff" + buffer.getvalue())  # BOM: Excel reads UTF-8
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _safe_cell(value: Any) -> Any:
    """No formula injection: a text cell starting with = + - @ is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.get("/cases/<int:case_id>/trail.csv")
@allow(*STAFF_DECIDING)
def trail(case_id: int):
    """Every step on the citizen's cases (an access request): who, when, version, colour, why."""
    case = _case_or_404(case_id)
    rows: list[list[Any]] = [[_("When"), _("Step"), _("By"), _("Version"), _("Colour"),
                              _("Reason"), _("Details")]]
    for event in cases.trail(case.citizen):
        by = event.actor_staff.name if event.actor_staff else case.citizen.name
        rows.append([event.at.isoformat(timespec="seconds"), event.action, by,
                     event.version_number or "", event.colour or "", event.reason,
                     _details(event.details)])
    return _csv(rows, f"trail-{case.citizen_id}.csv")


def _details(details: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(details.items()))


def approved_lines(staff: Staff, course_id: int | None) -> list[list[Any]]:
    """The approved budget lines of the team (citizen, course, line, amount, payment, need
    date): what the finance office pays out."""
    query = db.select(Case).where(Case.team_id == staff.team_id,
                                  Case.state == CaseState.APPROVED)
    if course_id:
        query = query.where(Case.course_id == course_id)
    out = []
    for case in db.session.scalars(query.order_by(Case.decided_at, Case.id)):
        version = next(v for v in case.versions if v.id == case.decided_version_id)
        for line in version.content["lines"]:
            method = case.payments.get(str(line["id"]), line["payment_method"])
            out.append([case.citizen.name, case.course.name, line["title"], line["amount"],
                        _payment(method), line["need_date"] or ""])
    return out


def _payment(method: str) -> str:
    return payment_label(method)


def _export_header() -> list[str]:
    return [_("Citizen"), _("Course"), _("Budget line"), _("Amount (DKK)"), _("Payment"),
            _("Need date")]


@bp.get("/exports/approved.csv")
@allow(*STAFF_DECIDING)
def export_csv():
    """The approved budget lines as CSV (semicolon-separated, UTF-8 with BOM, for Excel)."""
    rows = approved_lines(current_user, request.args.get("course", type=int))
    return _csv([_export_header(), *rows], "approved-lines.csv")


@bp.get("/exports/approved.xlsx")
@allow(*STAFF_DECIDING)
def export_xlsx():
    """The approved budget lines as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rows = approved_lines(current_user, request.args.get("course", type=int))
    book = Workbook()
    sheet = book.active
    sheet.title = _("Approved lines")[:31]
    sheet.append(_export_header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe_cell(v) for v in row])
        sheet.cell(row=sheet.max_row, column=4).number_format = "#,##0"
    for column, width in zip("ABCDEF", (28, 28, 36, 14, 22, 14), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    response = make_response(buffer.getvalue())
    response.headers["Content-Type"] = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = 'attachment; filename="approved-lines.xlsx"'
    return response


# -- notices ----------------------------------------------------------------------------------


@bp.get("/notifications/badge")
@allow(JOB_CONSULTANT, TEAM_LEAD, CITIZEN)
def notice_badge():
    """The header's badge (refetched when a notice ping arrives)."""
    return render_template("approvals/_notice_badge.html")


@bp.get("/notifications")
@allow(JOB_CONSULTANT, TEAM_LEAD)
def notifications():
    """A consultant's notices, newest first; opening the list marks them read."""
    notes = db.session.scalars(db.select(Notification).where(
        Notification.staff_id == current_user.id).order_by(Notification.id.desc()).limit(50)
    ).all()
    unread = [n.id for n in notes if n.read_at is None]
    for note in notes:
        note.read_at = note.read_at or utcnow()
    db.session.commit()
    return render_template("approvals/notifications.html", notes=notes, unread=unread,
                           streams=realtime.streams_for(current_user))
