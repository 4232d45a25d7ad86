"""Moderation in the room, in real Chromium (issue 15, point 8): the course holds questions and
round comments for review. A question from one phone waits — "Venter på facilitator" on that
phone only — until the console lets it through; then the other phones list it, a vote shows as
yours, the list sorts by newest, the wall shows it and loses it when it is marked answered. A
hidden question tells its asker, and no one else. In a sparring round, a held comment reaches
neither the owner nor the wall until it is let through, and its author sees what became of it.

Screens: a console at 1366×768, the projector, three phones at 390×844. Each new state is
checked with axe-core, and photographed into e2e/artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from browsing import (
    LIVE_TIMEOUT,
    Screens,
    assert_accessible,
    htmx_settled,
    join_course,
    open_console,
    open_projector,
    screenshot,
    sign_in_staff,
    wait_live,
)
from playwright.sync_api import Browser, Locator, Page, expect

from course import demo
from course.schedule.best_practice import BEST_PRACTICE
from course.schedule.models import Day, ItemKind

pytestmark = pytest.mark.e2e

CONSOLE = {"viewport": {"width": 1366, "height": 768}}
TALK = next(i.title for i in BEST_PRACTICE[Day.DAY1] if i.kind == ItemKind.TALK)
SPARRING = next(i.title for i in BEST_PRACTICE[Day.KICKOFF] if i.kind == ItemKind.SPARRING_ROUND)
NAMES = [name for name, _code in demo.CITIZENS[:3]]




@dataclass
class Room:
    screens: Screens
    console: Page
    projector: Page
    phones: list[Page]


@pytest.fixture(scope="module")
def room(browser: Browser, live_server) -> Iterator[Room]:
    """The facilitator ticks "held for review" for questions and comments on the course form,
    opens the console and the projector; three citizens with plans sign in."""
    live_server.run_script("seed_room.py")  # plans to review in the round
    screens = Screens(browser, live_server.url)
    try:
        console = screens.open(CONSOLE)
        sign_in_staff(console, live_server.facilitator)
        open_console(console, live_server.course_code)
        course_url = console.url.rsplit("/console", 1)[0]
        console.goto(f"{course_url}/edit")
        console.check("input[name=hold_questions]")
        console.check("input[name=hold_comments]")
        screenshot(console, "console-course-form-held")
        console.locator("form.course-form button[type=submit]").click()
        expect(console.locator("main")).to_contain_text("Spørgsmål og kommentarer")
        console.goto(f"{course_url}/console")
        wait_live(console)
        projector = open_projector(console, screens)
        wait_live(projector)
        phones = []
        for code in live_server.personal_codes[:3]:
            phone = screens.phone()
            join_course(phone, live_server.course_code, code)
            phones.append(phone)
        yield Room(screens, console, projector, phones)
        screens.log.assert_no_csp_violations()
        assert not screens.log.errors, screens.log.errors
    finally:
        screens.close()


def _go_to(room: Room, title: str) -> None:
    row = room.console.locator(".run-list li").filter(
        has=room.console.locator(".run-title", has_text=re.compile(f"^{re.escape(title)}$")))
    htmx_settled(room.console, row.locator("button").click)
    for phone in room.phones:
        expect(phone.locator("#now .now-card h2")).to_have_text(title, timeout=LIVE_TIMEOUT)


def _start(room: Room, day: str) -> None:
    console = room.console
    if console.locator("#now details.confirm-end").count():
        console.locator("#now details.confirm-end > summary").click()  # asked twice
        htmx_settled(console, console.locator("#now form[action$='/session/end'] button").click)
    console.locator(f"#now input[name=day][value={day}]").check()
    htmx_settled(console, console.locator("#now form[action$='/session/start'] button").click)


def _ask(phone: Page, text: str) -> None:
    phone.fill("#question-text", text)
    htmx_settled(phone, phone.locator("#ask-form button").click)
    expect(phone.locator("#question-text")).to_have_value("")


def _console_question(room: Room, text: str) -> Locator:
    return room.console.locator("#questions li").filter(has_text=text)


def _press(page: Page, item: Locator, action: str) -> None:
    htmx_settled(page, item.locator(f"form[action$='/{action}'] button").click)


def test_a_held_question_waits_then_reaches_the_room_the_vote_and_the_wall(room: Room) -> None:
    asker, other, third = room.phones
    _start(room, "day1")
    _go_to(room, TALK)
    expect(asker.locator("#ask-form")).to_contain_text(
        "En facilitator læser hvert spørgsmål, før de andre ser det.")

    question = "Hvor mange timer om ugen arbejder du i dag?"
    _ask(asker, question)
    waiting = asker.locator("#questions .question-list-mine li.is-waiting")
    expect(waiting).to_contain_text(question)
    expect(waiting).to_contain_text(re.compile("venter på facilitator", re.I))
    screenshot(asker, "phone-question-waiting")
    assert_accessible(asker, "moderation: the asker")
    # the consoles are told; the other phones are not, and show nothing of it
    on_console = _console_question(room, question)
    expect(on_console).to_have_class(re.compile(r"\bis-waiting\b"), timeout=LIVE_TIMEOUT)
    screenshot(room.console, "console-question-waiting")
    assert_accessible(room.console, "moderation: the console")
    for phone in (other, third):
        expect(phone.locator("#questions")).not_to_contain_text(question)
        expect(phone.locator("#questions")).not_to_contain_text("Venter på facilitator")

    _press(room.console, on_console, "release")
    for phone in (other, third):
        expect(phone.locator("#questions .question-list").first).to_contain_text(
            question, timeout=LIVE_TIMEOUT)
    expect(asker.locator("#questions .question-list-mine")).to_have_count(0,
                                                                        timeout=LIVE_TIMEOUT)
    expect(asker.locator("#questions")).to_contain_text("Dit spørgsmål")

    # your own vote: pressed, said in words, taken back by a second press
    vote = other.locator("#questions li").filter(has_text=question).locator("button.vote")
    htmx_settled(other, vote.click)
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(vote).to_contain_text("din stemme")
    expect(third.locator("#questions li").filter(has_text=question).locator("button.vote")
           ).to_have_attribute("aria-pressed", "false", timeout=LIVE_TIMEOUT)
    expect(third.locator("#questions li").filter(has_text=question)).to_contain_text(
        "▲ 1", timeout=LIVE_TIMEOUT)
    screenshot(other, "phone-question-voted")
    assert_accessible(other, "moderation: another phone")

    # a second question, let through; the other phone sorts by newest
    newer = "Hvad var det sværeste ved at komme i gang?"
    _ask(third, newer)
    _press(room.console, _console_question(room, newer), "release")
    expect(other.locator("#questions")).to_contain_text(newer, timeout=LIVE_TIMEOUT)
    open_list = other.locator("#questions .question-list:not(.question-list-mine) > li")
    expect(open_list.first).to_contain_text(question)  # most votes first
    htmx_settled(other, other.locator("#questions .question-sort a[href*='sort=new']").click)
    expect(open_list.first).to_contain_text(newer)
    expect(other.locator(".sort-link.is-current")).to_have_text("Nyeste")
    screenshot(other, "phone-question-sorted-newest")
    # the choice holds when the list is read afresh after a ping (the asker's vote elsewhere)
    htmx_settled(asker, asker.locator("#questions li").filter(has_text=newer)
                 .locator("button.vote").click)
    expect(other.locator("#questions li").filter(has_text=newer)).to_contain_text(
        "▲ 1", timeout=LIVE_TIMEOUT)
    expect(open_list.first).to_contain_text(newer)

    # on the wall, then answered: off the wall, listed as answered on the phones
    _press(room.console, _console_question(room, question), "show")
    expect(room.projector.locator("#spotlight")).to_contain_text(question, timeout=LIVE_TIMEOUT)
    screenshot(room.projector, "projector-question-shown", full_page=False)
    _press(room.console, _console_question(room, question), "answer")
    expect(room.projector.locator("#spotlight")).not_to_contain_text(question,
                                                                    timeout=LIVE_TIMEOUT)
    answered = other.locator("#questions .question-list-answered")
    expect(answered).to_contain_text(question, timeout=LIVE_TIMEOUT)
    expect(answered).to_contain_text("Besvaret")
    screenshot(room.console, "console-question-answered")
    screenshot(other, "phone-question-answered")


def test_a_hidden_question_tells_its_asker_and_no_one_else(room: Room) -> None:
    asker, other, third = room.phones
    text = "Hvorfor er kaffen så dårlig her?"
    _ask(third, text)
    on_console = _console_question(room, text)
    expect(on_console).to_be_visible(timeout=LIVE_TIMEOUT)
    _press(room.console, on_console, "hide")
    hidden = third.locator("#questions li.is-hidden-mine")
    expect(hidden).to_contain_text(text, timeout=LIVE_TIMEOUT)
    expect(hidden).to_contain_text(re.compile("skjult af facilitator", re.I))
    screenshot(third, "phone-question-hidden")
    assert_accessible(third, "moderation: a third phone")
    for phone in (asker, other):
        expect(phone.locator("#questions")).not_to_contain_text(text)
        expect(phone.locator("#questions")).not_to_contain_text("Skjult af facilitator")
    expect(room.console.locator("#questions .question-list-hidden")).to_contain_text(text)


def _review(phone: Page, text: str) -> str:
    """Open the review page from the phone's round region and send one comment; whose plan."""
    phone.goto("/me")
    give = phone.locator("#now a[href*='/review']")
    expect(give).to_be_visible(timeout=LIVE_TIMEOUT)
    give.click()
    expect(phone).to_have_url(re.compile(r"/rounds/\d+/review$"))
    wait_live(phone)
    owner = phone.locator(".peer-view h2").inner_text()
    phone.fill("textarea[name=text]", text)
    htmx_settled(phone, phone.locator("form.feedback-form button").click)
    return next(name for name in NAMES if name in owner)


