"""The approval queue on the web: the citizen submits and sees the outcome; job consultants work
the queue, assess on one screen, triage, spar, decide; exports for the finance office.

Every acting form carries the case ``version`` it was rendered with; a step on a case someone
else changed meanwhile is refused (409) and nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from course import realtime, web
from course.access import CITIZEN, JOB_CONSULTANT, PUBLIC, STAFF, TEAM_LEAD, allow
from course.approvals import fragments, labels, pushes, services
from course.approvals.models import Case, Criterion
from course.budgets import services as budget_services
from course.budgets.labels import payment_label
from course.budgets.models import Draft
from course.exports import csv_response, safe_cell, xlsx_response
from course.extensions import db
from course.i18n import LOCALES, force_locale, select_locale
from course.people.models import Role
from course.schedule.models import Course
from course.types import utcnow

bp = Blueprint("approvals", __name__)


# -- pushing and answering --------------------------------------------------------------------


def _commit(case: Case) -> None:
    """Commit the step and push: the team's queues refetch, each notified person's badge
    refetches, and notices go out by e-mail (a link only). A race is lost at the flush of the
    case's version: nothing of the loser's step is kept."""
    notices = services.pending_notices()
    pushes.push_case(case, notices)
    try:
        realtime.commit_and_push()
    except StaleDataError:
        db.session.rollback()
        realtime.discard_pushes()
        raise services.ApprovalError("stale") from None
    pushes.mail_notices(notices)


def _refused(err: services.ApprovalError, slot: str | None = None) -> Response:
    """A refused step says why beside its form (``slot``), the rest of the page as it was;
    the notices it made are dropped with it."""
    services.pending_notices()
    return web.refuse(labels.error_message(err), 409 if err.code == "stale" else 422,
                      slot=slot)


def _seen() -> int | None:
    value = request.form.get("version", "")
    return int(value) if value.isdigit() else None


def _ids(name: str) -> list[int]:
    ids = [web.as_id(v) for v in request.form.getlist(name) if v.strip()]
    if None in ids:
        abort(404)
    return ids  # type: ignore[return-value]


# -- the citizen ------------------------------------------------------------------------------


def _own_case() -> tuple[Draft, Case | None]:
    draft = budget_services.draft_of(current_user)
    if draft is None:
        abort(404)
    return draft, services.case_of(draft)


@bp.post("/me/plan/submit")
@allow(CITIZEN)
def submit():
    """Submit the plan: a frozen version goes to the job consultant's queue."""
    draft, _case = _own_case()
    try:
        case = services.submit(draft, current_user)
        _commit(case)
    except services.ApprovalError as err:
        return _refused(err)
    return redirect(url_for("approvals.my_plan"), 303)


@bp.get("/me/plan")
@allow(CITIZEN)
def my_plan():
    """Where the submitted plan stands: waiting, sent back, approved (and the declaration)
    or ended — live: the outcome changes in place when the case moves. Reading it marks the
    notices that lead here read (the badge follows on the citizen's other devices)."""
    draft = budget_services.draft_of(current_user)
    case = services.case_of(draft) if draft is not None else None
    if case is None:  # nothing submitted yet: the notice was about the draft
        return redirect(url_for("budgets.my_draft"))
    _read_about(url_for("approvals.my_plan"))
    return web.render("approvals/my_plan.html", streams=realtime.streams_for(current_user),
                      **fragments.my_outcome_context(case))


def _read_about(link: str) -> None:
    """Mark the citizen's unread notices leading to ``link`` read, and push their badge."""
    notes = services.read_notices_about(current_user, link)
    if notes:
        pushes.push_badge(notes[0])
    realtime.commit_and_push()


@bp.get("/me/plan/outcome")
@allow(CITIZEN)
def my_outcome():
    """The plan page's outcome region (re-read when the case moves, and after a gap)."""
    _draft, case = _own_case()
    if case is None:
        abort(404)
    return render_template(fragments.MY_OUTCOME, **fragments.my_outcome_context(case))


