"""Response headers every page gets: a nonce-based CSP and the browser hardening headers."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

from course import access


def csp_nonce() -> str:
    """This request's CSP nonce (for the few ``<script>`` tags; there is no inline code)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ])


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(access.enforce)

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
        headers["X-Content-Type-Options"] = "nosniff"
        # same-origin, not no-referrer: Flask-WTF checks the Referer of HTTPS POSTs.
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if app.config["SECURE_COOKIES"]:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            # Pages hold personal data or live state: never keep them in a shared cache or
            # the back/forward cache of a shared PC. (Stricter than "when signed in".)
            headers["Cache-Control"] = "no-store"
        return response
