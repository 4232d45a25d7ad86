"""Minor changes after approval (issue 17, point 1): the citizen proposes a change to their
approved plan, the job consultant approves it (a new plan version) or refuses it. Sits above
the payouts: the cap and what has been paid hold."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The changes' routes; the proposal on the citizen's plan page, and on the job
    consultant's case page and decision document."""
    from course import web
    from course.changes import fragments, labels, routes

    app.register_blueprint(routes.bp)
    app.jinja_env.filters.update(labels.FILTERS)
    web.page_parts.connect(fragments.case_part, sender="approvals.case")
    web.page_parts.connect(fragments.my_plan_part, sender="approvals.my_plan")
    web.page_parts.connect(fragments.queue_part, sender="approvals.queue")
