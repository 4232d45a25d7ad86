"""Payouts per approved budget line, recorded by the finance office; shown on the job
consultant's case and the citizen's plan page. Sits above the approval queue."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Finance's routes; the payouts' card beside the job consultant's case, and the citizen's
    own payouts on their plan page."""
    from course import web
    from course.payouts import fragments, labels, routes

    app.register_blueprint(routes.bp)
    app.jinja_env.filters.update(labels.FILTERS)
    web.page_parts.connect(fragments.case_part, sender="approvals.case")
    web.page_parts.connect(fragments.my_plan_part, sender="approvals.my_plan")
