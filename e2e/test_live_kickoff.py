"""Running the kickoff and a course day end to end: a console, the projector and three phones.

Citizens sign in and are checked in; the facilitator starts the kickoff and moves through it
(buttons and keyboard); the projector and every phone follow without reloading; on course day 1
a phone asks the speaker a question, another seconds it, the facilitator puts it on the
projector and hides it again (its asker is told so).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from browsing import (
    LIVE_TIMEOUT,
    Screens,
    console_and_projector,
    htmx_settled,
    join_course,
    screenshot,
    wait_live,
)
from playwright.sync_api import Browser, Page, expect

from course.schedule.best_practice import BEST_PRACTICE
from course.schedule.models import Day

pytestmark = pytest.mark.e2e

KICKOFF = [item.title for item in BEST_PRACTICE[Day.KICKOFF]]
DAY1 = [item.title for item in BEST_PRACTICE[Day.DAY1]]


@dataclass
class Room:
    screens: Screens
    console: Page
    projector: Page
    phones: list[Page]


@pytest.fixture(scope="module")
def room(browser: Browser, live_server) -> Iterator[Room]:
    screens = Screens(browser, live_server.url)
    try:
        console, projector = console_and_projector(screens, live_server)
        phones = []
        for code in live_server.personal_codes[:3]:
            phone = screens.phone()
            join_course(phone, live_server.course_code, code)
            phones.append(phone)
        yield Room(screens, console, projector, phones)
        screens.log.assert_no_csp_violations()
    finally:
        screens.close()


def now_title(page: Page, audience: str):
    selector = {"projector": "#now .projector-title", "phone": "#now .now-card h2",
                "console": "#now .now-title"}[audience]
    return page.locator(selector)


def everyone_shows(room: Room, title: str) -> None:
    expect(now_title(room.console, "console")).to_have_text(title)
    expect(now_title(room.projector, "projector")).to_have_text(title, timeout=LIVE_TIMEOUT)
    for phone in room.phones:
        expect(now_title(phone, "phone")).to_have_text(title, timeout=LIVE_TIMEOUT)


def console_action(room: Room, action: str) -> None:
    button = room.console.locator(f"#now form[action$='{action}'] button")
    htmx_settled(room.console, button.click)


def test_citizens_signing_in_are_checked_in(room: Room) -> None:
    expect(room.console.locator("#attendance")).to_contain_text(
        re.compile(r"3 af \d+ er til stede"), timeout=LIVE_TIMEOUT)
    # each sign-in pushed the count and that person's row: patched live, the list is the
    # list read afresh
    rows = room.console.locator("#attendance .attendance-list > li")
    expect(rows.locator("xpath=self::li[contains(@class, 'is-present')]")).to_have_count(3)
    live = rows.evaluate_all("els => els.map(e => e.className + ' ' + e.textContent)")
    room.console.reload()
    expect(rows).to_have_count(len(live), timeout=LIVE_TIMEOUT)
    assert rows.evaluate_all("els => els.map(e => e.className + ' ' + e.textContent)") == live


def test_someone_enrolled_after_the_console_opened_appears_when_they_sign_in(
        room: Room, live_server) -> None:
    """The console's list has no row for them: the pushed row re-fetches the list instead."""
    name = "Nanna Sen Ankomst"
    code = json.loads(live_server.run_script("seed_room.py", "--enrol", name))["code"]
    expect(room.console.locator("#attendance")).not_to_contain_text(name)
    join_course(room.screens.phone(), live_server.course_code, code)
    row = room.console.locator("#attendance .attendance-list > li").filter(has_text=name)
    expect(row).to_have_class(re.compile(r"\bis-present\b"), timeout=LIVE_TIMEOUT)


def test_phones_wait_for_the_start(room: Room) -> None:
    for phone in room.phones:
        expect(phone.locator("#now")).to_contain_text("Formøde er i dag")
    expect(room.projector.locator(".projector-code")).to_be_visible()


