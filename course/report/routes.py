"""The report's routes: the page (printable A4) and its CSV and Excel downloads.

Whoever may open the course page may read its report (``schedule.access.can_see_course``):
the course's facilitators (guests too), the team's job consultants and its team lead; others
get 404 as for the course page, and citizens and finance 403 by kind.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, request

from course import web
from course.access import STAFF, allow
from course.exports import csv_response, safe_cell, xlsx_response
from course.report import fragments, labels, services
from course.schedule.access import course_or_404
from course.schedule.models import Course, Day

bp = Blueprint("report", __name__)


def _scope(course_id: int) -> tuple[Course, Day | None]:
    """The course (404 unless its page is the viewer's) and the meeting asked for (none: the
    whole course; one that is no meeting: 404)."""
    course = course_or_404(course_id)
    raw = request.args.get("day", "")
    if not raw:
        return course, None
    try:
        return course, Day(raw)
    except ValueError:
        abort(404)


@bp.get("/courses/<int:course_id>/report")
@allow(STAFF)
def page(course_id: int):
    """The report as it stands now: during the day as after it."""
    course, day = _scope(course_id)
    return web.render(fragments.PAGE, **fragments.page_context(course, day))


def _filename(course: Course, day: Day | None, ext: str) -> str:
    return f"{labels.FILE}-{course.code}-{day.value if day else labels.WHOLE_COURSE}.{ext}"


def _cell(value: Any) -> Any:
    return value if isinstance(value, int) else safe_cell(value)


@bp.get("/courses/<int:course_id>/report.csv")
@allow(STAFF)
def export_csv(course_id: int) -> Response:
    """The report as CSV: each section its title, its header and its rows, a blank line
    between sections (semicolon-separated, UTF-8 with BOM)."""
    course, day = _scope(course_id)
    rows: list[list[Any]] = []
    for section in services.report(course, day):
        if rows:
            rows.append([])
        rows += [[section.title], section.header, *section.rows]
    return csv_response(rows, _filename(course, day, "csv"))


@bp.get("/courses/<int:course_id>/report.xlsx")
@allow(STAFF)
def export_xlsx(course_id: int) -> Response:
    """The report as an Excel workbook: one sheet per section, counts as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    course, day = _scope(course_id)
    book = Workbook()
    book.remove(book.active)
    for section in services.report(course, day):
        sheet = book.create_sheet(section.title[:31])
        sheet.append(section.header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append([_cell(v) for v in row])
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    return xlsx_response(book, _filename(course, day, "xlsx"))
