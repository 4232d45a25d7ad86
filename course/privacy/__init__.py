"""Privacy and accessibility: the privacy notice (shown at a citizen's first sign-in, linked
from every page), the retention periods and ``flask purge``, and the accessibility statement.
Sits above every other feature: the purge reaches into each one's data."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The public pages and the settings' routes; the notice's card on the citizen's pages and
    the notice's and retention's cards on the settings page."""
    from course import web
    from course.privacy import fragments, routes

    app.register_blueprint(routes.bp)
    web.page_parts.connect(fragments.layout_part, sender=web.LAYOUT)
    web.page_parts.connect(fragments.settings_part, sender="approvals.settings")
