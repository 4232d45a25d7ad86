"""Ways into the budget plan: the citizen's phone, and the staff citizen page."""

from __future__ import annotations

from tests.conftest import join_citizen, login_staff


def test_the_phone_home_leads_to_the_budget_plan(app, make_world):
    world = make_world()
    phone = app.test_client()
    join_citizen(phone, world.course_code, world.citizens[0][1])
    assert 'href="/me/budget"' in phone.get("/me").get_data(as_text=True)
    assert phone.get("/me/budget").status_code == 200  # the draft is made on the first visit


def test_the_citizen_page_links_the_draft_for_those_who_may_read_it(app, make_world):
    world = make_world()
    citizen_id, code = world.citizens[0]
    consultant = app.test_client()
    login_staff(consultant, "con@teama.dk")
    page = f"/courses/{world.course_id}/citizens/{citizen_id}"
    assert "ikke begyndt på budgetplanen" in consultant.get(page).get_data(as_text=True)
    phone = app.test_client()
    join_citizen(phone, world.course_code, code)
    phone.get("/me/budget")
    html = consultant.get(page).get_data(as_text=True)
    assert "Åbn budgetplanen" in html
    link = html.split("Åbn budgetplanen")[0].rsplit('href="', 1)[1].split('"')[0]
    assert consultant.get(link).status_code == 200
