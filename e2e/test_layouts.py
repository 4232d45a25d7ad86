"""The three layouts, measured: a phone a 55-year-old can read and tap, a projector readable
from the back of the room, and office pages that fit a laptop.

Every test also saves a screenshot to e2e/artifacts/ for a person to look at.

The rules, as measured in the browser:

- no horizontal scrolling: ``document.documentElement.scrollWidth`` is at most the viewport;
- touch targets (phone): every visible button, input, select, textarea, summary and link is at
  least 44×44 CSS px, except a link inside running text (WCAG 2.5.5's "inline" exception: an
  inline link whose parent also holds other text);
- text (phone): the body is at least 18 px; running text (an element whose own text has three
  words or more) at least 18 px; no visible text under 16 px; form fields at least 16 px (so
  phones do not zoom on focus);
- projector: the course title, the join code and the announcement at least 48 px, and the whole
  view fits 1920×1080 without scrolling (nobody scrolls a projector); every state of the wall at
  three sizes is measured in e2e/test_projector_stage.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from browsing import (
    LIVE_TIMEOUT,
    Screens,
    announce,
    announcement,
    console_and_projector,
    join_course,
    screenshot,
    sign_in_staff,
)
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.e2e

WELCOME = "Velkommen! Vi starter kl. 9.00. Tag en kop kaffe og find en plads ved bordene."
#: An announcement of the maximum length (280 characters), with long Danish words.
LONGEST = (
    "Husk: i eftermiddag arbejder vi med forandringsteorierne til jeres budgetposter. Tag "
    "dokumentationen med (tilbud, skærmbilleder, prislister). Jobcenterkonsulenterne går rundt "
    "og hjælper. Pausen er kl. 14.15 i kantinen på første sal, og vi slutter senest kl. 15.30 "
    "i dag. Vel mødt!"
)

SMALL_TARGETS = """(minimum) => {
  const found = [];
  for (const el of document.querySelectorAll("a, button, input, select, textarea, summary")) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const shown = box.width > 1 && box.height > 1 && box.right > 0 && box.bottom > 0
      && style.visibility !== "hidden" && el.type !== "hidden";
    if (!shown) continue;
    const parentText = (el.parentElement.innerText || "").trim();
    const inRunningText = el.tagName === "A" && style.display === "inline"
      && parentText !== (el.innerText || "").trim();
    if (inRunningText) continue;
    if (box.width < minimum || box.height < minimum) {
      const label = (el.innerText || el.value || el.name || "").trim().slice(0, 40);
      found.push(`${el.tagName.toLowerCase()} "${label}": ` +
                 `${Math.round(box.width)}×${Math.round(box.height)} px`);
    }
  }
  return found;
}"""

SMALL_TEXT = """() => {
  const found = [];
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  if (px(document.body) < 18) found.push(`body text is ${px(document.body)} px`);
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width <= 1 || box.height <= 1 || box.right <= 0 || style.visibility === "hidden") {
      continue;
    }
    const size = px(el);
    if (el.matches("input:not([type=hidden]), select, textarea")) {
      if (size < 16) found.push(`form field #${el.id}: ${size} px (phones zoom in)`);
      continue;
    }
    const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent).join(" ").trim();
    if (!own) continue;
    const words = own.split(/\\s+/).length;
    const quote = `${el.tagName.toLowerCase()}${el.className ? "." + el.className : ""} ` +
                  `"${own.slice(0, 40)}"`;
    if (words >= 3 && size < 18) found.push(`running text ${quote}: ${size} px`);
    else if (size < 16) found.push(`text ${quote}: ${size} px`);
  }
  return found;
}"""


def scroll_size(page: Page) -> dict[str, int]:
    return page.evaluate("() => ({width: document.documentElement.scrollWidth,"
                         " height: document.documentElement.scrollHeight})")


def font_px(page: Page, selector: str) -> float:
    locator = page.locator(selector).first
    expect(locator).to_be_visible()
    return float(locator.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)"))


# -- the room: one announcement on the screens for the whole module ------------------------------


@dataclass
class Room:
    console: Page
    projector: Page


@pytest.fixture(scope="module")
def room(browser: Browser, live_server) -> Iterator[Room]:
    screens = Screens(browser, live_server.url)
    try:
        console, projector = console_and_projector(screens, live_server)
        announce(console, WELCOME)
        expect(announcement(projector)).to_have_text(WELCOME, timeout=LIVE_TIMEOUT)
        yield Room(console, projector)
        screens.log.assert_no_csp_violations()
    finally:
        screens.close()


# -- phone -----------------------------------------------------------------------------------------


def phone_page(kind: str, screens: Screens, live_server) -> Page:
    """A citizen's phone on the join page, the join page after a wrong code, or the home page."""
    phone = screens.phone()
    if kind == "join":
        phone.goto("/")
    elif kind == "join-error":
        phone.goto("/")
        phone.fill("#course_code", live_server.course_code)
        phone.fill("#personal_code", "WRNG2345")
        phone.locator("form[action$='/join'] button[type=submit]").click()
        expect(phone.locator(".errors")).to_be_visible()
        # The error page is a fresh document: measure only once its stylesheet has loaded.
        phone.wait_for_load_state("load")
    else:
        join_course(phone, live_server.course_code, live_server.personal_codes[0])
    return phone


