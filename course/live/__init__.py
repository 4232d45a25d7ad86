"""The running course day: the projector, the console, the phones' home, the current item and
its countdown, attendance and questions to the speaker."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The running day's routes; a projector's display link admits its screen; a sign-in on a
    meeting day checks the citizen in, and an agenda edit moves the running day's screens."""
    from course import realtime
    from course.live import pushes, routes
    from course.people.signals import citizen_signed_in
    from course.schedule.signals import agenda_changed

    app.register_blueprint(routes.bp)
    citizen_signed_in.connect(pushes.check_in_on_sign_in)
    agenda_changed.connect(pushes.follow_agenda)
    realtime.admit_with(app, pushes.DISPLAY, pushes.admit_display, pushes.display_alive,
                        key=pushes.DISPLAY)
