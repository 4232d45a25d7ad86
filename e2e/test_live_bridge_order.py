"""The live bridge's ordering rule, pinned in a browser with app.js and htmx and nothing else.

An answer read from the server is applied before every push that arrived while it was on its
way, and those pushes after it, in their order: the answer was read at some moment during its
trip, and a push that crossed it may announce a change made after that moment. This holds for
a region read afresh after a gap and for the page's own request into a live region (the
console's "+5 min." crossing a phone's comment). The soak (``test_soak.py``) relies on it.

The page is a stub served by Playwright's router (no Teten server): a live region, a form
that posts into it, and a fake Socket.IO whose messages the test sends; each answer is held
until the test lets it through, so the crossing happens every time, in the order written here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

pytestmark = pytest.mark.e2e

STATIC = Path(__file__).resolve().parent.parent / "course" / "static"
ORIGIN = "http://teten.test"

PAGE = """<!doctype html>
<html><head>
<meta name="htmx-config" content='{"allowEval": false, "allowScriptTags": false}'>
<script src="/htmx.js" defer></script>
<script src="/fake-io.js" defer></script>
<script src="/app.js" defer></script>
</head>
<body data-live-streams='{"course-1-facilitators": 1}'>
<div id="now" data-live-src="/now">as loaded</div>
<div id="announcement" data-live-src="/announcement">no announcement</div>
<form id="extend" hx-post="/extend" hx-target="#now" hx-swap="innerHTML"><button>+5</button></form>
</body></html>"""

# Socket.IO as app.js uses it: io() gives a socket whose handlers the test calls.
FAKE_IO = """window.io = function () {
  var handlers = {};
  window.fakeSocket = {
    on: function (name, handler) { handlers[name] = handler; },
    emit: function () {},
    receive: function (name, message) { handlers[name](message); }
  };
  return window.fakeSocket;
};"""


class Server:
    """Serves the stub page and holds the answers to /now and /extend until released."""

    def __init__(self) -> None:
        self.waiting: dict[str, Route] = {}

    def handle(self, route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        if path == "/page":
            route.fulfill(body=PAGE, content_type="text/html")
        elif path == "/htmx.js":
            route.fulfill(path=STATIC / "vendor" / "htmx-2.0.11.min.js")
        elif path == "/app.js":
            route.fulfill(path=STATIC / "js" / "app.js")
        elif path == "/fake-io.js":
            route.fulfill(body=FAKE_IO, content_type="text/javascript")
        else:
            self.waiting[path] = route  # answered when the test says so

    def answer(self, page: Page, path: str, html: str) -> None:
        while path not in self.waiting:
            page.wait_for_timeout(5)  # the request is on its way to the router
        self.waiting.pop(path).fulfill(body=html, content_type="text/html")


@pytest.fixture
def bridge(browser: Browser) -> Iterator[tuple[Page, Server]]:
    context = browser.new_context()
    server = Server()
    context.route(f"{ORIGIN}/**", server.handle)
    page = context.new_page()
    page.goto(f"{ORIGIN}/page")
    page.wait_for_function("() => window.fakeSocket && window.htmx")
    page.evaluate("fakeSocket.receive('live:hello', {streams: {'course-1-facilitators': 1}})")
    expect(page.locator("body")).to_have_attribute("data-live-ready", "true")
    yield page, server
    context.close()


def push(page: Page, seq: int, html: str) -> None:
    page.evaluate("([seq, html]) => fakeSocket.receive('live:fragments', "
                  "{stream: 'course-1-facilitators', seq, fragments: [{target: 'now', html}]})",
                  [seq, html])


def test_a_push_is_applied_at_once_when_nothing_is_being_read(bridge) -> None:
    page, _ = bridge
    push(page, 2, "pushed 2")
    expect(page.locator("#now")).to_have_text("pushed 2")


def test_a_push_that_crosses_the_answer_to_this_pages_request_is_applied_after_it(
        bridge) -> None:
    page, server = bridge
    page.click("#extend button")
    # a phone's comment, committed after the answer below was read, is pushed meanwhile
    push(page, 2, "+5 min. and the comment")
    assert page.locator("#now").inner_text() == "as loaded", "not held"
    server.answer(page, "/extend", "+5 min.")
    expect(page.locator("#now")).to_have_text("+5 min. and the comment")


def test_pushes_that_cross_a_refetch_after_a_gap_are_applied_after_it_in_order(bridge) -> None:
    page, server = bridge
    push(page, 4, "pushed 4")  # 2 and 3 were missed: the page reads its region afresh
    expect(page.locator("#now")).to_have_text("as loaded")
    push(page, 5, "pushed 5")
    push(page, 6, "pushed 6")
    server.answer(page, "/now", "read before 5")
    server.answer(page, "/announcement", "coffee at 10")
    expect(page.locator("#now")).to_have_text("pushed 6")
    expect(page.locator("#announcement")).to_have_text("coffee at 10")


def test_held_pushes_wait_for_every_region_read_afresh(bridge) -> None:
    page, server = bridge
    push(page, 3, "pushed 3")  # a gap: both regions are read afresh, each on its own request
    server.answer(page, "/now", "read before 4")
    expect(page.locator("#now")).to_have_text("read before 4")
    push(page, 4, "pushed 4")  # handled at once by app.js: applied, or held
    assert page.locator("#now").inner_text() == "read before 4", "not held"
    server.answer(page, "/announcement", "coffee at 10")
    expect(page.locator("#now")).to_have_text("pushed 4")


def test_a_failed_answer_does_not_hold_the_pushes(bridge) -> None:
    page, server = bridge
    page.click("#extend button")
    push(page, 2, "pushed 2")
    while "/extend" not in server.waiting:
        page.wait_for_timeout(5)
    server.waiting.pop("/extend").abort()
    expect(page.locator("#now")).to_have_text("pushed 2")
