"""A sparring round in the room: the console starts it during the kickoff's sparring item, phones
give feedback, and the projector's board counts it live (names and counts only)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browsing import (
    LIVE_TIMEOUT,
    Screens,
    console_and_projector,
    htmx_settled,
    join_course,
    screenshot,
)
from playwright.sync_api import Browser, Page, expect

from course.schedule.models import Day, ItemKind
from course.schedule.template import BEST_PRACTICE

pytestmark = pytest.mark.e2e

SPARRING = next(i.title for i in BEST_PRACTICE[Day.KICKOFF] if i.kind == ItemKind.SPARRING_ROUND)


@pytest.fixture(scope="module")
def screens(browser: Browser, live_server) -> Iterator[Screens]:
    opened = Screens(browser, live_server.url)
    yield opened
    opened.log.assert_no_csp_violations()
    opened.close()


def test_a_round_is_started_given_feedback_and_counted_on_the_board(screens: Screens,
                                                                   live_server) -> None:
    console, projector = console_and_projector(screens, live_server)
    phones: list[Page] = []
    for code in live_server.personal_codes[:3]:
        phone = screens.phone()
        join_course(phone, live_server.course_code, code)
        phone.goto("/me/budget")  # every participant has a draft to review
        phone.goto("/me")
        phones.append(phone)

    htmx_settled(console, console.locator("#now form[action$='/session/start'] button").click)
    row = console.locator(".run-list li").filter(has_text=SPARRING)
    htmx_settled(console, row.locator("button").click)
    expect(projector.locator("#now .projector-title")).to_have_text(SPARRING,
                                                                    timeout=LIVE_TIMEOUT)
    htmx_settled(console, console.locator("#now form[action$='/rounds'] button").click)
    board = projector.locator("#now .round-board")
    expect(board.locator(".round-draft")).to_have_count(3, timeout=LIVE_TIMEOUT)
    expect(board.locator(".round-draft.is-waiting")).to_have_count(3)

    reviewer = phones[0]
    give = reviewer.locator("#now a[href*='/review']")
    expect(give).to_be_visible(timeout=LIVE_TIMEOUT)
    give.click()
    expect(reviewer).to_have_url(re.compile(r"/rounds/\d+/review$"))
    reviewer.fill("textarea[name=text]", "Godt mål – hvad koster kørekortet præcist?")
    htmx_settled(reviewer, reviewer.locator("form.feedback-form button").click)
    expect(board.locator(".round-count").filter(has_text="1/2")).to_have_count(
        1, timeout=LIVE_TIMEOUT)
    expect(board).not_to_contain_text("kørekortet")  # no feedback text on the wall
    screenshot(projector, "projector-round-board", full_page=False)
    screenshot(reviewer, "phone-round-review")
    screenshot(console, "console-round")
