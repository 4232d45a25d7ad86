"""Nothing people write can run code: markdown is sanitised after rendering (and fuzzed)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="#" hx-get="/logout" hx-trigger="load">x</a>',
    '<div data-hx-post="/x" data-hx-trigger="load">x</div>',
    "<svg><script>alert(1)</script></svg>",
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<p style="position:fixed">x</p>',
    '<object data="x.swf"></object>',
    '<form action="https://evil.example"><input name=a></form>',
    "{: onclick=alert(1) }\nparagraph",
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
]

class _Elements(HTMLParser):
    """Collects every element and attribute of rendered HTML (text content is harmless)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def active_content(html: str) -> list[str]:
    """Everything in ``html`` that could run code or fire a request."""
    parser = _Elements()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.found:
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag {tag}")
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}:
                problems.append(f"attribute {name} on {tag}")
            if name == "href":
                href = (value or "").strip().lower()
                scheme = href.split(":", 1)[0] if ":" in href else ""
                if scheme and scheme not in {"http", "https", "mailto"}:
                    problems.append(f"href scheme {scheme}")
    return problems


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_defused(text):
    assert active_content(render(text)) == []


def test_ordinary_markdown_survives():
    html = render("# Velkommen\n\nVi starter **kl. 9**.\n\n- kaffe\n- [program](https://aarhus.dk)")
    assert "<h3>Velkommen</h3>" in html and "<strong>kl. 9</strong>" in html
    assert '<a href="https://aarhus.dk" rel="noopener noreferrer nofollow">program</a>' in html


def test_empty_text_renders_nothing():
    assert render("") == "" and render(None) == ""


fragments = st.sampled_from([
    "<", ">", "\"", "'", "=", "script", "on", "onerror", "hx-get", "data-hx-post", "javascript:",
    "data:", "svg", "style", "iframe", "href", "[", "]", "(", ")", "!", "`", "\n", " ", "a", "&",
    "#", "*", "img", "src", "JaVaScRiPt:", "&#106;avascript:", "\t", "/",
])


@given(st.lists(fragments, max_size=40).map("".join))
def test_fuzzed_markdown_never_yields_active_content(text):
    assert active_content(render(text)) == []


@given(st.text(max_size=300))
def test_any_text_renders_without_error_and_without_active_content(text):
    assert active_content(render(text)) == []