@bp.post("/me/plan/declaration")
@allow(CITIZEN)
def sign_declaration():
    """The citizen signs the declaration on honour (tro- og loveerklæring)."""
    _draft, case = _own_case()
    if case is None:
        abort(404)
    if request.form.get("agree") != "1":
        return _refused(services.ApprovalError("not_agreed"))
    try:
        services.sign_declaration(case, current_user)
        _commit(case)
    except services.ApprovalError as err:
        return _refused(err)
    return redirect(url_for("approvals.my_plan"), 303)


# -- the queue --------------------------------------------------------------------------------


STAFF_DECIDING = (JOB_CONSULTANT, TEAM_LEAD)


@bp.get("/queue")
@allow(*STAFF_DECIDING)
def queue():
    """The approval queue: mine or the team's, filtered, searched and sorted (all of it in the
    URL, so a filter can be bookmarked); live. The team lead also sees each consultant's load."""
    chosen = _queue_filter(request.args)
    fragment = web.wants_fragment()
    streams = None if fragment else realtime.streams_for(current_user)  # before the rows
    loads = None
    if current_user.role == Role.TEAM_LEAD:
        every = services.team_rows(current_user)
        loads = services.workload(current_user, every)
        mine = chosen.view != "team"
        rows, counts = services.filter_rows(
            [row for row in every if not mine or row.consultant_id == current_user.id], chosen)
    else:
        rows, counts = services.queue(current_user, chosen)
    context = {"rows": rows, "counts": counts, "chosen": chosen, "workload": loads,
               "sorts": services.QUEUE_SORTS,
               "sparring_days": services.SPARRING_ANSWER_DAYS,
               # flags the features above add to rows (an overdue receipt): {case id: [text]}
               "row_flags": {}, **web.parts_of("approvals.queue", rows=rows)}
    if fragment:
        return web.render(None, "approvals/_queue.html", **context)
    courses = db.session.scalars(db.select(Course).where(
        Course.team_id == current_user.team_id).order_by(Course.kickoff_on.desc())).all()
    return web.render("approvals/queue.html", streams=streams, courses=courses,
                      for_information=services.for_information(current_user), **context)


def _queue_filter(args: Any) -> services.QueueFilter:
    """The queue's filter from the query string; anything unknown falls back to the default."""
    # the team lead has no caseload of their own: the team's queue is theirs by default
    default = "team" if current_user.role == Role.TEAM_LEAD else "mine"
    min_days = args.get("days", type=int)
    sort = args.get("sort", "")
    return services.QueueFilter(
        view=args.get("view") if args.get("view") in ("mine", "team") else default,
        state=args.get("state", "") if args.get("state") in services.FILTER_STATES else "",
        course_id=web.as_id(args.get("course")),
        min_days=min_days if min_days and 0 < min_days <= 3650 else None,
        search=args.get("q", "")[:100],
        sort=sort if sort in services.QUEUE_SORTS else services.QUEUE_SORTS[0],
        overdue_only=args.get("overdue") == "1")


def _case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not services.is_team_consultant(current_user, case):
        abort(404)
    return case


@bp.get("/cases/<int:case_id>")
@allow(*STAFF_DECIDING)
def case_page(case_id: int):
    """The assessment screen: the plan version beside everything needed to decide on it."""
    case = _case_or_404(case_id)
    return web.render("approvals/case.html", streams=realtime.streams_for(current_user),
                      **fragments.case_context(case))


def _act(case_id: int, slot: str, step: Callable[[Case], object]):
    """Run one step on a case; answer with the case's region (a redirect to the page without
    JavaScript). A refused step says why in ``#<slot>-message``, beside its form."""
    case = _case_or_404(case_id)
    try:
        try:
            step(case)
        except StaleDataError:  # the step's own flush lost a race (see _commit)
            raise services.ApprovalError("stale") from None
        _commit(case)
    except services.ApprovalError as err:
        return _refused(err, f"{slot}-message")
    if not web.wants_fragment():
        return redirect(url_for("approvals.case_page", case_id=case.id), 303)
    return web.render(None, fragments.CASE, **fragments.case_context(case))


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
                services.rate(case, current_user, criterion.value, value,
                           form.get(f"{criterion.value}-note", ""), seen)
                seen = None  # our own first rating moved the version on
    return _act(case_id, "ratings", step)


