"""The team lead's outcome figures: the page (a course, a period) and the per-citizen rows for
an evaluator as CSV and Excel, with pseudonymous ids only.

Only ``TEAM_LEAD`` reaches these (fail closed: everyone else is refused 403 by the kind, as
on the team lead's other pages); a course of another team is 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from course import web
from course.access import TEAM_LEAD, allow
from course.approvals.labels import ending_label
from course.exports import csv_response, safe_cell, xlsx_response
from course.extensions import db
from course.outcomes import fragments, labels, services
from course.outcomes.services import CitizenRow, Period

bp = Blueprint("outcomes", __name__)


def _course_or_404(args: Any) -> int | None:
    """The course asked for, if it is one of the signed-in team lead's team; 404 otherwise."""
    raw = (args.get("course") or "").strip()
    if not raw:
        return None
    course_id = web.as_id(raw)
    team_courses = {c.id for c in services.team_courses(current_user.team_id)}
    if course_id is None or course_id not in team_courses:
        abort(404)
    return course_id


def _filter() -> tuple[int | None, Period]:
    """The course and period asked for; a period that cannot be read is refused in place, the
    dates kept as typed (raises the refusal as a response)."""
    course_id = _course_or_404(request.args)
    typed = {"from": request.args.get("from", ""), "to": request.args.get("to", "")}
    try:
        return course_id, services.parse_period(typed["from"], typed["to"])
    except services.PeriodError as err:
        message = labels.error_message(err)
        abort(web.refuse(message, slot="outcome-filter-message", page=lambda: web.render(
            fragments.PAGE, **fragments.page_context(
                current_user.team_id, course_id=course_id, period=None, typed=typed,
                error=message))))


@bp.get("/outcomes")
@allow(TEAM_LEAD)
def page():
    """The figures of the team's courses (or one course) over a period, with their charts."""
    course_id, period = _filter()
    return web.render(fragments.PAGE, fragments.FIGURES, clear_message=web.wants_fragment(),
                      **fragments.page_context(current_user.team_id, course_id=course_id,
                                               period=period))


# -- the evaluator's rows -----------------------------------------------------------------------


def _header() -> list[str]:
    return [_("Pseudonymous id"), _("Course"), _("Enrolled"), _("Citizen's answer"),
            _("Date of answer"), _("First handed in"), _("Approved"), _("Colour path"),
            _("Approved (DKK)"), _("Paid (DKK)"), _("Ended"), _("Ending reason")]


def _row(secret: str, team_id: int, row: CitizenRow) -> list[Any]:
    """One citizen's row: no name, no e-mail, no free text, no database id."""
    return [services.pseudonym(secret, team_id, row.citizen_id), row.course, row.enrolled_on,
            labels.decision_label(row.decision), row.decided_on, row.handed_in_on,
            row.approved_on, labels.path_label(row.path), row.approved,
            row.paid if row.approved is not None else None, row.ended_on,
            ending_label(row.ending_reason)]


def _export(fmt: str) -> tuple[list[list[Any]], str]:
    """The rows of the filter, and the file's name; the download is kept on record."""
    course_id, period = _filter()
    team_id = current_user.team_id
    rows = services.export_rows(services.citizen_rows(team_id, course_id), period)
    secret = current_app.config["SECRET_KEY"]
    services.record_export(current_user, fmt, course_id, period, len(rows))
    db.session.commit()
    name = "-".join(filter(None, ["outcomes", period.since and period.since.isoformat(),
                                  period.until and period.until.isoformat()]))
    return [_row(secret, team_id, row) for row in rows], name


@bp.get("/outcomes.csv")
@allow(TEAM_LEAD)
def export_csv():
    """The per-citizen rows as CSV (semicolon-separated, UTF-8 with BOM, ISO dates)."""
    rows, name = _export("csv")
    return csv_response([_header(), *[[v.isoformat() if hasattr(v, "isoformat") else v
                                       for v in row] for row in rows]], f"{name}.csv")


@bp.get("/outcomes.xlsx")
@allow(TEAM_LEAD)
def export_xlsx() -> Response:
    """The per-citizen rows as an Excel workbook: dates as dates, amounts as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rows, name = _export("xlsx")
    book = Workbook()
    sheet = book.active
    sheet.title = _("Outcomes")[:31]
    sheet.append(_header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
        for column in (3, 5, 6, 7, 11):
            sheet.cell(row=sheet.max_row, column=column).number_format = "dd-mm-yyyy"
        for column in (9, 10):
            sheet.cell(row=sheet.max_row, column=column).number_format = "#,##0"
    for column, width in zip("ABCDEFGHIJKL", (16, 26, 12, 12, 12, 14, 12, 40, 14, 12, 12, 40),
                             strict=True):
        sheet.column_dimensions[column].width = width
    return xlsx_response(book, f"{name}.xlsx")
