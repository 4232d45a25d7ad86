"""The idea wall in the live room, in Chromium: the console makes a wall on the spot, opens it
and puts it on the projector; three phones answer ("Drømme" and "drømmen" grow one word on
the wall); a 10 kB answer is refused beside the field with the text kept; the console hides a
group (gone from the projector and the phones) and merges two (summed); dot-voting with two
dots each, the counts live on the console and the projector, a phone out of dots can place no
more.

The projector's wall is then filled with the longest realistic content (e2e/seed_ideas.py: 30
groups, answers up to 60 characters) and measured like every other state of the stage
(e2e/test_projector_stage_in_the_browser.py: no zones overlapping or leaving the screen, no text
clipped, every text at the floor) at 1920×1080, 1280×720 and 1024×768; the phone, the console
and the projector are axe-clean. Screenshots go to e2e/artifacts/ideas-*.png.
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
)
from playwright.sync_api import Page, expect
from test_projector_stage_in_the_browser import FLOOR, MEASURE, SIZES, fitted

pytestmark = pytest.mark.e2e

#: The stage's measure, with the idea wall as one of its zones.
MEASURE_WALL = MEASURE.replace('reactions: "#reactions .reaction-burst"}',
                               'reactions: "#reactions .reaction-burst", '
                               'ideas: "#idea-wall .stage-ideas-inner"}')
assert MEASURE_WALL != MEASURE


def _answer(phone: Page, text: str) -> None:
    phone.locator("#idea-text").fill(text)
    htmx_settled(phone, phone.locator("#idea-wall form[action$='/answer'] button").click)
    expect(phone.locator("#idea-wall .idea-mine")).to_contain_text(text)


def _console_wall(console: Page):
    return console.locator("#ideas .idea-wall-item").first


def _acted(console: Page, action) -> None:
    """Run a console's action and wait for its own ping's re-fetch of the wall region too
    (every console is told of a change, this one as well), so that the next action never
    hits a form that is about to be replaced."""
    with console.expect_response(lambda r: r.request.method == "GET"
                                 and r.url.endswith("/ideas"), timeout=LIVE_TIMEOUT):
        htmx_settled(console, action)
    expect(console.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def _click(console: Page, selector: str) -> None:
    _acted(console, _console_wall(console).locator(selector).click)


def test_an_idea_wall_from_the_console_to_the_phones_and_the_projector(browser,
                                                                        live_server) -> None:
    screens = Screens(browser, live_server.url)
    try:
        console, wall = console_and_projector(screens, live_server)
        htmx_settled(console, console.locator(
            "#now form[action$='/session/start'] button").click)
        phones = [screens.phone() for _ in range(3)]
        for phone, code in zip(phones, live_server.personal_codes, strict=False):
            join_course(phone, live_server.course_code, code)

        # made on the spot with the method's question, opened, on the projector
        expect(console.locator("#idea-prompt")).to_have_value(
            "Hvad drømmer du om at arbejde med?")
        _acted(console, console.locator("form.idea-new button[type=submit]").click)
        _click(console, "form[action$='/open'] button")
        _click(console, "form[action$='/show'] button")
        expect(_console_wall(console)).to_contain_text("Åben for svar")
        for phone in phones:
            expect(phone.locator("#idea-wall .idea-prompt")).to_have_text(
                "Hvad drømmer du om at arbejde med?", timeout=LIVE_TIMEOUT)
        shown = wall.locator("#idea-wall .stage-ideas-inner")
        expect(shown).to_be_visible(timeout=LIVE_TIMEOUT)

        # the phones answer; inflections of one word grow one word on the wall
        _answer(phones[0], "Drømme")
        _answer(phones[1], "drømmen")
        _answer(phones[2], "Natur")
        _answer(phones[0], "Børn")
        _answer(phones[1], "Fodbold")
        words = shown.locator(".idea-word")
        expect(words).to_have_count(4, timeout=LIVE_TIMEOUT)
        expect(shown.locator(".idea-step-6")).to_contain_text("Drømme")
        expect(shown.locator(".idea-meta")).to_contain_text("5 svar · Svar på din telefon")

        # a 10 kB answer is refused beside the field; the text stays in it
        long = "Natur " * 1700
        phones[2].locator("#idea-text").fill(long)
        phones[2].locator("#idea-wall form[action$='/answer'] button").click()
        expect(phones[2].locator("#idea-message")).to_contain_text("højst være 60 tegn")
        expect(phones[2].locator("#idea-text")).to_have_value(long)
        assert_accessible(phones[2], "the phone with a refused answer")
        screenshot(phones[2], "ideas-phone-refused-390x844")

        # hidden: gone from the projector; merged: one word, the counts summed
        group = _console_wall(console).locator(".idea-group").filter(has_text="Fodbold")
        _acted(console, group.locator("form[action$='/hide'] button").click)
        expect(words).to_have_count(3, timeout=LIVE_TIMEOUT)
        expect(shown).not_to_contain_text("Fodbold")
        merge = _console_wall(console).locator("form.idea-merge")
        merge.locator("select[name=from]").select_option(label="Børn (1)")
        merge.locator("select[name=into]").select_option(label="Natur (1)")
        _acted(console, merge.locator("button").click)
        expect(words).to_have_count(2, timeout=LIVE_TIMEOUT)
        expect(shown).not_to_contain_text("Børn")
        expect(_console_wall(console)).to_contain_text("“Børn” ind i “Natur”")
        expect(_console_wall(console)).to_contain_text("Indeholder: Børn")

        # dot-voting: two dots each; several on one; no more than two
        _console_wall(console).locator("input[name=dots]").fill("2")
        _click(console, "form[action$='/voting'] button")
        for phone in phones:
            expect(phone.locator("#idea-wall .idea-dots-left")).to_contain_text(
                "Du har 2 prikker tilbage.", timeout=LIVE_TIMEOUT)
            expect(phone.locator("#idea-text")).to_have_count(0)  # answering closed
        for phone, label in ((phones[0], "Drømme"), (phones[0], "Drømme"),
                             (phones[1], "Natur"), (phones[2], "Drømme")):
            htmx_settled(phone, phone.get_by_role(
                "button", name=f"Sæt en prik på {label}").click)
        expect(phones[0].get_by_role("button", name="Sæt en prik på Natur")).to_be_disabled()
        expect(phones[0].locator(".idea-dots-left")).to_contain_text("Du har 0 prikker tilbage.")
        expect(shown.locator(".idea-word").filter(has_text="Drømme").locator(".idea-dots")
               ).to_contain_text("3", timeout=LIVE_TIMEOUT)
        expect(_console_wall(console).locator(".idea-group").filter(has_text="Drømme")
               ).to_contain_text("3 prikker", timeout=LIVE_TIMEOUT)
        assert "Anna" not in shown.inner_text() and "Anna" not in _console_wall(
            console).inner_text()
        phones[0].reload()  # a reload shows the phone's own dots
        expect(phones[0].locator(".idea-dots-left")).to_contain_text("Du har 0 prikker tilbage.")
        assert_accessible(phones[0], "the phone while dot-voting")
        screenshot(phones[0], "ideas-phone-dots-390x844")
        console.set_viewport_size({"width": 1366, "height": 768})
        assert_accessible(console, "the console with an idea wall")
        screenshot(console, "ideas-console-1366x768")

        # the longest realistic wall, measured at every size
        _click(console, "form[action$='/open'] button")  # open again for the seed's answers
        live_server.run_script("seed_ideas.py")
        wall.reload()
        expect(shown.locator(".idea-word")).to_have_count(32)
        problems: list[str] = []
        for width, height in SIZES:
            wall.set_viewport_size({"width": width, "height": height})
            fitted(wall)
            measured = wall.evaluate(MEASURE_WALL, FLOOR)
            problems += [f"{width}×{height}: {p}" for p in measured["problems"]]
            screenshot(wall, f"ideas-projector-{width}x{height}", full_page=False)
        assert not problems, "the wall does not fit the stage:\n" + "\n".join(problems)
        assert_accessible(wall, "the projector with an idea wall")
        screens.log.assert_no_csp_violations()
    finally:
        screens.close()
