"""Reactions in the live room, in Chromium: the facilitator chooses the course's set where the
course is edited (its list offers no laughing face), three phones react by keyboard and by
tapping (the buttons named for screen readers), the projector shows one aggregated burst of
counts — never who — that fades and goes, and a phone over its limit per minute is told to wait.

The burst is measured like every other state of the stage
(e2e/test_projector_stage_in_the_browser.py: no zones overlapping or leaving the screen, no
text clipped, every text at the floor) at 1920×1080, 1280×720 and 1024×768; the phone, the
course's settings and the projector are axe-clean. Screenshots go to
e2e/artifacts/reactions-*.png.
"""

from __future__ import annotations

import pytest
from browsing import (
    LIVE_TIMEOUT,
    Screens,
    assert_accessible,
    console_and_projector,
    htmx_settled,
    join_course,
    screenshot,
    sign_in_staff,
)
from playwright.sync_api import Page, expect
from test_projector_stage_in_the_browser import FLOOR, MEASURE, SIZES, fitted

pytestmark = pytest.mark.e2e


def _react(phone: Page, name: str) -> None:
    htmx_settled(phone, phone.get_by_role("button", name=name, exact=True).click)
    expect(phone.locator("#reactions-message")).to_have_text(f"Sendt: {name}")


def test_phones_react_and_the_wall_shows_one_aggregated_burst(browser, live_server) -> None:
    screens = Screens(browser, live_server.url)
    try:
        console, wall = console_and_projector(screens, live_server)
        # the burst stays whole for its seconds (no motion), so it can be measured and checked
        wall.emulate_media(reduced_motion="reduce")
        htmx_settled(console, console.locator(
            "#now form[action$='/session/start'] button").click)

        # the set, chosen where the course is edited: a laughing face is refused in place
        settings = screens.laptop()
        sign_in_staff(settings, live_server.facilitator)
        settings.goto(console.url.replace("/console", "/edit"))
        section = settings.locator("section#reactions")
        expect(section.get_by_label("Tommelfinger op")).to_be_checked()
        expect(section.get_by_label("Fejring")).not_to_be_checked()
        assert "😂" not in section.inner_text()
        section.get_by_label("Fejring").check()
        htmx_settled(settings, settings.locator("section#reactions button[type=submit]").click)
        expect(settings.locator("#reactions-settings-message")).to_have_text(
            "Reaktionerne er gemt.")
        expect(settings.locator("section#reactions").get_by_label("Fejring")).to_be_checked()
        assert_accessible(settings, "the course's reactions")
        screenshot(settings, "reactions-settings-1366x768")

        phones = [screens.phone() for _ in range(3)]
        for phone, code in zip(phones, live_server.personal_codes, strict=False):
            join_course(phone, live_server.course_code, code)
        buttons = phones[0].locator("#reactions .reaction-button")
        expect(buttons).to_have_count(5)
        expect(phones[0].get_by_role("button", name="Fejring", exact=True)).to_be_visible()

        # by keyboard: Tab to the first button, Enter sends it
        phones[0].get_by_role("button", name="Tommelfinger op", exact=True).focus()
        htmx_settled(phones[0], lambda: phones[0].keyboard.press("Enter"))
        expect(phones[0].locator("#reactions-message")).to_have_text("Sendt: Tommelfinger op")
        _react(phones[1], "Klapsalver")
        _react(phones[2], "Klapsalver")
        burst = wall.locator("#reactions .reaction-burst")
        expect(burst).to_be_visible(timeout=LIVE_TIMEOUT)
        expect(burst.locator(".reaction-count")).to_contain_text(
            ["Klapsalver: ×2", "Tommelfinger op: ×1"], timeout=LIVE_TIMEOUT)
        assert "Citizen" not in burst.inner_text() and "Anna" not in burst.inner_text()
        assert_accessible(wall, "the projector with a burst of reactions")
        assert_accessible(phones[0], "the phone with reactions")
        screenshot(phones[0], "reactions-phone-390x844")

        # the burst fades and goes (its region hides): nothing stays on the stage
        expect(burst).to_have_count(0, timeout=8000)
        expect(wall.locator("#reactions")).to_be_hidden()

        # measured at every size, a fresh burst each time
        problems: list[str] = []
        for width, height in SIZES:
            wall.set_viewport_size({"width": width, "height": height})
            _react(phones[1], "Hjerte")
            expect(burst).to_be_visible(timeout=LIVE_TIMEOUT)
            fitted(wall)
            measured = wall.evaluate(MEASURE, FLOOR)
            problems += [f"{width}×{height}: {p}" for p in measured["problems"]]
            screenshot(wall, f"reactions-projector-{width}x{height}", full_page=False)
        assert not problems, "the burst does not fit the stage:\n" + "\n".join(problems)

        # over the limit: the phone is told to wait, its buttons stay
        # Ten a minute, counted per clock minute: it sent one already; if the minute turns
        # over meanwhile, the count starts again — so at most 21 sends reach the limit.
        message = phones[2].locator("#reactions-message")
        for _ in range(21):
            htmx_settled(phones[2], phones[2].get_by_role("button", name="God idé",
                                                          exact=True).click)
            if "Vent lidt" in message.inner_text():
                break
        expect(message).to_contain_text(
            "reaktioner i dette minut. Vent lidt.")
        expect(phones[2].get_by_role("button", name="God idé", exact=True)).to_be_visible()
        screens.log.assert_no_csp_violations()
    finally:
        screens.close()
