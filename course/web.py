"""The helpers every route and page uses: template helpers, fragment or page."""

from __future__ import annotations

from typing import Any

import segno
from blinker import Namespace
from flask import Flask, Response, g, render_template
from flask_wtf.csrf import generate_csrf
from htmx_flask import make_response
from htmx_flask import request as htmx_request
from markupsafe import Markup

from course import markdown

_signals = Namespace()

#: Sent by a route whose page shows parts that a feature above its own owns (the citizen
#: page shows the draft's state; the budget tool shows the case's send-back note): the sender
#: is the page's name (``"schedule.citizen"``), the keyword arguments what the page is about.
#: Each receiver returns a dict of context for its part; a feature connects its receivers in
#: its ``init_app``, so a lower feature never imports a higher one.
page_parts = _signals.signal("page-parts")


def parts_of(page: str, **about: Any) -> dict[str, Any]:
    """The context the features above contribute to ``page`` (see :data:`page_parts`)."""
    context: dict[str, Any] = {}
    for _receiver, part in page_parts.send(page, **about):
        context.update(part)
    return context


def init_app(app: Flask) -> None:
    """The template helpers every page uses."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["qr_svg"] = qr_svg
    app.jinja_env.globals["csrf_field"] = csrf_field
    app.jinja_env.filters["markdown"] = markdown.render


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


def render(page: str, fragment: str, **context: Any) -> Response:
    """Render the full ``page``, or only ``fragment`` for a non-boosted htmx request.

    The page ``{% include %}``s the fragment, so both are always the same markup.
    """
    wants_fragment = bool(htmx_request.htmx) and not htmx_request.htmx.boosted
    response = make_response(render_template(fragment if wants_fragment else page, **context))
    response.vary.add("HX-Request")
    return response
