"""The idea wall in the live room: a prompt, the phones' short answers grouped as a word cloud
on the projector (by case, spaces and Danish inflection), moderated as questions are, merged,
and dot-voted on anonymously."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The wall's routes, its parts of the running day's console, projector and phone, and
    its end with its agenda item (or with the day, for a wall made on the spot)."""
    from course import web
    from course.ideas import fragments, routes
    from course.live.signals import day_ended, item_left

    app.register_blueprint(routes.bp)
    web.page_parts.connect(fragments.console_part, sender="live.console")
    web.page_parts.connect(fragments.projector_part, sender="live.projector")
    web.page_parts.connect(fragments.phone_part, sender="live.phone")
    web.page_parts.connect(fragments.agenda_part, sender="schedule.agenda")
    item_left.connect(_follow_day)
    day_ended.connect(_follow_day)


def _follow_day(course, **_moved) -> None:
    """The day moved on from an item, or ended (``live.signals.item_left``, ``day_ended``):
    walls of an item no longer on (or made on the spot, when the day ended)
    stop answering and voting, and the screens are told."""
    from course.ideas import pushes, services

    if services.follow_day(course):
        pushes.push_wall(course)
