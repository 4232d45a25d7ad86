"""What the e2e tests do in a browser: the three kinds of screen, signing in, and waiting.

Every wait is for something a person could observe (a URL, a text, htmx having settled, the
live bridge's hello), never a sleep. Selectors follow the markup's structure (form actions,
field ids, classes) rather than button labels, so the tests hold in Danish and in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, expect

from course import demo

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

#: "Within a few seconds": how long a live push may take to show on another screen.
LIVE_TIMEOUT = 5_000
#: A phone that was offline reconnects with Socket.IO's back-off (up to ~7.5 s), then re-fetches.
RECONNECT_TIMEOUT = 15_000

PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
PROJECTOR: dict[str, Any] = {"viewport": {"width": 1920, "height": 1080}}
LAPTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}


@dataclass
class BrowserLog:
    """Console errors and uncaught exceptions of every page in the contexts a test opened."""

    errors: list[str] = field(default_factory=list)

    def record_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.errors.append(f"console error on {_page_url(message)}: {message.text} "
                               f"[{where}]")

    def record_page_error(self, page: Page, error: Any) -> None:
        self.errors.append(f"uncaught exception on {page.url}: {error}")

    def csp_violations(self) -> list[str]:
        return [e for e in self.errors if "Content Security Policy" in e]

    def assert_no_csp_violations(self) -> None:
        violations = self.csp_violations()
        assert not violations, "CSP violations:\n" + "\n".join(violations)


def _page_url(message: ConsoleMessage) -> str:
    try:
        return message.page.url if message.page else "?"
    except Exception:  # the page may be gone already
        return "?"


class Screens:
    """Opens browser contexts (phones, a projector, a laptop) against one live server.

    Each call makes a new context, i.e. a separate device with its own cookies. ``close`` ends
    them all; ``log`` holds what their pages wrote to the console.
    """

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.log = BrowserLog()

    def open(self, device: dict[str, Any], **options: Any) -> Page:
        context = self.browser.new_context(base_url=self.base_url, locale="da-DK",
                                           timezone_id="Europe/Copenhagen",
                                           **device, **options)
        context.set_default_timeout(10_000)
        context.on("console", self.log.record_console)
        context.on("page", self._watch_page)
        self.contexts.append(context)
        return context.new_page()

    def _watch_page(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.log.record_page_error(page, error))

    def phone(self, **options: Any) -> Page:
        """A citizen's phone: 390×844 CSS px, touch, a 2× screen."""
        return self.open(PHONE, **options)

    def projector(self, **options: Any) -> Page:
        """The room's projector: 1920×1080."""
        return self.open(PROJECTOR, **options)

    def laptop(self, **options: Any) -> Page:
        """A facilitator's or a consultant's laptop: 1280×800."""
        return self.open(LAPTOP, **options)

    def pages(self) -> list[Page]:
        return [page for context in self.contexts for page in context.pages]

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


# -- waiting ---------------------------------------------------------------------------------------


def wait_live(page: Page, timeout: float = LIVE_TIMEOUT) -> None:
    """Wait for the live bridge's hello (app.js sets ``data-live-ready`` on the body)."""
    expect(page.locator("body")).to_have_attribute("data-live-ready", "true", timeout=timeout)


# Armed before an htmx request: ``data-e2e-request`` turns "done" when the request's own target
# has settled ("failed" on an error), and ``data-e2e-live-swaps`` counts live pushes swapped in.
# Completion is read from the target, not from ``htmx:afterRequest``: a push may replace the
# element that made the request, and htmx then has no attached element to fire that event on.
_ARM = """() => {
  const body = document.body;
  body.dataset.e2eRequest = "waiting";
  body.dataset.e2eLiveSwaps = "0";
  if (!body.dataset.e2eWatching) {
    body.dataset.e2eWatching = "true";
    body.addEventListener("htmx:afterSettle", (event) => {
      // a push (app.js swaps it with htmx.swap: no request), not this page's own response
      if (event.target.matches("[data-live-src]") && !event.detail.xhr) {
        body.dataset.e2eLiveSwaps = String(Number(body.dataset.e2eLiveSwaps) + 1);
      }
    });
  }
  let target = null;
  const isTarget = (element) => target !== null && (
    target.id ? element.id === target.id : element === target);
  const settled = (event) => {
    // this page's own response (it has an xhr), not a push into the same region
    if (!isTarget(event.target) || !event.detail.xhr) return;
    body.dataset.e2eRequest = "done";
    body.removeEventListener("htmx:afterSettle", settled);
  };
  const failed = () => { body.dataset.e2eRequest = "failed"; };
  body.addEventListener("htmx:beforeRequest", (event) => { target = event.detail.target; },
                        {once: true});
  body.addEventListener("htmx:afterSettle", settled);
  body.addEventListener("htmx:responseError", failed, {once: true});
  body.addEventListener("htmx:sendError", failed, {once: true});
}"""
#: What htmx marks while a request, a swap or a settle is under way.
_HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"


