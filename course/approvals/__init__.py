"""Handover and the job consultants' approval queue: submitted plan versions, the assessment on
the three criteria, the green / yellow / red triage, decisions, and the append-only audit trail."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("approvals", __name__)


def init_app(app: Flask) -> None:
    """The queue's routes; a team's job consultants and team lead enter its queue room and
    read the team's submitted plans."""
    from flask_login import current_user

    from course import realtime
    from course.approvals import pushes, routes, services  # noqa: F401  (views attach to bp)
    from course.budgets.access import readable_also_by

    app.register_blueprint(bp)
    realtime.entitle(app, pushes.queue_rooms)
    readable_also_by(app, lambda draft: services.reads_submitted(current_user, draft))
