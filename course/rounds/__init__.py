"""The web side of peer-review rounds: routes, templates and pushes around :mod:`peerreview`."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The rounds' routes; a round follows the room's attendance, and shows in the running
    day's now region and beside a draft and its case."""
    from course import web
    from course.live.signals import presence_changed
    from course.rounds import fragments, pushes, routes

    app.register_blueprint(routes.bp)
    app.jinja_env.filters.update(fragments.FILTERS)
    app.jinja_env.globals.update(fragments.GLOBALS)
    presence_changed.connect(pushes.follow_presence)
    web.page_parts.connect(fragments.now_part, sender="live.now")
    for page in ("budgets.draft", "approvals.case"):
        web.page_parts.connect(fragments.draft_part, sender=page)
