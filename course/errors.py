"""Error pages: generic, translated, without tracebacks or personal data."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from course.web import is_htmx


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Reload the page and try again."),
        401: _("You are not signed in any more. Sign in again."),
        403: _("You do not have access to this."),
        404: _("We could not find that page."),
        405: _("That action is not possible here."),
        409: _("Someone else changed this at the same time."),
        413: _("The file is too large."),
        429: _("Too many attempts. Wait a little and try again."),
        500: _("Something went wrong on our side. What you had saved is safe."),
    }


#: What is said when even the translations cannot be reached (the session store or the
#: database is down, and with it the person's language): Danish, the default.
LAST_RESORT = "Der gik noget galt hos os. Det, du havde gemt, er i sikkerhed. Prøv igen om lidt."


def error_response(code: int, message: str | None = None):
    """A translated error page, or a short text for htmx so the page can show it in its toast
    (htmx swaps no error answer: see ``responseHandling`` in ``base.html``)."""
    text = message or _text(code)
    if is_htmx():
        return text, code, {"Content-Type": "text/plain; charset=utf-8"}
    return error_page(code, text)


def _text(code: int) -> str:
    try:
        return _messages().get(code) or _messages()[500]
    except Exception:  # the locale is read from the session, which may be what failed
        return LAST_RESORT


def error_page(code: int, message: str | None = None) -> tuple[str, int]:
    """The translated error page (no traceback, no personal data). It never raises: if the
    page itself cannot be rendered (its layout reads the session, the signed-in person, the
    CSRF token — whatever failed may be behind them), a bare page says the same."""
    text = message or _text(code)
    try:
        return render_template("errors/error.html", code=code, message=text), code
    except Exception:
        current_app.logger.error("the error page failed; a bare one was sent for %s", code)
        return (f'<!doctype html><html lang="da"><meta charset="utf-8"><title>Teten</title>'
                f"<main><h1>Teten</h1><p>{escape(text)}</p></main></html>"), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError):
        return error_response(400, _("The form had expired or was not sent from Teten. "
                                     "Reload the page; what you typed is still in the box."))

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        response = error_response(err.code or 500)
        if err.code == 429 and getattr(err, "retry_after", None):
            body, code = response[0], response[1]
            headers = dict(response[2]) if len(response) > 2 else {}
            headers["Retry-After"] = str(err.retry_after)
            return body, code, headers
        return response

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        if isinstance(err, HTTPException):
            return http_error(err)
        if isinstance(err, OverflowError):
            # A number no column holds, from a path a route did not bound (they all should:
            # web.IdConverter, web.as_id): it names nothing.
            app.logger.warning("number out of range at %s", request.endpoint)
            return error_response(404)
        # Log the type and where, never request data (it may hold health details).
        app.logger.error("unhandled %s at %s", type(err).__name__, request.endpoint,
                         exc_info=err if (app.debug or app.testing) else None)
        return error_response(InternalServerError.code)
