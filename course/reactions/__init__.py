"""Reactions in the live room: a small set the course chooses (never a laughing face), sent
from the phones during any item, shown on the projector as a brief aggregated burst (never
who sent them), limited per phone per minute."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The reactions' routes, and their parts of the running day's projector and phone and of
    the course's settings."""
    from course import web
    from course.reactions import fragments, routes

    app.register_blueprint(routes.bp)
    web.page_parts.connect(fragments.projector_part, sender="live.projector")
    web.page_parts.connect(fragments.phone_part, sender="live.phone")
    web.page_parts.connect(fragments.course_form_part, sender="schedule.course_form")