@bp.post("/cases/<int:case_id>/triage")
@allow(*STAFF_DECIDING)
def triage(case_id: int):
    """Choose the colour: green, yellow or red."""
    return _act(case_id, "triage", lambda case: services.triage(case, current_user,
                                                   request.form.get("colour", ""), _seen()))


@bp.post("/cases/<int:case_id>/colleagues")
@allow(*STAFF_DECIDING)
def ask_colleagues(case_id: int):
    """Ask colleagues to spar on a yellow case."""
    return _act(case_id, "colleagues", lambda case: services.ask_colleagues(
        case, current_user, _ids("staff_id"), _seen()))


@bp.post("/cases/<int:case_id>/consultant")
@allow(*STAFF_DECIDING)
def assign(case_id: int):
    """Give the case to another job consultant (the team lead), or take over a case that has
    none (a job consultant)."""
    # anything but an id is refused below with the message, not a bare 404
    consultant_id = web.as_id(request.form.get("consultant_id")) or 0
    return _act(case_id, "consultant",
                lambda case: services.assign(case, current_user, consultant_id, _seen()))


@bp.post("/cases/<int:case_id>/comments")
@allow(*STAFF_DECIDING)
def comment(case_id: int):
    """A comment in the yellow sparring or the red team discussion."""
    def step(case: Case) -> None:
        services.comment(case, current_user, request.form.get("text", ""))
        pushes.push_case_thread(case)
    return _act(case_id, "comment", step)


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
            raise services.ApprovalError("bad_date") from None
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
        services.approve(case, current_user, services.Approval(
            length_months=int(length) if length.strip().isdigit() else None,
            follow_up=form.get("follow_up", ""),
            follow_up_dates=_dates(form.get("follow_up_dates", "")),
            payments=payments, participants=_ids("participant")), _seen())
    return _act(case_id, "approve", step)


@bp.post("/cases/<int:case_id>/send-back")
@allow(*STAFF_DECIDING)
def send_back(case_id: int):
    """Send the plan back with the changes asked for; the citizen's draft opens again."""
    return _act(case_id, "send-back", lambda case: services.send_back(
        case, current_user, request.form.get("note", ""), _ids("participant"), _seen()))


def _day(name: str) -> date | None:
    """A date field (ISO from a date input, or dd-mm-yyyy typed); empty: ``None``."""
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        days = _dates(text)
    except services.ApprovalError:
        days = []
    if len(days) != 1:
        raise services.ApprovalError("bad_ending_date")
    return days[0]


def _end(case: Case) -> None:
    services.reject(case, current_user, request.form.get("reason", ""),
                    request.form.get("note", ""), _ids("participant"), _seen(),
                    ended_on=_day("ended_on"))


@bp.post("/cases/<int:case_id>/reject")
@allow(*STAFF_DECIDING)
def reject(case_id: int):
    """End the course with one of the seed's ending reasons while the plan is with the office
    (the form beside sending it back)."""
    return _act(case_id, "reject", _end)


@bp.post("/cases/<int:case_id>/end")
@allow(*STAFF_DECIDING)
def end(case_id: int):
    """End the course after approval, or while the plan is sent back ("Afslut forløbet"): one
    of the six reasons, the ending's date and a note."""
    return _act(case_id, "end", _end)


@bp.post("/cases/<int:case_id>/progress")
@allow(*STAFF_DECIDING)
def progress(case_id: int):
    """Record a job obtained or a substantial change on an approved case (the six months
    without one start again)."""
    return _act(case_id, "progress", lambda case: services.record_progress(
        case, current_user, request.form.get("kind", ""), _day("on"),
        request.form.get("note", ""), _seen()))


@bp.get("/cases/<int:case_id>/decision")
@allow(*STAFF_DECIDING)
def decision_document(case_id: int):
    """The decision document of a case, an A4 document the municipality can sign: case number,
    consultant, the three ratings with notes, the colours on the way, the length and
    follow-up, the declaration on honour, and where the plan is ended the complaint guidance."""
    case = _case_or_404(case_id)
    return web.render("approvals/decision.html", **fragments.decision_context(case))


