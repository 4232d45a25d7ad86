"""A refusal in a real browser says why beside the form and leaves the screen as it was.

The console: closing a round below the minimum without a reason is refused in ``#round-message``;
the board, the controls of the day, the agenda and what the facilitator was typing stay. The case
page: approving with an impossible date (green) or without the team (red) is refused in
``#approve-message``; the plan, the three criteria and the typed decision stay in their fields.
Ending an approved course with a date in the future is refused in ``#end-message``, the choice
and the note kept; a blank complaint guidance is refused under its box.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from browsing import (
    LIVE_TIMEOUT,
    Screens,
    htmx_settled,
    open_console,
    screenshot,
    sign_in_staff,
    wait_live,
)
from playwright.sync_api import Locator, Page, expect

from course import demo
from course.schedule.best_practice import BEST_PRACTICE
from course.schedule.models import Day, ItemKind

pytestmark = pytest.mark.e2e

CATALOG = (Path(__file__).resolve().parent.parent
           / "course/translations/da/LC_MESSAGES/messages.po")
SPARRING = next(i.title for i in BEST_PRACTICE[Day.KICKOFF] if i.kind == ItemKind.SPARRING_ROUND)
GITTE, _HASSAN, INGE, JORGEN = (plan[0] for plan in demo.PLANS)  # green, yellow, waiting, approved
#: What htmx marks while a request, a swap or a settle is under way.
BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"


@functools.cache
def _danish():
    with CATALOG.open("rb") as po:
        return read_po(po)


def da(msgid: str) -> str:
    """The Danish text of ``msgid``, from the catalog."""
    return _danish()[msgid].string


def refused(page: Page, submit: Callable[[], object], slot: Locator, message: str) -> None:
    """Submit a form that is refused, and wait until the reason shows in ``slot`` and htmx has
    settled (the refusal swaps into the slot, not into the form's own target)."""
    submit()
    expect(slot).to_have_text(message)
    expect(slot).to_be_visible()
    expect(page.locator(BUSY)).to_have_count(0)


def below(upper: Locator, lower: Locator) -> None:
    """``lower`` starts where ``upper`` has ended: side by side on the page, not on top."""
    top, bottom = upper.bounding_box(), lower.bounding_box()
    assert top and bottom, "not on the screen"
    assert bottom["y"] >= top["y"] + top["height"] - 1, (top, bottom)


def apart(one: Locator, other: Locator) -> None:
    """The two boxes do not overlap: neither covers the other."""
    a, b = one.bounding_box(), other.bounding_box()
    assert a and b, "not on the screen"
    across = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    down = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    assert across <= 0.5 or down <= 0.5, (a, b)


def test_the_console_keeps_the_round_when_closing_is_refused(screens: Screens,
                                                             live_server) -> None:
    # a full room: the six demo citizens and fourteen more, present, each with a draft
    live_server.run_script("seed_room.py", "--check-in-all", "--extra", "14")
    console = screens.laptop()
    sign_in_staff(console, live_server.facilitator)
    open_console(console, live_server.course_code)
    wait_live(console)
    now = console.locator("#now")
    htmx_settled(console, now.locator("form[action$='/session/start'] button").click)
    htmx_settled(console, now.locator(".run-list li").filter(has_text=SPARRING)
                 .locator("button").click)
    htmx_settled(console, now.locator("form[action$='/rounds'] button").click,
                 wait_for_push=True)
    board = now.locator("#round-board")
    expect(board.locator(".round-draft").first).to_be_visible(timeout=LIVE_TIMEOUT)
    drafts = board.locator(".round-draft").count()
    items = now.locator(".run-list li").count()
    assert drafts >= 2 and items >= 5
    # the facilitator is writing an announcement meanwhile (not sent yet)
    writing = "Kaffen står klar i kantinen efter runden."
    console.fill("#text", writing)

    close = now.locator("form[action$='/close']")
    reason = now.locator("#round-override-reason")
    message = now.locator("#round-message")
    expect(reason).to_have_value("")
    refused(console, close.locator("button").click, message,
            da("Someone still has less feedback than the minimum. Give a reason to close the "
               "round anyway."))
    assert "Skriv en begrundelse" in message.inner_text()
    # everything the facilitator had is still there, as it was
    expect(close.locator("button")).to_be_visible()
    expect(reason).to_be_visible()
    expect(reason).to_have_value("")
    expect(board.locator(".round-draft")).to_have_count(drafts)
    for step in ("next", "previous"):
        expect(now.locator(f"form[action$='/session/{step}'] button")).to_be_visible()
    expect(now.locator(".run-list li")).to_have_count(items)
    expect(now.locator(".run-list li.is-current")).to_contain_text(SPARRING)
    expect(console.locator("#text")).to_have_value(writing)
    expect(console.locator("#toast")).to_be_hidden()
    below(close, message)  # right under the button pressed, over nothing
    # and the day's controls stay where they are, in the console's bar, in view and uncovered
    step = now.locator(".cockpit-bar form[action$='/session/next']")
    expect(step).to_be_in_viewport()
    apart(message, step)
    screenshot(console, "refusal-console-round-close")
    screenshot(console, "refusal-console-round-close-viewport", full_page=False)
    expect(close.locator("button")).to_be_in_viewport()
    expect(message).to_be_in_viewport()  # seen where the facilitator clicked

    reason.fill("Tiden er gået; to mangler feedback")
    htmx_settled(console, close.locator("button").click, wait_for_push=True)
    expect(now.locator(".round-console .notice")).to_have_text(da("The round is closed."))
    expect(now.locator("form[action$='/rounds'] button")).to_be_visible()  # a new round
    expect(now.locator("#round-message")).to_be_empty()
    expect(console.locator("#text")).to_have_value(writing)


def _open_case(page: Page, citizen: str) -> None:
    page.goto("/queue")
    page.locator("#queue tbody tr").filter(has_text=citizen).locator("a").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))


