"""Accessibility (WCAG 2.1 AA, checked with axe-core) and the Content-Security-Policy, as the
browser sees them on the main pages, at the sizes they are used at.

axe findings of impact "serious" or "critical" fail; the others are printed. Any CSP violation
or uncaught exception fails.

The accessibility statement (/accessibility) publishes these results from
docs/a11y-results.json: :func:`test_the_accessibility_statement_rests_on_these_results` fails
when the file no longer says what axe finds, so the statement cannot go stale. Rewrite it with
``TETEN_WRITE_A11Y=1`` (and commit it) after a change to the pages.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from browsing import (
    LIVE_TIMEOUT,
    Screens,
    announce,
    announcement,
    console_and_projector,
    join_course,
    sign_in_staff,
)
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.e2e

AXE = Axe()
BLOCKING = {"serious", "critical"}
TEXT = "Velkommen! Vi starter kl. 9.00 i mødelokale 2."


@dataclass
class Room:
    """A console and a projector with an announcement on, shared by the module's tests."""

    screens: Screens
    console: Page
    projector: Page


@pytest.fixture(scope="module")
def room(browser: Browser, live_server) -> Iterator[Room]:
    screens = Screens(browser, live_server.url)
    try:
        console, projector = console_and_projector(screens, live_server)
        announce(console, TEXT)
        expect(announcement(projector)).to_have_text(TEXT, timeout=LIVE_TIMEOUT)
        yield Room(screens, console, projector)
        screens.log.assert_no_csp_violations()
    finally:
        screens.close()


def open_page(name: str, device: str, room: Room, screens: Screens, live_server) -> Page:
    """One of the main pages, as the person who uses it sees it, on ``device``."""
    if name == "console":
        return room.console
    if name == "projector":
        return room.projector
    page = getattr(screens, device)()
    if name == "join":
        page.goto("/")
    elif name == "staff-login":
        page.goto("/login")
    elif name == "phone-home":
        join_course(page, live_server.course_code, live_server.personal_codes[0])
        expect(announcement(page)).to_have_text(TEXT)
    elif name == "office":
        sign_in_staff(page, live_server.facilitator)
    elif name == "privacy-notice":
        page.goto("/privacy")
    elif name == "accessibility":
        page.goto("/accessibility")
    elif name == "staff-admin":
        sign_in_staff(page, live_server.team_lead)
        page.goto("/staff")
        expect(page.locator("table")).to_be_visible()
    else:
        raise ValueError(name)
    return page


PAGES = [
    ("join", "phone"),
    ("join", "laptop"),
    ("staff-login", "laptop"),
    ("staff-login", "phone"),
    ("phone-home", "phone"),
    ("office", "laptop"),
    ("console", "laptop"),
    ("projector", "projector"),
    ("staff-admin", "laptop"),
    ("privacy-notice", "phone"),
    ("accessibility", "laptop"),
]
#: The results the accessibility statement shows (course/privacy/fragments.py reads them).
RESULTS = Path(__file__).resolve().parent.parent / "docs" / "a11y-results.json"
#: What axe found per page in this run: (name, device) → the page's row of RESULTS.
FOUND: dict[tuple[str, str], dict] = {}



def page_params() -> list:
    return [pytest.param(name, device, id=f"{name}-{device}") for name, device in PAGES]


def describe(violation: dict) -> str:
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    return f"[{violation['impact']}] {violation['id']}: {violation['help']} — {targets}"


