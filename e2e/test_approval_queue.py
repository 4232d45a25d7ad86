"""The approval queue end to end: a citizen submits on a phone, the job consultant sees it arrive
live, rates the three criteria, triages yellow, a colleague comments, it is re-triaged green and
approved for nine months; the citizen sees the outcome and signs the declaration; the audit trail
shows each step; the exports carry the approved lines."""

from __future__ import annotations

import csv
import io
import re

import pytest
from browsing import (
    LIVE_TIMEOUT,
    Screens,
    assert_accessible,
    htmx_settled,
    join_course,
    screenshot,
    sign_in_staff,
    wait_live,
)
from playwright.sync_api import expect

from course import demo

pytestmark = pytest.mark.e2e

CONSULTANT = "jobkonsulent1@demo.teten.dk"  # Anna's job consultant in the demo
COLLEAGUE = "jobkonsulent2@demo.teten.dk"
ANNA = demo.CITIZENS[0]






def test_a_plan_from_submission_to_approval(screens: Screens, live_server) -> None:
    live_server.run_script("seed_room.py")  # Anna's plan is complete
    consultant = screens.laptop()
    sign_in_staff(consultant, CONSULTANT)
    consultant.goto("/queue")
    wait_live(consultant)
    # the demo's earlier course is in the queue already; Anna's plan is not yet
    rows = consultant.locator("#queue tbody tr")
    expect(rows.filter(has_text=demo.PLANS[0][0])).to_be_visible()
    expect(rows.filter(has_text=ANNA[0])).to_have_count(0)

    phone = screens.phone()
    join_course(phone, live_server.course_code, ANNA[1])
    phone.goto("/me/budget")
    phone.locator("form.submit-plan button").click()
    expect(phone).to_have_url(re.compile(r"/me/plan$"))
    expect(phone.locator(".outcome-waiting")).to_be_visible()

    # the plan arrives in the consultant's queue without a reload
    row = consultant.locator("#queue tbody tr").filter(has_text=ANNA[0])
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(consultant.locator("#notice-badge .notice-badge")).to_be_visible(timeout=LIVE_TIMEOUT)
    screenshot(consultant, "office-queue")
    assert_accessible(consultant, "the queue")

    row.locator("a").click()
    expect(consultant).to_have_url(re.compile(r"/cases/\d+$"))
    case_url = consultant.url
    for criterion, value in (("substantial_change", "yes"), ("realistic", "uncertain"),
                             ("coherence", "yes")):
        consultant.check(f"input[name='{criterion}-value'][value='{value}']")
    consultant.fill("textarea[name='realistic-note']", "Usikker på om tidsplanen holder")
    htmx_settled(consultant, consultant.locator(".rating-form button").click)
    expect(consultant.locator(".suggested .colour-yellow")).to_be_visible()
    screenshot(consultant, "office-assessment")
    assert_accessible(consultant, "the assessment screen")
    htmx_settled(consultant, consultant.locator(".triage-form button[value=yellow]").click)
    expect(consultant.locator(".case-state.state-yellow")).to_be_visible()
    consultant.locator("label").filter(has_text="Sara Jobkonsulent").locator(
        "input[name=staff_id]").check()
    htmx_settled(consultant, consultant.locator("form[action$='/colleagues'] button").click)

    colleague = screens.laptop()
    sign_in_staff(colleague, COLLEAGUE)
    expect(colleague.locator("#notice-badge .notice-badge")).to_be_visible()
    colleague.goto(case_url)
    colleague.fill(".case-thread textarea[name=text]", "Tidsplanen er realistisk – hun har en "
                   "plads på holdet i februar.")
    htmx_settled(colleague, colleague.locator(".case-thread button").click)
    expect(colleague.locator(".case-thread .comments")).to_contain_text("plads på holdet")

    consultant.reload()
    expect(consultant.locator(".case-thread .comments")).to_contain_text("plads på holdet")
    htmx_settled(consultant, consultant.locator(".triage-form button[value=green]").click)
    consultant.fill("input[name=length_months]", "9")
    consultant.fill("textarea[name=follow_up]", "Samtale hver måned; Anna ringer, hvis planen "
                    "ændrer sig.")
    consultant.fill("textarea[name=follow_up_dates]", "01-03-2027\n01-06-2027")
    htmx_settled(consultant, consultant.locator("form[action$='/approve'] button").click)
    expect(consultant.locator(".outcome-approved")).to_contain_text("9 måneder")

    phone.goto("/me/plan")
    expect(phone.locator(".outcome-approved")).to_contain_text("Forløbets længde: 9 måneder")
    expect(phone.locator("#my-followup")).to_contain_text("1. marts 2027")
    phone.check("#declaration input[name=agree]")
    phone.locator("#declaration button").click()
    expect(phone.locator("#declaration .signed")).to_be_visible()
    screenshot(phone, "phone-plan-approved")
    assert_accessible(phone, "the citizen's outcome")

    trail = consultant.request.get(case_url + "/trail.csv").text().lstrip("\ufeff")
    steps = [row[1] for row in csv.reader(io.StringIO(trail), delimiter=";")][1:]
    assert steps == ["Plan afleveret", "Kriterium vurderet", "Kriterium vurderet",
                     "Kriterium vurderet", "Markeret grøn, gul eller rød",
                     "Kolleger bedt om sparring", "En kollega kommenterede",
                     "Markeret grøn, gul eller rød", "Plan godkendt",
                     "Tro- og loveerklæring underskrevet"]
    exported = consultant.request.get("/exports/approved.csv").text().lstrip("\ufeff")
    lines = list(csv.reader(io.StringIO(exported), delimiter=";"))
    *rows, total = lines[1:]  # (the last row is the total)
    annas = [line for line in rows if line[3] == ANNA[0]]  # (and the demo's approved plan)
    assert len(annas) == 2
    assert sum(int(line[6]) for line in annas) == 9_800 + 6_000
    assert sum(int(line[6]) for line in rows) == int(total[6])


