"""Polls in the live room: made on an agenda item or on the spot, voted on anonymously by the
phones, their counts live on the consoles and, when shown, on the projector."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The polls' routes, and their parts of the running day's console, projector and
    phone, and of the agenda editor (the polls prepared on each item). A poll prepared on an
    item closes when the day moves on from it; every open poll closes when the day ends."""
    from course import web
    from course.live.signals import day_ended, item_left
    from course.polls import fragments, pushes, routes

    app.register_blueprint(routes.bp)
    item_left.connect(pushes.close_when_item_ends)
    day_ended.connect(pushes.close_when_day_ends)
    web.page_parts.connect(fragments.console_part, sender="live.console")
    web.page_parts.connect(fragments.projector_part, sender="live.projector")
    web.page_parts.connect(fragments.phone_part, sender="live.phone")
    web.page_parts.connect(fragments.agenda_part, sender="schedule.agenda")
