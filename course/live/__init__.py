"""The running course day: the projector, the console, the phones' home, the current item and
its countdown, attendance and questions to the speaker."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("live", __name__)


def init_app(app: Flask) -> None:
    """The running day's routes; a projector's display link admits its screen."""
    from course import realtime
    from course.live import pushes, routes, session_routes  # noqa: F401  (views attach to bp)

    app.register_blueprint(bp)
    realtime.admit_with(app, pushes.DISPLAY, pushes.admit_display, pushes.display_alive,
                        key=pushes.DISPLAY)