def test_the_team_lead_gives_a_case_to_a_colleague(screens: Screens, live_server) -> None:
    """The demo's green case is with Jonas; the lead gives it to Sara, who finds it in her
    own queue without a reload."""
    gitte = demo.PLANS[0][0]
    sara = screens.laptop()
    sign_in_staff(sara, COLLEAGUE)
    sara.goto("/queue")
    wait_live(sara)
    mine = sara.locator("#queue tbody tr")
    expect(mine.filter(has_text=gitte)).to_have_count(0)

    lead = screens.laptop()
    sign_in_staff(lead, live_server.team_lead)
    lead.goto("/queue?view=team")
    lead.locator("#queue tbody tr").filter(has_text=gitte).locator("a").click()
    expect(lead).to_have_url(re.compile(r"/cases/\d+$"))
    lead.select_option("#assign-consultant", label="Sara Jobkonsulent")
    screenshot(lead, "office-case-give")
    assert_accessible(lead, "the case page of the team lead")
    htmx_settled(lead, lead.locator(".case-consultant button").click)
    expect(lead.locator(".case-summary")).to_contain_text("Jobkonsulent: Sara Jobkonsulent")
    expect(mine.filter(has_text=gitte)).to_be_visible(timeout=LIVE_TIMEOUT)


def test_a_working_day_in_the_queue(screens: Screens, live_server) -> None:
    """The team lead searches the demo's queue by name (the list narrows as she types and the
    address keeps the filter), sees each consultant's load, and opens a case whose criteria
    stay in view while she reads down the plan."""
    gitte = demo.PLANS[0][0]
    lead = screens.laptop()
    sign_in_staff(lead, live_server.team_lead)
    lead.goto("/queue")
    wait_live(lead)
    expect(lead.locator(".workload-table")).to_contain_text("Jonas")
    rows = lead.locator("#queue .queue-table tbody tr")
    assert rows.count() > 1
    lead.locator("#queue-search").press_sequentially(gitte.split()[0].lower(), delay=30)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(gitte)
    expect(lead).to_have_url(re.compile(r"[?&]q=" + gitte.split()[0].lower()))
    lead.select_option("select[name=sort]", "name")
    expect(lead).to_have_url(re.compile(r"sort=name"))
    screenshot(lead, "office-queue-search")
    assert_accessible(lead, "the searched queue with the workload")
    lead.reload()
    expect(lead.locator("#queue-search")).to_have_value(gitte.split()[0].lower())
    expect(rows).to_have_count(1)

    rows.first.locator("a").click()
    expect(lead).to_have_url(re.compile(r"/cases/\d+$"))
    side = lead.locator(".assessment-side")
    # to the plan's end (below it, the page's footer may push the column up, as it should)
    lead.evaluate("window.scrollTo(0, window.scrollY + document.querySelector("
                  "'.assessment .plan').getBoundingClientRect().bottom - window.innerHeight)")
    plan = lead.locator(".assessment .plan").bounding_box()
    viewport = lead.viewport_size
    assert plan["height"] > viewport["height"], "the demo plan is too short to scroll past"
    box = side.bounding_box()
    assert 0 <= box["y"] and box["y"] + min(box["height"], 100) <= viewport["height"], box
    screenshot(lead, "office-case-scrolled", full_page=False)
