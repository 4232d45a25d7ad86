"""A poll in the live room, in Chromium: the console makes one on the spot and opens it, three
phones vote (one changes its mind; one was offline when the poll opened and catches up on
reconnecting), the console's counts follow live, the projector shows the
results when the console puts them there, a phone reloaded keeps its vote, and closing the
voting takes the poll off the phones.

The projector's poll is measured like every other state of the stage
(e2e/test_projector_stage_in_the_browser.py: no zones overlapping or leaving the screen, no
text clipped, every text at the floor) with the longest realistic question and options, at
1920×1080, 1280×720 and 1024×768; the phone, the console and the projector are axe-clean.
Screenshots go to e2e/artifacts/polls-*.png.
"""

from __future__ import annotations

import pytest
from browsing import (
    LIVE_TIMEOUT,
    RECONNECT_TIMEOUT,
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

#: The longest realistic poll: a question of about two lines and the most options a poll may
#: have (services.OPTIONS_MAX, 8) of ~45 letters.
QUESTION = ("Hvilken slags arbejde drømmer du om at have om et år, når dit forløb med "
            "budgettet er slut?")
OPTIONS = [
    "Fast job i en virksomhed tæt på hvor jeg bor",
    "Eget firma med hjælp fra en erhvervsmentor",
    "Fleksjob med færre timer i begyndelsen",
    "Uddannelse eller kursus inden for faget",
    "Praktik i en lokal butik eller et lager",
    "Arbejde med dyr, natur eller landbrug",
    "Job i plejesektoren med faste vagter",
    "Transport: kørekort til lastbil eller bus",
]


def _vote(phone: Page, label: str) -> None:
    phone.get_by_label(label, exact=True).check()
    htmx_settled(phone, phone.locator("#poll form button[type=submit]").click)
    expect(phone.locator("#poll .poll-mine")).to_be_visible()


def test_a_poll_from_the_console_to_the_phones_and_the_wall(browser, live_server) -> None:
    screens = Screens(browser, live_server.url)
    try:
        console, wall = console_and_projector(screens, live_server)
        htmx_settled(console, console.locator(
            "#now form[action$='/session/start'] button").click)
        phones = [screens.phone() for _ in range(3)]
        for phone, code in zip(phones, live_server.personal_codes, strict=False):
            join_course(phone, live_server.course_code, code)

        # the console refuses a poll with one option, keeping what was typed
        console.locator("form.poll-new [name=question]").fill(QUESTION)
        console.locator("form.poll-new [name=options]").fill(OPTIONS[0])
        htmx_settled(console, console.locator("form.poll-new button[type=submit]").click,
                     expect_error=False)
        expect(console.locator("#polls-message")).to_contain_text("mindst to svarmuligheder")
        expect(console.locator("form.poll-new [name=question]")).to_have_value(QUESTION)

        # made on the spot, opened
        console.locator("form.poll-new [name=options]").fill("\n".join(OPTIONS))
        htmx_settled(console, console.locator("form.poll-new button[type=submit]").click)
        poll = console.locator("#polls .poll-item").first
        expect(poll.locator(".poll-question")).to_have_text(QUESTION)
        phones[0].context.set_offline(True)  # a phone drops out while the poll opens
        htmx_settled(console, poll.locator("form[action$='/open'] button").click)
        expect(console.locator("#polls .poll-item").first).to_contain_text("Afstemningen er åben")

        # the phones see it and vote; one changes its mind; the console's counts follow live
        for phone in phones[1:]:
            expect(phone.locator("#poll legend")).to_have_text(QUESTION, timeout=LIVE_TIMEOUT)
        phones[0].context.set_offline(False)  # back: it reads its regions afresh
        expect(phones[0].locator("#poll legend")).to_have_text(QUESTION,
                                                               timeout=RECONNECT_TIMEOUT)
        _vote(phones[0], OPTIONS[0])
        _vote(phones[1], OPTIONS[2])
        _vote(phones[2], OPTIONS[1])
        _vote(phones[2], OPTIONS[0])  # a change of mind: counted once
        results = console.locator("#polls .poll-item").first.locator(".poll-results")
        expect(results.locator(".poll-voters")).to_have_text("3 stemmer", timeout=LIVE_TIMEOUT)
        expect(results.locator(".poll-count")).to_have_text(
            ["2 · 67 %", "0 · 0 %", "1 · 33 %", *["0 · 0 %"] * (len(OPTIONS) - 3)])
        assert "Citizen" not in results.inner_text()

        # a reload keeps the phone's own vote
        phones[2].reload()
        expect(phones[2].get_by_label(OPTIONS[0], exact=True)).to_be_checked()
        expect(phones[2].locator("#poll button[type=submit]")).to_have_text("Skift min stemme")
        assert_accessible(phones[2], "the phone with a poll")
        screenshot(phones[2], "polls-phone-390x844")

        # the results on the wall, measured at every size
        htmx_settled(console, console.locator("#polls .poll-item").first.locator(
            "form[action$='/show'] button").click)
        shown = wall.locator("#poll .stage-poll-inner")
        expect(shown).to_be_visible(timeout=LIVE_TIMEOUT)
        expect(shown.locator(".poll-voters")).to_have_text("3 stemmer · Stem på din telefon")
        problems: list[str] = []
        for width, height in SIZES:
            wall.set_viewport_size({"width": width, "height": height})
            fitted(wall)
            measured = wall.evaluate(MEASURE, FLOOR)
            problems += [f"{width}×{height}: {p}" for p in measured["problems"]]
            screenshot(wall, f"polls-projector-{width}x{height}", full_page=False)
        assert not problems, "the poll does not fit the stage:\n" + "\n".join(problems)
        assert_accessible(wall, "the projector with a poll's results")
        console.set_viewport_size({"width": 1366, "height": 768})
        assert_accessible(console, "the console with a poll")
        screenshot(console, "polls-console-1366x768")

        # closed: the phones take the poll off, the wall keeps the results
        htmx_settled(console, console.locator("#polls .poll-item").first.locator(
            "form[action$='/close'] button").click)
        for phone in phones:
            expect(phone.locator("#poll legend")).to_have_count(0, timeout=LIVE_TIMEOUT)
        expect(shown.locator(".poll-voters")).to_have_text("3 stemmer")
        screens.log.assert_no_csp_violations()
    finally:
        screens.close()


def _start_day_if_needed(console: Page) -> None:
    start = console.locator("#now form[action$='/session/start'] button")
    if start.count():
        htmx_settled(console, start.first.click)
    expect(console.locator("#now form[action$='/session/next'] button")).to_be_visible()


def _make_poll(console: Page, question: str, options: list[str], *, on_item: bool = False
               ) -> None:
    console.locator("form.poll-new [name=question]").fill(question)
    console.locator("form.poll-new [name=options]").fill("\n".join(options))
    console.locator("form.poll-new [name=on_item]").set_checked(on_item)
    htmx_settled(console, console.locator("form.poll-new button[type=submit]").click)


def _console_poll(console: Page, question: str):
    return console.locator("#polls .poll-item").filter(
        has=console.locator(".poll-question", has_text=question))


def test_edit_delete_and_a_poll_that_ends_with_its_item(browser, live_server) -> None:
    """The console edits a poll nobody voted in (the phones follow), deletes one after asking
    (it leaves the phones), and a poll kept with the item on now closes when the console moves
    to the next item: the phones can no longer vote and are told why."""
    screens = Screens(browser, live_server.url)
    try:
        console, _wall = console_and_projector(screens, live_server)
        console.set_viewport_size({"width": 1366, "height": 768})
        _start_day_if_needed(console)
        phones = [screens.phone() for _ in range(2)]
        for phone, code in zip(phones, live_server.personal_codes, strict=False):
            join_course(phone, live_server.course_code, code)

        # edit: opened, nobody has voted; the question and an option change on the phones
        _make_poll(console, "Hvornår holder vi pause?", ["Nu", "Om lidt"])
        poll = _console_poll(console, "Hvornår holder vi pause?")
        htmx_settled(console, poll.locator("form[action$='/open'] button").click)
        for phone in phones:
            expect(phone.locator("#poll legend")).to_have_text("Hvornår holder vi pause?",
                                                               timeout=LIVE_TIMEOUT)
        poll = _console_poll(console, "Hvornår holder vi pause?")
        poll.locator("details.poll-edit summary").click()
        poll.locator("details.poll-edit [name=question]").fill("Hvornår holder vi frokost?")
        poll.locator("details.poll-edit [name=options]").fill("Nu\nOm lidt\nKl. 12")
        assert_accessible(console, "the console editing a poll")
        screenshot(console, "polls-console-edit-1366x768")
        htmx_settled(console, poll.locator("details.poll-edit button[type=submit]").click)
        for phone in phones:
            expect(phone.locator("#poll legend")).to_have_text("Hvornår holder vi frokost?",
                                                               timeout=LIVE_TIMEOUT)
            expect(phone.get_by_label("Kl. 12", exact=True)).to_be_visible()

        # once a vote is in, an edit is refused beside the form, what was typed kept
        poll = _console_poll(console, "Hvornår holder vi frokost?")
        poll.locator("details.poll-edit summary").click()
        _vote(phones[0], "Kl. 12")
        poll.locator("details.poll-edit [name=question]").fill("Noget helt andet?")
        poll.locator("details.poll-edit button[type=submit]").click()
        expect(poll.locator(".form-message")).to_contain_text("afstemningen er gået i gang")
        expect(poll.locator("details.poll-edit [name=question]")).to_have_value(
            "Noget helt andet?")

        # delete, after asking: it leaves the console and the phones
        poll.locator("details.poll-delete summary").click()
        expect(poll.locator("details.poll-delete")).to_contain_text("kan ikke fortrydes")
        htmx_settled(console, poll.locator("details.poll-delete button[type=submit]").click)
        expect(_console_poll(console, "Hvornår holder vi frokost?")).to_have_count(0)
        for phone in phones:
            expect(phone.locator("#poll")).not_to_contain_text("Hvornår holder vi frokost?",
                                                               timeout=LIVE_TIMEOUT)

        # kept with the item on now: moving to the next item closes it; the phones say why
        _make_poll(console, "Giver oplægget mening for dig?", ["Ja", "Nej"], on_item=True)
        poll = _console_poll(console, "Giver oplægget mening for dig?")
        htmx_settled(console, poll.locator("form[action$='/open'] button").click)
        for phone in phones:
            expect(phone.locator("#poll legend")).to_have_text(
                "Giver oplægget mening for dig?", timeout=LIVE_TIMEOUT)
        _vote(phones[1], "Ja")
        htmx_settled(console, console.locator(
            "#now form[action$='/session/next'] button").first.click)
        for phone in phones:
            closed = phone.locator("#poll .poll-closed")
            expect(closed).to_contain_text("Afstemningen er lukket.", timeout=LIVE_TIMEOUT)
            expect(closed).to_contain_text("programmet er gået videre fra")
            expect(phone.locator("#poll [name=choice]")).to_have_count(0)
        assert_accessible(phones[1], "the phone after its poll closed with the item")
        screenshot(phones[1], "polls-phone-closed-390x844")
        screens.log.assert_no_csp_violations()
    finally:
        screens.close()