PHONE_PAGES = ["join", "join-error", "home"]




def test_phone_pages_never_scroll_sideways(room: Room, screens: Screens, live_server) -> None:
    for kind in PHONE_PAGES:
        phone = phone_page(kind, screens, live_server)
        assert scroll_size(phone)["width"] <= 390, f"{kind} scrolls sideways"


def test_every_page_of_a_citizen_fits_the_phone(room: Room, screens: Screens,
                                                live_server) -> None:
    """Beyond the home page: the plan editor, the plan's page, the notices, the workshop, the
    printable plan; and the staff's page about one citizen, opened on a phone."""
    phone = phone_page("home", screens, live_server)
    wide = []
    for path in ("/me/budget", "/me/plan", "/notifications", "/me/workshop"):
        phone.goto(path)
        phone.wait_for_load_state("load")
        if scroll_size(phone)["width"] > 390:
            wide.append(f"{path}: {scroll_size(phone)['width']} px")
    staff = screens.phone()
    sign_in_staff(staff, live_server.consultant)
    staff.goto("/office")
    staff.locator("main a[href^='/courses/']").first.click()
    staff.locator("main a[href*='/citizens/']").first.click()
    staff.wait_for_load_state("load")
    screenshot(staff, "phone-staff-citizen-page")
    if scroll_size(staff)["width"] > 390:
        culprits = staff.evaluate("""() => [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > 391)
          .slice(0, 5).map((el) => el.tagName + '.' + el.className + ' ' +
                           Math.round(el.getBoundingClientRect().right))""")
        wide.append(f"{staff.url}: {scroll_size(staff)['width']} px {culprits}")
    assert not wide, "pages wider than the phone:\n" + "\n".join(wide)


@pytest.mark.parametrize("kind", ["join", "join-error", "home"])
def test_phone_touch_targets_are_at_least_44px(kind: str, room: Room, screens: Screens,
                                               live_server) -> None:
    phone = phone_page(kind, screens, live_server)
    small = phone.evaluate(SMALL_TARGETS, 44)
    assert not small, f"touch targets under 44×44 px on {kind}:\n" + "\n".join(small)


@pytest.mark.parametrize("kind", ["join", "join-error", "home"])
def test_phone_text_is_large_enough(kind: str, room: Room, screens: Screens,
                                    live_server) -> None:
    phone = phone_page(kind, screens, live_server)
    small = phone.evaluate(SMALL_TEXT)
    assert not small, f"text too small on {kind}:\n" + "\n".join(small)


