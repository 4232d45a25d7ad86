"""People: sign-in for staff and citizens, sessions, and the team lead's staff accounts."""

from __future__ import annotations

from typing import Any

from flask import Flask, g


def init_app(app: Flask) -> None:
    """Sign-in (Flask-Login), the person's own room, and the routes."""
    from course import realtime
    from course.extensions import login
    from course.people import pushes, routes, services

    app.register_blueprint(routes.bp)
    login.init_app(app)
    # "strong" would sign out a phone that moves from wifi to 4G; sessions are revocable
    # server-side instead (see people.models.LoginSession).
    login.session_protection = None
    login.login_view = "people.start"
    login.login_message = None
    login.user_loader(_load_principal)
    services.read_sign_in_with_session(app)
    app.context_processor(_signed_in_context)
    realtime.admit_with(app, pushes.SIGN_IN, pushes.admit_signed_in, pushes.sign_in_alive)
    realtime.entitle(app, pushes.own_room)


def _load_principal(token: str) -> Any:
    from course.people import services

    loaded = services.load_session(token)
    if loaded is None:
        return None
    g.login_session = loaded.session
    return loaded.person


def _signed_in_context() -> dict[str, Any]:
    from flask_login import current_user

    from course.people.services import idle_timeout

    if not current_user.is_authenticated:
        return {}
    return {"idle_seconds": int(idle_timeout(current_user).total_seconds())}
