"""Markdown for agenda descriptions and other staff-written text: rendered, then sanitised.

Python-Markdown does not sanitise, so its HTML goes through nh3 with a small allowlist: no
``script``/``style``/``iframe``/SVG, no ``on*``/``style``/``hx-*``/``data-*`` attributes, and only
``http``, ``https`` and ``mailto`` links. ``attr_list`` stays off (it would let authors write
attributes). The result is placed inside an ``hx-disable`` container by the templates.
"""

from __future__ import annotations

import markdown as md
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h3", "h4", "blockquote",
    "code", "pre", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_LENGTH = 20_000


def render(text: str | None) -> Markup:
    """Markdown → safe HTML. Headings are shifted down (``#`` becomes ``h3``) to fit the page."""
    if not text:
        return Markup("")
    html = md.markdown(text[:MAX_LENGTH], extensions=["sane_lists"], output_format="html")
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>")
    html = html.replace("<h2>", "<h4>").replace("</h2>", "</h4>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
