"""What every route and page shares: the one decision between a fragment and a page
(:func:`wants_fragment`, :func:`render`), the one refusal path (:func:`refuse`), the parts a
page takes from the features above its own (:data:`page_parts`), and the template helpers every
page uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import segno
from blinker import Namespace
from flask import Flask, Response, g, render_template
from flask_wtf.csrf import generate_csrf
from htmx_flask import make_response
from htmx_flask import request as htmx_request
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from course import markdown

_signals = Namespace()

#: Sent by a route whose page shows parts that a feature above its own owns (the citizen
#: page shows the draft's state; the budget tool shows the case's send-back note): the sender
#: is the page's name (``"schedule.citizen"``), the keyword arguments what the page is about.
#: Each receiver returns a dict of context for its part; a feature connects its receivers in
#: its ``init_app``, so a lower feature never imports a higher one.
page_parts = _signals.signal("page-parts")

#: The largest id a row can have: PostgreSQL's ``integer`` (SQLite's are wider). A larger
#: number in a URL or a form names nothing, and must not reach the database driver, which
#: fails on it (``OverflowError`` in SQLite) instead of finding no row.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: a whole number an id column can hold. A longer one does not
    match the route, so the answer is 404 like any other id that names nothing."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def as_id(value: str | None) -> int | None:
    """An id from a form field or query argument: ASCII digits an id column can hold (1 to
    :data:`MAX_ID`); ``None`` for anything else."""
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


#: The page name under which the layout around every page asks for its parts (the header's
#: unread notices).
LAYOUT = "layout"


def parts_of(page: str, **about: Any) -> dict[str, Any]:
    """The context the features above contribute to ``page`` (see :data:`page_parts`).

    Parts that several features fill (the queue's flags per case: an overdue receipt, a
    proposed change) come as dicts of lists under one key; they are merged, the lists joined.
    """
    context: dict[str, Any] = {}
    for _receiver, part in page_parts.send(page, **about):
        for key, value in part.items():
            mine = context.get(key)
            if isinstance(mine, dict) and isinstance(value, dict):
                value = {**mine, **{k: [*mine[k], *v] if isinstance(v, list)
                                    and isinstance(mine.get(k), list) else v
                                    for k, v in value.items()}}
            context[key] = value
    return context


def init_app(app: Flask) -> None:
    """The template helpers every page uses; ``Vary: HX-Request`` on every answer that
    :func:`wants_fragment` chose."""
    app.after_request(_vary_on_htmx)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["qr_svg"] = qr_svg
    app.jinja_env.globals["csrf_field"] = csrf_field
    app.jinja_env.filters["markdown"] = markdown.render


def _vary_on_htmx(response: Response) -> Response:
    if g.get("varies_on_htmx"):
        response.vary.add("HX-Request")
    return response


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


# -- fragment or page -----------------------------------------------------------------------------


def is_htmx() -> bool:
    """Did htmx send this request (a fragment request or a boosted page)?"""
    return bool(htmx_request.htmx)


def wants_fragment() -> bool:
    """The one decision between a fragment and a page: a non-boosted htmx request wants the
    fragment it targets; a boosted one, or a browser without JavaScript, wants the page (or a
    redirect to it). The answer varies on ``HX-Request`` (see :func:`init_app`)."""
    g.varies_on_htmx = True
    return bool(htmx_request.htmx) and not htmx_request.htmx.boosted


def render(page: str | None, fragment: str | None = None, *, status: int = 200,
           **context: Any) -> Response:
    """Render ``fragment`` for a request that wants one (:func:`wants_fragment`), else the full
    ``page``, which ``{% include %}``s the same fragment, so both are always the same markup.
    With only a ``page``, or only a ``fragment``, that is rendered whatever the request. A page
    gets the layout's parts (:data:`LAYOUT`) besides ``context``."""
    if fragment and (page is None or wants_fragment()):
        return make_response(render_template(fragment, **context), status)
    return make_response(render_template(page, **parts_of(LAYOUT), **context), status)


# -- refusals -------------------------------------------------------------------------------------

#: The event a refusal without a slot triggers in the page: app.js shows its message in the
#: toast (``{"teten:refused": {"message": …}}``).
REFUSED_EVENT = "teten:refused"


def refuse(message: str, status: int = 422, *, slot: str | None = None,
           page: Callable[[], Response | str] | None = None) -> Response:
    """The one refusal path: roll back, drop the pushes queued, and say why in place.

    An htmx request gets ``message`` swapped into ``#slot`` (the message element beside the
    form it came from), or, without a slot, shown in the page's toast — never swapped over
    the region the person was working in, so what they typed stays in the field. A browser
    without JavaScript gets ``page()`` (the page again, with the typed text and the message)
    or the error page with ``message``.
    """
    from course import realtime
    from course.errors import error_page
    from course.extensions import db

    db.session.rollback()
    realtime.discard_pushes()
    if is_htmx():
        if slot:
            response = make_response(render_template("_refusal.html", message=message), status)
            response.headers["HX-Retarget"] = f"#{slot}"
            response.headers["HX-Reswap"] = "innerHTML"
        else:
            response = make_response(message, status,
                                     {"Content-Type": "text/plain; charset=utf-8"})
            response.headers["HX-Reswap"] = "none"
            response.headers["HX-Trigger"] = json.dumps({REFUSED_EVENT: {"message": message}})
        return response
    if page is not None:
        return make_response(page(), status)
    return make_response(error_page(status, message))
