"""Speaker material and the speaker's view: a PDF or pictures on an agenda item, rendered to
page images on upload; the page on the projector, turned from the console or the speaker's
screen, opened on the phones; and a display link for the screen facing the speaker."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The material's routes; its parts of the console, projector, phone and agenda editor;
    a speaker link admits its screen to the projector's room; the running day's pushes move
    the material and the speaker's view with them."""
    from course import realtime, web
    from course.live.signals import now_pushed, questions_pushed
    from course.material import fragments, pushes, routes

    app.register_blueprint(routes.bp)
    web.page_parts.connect(fragments.console_part, sender="live.console")
    web.page_parts.connect(fragments.projector_part, sender="live.projector")
    web.page_parts.connect(fragments.phone_part, sender="live.phone")
    web.page_parts.connect(fragments.agenda_part, sender="schedule.agenda")
    now_pushed.connect(_follow_now)
    questions_pushed.connect(pushes.follow_questions)
    realtime.admit_with(app, pushes.SPEAKER, pushes.admit_speaker, pushes.speaker_alive,
                        key=pushes.SPEAKER)


def _follow_now(course, *, item_changed: bool = True) -> None:
    from course.material import pushes

    pushes.follow_now(course, item_changed=item_changed)
