"""Receipts for transfers to the citizen's own account: handed in from the phone, accepted or
asked for again by the job consultant or the finance office, reminded of when overdue, and
claimed back when missing or refused. Sits above the payouts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The receipts' routes; a receipt expected for each own-account payout; their parts of the
    case page, finance's payout page, the citizen's plan page, the queue and the settings."""
    from course import web
    from course.payouts.signals import payout_recorded
    from course.receipts import fragments, labels, routes, services

    app.register_blueprint(routes.bp)
    app.jinja_env.filters.update(labels.FILTERS)
    payout_recorded.connect(services.expect_receipt)
    web.page_parts.connect(fragments.case_part, sender="approvals.case")
    web.page_parts.connect(fragments.payouts_case_part, sender="payouts.case")
    web.page_parts.connect(fragments.my_plan_part, sender="approvals.my_plan")
    web.page_parts.connect(fragments.queue_part, sender="approvals.queue")
    web.page_parts.connect(fragments.settings_part, sender="approvals.settings")
