"""Follow-up after approval: the meetings between citizen and job consultant with a note after
each, the citizen's report that their plan has changed, and each job consultant's follow-up
calendar (a page, and an iCalendar feed to subscribe to). Sits above the approval queue."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The follow-up's routes; the approval's dates become meetings; the meetings beside the
    job consultant's case and on the citizen's plan page; the next one on the phone's home."""
    from course import web
    from course.approvals.signals import case_approved
    from course.followup import fragments, labels, routes, services

    app.register_blueprint(routes.bp)
    app.jinja_env.filters.update(labels.FILTERS)
    case_approved.connect(services.meetings_from_approval)
    web.page_parts.connect(fragments.case_part, sender="approvals.case")
    web.page_parts.connect(fragments.my_plan_part, sender="approvals.my_plan")
    web.page_parts.connect(fragments.phone_part, sender="live.phone")
