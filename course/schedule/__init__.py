"""Courses (cohorts), their three meetings and the agenda built from the best-practice template."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The course pages and the agenda; a course's rooms for its facilitators and citizens."""
    from course import realtime
    from course.schedule import pushes, routes
    from course.schedule.labels import FILTERS

    for name, label in FILTERS.items():
        app.add_template_filter(label, name)
    app.register_blueprint(routes.bp)
    realtime.entitle(app, pushes.course_rooms)
