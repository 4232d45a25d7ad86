"""Handover and the job consultants' approval queue: submitted plan versions, the assessment on
the three criteria, the green / yellow / red triage, decisions, and the append-only audit trail."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The queue's routes; a team's job consultants and team lead enter its queue room and
    read the team's submitted plans; the case shows beside the citizen's draft, and every
    page's header counts the unread notices."""
    from flask_login import current_user

    from course import realtime, web
    from course.approvals import fragments, labels, pushes, routes, services
    from course.budgets.access import readable_also_by
    from course.budgets.signals import comment_added
    from course.people.signals import participation_changed

    app.register_blueprint(routes.bp)
    app.jinja_env.filters.update(labels.FILTERS)
    app.jinja_env.globals.update(labels.GLOBALS)
    realtime.entitle(app, pushes.queue_rooms)
    readable_also_by(app, lambda draft: services.reads_submitted(current_user, draft))
    web.page_parts.connect(fragments.layout_part, sender=web.LAYOUT)
    web.page_parts.connect(fragments.draft_part, sender="budgets.draft")
    participation_changed.connect(pushes.push_stage)
    comment_added.connect(pushes.thread_comment_added)
    web.page_parts.connect(fragments.phone_part, sender="live.phone")
    web.page_parts.connect(fragments.citizen_page_part, sender="schedule.citizen")
    web.page_parts.connect(fragments.participants_part, sender="schedule.participants")
