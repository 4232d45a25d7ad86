"""The case as a conversation, in real Chromium (issue 16, points 1–3): a citizen's phone
(390×844) and a job consultant's office page (1366×768) open side by side. The consultant sends
the plan back and writes in the sparring thread; the phone shows the new state, the badge and
the message without a reload; the citizen answers and the consultant sees it live. On a yellow
case the colleague asked to spar sees the ratings and notes and answers; the owner sees it
live."""

from __future__ import annotations

import re

import pytest
from browsing import (
    ARTIFACTS,
    LIVE_TIMEOUT,
    Screens,
    assert_accessible,
    htmx_settled,
    join_course,
    sign_in_staff,
    wait_live,
)
from playwright.sync_api import Page, expect

from course import demo

pytestmark = pytest.mark.e2e

CONSULTANT = "jobkonsulent1@demo.teten.dk"  # Anna's; asked to spar on Hassan's yellow case
OWNER_OF_YELLOW = "jobkonsulent2@demo.teten.dk"  # Hassan Omar's job consultant
ANNA = demo.CITIZENS[0]
OFFICE = {"viewport": {"width": 1366, "height": 768}}
def shot(page: Page, name: str) -> None:
    """A screenshot to look at (e2e/artifacts/), and no serious or critical axe finding."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    assert_accessible(page, name)


def _open_case(page: Page, citizen: str) -> str:
    page.goto("/queue?view=team")
    page.locator("#queue tbody tr").filter(has_text=citizen).locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    wait_live(page)
    return page.url


def test_send_back_comment_and_answer_live_on_phone_and_office(screens: Screens,
                                                                live_server) -> None:
    live_server.run_script("seed_room.py")  # Anna's plan is complete
    phone = screens.phone()
    join_course(phone, live_server.course_code, ANNA[1])
    phone.goto("/me/budget")
    phone.locator("form.submit-plan button").click()
    expect(phone).to_have_url(re.compile(r"/me/plan$"))
    wait_live(phone)
    expect(phone.locator("#my-plan-outcome .outcome-waiting")).to_be_visible()

    office = screens.open(OFFICE)
    sign_in_staff(office, CONSULTANT)
    _open_case(office, ANNA[0])
    office.fill("form[action$='/send-back'] textarea[name=note]",
                "Find en pris på kørekortet fra mindst to køreskoler.")
    htmx_settled(office, office.locator("form[action$='/send-back'] button").click)
    expect(office.locator(".case-state.state-sent_back")).to_be_visible()

    # the phone: the new state and the badge, no reload
    expect(phone.locator("#my-plan-outcome .outcome-back")).to_contain_text(
        "mindst to køreskoler", timeout=LIVE_TIMEOUT)
    expect(phone.locator("#notice-badge .notice-badge")).to_contain_text("1 ny besked",
                                                                        timeout=LIVE_TIMEOUT)

    thread = office.locator("[id^=draft-thread-]")
    form = office.locator("form.comment-form")
    form.locator("textarea[name=text]").fill("Ring gerne, hvis du vil tale om priserne.")
    htmx_settled(office, form.locator("button").click)
    expect(thread).to_contain_text("Ring gerne")
    expect(form.locator("textarea[name=text]")).to_have_value("")

    expect(phone.locator("[id^=draft-thread-]")).to_contain_text("Ring gerne",
                                                                 timeout=LIVE_TIMEOUT)
    expect(phone.locator("#notice-badge .notice-badge")).to_contain_text("2 nye beskeder",
                                                                        timeout=LIVE_TIMEOUT)
    shot(phone, "phone-sent-back-with-message")

    # an empty answer is refused beside the form; the citizen's text then goes through
    reply = phone.locator("form.comment-form")
    reply.locator("textarea[name=text]").fill("   ")
    reply.locator("textarea[name=text]").evaluate("el => el.removeAttribute('required')")
    reply.locator("button").click()  # refused beside the form (web.refuse retargets it)
    expect(phone.locator("[id$=-message].form-message")).to_contain_text("Skriv en kommentar")
    expect(phone.locator(".htmx-request")).to_have_count(0)
    reply.locator("textarea[name=text]").fill("Tak! Jeg har fået to tilbud og vedhæfter dem.")
    htmx_settled(phone, reply.locator("button").click)
    expect(phone.locator("[id^=draft-thread-]")).to_contain_text("to tilbud")

    expect(thread).to_contain_text("to tilbud", timeout=LIVE_TIMEOUT)  # live in the office
    expect(office.locator("#notice-badge .notice-badge")).to_be_visible(timeout=LIVE_TIMEOUT)
    shot(office, "office-case-thread")

    # the notice centre: newest first, reading one marks it read
    phone.locator("#notice-badge a").click()
    expect(phone).to_have_url(re.compile(r"/me/notices$"))
    expect(phone.locator(".notice-item.is-unread")).to_have_count(2)
    shot(phone, "phone-notices")
    phone.locator(".notice-item").first.locator("button").click()
    expect(phone).to_have_url(re.compile(r"/me/plan$"))


def test_a_colleague_on_a_yellow_case_sees_the_ratings_and_the_owner_sees_the_answer(
        screens: Screens, live_server) -> None:
    hassan = demo.PLANS[1][0]
    owner = screens.open(OFFICE)
    sign_in_staff(owner, OWNER_OF_YELLOW)
    case_url = _open_case(owner, hassan)

    colleague = screens.open(OFFICE)
    sign_in_staff(colleague, CONSULTANT)
    colleague.goto(case_url)
    wait_live(colleague)
    panel = colleague.locator(".criteria-read")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Usikker")
    expect(colleague.locator("input[name='realistic-value']")).to_have_count(0)  # read-only
    colleague.fill(".case-thread textarea[name=text]",
                   "Han har kunderne allerede – jeg ville gå efter grøn.")
    htmx_settled(colleague, colleague.locator(".case-thread button").click)
    shot(colleague, "office-colleague-yellow")

    expect(owner.locator(".case-thread .comments")).to_contain_text("kunderne allerede",
                                                                    timeout=LIVE_TIMEOUT)
    htmx_settled(owner, owner.locator(".triage-form button[value=green]").click)
    expect(owner.locator(".advice-record")).to_contain_text("kunderne allerede")
    shot(owner, "office-owner-re-triaged")