def test_a_held_comment_reaches_the_owner_only_when_let_through(room: Room) -> None:
    console, projector = room.console, room.projector
    _start(room, "kickoff")
    _go_to(room, SPARRING)
    htmx_settled(console, console.locator("#now form[action$='/rounds'] button").click,
                 wait_for_push=True)
    board = projector.locator("#now .round-board")
    expect(board.locator(".round-draft")).to_have_count(3, timeout=LIVE_TIMEOUT)

    author = room.phones[0]
    text = "Hvad nu hvis du søger lagerjob i Skejby først?"
    owner_name = _review(author, text)
    expect(author.locator("#review .notice")).to_contain_text("venter på facilitator")
    mine = author.locator("#round-given li").filter(has_text=text)
    expect(mine).to_contain_text("Venter på facilitator")
    screenshot(author, "phone-comment-waiting")
    assert_accessible(author, "moderation: the author")
    owner = room.phones[NAMES.index(owner_name)]
    row = console.locator("#round-board .round-moderation li").filter(has_text=text)
    expect(row).to_have_class(re.compile(r"\bis-waiting\b"), timeout=LIVE_TIMEOUT)
    expect(console.locator("#round-board .round-held")).to_contain_text("1 kommentar venter")
    screenshot(console, "console-comment-waiting")
    assert_accessible(console, "moderation: the console")
    # nothing on the wall, nothing on the owner's phone
    expect(board.locator(".round-total")).to_contain_text("0 kommentarer")
    expect(owner.locator("#round-mine")).not_to_contain_text(text)

    htmx_settled(console, row.locator("form[action$='/release'] button").click)
    expect(owner.locator("#round-mine")).to_contain_text(text, timeout=LIVE_TIMEOUT)
    expect(board.locator(".round-total")).to_contain_text("1 kommentar", timeout=LIVE_TIMEOUT)
    expect(mine).to_contain_text("Leveret", timeout=LIVE_TIMEOUT)  # the author's live page
    screenshot(owner, "phone-comment-delivered-to-owner")

    # another comment, hidden: its author is told, on their own phone only
    second = room.phones[1]
    rude = "Det her er en dum plan"
    second_owner = room.phones[NAMES.index(_review(second, rude))]
    row = console.locator("#round-board .round-moderation li").filter(has_text=rude)
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT)
    htmx_settled(console, row.locator("form[action$='/hide'] button").click)
    told = second.locator("#round-given li").filter(has_text=rude)
    expect(told).to_contain_text("Skjult af facilitator", timeout=LIVE_TIMEOUT)
    screenshot(second, "phone-comment-hidden")
    screenshot(console, "console-comment-moderated")
    second_owner.goto("/me")
    expect(second_owner.locator("#round-mine .round-mine")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(second_owner.locator("#round-mine")).not_to_contain_text(rude)
    expect(board).not_to_contain_text(rude)
