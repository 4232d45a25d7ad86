"""The web side of peer-review rounds: routes, templates and pushes around :mod:`peerreview`."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("rounds", __name__)


def init_app(app: Flask) -> None:
    """The rounds' routes."""
    from course.rounds import routes  # noqa: F401  (views attach to bp)

    app.register_blueprint(bp)