# -- the information leaflet ----------------------------------------------------------------------


def _leaflet(course: Course | None, back: str) -> Response:
    """The leaflet, in the language asked for (``?lang=en``: a consultant prints the English
    one for a citizen) without changing the reader's own choice."""
    lang = request.args.get("lang")
    if lang in LOCALES and lang != select_locale():
        with force_locale(lang):
            return web.render("approvals/leaflet.html", lang=lang, back_url=back,
                              **fragments.leaflet_context(course))
    return web.render("approvals/leaflet.html", lang=select_locale(), back_url=back,
                      **fragments.leaflet_context(course))


@bp.get("/information")
@allow(PUBLIC)
def leaflet():
    """The offer in plain language, for anyone who asks (linked from the start page)."""
    return _leaflet(None, url_for("people.start"))


@bp.get("/courses/<int:course_id>/information")
@allow(STAFF)
def course_leaflet(course_id: int):
    """The leaflet with the course's days filled in, for the job consultant to print and hand
    out at the information meeting."""
    course = db.session.get(Course, course_id)
    if course is None or course.team_id != current_user.team_id:
        abort(404)
    return _leaflet(course, url_for("schedule.course_page", course_id=course.id))


@bp.get("/me/information")
@allow(CITIZEN)
def my_leaflet():
    """The leaflet on the citizen's phone, with their course's days."""
    return _leaflet(current_user.course, url_for("live.phone"))


# -- the municipality's settings ------------------------------------------------------------------


def _settings_page(text: str | None = None, status: int = 200, error: str = "") -> Response:
    return web.render("approvals/settings.html", status=status,
                      **fragments.settings_context(text, error))


@bp.get("/settings")
@allow(TEAM_LEAD)
def settings():
    """The municipality's texts for its decisions: the complaint guidance (klagevejledning)."""
    return _settings_page()


@bp.post("/settings/complaint-guidance")
@allow(TEAM_LEAD)
def save_complaint_guidance():
    """Save the complaint guidance, or go back to the default text (``default=1``)."""
    text = request.form.get("complaint_guidance", "")
    try:
        services.set_complaint_guidance(
            current_user, None if request.form.get("default") == "1" else text)
    except services.ApprovalError as err:
        message = labels.error_message(err)
        return web.refuse(message, 422, slot="guidance-message",
                          page=lambda: _settings_page(text, 422, message))
    db.session.commit()
    flash(_("The complaint guidance is saved. Decisions that end a plan carry it from now on."),
          "success")
    return redirect(url_for("approvals.settings"), 303)


# -- records and exports ----------------------------------------------------------------------


@bp.get("/cases/<int:case_id>/trail.csv")
@allow(*STAFF_DECIDING)
def trail(case_id: int):
    """Every step on the citizen's cases, for an access request: when (Danish time), what, by
    whom, on which version, the colour, and what it said (rating notes included) — in the
    reader's language, no codes."""
    context = fragments.trail_context(_case_or_404(case_id))
    rows: list[list[Any]] = [[_("When"), _("Step"), _("By"), _("Version"), _("Colour"),
                              _("What")]]
    for row in context["rows"]:
        rows.append([to_user_timezone(row.at).strftime("%Y-%m-%d %H:%M"), row.step, row.by,
                     row.version or "", row.colour, row.what])
    case = context["case"]
    return csv_response(rows, f"{case.reference}-trail.csv")


@bp.get("/cases/<int:case_id>/trail")
@allow(*STAFF_DECIDING)
def trail_page(case_id: int):
    """The citizen's audit trail as a page to print and hand over (an access request)."""
    return web.render("approvals/trail.html", **fragments.trail_context(_case_or_404(case_id)))


def _approved(args: Any) -> list[services.ApprovedLine]:
    """The approved lines the export asks for: a course, and a period of approval dates
    (``from`` and ``to``, ISO dates, both included; a malformed date is no limit)."""
    return services.approved_lines(current_user.team_id, course_id=web.as_id(args.get("course")),
                                   since=_iso(args.get("from")), until=_iso(args.get("to")))


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _export_header() -> list[str]:
    return [_("Case"), _("Approved"), _("Job consultant"), _("Citizen"), _("Course"),
            _("Budget line"), _("Amount (DKK)"), _("Payment"), _("Need date"), _("Ended")]


