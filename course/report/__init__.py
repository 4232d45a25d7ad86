"""The report of the day (issue 20, point 7): for a course, or one meeting of it, at any
moment — attendance, questions, poll results and each feedback round's coverage — on a
printable A4 page and as CSV and Excel downloads. It only reads the features below it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The report's routes, and its link on the console and the course page."""
    from course import web
    from course.report import fragments, routes

    app.register_blueprint(routes.bp)
    web.page_parts.connect(fragments.link_part, sender="live.console")
    web.page_parts.connect(fragments.link_part, sender="schedule.course")
