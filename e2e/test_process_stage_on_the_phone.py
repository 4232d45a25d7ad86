"""Where the citizen is in the process, on their phone (issue 16, point 9): the home page leads
with the stage and the one thing to do next, and follows the case without a reload while the
job consultant acts on it in the office."""

from __future__ import annotations

import re

import pytest
from browsing import (
    LIVE_TIMEOUT,
    Screens,
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
ANNA = demo.CITIZENS[0]


def test_the_phone_follows_the_case_from_handing_in_to_sent_back(
        screens: Screens, live_server) -> None:
    live_server.run_script("seed_room.py")  # Anna's plan is complete
    phone = screens.phone()
    join_course(phone, live_server.course_code, ANNA[1])
    stage = phone.locator("#my-stage")
    expect(stage.locator("[aria-current=step]")).to_have_text("Beslut")
    expect(stage).to_contain_text("Vil du være med?")
    screenshot(phone, "phone-stage-deciding")

    phone.goto("/me/budget")
    phone.locator("form.submit-plan button").click()
    expect(phone).to_have_url(re.compile(r"/me/plan$"))
    phone.goto("/me")
    wait_live(phone)
    expect(stage.locator("[aria-current=step]")).to_have_text("Aflever")
    expect(stage).to_contain_text("Din plan er sendt")

    consultant = screens.laptop()
    sign_in_staff(consultant, CONSULTANT)
    consultant.goto("/queue")
    consultant.locator("#queue tbody tr").filter(has_text=ANNA[0]).locator("a").click()
    expect(consultant).to_have_url(re.compile(r"/cases/\d+$"))
    consultant.fill("form[action$='/send-back'] textarea[name=note]",
                    "Find en pris fra en anden køreskole, så vi kan sammenligne.")
    htmx_settled(consultant, consultant.locator("form[action$='/send-back'] button").click)

    # the phone that stayed open changes by itself
    expect(stage.locator("[aria-current=step]")).to_have_text("Skriv", timeout=LIVE_TIMEOUT)
    expect(stage).to_contain_text("en anden køreskole")
    expect(stage.get_by_role("link", name="Ret min plan")).to_be_visible()
    box = stage.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    screenshot(phone, "phone-stage-sent-back")
    # what a reload shows is what the push led to
    before = stage.inner_text()
    phone.reload()
    expect(stage).to_have_text(before)