def htmx_settled(page: Page, action: Callable[[], object], *, wait_for_push: bool = False,
                 expect_error: bool = False) -> None:
    """Run ``action`` (which starts an htmx request) and wait until htmx has swapped and settled.

    ``wait_for_push``: also wait for a live push to be swapped into this page (a console gets
    its own announcement back, sometimes before the HTTP response), so that the next click never
    hits an element about to be replaced. Fails if the request failed, unless ``expect_error``.
    """
    page.evaluate(_ARM)
    action()
    body = page.locator("body")
    expect(body).to_have_attribute("data-e2e-request", "failed" if expect_error else "done")
    if wait_for_push:
        expect(body).not_to_have_attribute("data-e2e-live-swaps", "0", timeout=LIVE_TIMEOUT)
    expect(page.locator(_HTMX_BUSY)).to_have_count(0)


# -- people ----------------------------------------------------------------------------------------


def sign_in_staff(page: Page, email: str, password: str = demo.STAFF_PASSWORD) -> None:
    """Sign in on the staff sign-in page and land on the office start page."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/office$"))


def join_course(page: Page, course_code: str, personal_code: str, *, live: bool = True) -> None:
    """Join as a citizen from the front page form and land on the phone page (live, if JS)."""
    page.goto("/")
    page.fill("#course_code", course_code)
    page.fill("#personal_code", personal_code)
    page.locator("form[action$='/join'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/me$"))
    if live:
        wait_live(page)


def open_console(page: Page, course_code: str) -> None:
    """From the office start page, open the console of the course with this code."""
    card = page.locator(".course-card").filter(has_text=course_code)
    card.locator("a[href$='/console']").click()
    expect(page).to_have_url(re.compile(r"/courses/\d+/console$"))


def open_projector(console: Page, screens: Screens) -> Page:
    """Open the projector from the console, then show it on a screen of its own.

    The console's button opens a new window (a form POST with ``target=_blank``). A facilitator
    drags that window to the projector; here its address is opened in a 1920×1080 context with
    no staff cookie (the display link alone must do) and the window is closed. Left open behind
    the console it would also get its rendering throttled by Chromium.
    """
    with console.context.expect_page() as opened:
        console.locator("form[action$='/projector'] button[type=submit]").click()
    window = opened.value
    expect(window).to_have_url(re.compile(r"/projector/[\w-]+$"))
    expect(window.locator(".qr svg")).to_be_visible()
    projector = screens.projector()
    projector.goto(window.url)
    window.close()
    return projector


def announce(console: Page, text: str) -> None:
    """Post an announcement from the console (the htmx form) and wait for the console to settle."""
    console.fill("#text", text)
    submit = console.locator("form[action$='/announcements'] button[type=submit]")
    htmx_settled(console, submit.click, wait_for_push=True)
    expect(console.locator("#announcement .announcement-text")).to_have_text(text)


def clear_announcement(console: Page) -> None:
    """Take the announcement off the screens from the console."""
    clear = console.locator("form[action$='/announcements/clear'] button")
    htmx_settled(console, clear.click, wait_for_push=True)
    expect(console.locator("#announcement .announcement")).to_have_count(0)


def announcement(page: Page) -> Locator:
    """The announcement text on any screen (phone, projector, console)."""
    return page.locator("#announcement .announcement-text")


# -- pictures --------------------------------------------------------------------------------------


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG to e2e/artifacts/ (gitignored) to look at after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=full_page)
    return path


def console_and_projector(screens: Screens, live_server: Any) -> tuple[Page, Page]:
    """The facilitator's console on a laptop and the projector it opened, both live."""
    console = screens.laptop()
    sign_in_staff(console, live_server.facilitator)
    open_console(console, live_server.course_code)
    wait_live(console)
    projector = open_projector(console, screens)
    wait_live(projector)
    return console, projector


AXE = Axe()


def axe_findings(page: Page) -> list[str]:
    """The serious and critical axe-core (WCAG 2.1 AA) findings on the page as it is now."""
    violations = AXE.run(page).response["violations"]
    return [f"[{v['impact']}] {v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:4]]}"
            for v in violations if v["impact"] in {"serious", "critical"}]


def assert_accessible(page: Page, name: str) -> None:
    """No serious or critical axe-core finding on the page as it is now."""
    found = axe_findings(page)
    assert not found, f"axe on {name}:\n" + "\n".join(found)