@pytest.mark.parametrize(("name", "device"), page_params())
def test_no_serious_axe_violations(name: str, device: str, room: Room, screens: Screens,
                                   live_server) -> None:
    page = open_page(name, device, room, screens, live_server)
    violations = _checked(name, device, page)["violations"]
    minor = [describe(v) for v in violations if v["impact"] not in BLOCKING]
    if minor:
        print(f"axe, {name} on {device}, not blocking:\n  " + "\n  ".join(minor))
    blocking = [describe(v) for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {name} ({device}):\n" + "\n".join(blocking)


def _checked(name: str, device: str, page: Page) -> dict:
    """Run axe on the page, and keep its row for the statement."""
    response = AXE.run(page).response
    FOUND[(name, device)] = {
        "page": name, "device": device, "passed": len(response["passes"]),
        "blocking": sorted(v["id"] for v in response["violations"] if v["impact"] in BLOCKING),
        "other": sorted(v["id"] for v in response["violations"]
                        if v["impact"] not in BLOCKING),
        "axe_version": response["testEngine"]["version"]}
    return response


def test_the_accessibility_statement_rests_on_these_results(room: Room, screens: Screens,
                                                             live_server) -> None:
    """docs/a11y-results.json lists every page checked here, with what axe finds now."""
    for name, device in PAGES:
        if (name, device) not in FOUND:  # the per-page test did not run first (or alone)
            _checked(name, device, open_page(name, device, room, screens, live_server))
    found = [dict(FOUND[key]) for key in PAGES]
    version = found[0].pop("axe_version")
    for row in found[1:]:
        row.pop("axe_version")
    if os.environ.get("TETEN_WRITE_A11Y"):
        RESULTS.write_text(json.dumps({
            "date": date.today().isoformat(), "axe_version": version,
            "standard": "WCAG 2.1 AA", "pages": found}, indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8")
    published = json.loads(RESULTS.read_text(encoding="utf-8"))
    assert published["axe_version"] == version

    def essence(rows: list[dict]) -> list[tuple]:
        return [(r["page"], r["device"], r["blocking"], r["other"]) for r in rows]

    assert essence(published["pages"]) == essence(found), (
        "docs/a11y-results.json is stale: run this test with TETEN_WRITE_A11Y=1 and commit it")


def test_no_page_renders_none_into_an_attribute(room: Room, screens: Screens,
                                                live_server) -> None:
    leaks = []
    for name, device in PAGES:
        page = open_page(name, device, room, screens, live_server)
        found = page.evaluate("""() => [...document.querySelectorAll("*")].flatMap((el) =>
            [...el.attributes].filter((a) => a.value === "None")
              .map((a) => `${el.tagName.toLowerCase()}#${el.id} ${a.name}="None"`))""")
        leaks += [f"{name}: {leak}" for leak in found]
    assert not leaks, "\n".join(leaks)


def test_no_page_breaks_the_content_security_policy(room: Room, screens: Screens,
                                                    live_server) -> None:
    """Every main page, an htmx request and a live push: no CSP violation, no exception."""
    pages = {name: open_page(name, device, room, screens, live_server)
             for name, device in PAGES if name not in ("console", "projector")}
    phone = pages["phone-home"]
    text = "Nu går vi i gang igen."
    announce(room.console, text)  # an htmx request and swap on the console
    expect(announcement(phone)).to_have_text(text, timeout=LIVE_TIMEOUT)  # a live push
    expect(announcement(room.projector)).to_have_text(text, timeout=LIVE_TIMEOUT)

    errors = screens.log.errors + room.screens.log.errors
    others = [e for e in errors if "Content Security Policy" not in e]
    if others:
        print("console errors that are not CSP violations:\n  " + "\n  ".join(others))
    violations = [e for e in errors if "Content Security Policy" in e]
    assert not violations, "CSP violations:\n" + "\n".join(violations)
    exceptions = [e for e in errors if e.startswith("uncaught exception")]
    assert not exceptions, "uncaught exceptions:\n" + "\n".join(exceptions)


def test_pages_have_an_icon(screens: Screens) -> None:
    page = screens.phone()
    page.goto("/")
    declared = page.locator("link[rel~='icon']")
    if declared.count():
        href = declared.first.get_attribute("href")
        assert page.request.get(href).ok, f"the declared icon {href} does not load"
    else:
        assert page.request.get("/favicon.ico").ok, "no icon declared and /favicon.ico fails"