def _export_row(line: services.ApprovedLine) -> list[Any]:
    return [line.reference, line.approved_on, line.consultant, line.citizen, line.course,
            line.title, line.amount, payment_label(line.payment_method), line.need_date,
            line.ended_on]


@bp.get("/exports/approved.csv")
@allow(*STAFF_DECIDING)
def export_csv():
    """The approved budget lines as CSV (semicolon-separated, UTF-8 with BOM, for Excel),
    with their total; dates as ISO dates (Excel reads them as dates in any locale)."""
    lines = _approved(request.args)
    rows = [[v.isoformat() if isinstance(v, date) else v for v in _export_row(line)]
            for line in lines]
    total = ["", "", "", "", "", _("Total"), sum(line.amount for line in lines), "", "", ""]
    return csv_response([_export_header(), *rows, total], "approved-lines.csv")


@bp.get("/exports/approved.xlsx")
@allow(*STAFF_DECIDING)
def export_xlsx():
    """The approved budget lines as an Excel workbook: dates as dates, amounts as numbers,
    and their total."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    lines = _approved(request.args)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Approved lines")[:31]
    sheet.append(_export_header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in lines:
        sheet.append([safe_cell(v) for v in _export_row(line)])
        row = sheet.max_row
        sheet.cell(row=row, column=2).number_format = "dd-mm-yyyy"
        sheet.cell(row=row, column=7).number_format = "#,##0"
        sheet.cell(row=row, column=9).number_format = "dd-mm-yyyy"
        sheet.cell(row=row, column=10).number_format = "dd-mm-yyyy"
    sheet.append(["", "", "", "", "", _("Total"), sum(line.amount for line in lines)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.cell(row=sheet.max_row, column=7).number_format = "#,##0"
    for column, width in zip("ABCDEFGHIJ", (12, 12, 24, 26, 26, 34, 14, 24, 12, 12),
                             strict=True):
        sheet.column_dimensions[column].width = width
    return xlsx_response(book, "approved-lines.xlsx")


# -- notices ----------------------------------------------------------------------------------


@bp.get("/notifications/badge")
@allow(JOB_CONSULTANT, TEAM_LEAD, CITIZEN)
def notice_badge():
    """The header's badge (refetched when a notice ping arrives)."""
    return render_template(fragments.NOTICE_BADGE, unread_notices=fragments.unread_notices())


@bp.get("/me/stage")
@allow(CITIZEN)
def my_stage():
    """The phone's "where you are" region (re-read when the case moves, and after a gap)."""
    # the phone page's parts (the features above add theirs: the next follow-up meeting)
    return render_template(fragments.MY_STAGE, **web.parts_of("live.phone", citizen=current_user))


@bp.get("/notifications")
@allow(JOB_CONSULTANT, TEAM_LEAD)
def notifications():
    """A consultant's notices, newest first; opening the list marks them read."""
    notes = services.notices_of(current_user)
    unread = [n.id for n in notes if n.read_at is None]
    for note in notes:
        note.read_at = note.read_at or utcnow()
    db.session.commit()
    return web.render("approvals/notifications.html", notes=notes, unread=unread,
                      streams=realtime.streams_for(current_user))


@bp.get("/me/notices")
@allow(CITIZEN)
def my_notices():
    """The citizen's notice centre: their notices, newest first, the unread marked; live."""
    streams = None if web.wants_fragment() else realtime.streams_for(current_user)
    return web.render("approvals/my_notices.html", fragments.MY_NOTICES, streams=streams,
                      **fragments.my_notices_context(current_user))


@bp.post("/me/notices/<int:notice_id>")
@allow(CITIZEN)
def read_notice(notice_id: int):
    """Read one notice: it is marked read (the badge follows on every device of the citizen)
    and the citizen lands where it leads."""
    note = services.read_notice(current_user, notice_id)
    if note is None:
        abort(404)
    pushes.push_badge(note)
    realtime.commit_and_push()
    return redirect(note.link, 303)