def test_join_labels_and_errors_use_the_body_font(screens: Screens, live_server) -> None:
    phone = phone_page("join-error", screens, live_server)
    body_font = phone.evaluate("() => getComputedStyle(document.body).fontFamily")
    for selector in ["label[for=course_code]", "label[for=personal_code]", ".errors li"]:
        font = phone.locator(selector).first.evaluate("(el) => getComputedStyle(el).fontFamily")
        assert font == body_font, f"{selector} is set in {font}"


def test_phone_screenshots(room: Room, screens: Screens, live_server) -> None:
    """The pictures a person looks at: sign-in, a wrong code, and home with an announcement."""
    for kind, name in [("join", "phone-sign-in"), ("join-error", "phone-sign-in-wrong-code"),
                       ("home", "phone-home-announcement")]:
        phone = phone_page(kind, screens, live_server)
        if kind == "home":
            expect(announcement(phone)).to_have_text(WELCOME)
        screenshot(phone, name)


# -- projector -------------------------------------------------------------------------------------


def test_projector_main_text_is_at_least_48px(room: Room, live_server) -> None:
    projector = room.projector
    expect(projector.locator(".projector-code")).to_have_text(live_server.course_code)
    sizes = {
        "course title": font_px(projector, ".projector-header h1"),
        "join code": font_px(projector, ".projector-code"),
        "announcement": font_px(projector, "#announcement .announcement-text"),
    }
    small = {name: size for name, size in sizes.items() if size < 48}
    assert not small, f"projector text under 48 px: {small}"
    # While an announcement shows, the join QR stays: the stage shrinks it to fit beside it.
    expect(projector.locator(".projector-join .qr svg")).to_be_visible()
    screenshot(projector, "projector-announcement", full_page=False)




def test_projector_fits_the_screen(room: Room) -> None:
    size = scroll_size(room.projector)
    assert size["width"] <= 1920 and size["height"] <= 1080, f"the projector scrolls: {size}"


@pytest.fixture
def longest_announcement(room: Room) -> Iterator[str]:
    """The longest announcement (280 characters) on the screens; the welcome again after."""
    assert len(LONGEST) == 280
    announce(room.console, LONGEST)
    expect(announcement(room.projector)).to_have_text(LONGEST, timeout=LIVE_TIMEOUT)
    yield LONGEST
    announce(room.console, WELCOME)


def test_the_longest_announcement_on_a_phone(longest_announcement: str, screens: Screens,
                                             live_server) -> None:
    phone = phone_page("home", screens, live_server)
    expect(announcement(phone)).to_have_text(longest_announcement)
    screenshot(phone, "phone-home-longest-announcement")
    assert scroll_size(phone)["width"] <= 390, "the phone scrolls sideways"


def test_the_longest_announcement_fits_the_projector(longest_announcement: str,
                                                     room: Room) -> None:
    screenshot(room.projector, "projector-longest-announcement", full_page=False)
    size = scroll_size(room.projector)
    assert size["width"] <= 1920 and size["height"] <= 1080, f"the projector scrolls: {size}"


# -- office ----------------------------------------------------------------------------------------


def test_office_start_page_on_a_laptop(screens: Screens, live_server) -> None:
    office = screens.laptop()
    sign_in_staff(office, live_server.facilitator)
    expect(office.locator(".course-card").first).to_be_visible()
    assert scroll_size(office)["width"] <= 1280
    screenshot(office, "office-start")


def test_office_start_page_does_not_claim_to_connect(screens: Screens, live_server) -> None:
    office = screens.laptop()
    sign_in_staff(office, live_server.facilitator)
    expect(office.locator(".course-card").first).to_be_visible()
    assert office.locator("body").get_attribute("data-live-streams") is None
    expect(office.locator("#live-status")).to_be_hidden(timeout=2_000)


def test_console_on_a_laptop(room: Room) -> None:
    console = room.console
    expect(announcement(console)).to_have_text(WELCOME)
    assert scroll_size(console)["width"] <= 1280
    screenshot(console, "console")
