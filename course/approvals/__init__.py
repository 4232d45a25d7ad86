"""Handover and the job consultants' approval queue: submitted plan versions, the assessment on
the three criteria, the green / yellow / red triage, decisions, and the append-only audit trail."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("approvals", __name__)


def init_app(app: Flask) -> None:
    """The queue's routes; a team's job consultants and team lead enter its queue room."""
    from course import realtime
    from course.approvals import pushes, routes  # noqa: F401  (views attach to bp)

    app.register_blueprint(bp)
    realtime.entitle(app, pushes.queue_rooms)