def _assert_the_case_is_all_there(page: Page, plan_line: str) -> None:
    """The plan beside the decision, and the three criteria with their choices."""
    expect(page.locator("article.plan")).to_contain_text(plan_line)
    expect(page.locator(".rating-form fieldset.rating")).to_have_count(3)
    expect(page.locator(".rating-form input[type=radio]")).to_have_count(9)
    expect(page.locator("form[action$='/send-back'] textarea[name=note]")).to_be_visible()
    expect(page.locator("#toast")).to_be_hidden()


def test_the_case_page_keeps_the_decision_when_approving_is_refused(screens: Screens,
                                                                    live_server) -> None:
    consultant = screens.laptop()
    sign_in_staff(consultant, live_server.consultant)  # Jonas: Gitte's and Inge's cases
    _open_case(consultant, GITTE)
    expect(consultant.locator(".case-state")).to_have_text("Under vurdering")
    approve = consultant.locator("form[action$='/approve']")
    plan = "Samtale hver måned; Gitte ringer, hvis planen ændrer sig."
    approve.locator("input[name=length_months]").fill("9")
    approve.locator("textarea[name=follow_up]").fill(plan)
    approve.locator("textarea[name=follow_up_dates]").fill("31-02-2027")
    message = consultant.locator("#approve-message")
    refused(consultant, approve.locator("button").click, message,
            da("Write dates as dd-mm-yyyy, one per line."))
    _assert_the_case_is_all_there(consultant, "Truckcertifikat B")
    expect(approve.locator("input[name=length_months]")).to_have_value("9")
    expect(approve.locator("textarea[name=follow_up]")).to_have_value(plan)
    expect(approve.locator("textarea[name=follow_up_dates]")).to_have_value("31-02-2027")
    expect(consultant.locator(".case-state")).to_have_text("Under vurdering")  # not approved
    below(approve.locator("textarea[name=follow_up_dates]"), message)
    below(message, approve.locator("button"))
    screenshot(consultant, "refusal-case-approve-green")

    # red: the team decides; approving without ticking who took part is refused the same way
    _open_case(consultant, INGE)
    for criterion in ("substantial_change", "realistic", "coherence"):
        consultant.check(f"input[name='{criterion}-value'][value='no']")
    htmx_settled(consultant, consultant.locator(".rating-form button").click)
    htmx_settled(consultant, consultant.locator(".triage-form button[value=red]").click)
    expect(consultant.locator(".case-state.state-red")).to_be_visible()
    approve = consultant.locator("form[action$='/approve']")
    plan = "Opfølgning hver 14. dag i de første tre måneder."
    approve.locator("input[name=length_months]").fill("6")
    approve.locator("textarea[name=follow_up]").fill(plan)
    approve.locator("textarea[name=follow_up_dates]").fill("01-03-2027")
    expect(approve.locator("input[name=participant]:checked")).to_have_count(0)
    message = consultant.locator("#approve-message")
    refused(consultant, approve.locator("button").click, message,
            da("Tick who took part in the team decision: at least two from the team."))
    _assert_the_case_is_all_there(consultant, "Tandbehandling")
    expect(approve.locator("input[name=length_months]")).to_have_value("6")
    expect(approve.locator("textarea[name=follow_up]")).to_have_value(plan)
    expect(approve.locator("textarea[name=follow_up_dates]")).to_have_value("01-03-2027")
    expect(consultant.locator(".case-state.state-red")).to_be_visible()
    below(approve.locator("fieldset.participants"), message)
    screenshot(consultant, "refusal-case-approve-red")


