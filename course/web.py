"""Blueprints, sign-in loading and the helpers every route uses."""

from __future__ import annotations

from typing import Any

import segno
from flask import Flask, Response, g, render_template
from flask_wtf.csrf import generate_csrf
from htmx_flask import make_response
from htmx_flask import request as htmx_request
from markupsafe import Markup

from course import markdown
from course.extensions import login


def register(app: Flask) -> None:
    # Each routes module attaches its views to its package's blueprint when imported.
    from course.approvals import bp as approvals_bp
    from course.approvals import routes as _approval_routes  # noqa: F401
    from course.budgets import attachments as _attachment_routes  # noqa: F401
    from course.budgets import bp as budgets_bp
    from course.budgets import comments as _comment_routes  # noqa: F401
    from course.budgets import routes as _budget_routes  # noqa: F401
    from course.live import bp as live_bp
    from course.live import routes as _live_routes  # noqa: F401
    from course.live import session_routes as _session_routes  # noqa: F401
    from course.people import bp as people_bp
    from course.people import enrolment as _enrolment_routes  # noqa: F401
    from course.people import routes as _people_routes  # noqa: F401
    from course.rounds import bp as rounds_bp
    from course.rounds import routes as _round_routes  # noqa: F401
    from course.schedule import bp as schedule_bp
    from course.schedule import routes as _schedule_routes  # noqa: F401

    app.register_blueprint(people_bp)
    app.register_blueprint(schedule_bp)
    app.register_blueprint(live_bp)
    app.register_blueprint(budgets_bp)
    app.register_blueprint(rounds_bp)
    app.register_blueprint(approvals_bp)

    login.init_app(app)
    # "strong" would sign out a phone that moves from wifi to 4G; sessions are revocable
    # server-side instead (see people.models.LoginSession).
    login.session_protection = None
    login.login_view = "people.start"
    login.login_message = None

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["qr_svg"] = qr_svg
    app.jinja_env.globals["csrf_field"] = csrf_field
    app.jinja_env.filters["markdown"] = markdown.render
    app.context_processor(_signed_in_context)


def csrf_field() -> Markup:
    """The hidden CSRF input of a plain form — left out of live pushes.

    A pushed fragment is rendered once for a whole audience, inside the request of whoever
    caused the push: a token in it would be theirs. Pushes only reach pages running htmx, which
    sends the reader's own token from the page's ``hx-headers``.
    """
    if g.get("rendering_push"):
        return Markup("")
    # The draft editor has 200 forms: the input is built once per request (Flask-WTF, too,
    # signs one token per request and keeps it in ``g``), not once per form.
    field = g.get("teten_csrf_field")
    if field is None:
        field = g.teten_csrf_field = Markup(
            '<input type="hidden" name="csrf_token" value="{}">').format(generate_csrf())
    return field


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code of ``url`` (no script, no external request; CSP-clean)."""
    return Markup(segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#000",
                                                          light="#fff", omitsize=True))


def _signed_in_context() -> dict[str, Any]:
    from flask_login import current_user

    from course.people.services import idle_timeout

    if not current_user.is_authenticated:
        return {}
    return {"idle_seconds": int(idle_timeout(current_user).total_seconds())}


@login.user_loader
def _load_principal(token: str) -> Any:
    from course.people import services

    loaded = services.load_session(token)
    if loaded is None:
        return None
    g.login_session = loaded.session
    return loaded.person


def render(page: str, fragment: str, **context: Any) -> Response:
    """Render the full ``page``, or only ``fragment`` for a non-boosted htmx request.

    The page ``{% include %}``s the fragment, so both are always the same markup.
    """
    wants_fragment = bool(htmx_request.htmx) and not htmx_request.htmx.boosted
    response = make_response(render_template(fragment if wants_fragment else page, **context))
    response.vary.add("HX-Request")
    return response