def test_the_facilitator_runs_the_kickoff_and_everyone_follows(room: Room) -> None:
    console_action(room, "/session/start")  # the kickoff is preselected
    everyone_shows(room, KICKOFF[0])
    expect(room.projector.locator(".projector-countdown .countdown")).to_have_text(
        re.compile(r"^-?\d+:\d\d$"))
    expect(room.projector.locator(".projector-next")).to_contain_text(KICKOFF[1])

    console_action(room, "/session/next")
    everyone_shows(room, KICKOFF[1])

    # The keyboard: → for next, ← for previous (never while typing in a field).
    room.console.locator("h1").click()
    room.console.keyboard.press("ArrowRight")
    everyone_shows(room, KICKOFF[2])
    room.console.keyboard.press("ArrowLeft")
    everyone_shows(room, KICKOFF[1])
    screenshot(room.projector, "projector-kickoff-now", full_page=False)
    screenshot(room.phones[0], "phone-kickoff-now")
    screenshot(room.console, "console-kickoff")

    # The countdown pauses and gets five more minutes.
    console_action(room, "/session/timer/pause")
    expect(room.projector.locator(".projector-countdown .countdown.is-paused")).to_be_visible(
        timeout=LIVE_TIMEOUT)
    console_action(room, "/session/timer/extend")
    console_action(room, "/session/timer/start")
    expect(room.projector.locator(".projector-countdown .countdown.is-paused")).to_have_count(
        0, timeout=LIVE_TIMEOUT)


def test_a_reloaded_projector_shows_the_same_state(room: Room) -> None:
    room.projector.reload()
    wait_live(room.projector)
    expect(now_title(room.projector, "projector")).to_have_text(KICKOFF[1])


def test_a_question_to_the_speaker_is_asked_seconded_and_shown(room: Room) -> None:
    room.console.locator("#now details.confirm-end > summary").click()  # asked twice
    console_action(room, "/session/end")
    room.console.locator("#now input[name=day][value=day1]").check()
    console_action(room, "/session/start")
    everyone_shows(room, DAY1[0])
    console_action(room, "/session/next")  # the first talk: a former participant
    everyone_shows(room, DAY1[1])

    asker, seconder, third = room.phones
    asker.fill("#question-text", "Hvordan fandt du priserne på dine budgetposter?")
    htmx_settled(asker, asker.locator("#ask-form button").click)
    expect(asker.locator("#question-text")).to_have_value("")  # emptied after sending
    question = "Hvordan fandt du priserne på dine budgetposter?"
    for phone in (seconder, third):
        expect(phone.locator(".question-list")).to_contain_text(question, timeout=LIVE_TIMEOUT)

    # Someone typing a question of their own keeps it while others' questions arrive.
    third.fill("#question-text", "Halvskrevet spørgsmål")
    htmx_settled(seconder, seconder.locator(".question-list form button").first.click)
    expect(third.locator(".question-list")).to_contain_text("▲ 1", timeout=LIVE_TIMEOUT)
    expect(third.locator("#question-text")).to_have_value("Halvskrevet spørgsmål")

    console_questions = room.console.locator("#questions")
    expect(console_questions).to_contain_text(question, timeout=LIVE_TIMEOUT)
    show = console_questions.locator("form[action$='/show'] button").first
    htmx_settled(room.console, show.click)
    expect(room.projector.locator("#spotlight")).to_contain_text(question, timeout=LIVE_TIMEOUT)
    screenshot(room.projector, "projector-question", full_page=False)
    screenshot(seconder, "phone-question")

    hide = room.console.locator("#questions form[action$='/hide'] button").first
    htmx_settled(room.console, hide.click)
    expect(room.projector.locator("#spotlight")).not_to_contain_text(question,
                                                                    timeout=LIVE_TIMEOUT)
    for phone in (seconder, third):
        expect(phone.locator("#questions")).not_to_contain_text(question, timeout=LIVE_TIMEOUT)
    # its asker alone is told it was hidden (e2e/test_moderation.py has the rest)
    expect(asker.locator("#questions li.is-hidden-mine")).to_contain_text(question,
                                                                         timeout=LIVE_TIMEOUT)