def test_ending_a_course_and_the_complaint_guidance_refuse_in_place(screens: Screens,
                                                                     live_server) -> None:
    """The end-of-course form on an approved case, refused for a date in the future: the
    reason, the date and the note stay, the case stays approved. The team lead's complaint
    guidance, refused blank: the page comes back with the reason under the box (no JavaScript
    needed) and the box as it was."""
    from datetime import date, timedelta

    lead = screens.laptop()
    sign_in_staff(lead, live_server.team_lead)
    lead.goto("/queue?view=team&state=approved")
    lead.locator("#queue tbody tr").filter(has_text=JORGEN).locator("a").click()
    expect(lead).to_have_url(re.compile(r"/cases/\d+$"))
    end = lead.locator("form.end-form")
    end.locator("input[name=reason][value=job]").check()
    later = (date.today() + timedelta(days=10)).strftime("%d-%m-%Y")
    end.locator("input[name=ended_on]").fill(later)
    note = "Fastansat som buschauffør hos Midttrafik fra næste måned."
    end.locator("textarea[name=note]").fill(note)
    message = lead.locator("#end-message")
    refused(lead, end.locator("button").click, message, da("The date cannot be in the future."))
    expect(end.locator("input[name=reason][value=job]")).to_be_checked()
    expect(end.locator("input[name=ended_on]")).to_have_value(later)
    expect(end.locator("textarea[name=note]")).to_have_value(note)
    expect(lead.locator(".case-state")).to_have_text("Godkendt")
    expect(lead.locator("article.plan")).to_contain_text("Kørekort til bus")
    below(end.locator("textarea[name=note]"), message)
    screenshot(lead, "refusal-case-end")

    lead.goto("/settings")
    box = lead.locator("#complaint_guidance")
    box.fill("   ")
    lead.get_by_role("button", name=da("Save the complaint guidance")).click()
    expect(lead.locator("#guidance-message")).to_have_text(
        da("Write the complaint guidance, or choose to use the default text."))
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(lead.get_by_role("button", name=da("Save the complaint guidance"))).to_be_visible()
    screenshot(lead, "refusal-settings-guidance")
