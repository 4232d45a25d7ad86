"""Courses (cohorts), their three meetings and the agenda built from the best-practice template."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("schedule", __name__)


def init_app(app: Flask) -> None:
    """The course pages and the agenda; a course's rooms for its facilitators and citizens."""
    from course import realtime
    from course.schedule import pushes, routes  # noqa: F401  (views attach to bp)
    from course.schedule.labels import FILTERS

    for name, label in FILTERS.items():
        app.add_template_filter(label, name)
    app.register_blueprint(bp)
    realtime.entitle(app, pushes.course_rooms)
