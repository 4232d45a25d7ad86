"""Follow-up (issue 17, point 4) in the browser: the job consultant opens the follow-up
calendar (a held meeting still without a note, the coming ones by week), plans a meeting
today on Hassan's case; while the note is being written the team lead moves that meeting to
tomorrow, so saving the note is refused beside its form with the typed text kept; the held
meeting gets its note. Hassan, on his phone, reads his meetings and the note and tells his job
consultant that his plan has changed; the consultant sees it on the case. The consultant makes
a calendar address and the feed answers with the meetings. Axe finds nothing serious;
screenshots at 1366×768 and on a phone (390×844) are saved to be looked at."""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.dates import format_date
from browsing import Screens, assert_accessible, join_course, sign_in_staff
from playwright.sync_api import Page, expect

from course.types import local_today

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("TETEN_SHOTS", "/tmp/shots-followup"))
OFFICE = {"viewport": {"width": 1366, "height": 768}}
NOTE = "Hassan har fået værkstedsplads hos Cykelmageren fra januar."
TYPED = "Vi aftalte at tale om regnskabskurset næste gang."


@pytest.fixture(scope="module")
def seeded_followup(live_server) -> dict[str, object]:
    return json.loads(live_server.run_script("seed_followup.py").strip().splitlines()[-1])


def danish(day) -> str:
    return format_date(day, "d. MMMM y", locale="da")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def top(element) -> None:
    """Scroll ``element`` to the top of its scroller (the case's side panel scrolls alone)."""
    element.evaluate("el => el.scrollIntoView({block: 'start'})")


def test_meetings_notes_a_refused_note_the_citizens_report_and_the_calendar(
        screens: Screens, seeded_followup, live_server) -> None:
    seeded = seeded_followup
    today = local_today()
    consultant = screens.open(OFFICE)
    sign_in_staff(consultant, seeded["consultant"])
    consultant.get_by_role("link", name="Opfølgning", exact=True).click()
    expect(consultant).to_have_url(re.compile(r"/followup$"))
    expect(consultant.locator("h1")).to_have_text("Opfølgningskalender")
    unnoted = consultant.locator(".calendar-unnoted")
    expect(unnoted).to_contain_text(seeded["approved_citizen"])
    expect(consultant.locator(".calendar-week").first).to_contain_text("10.00")
    assert_accessible(consultant, "the follow-up calendar")
    shot(consultant, "calendar-office")

    # the case: plan a meeting today
    unnoted.get_by_role("link", name=seeded["approved_citizen"]).click()
    expect(consultant).to_have_url(re.compile(rf"/cases/{seeded['approved']}"))
    region = consultant.locator("#case-followup")
    expect(region.locator("h2").first).to_have_text("Opfølgningsmøder")
    add = region.locator("form.meeting-add-form")
    add.locator("[name=on]").fill(today.isoformat())
    add.locator("[name=at]").fill("09:00")
    add.get_by_role("button", name="Tilføj mødet").click()
    planned = region.locator("li.meeting", has_text=f"{danish(today)} kl. 09.00")
    expect(planned).to_contain_text("Mangler notat")
    meeting_id = planned.get_attribute("id").removeprefix("meeting-")

    # the consultant starts the note; meanwhile the team lead moves the meeting to tomorrow
    note_form = planned.locator("form.meeting-note-form")
    note_form.locator("textarea[name=note]").fill(TYPED)
    lead = screens.open(OFFICE)
    sign_in_staff(lead, live_server.team_lead)
    lead.goto(f"/cases/{seeded['approved']}")
    moved = lead.locator(f"#meeting-{meeting_id}")
    moved.get_by_text("Flyt eller aflys").click()
    moved.locator("form.meeting-move-form [name=on]").fill(
        (today + timedelta(days=1)).isoformat())
    moved.get_by_role("button", name="Flyt mødet").click()
    expect(lead.locator(f"#meeting-{meeting_id}")).to_contain_text(
        danish(today + timedelta(days=1)))

    note_form.get_by_role("button", name="Gem notatet").click()
    message = consultant.locator(f"#meeting-{meeting_id}-note-message")
    expect(message).to_contain_text("Notatet skrives efter mødet")
    expect(note_form.locator("textarea[name=note]")).to_have_value(TYPED)
    message.scroll_into_view_if_needed()
    assert_accessible(consultant, "a refused note")
    shot(consultant, "refused-note-office")

    # the meeting held three days ago gets its note
    consultant.reload()
    held = region.locator("li.meeting", has_text=danish(today - timedelta(days=3)))
    held.locator("textarea[name=note]").fill(NOTE)
    held.get_by_role("button", name="Gem notatet").click()
    held = region.locator("li.meeting", has_text=danish(today - timedelta(days=3)))
    expect(held.locator(".meeting-note")).to_have_text(NOTE)
    expect(held).to_contain_text("Afholdt")
    region.scroll_into_view_if_needed()
    assert_accessible(consultant, "the case's follow-up meetings")
    shot(consultant, "case-followup-office")
    top(region)
    consultant.screenshot(path=str(SHOTS / "case-followup-region-office.png"))

    # Hassan reads his meetings on his phone and reports a change
    hassan = screens.phone()
    join_course(hassan, seeded["course_code"], seeded["citizen_code"])
    hassan.goto("/me/plan")
    mine = hassan.locator("#my-followup")
    expect(mine.locator("h2")).to_have_text("Opfølgningsmøder")
    expect(mine).to_contain_text(NOTE)
    expect(mine).to_contain_text("kl. 10.00")
    mine.locator("textarea[name=text]").fill("Jeg har fået et tilbud om deltidsjob.")
    mine.get_by_role("button", name="Der er sket ændringer i min plan").click()
    expect(mine).to_contain_text("Din jobkonsulent har fået besked.")
    mine.scroll_into_view_if_needed()
    assert_accessible(hassan, "the citizen's meetings")
    shot(hassan, "citizen-plan-phone")
    assert hassan.evaluate("document.documentElement.scrollWidth") <= 390

    consultant.reload()
    reports = consultant.locator(".followup-reports")
    expect(reports).to_contain_text("Jeg har fået et tilbud om deltidsjob.")
    top(region)
    consultant.screenshot(path=str(SHOTS / "case-report-region-office.png"))

    # the team lead's calendar: the team's meetings, with each case's job consultant
    lead.goto("/followup")
    expect(lead.locator(".calendar-coming")).to_contain_text("Sara Jobkonsulent")
    assert_accessible(lead, "the team lead's follow-up calendar")
    shot(lead, "calendar-lead-office")

    # the calendar on a phone, and the calendar address
    phone = screens.phone()
    sign_in_staff(phone, seeded["consultant"])
    phone.goto("/followup")
    expect(phone.locator(".calendar-week").first).to_be_visible()
    shot(phone, "calendar-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    consultant.goto("/followup/calendar")
    consultant.get_by_role("button", name="Lav en kalenderadresse").click()
    url = consultant.locator("input.feed-url").input_value()
    assert re.search(r"/calendar/[\w-]+\.ics$", url), url
    assert_accessible(consultant, "my calendar")
    shot(consultant, "my-calendar-office")
    outsider = screens.open(OFFICE)
    feed = outsider.request.get(url)
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    body = feed.text()
    assert "SUMMARY:Opfølgning: Hassan" in body
    assert "Omar" not in body and NOTE not in body
