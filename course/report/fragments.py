"""The report's page context, and its link on the console and the course page
(:data:`course.web.page_parts`)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from course.report import services
from course.schedule.access import can_see_course
from course.schedule.models import Course, Day
from course.types import local_today, utcnow

PAGE = "report/page.html"


def page_context(course: Course, day: Day | None) -> dict[str, Any]:
    """The report of ``course`` (one meeting, or all three) as it stands now."""
    return {"course": course, "day": day, "days": list(Day),
            "sections": services.report(course, day), "printed_on": local_today(), "now": utcnow(),
            "day_arg": {"day": day.value} if day else {}}


def link_part(_page: str, *, course: Course, **_about: Any) -> dict[str, Any]:
    """The link to the report, for those who may read it."""
    if not can_see_course(course):
        return {}
    return {"report_url": url_for("report.page", course_id=course.id)}
