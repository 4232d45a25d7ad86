"""The information material (issue 16, point 11): a plain-language leaflet about the offer in
Danish and English, its figures from the rules that enforce them; printed by the job consultant
from the course page with the course's days, linked on the citizen's phone, and summed up on
the public start page for citizens who ask on their own."""

from __future__ import annotations

from datetime import date

import pytest

from course.extensions import db
from course.schedule.models import Course
from tests.conftest import signed_in_staff

#: What the leaflet must say (issue 16, point 11; docs/method.md §2–§5), in Danish.
MUST_SAY = [
    "Op til 50.000 kr.",  # the cap
    "7 dages betænkningstid",  # one week to decide
    "højst 4 uger til at skrive din budgetplan",  # at most four weeks
    "Det er frivilligt at være med.",
    "et kort formøde og to kursusdage",
    "Personlig motivering", "Budget", "Forandringsteori", "Personlig strategi",
    "Kan planen gøre en væsentlig forskel",  # the three criteria
    "Er det realistisk, at du kan gennemføre planen?",
    "Hænger budgetposterne sammen med det, du vil ændre?",
    "faktura til kommunen", "kvitteringen inden for en uge eller to",  # payout
    "Tro- og loveerklæring", "Jeg erklærer på tro og love",
    "ikke en forhåndsgodkendelse af dine budgetønsker",
    "(6 til 12 måneder)",
]


def test_anyone_reads_the_leaflet_in_danish(client):
    response = client.get("/information")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    missing = [text for text in MUST_SAY if text not in page]
    assert not missing, missing
    assert "Din jobkonsulent fortæller dig datoerne." in page  # no course: no dates
    assert 'href="/information?lang=en"' in page


def test_the_leaflet_in_english_leaves_the_readers_language_alone(client):
    page = client.get("/information?lang=en").get_data(as_text=True)
    assert '<article class="print-document leaflet" lang="en">' in page
    for text in ("Up to 50.000 kr.", "Taking part is voluntary.",
                 "not a pre-approval of your budget wishes", "Declaration on honour",
                 "7 days to decide", "at most 4 weeks", "(6 to 12 months)"):
        assert text in page, text
    assert '<html lang="da">' in client.get("/").get_data(as_text=True)


def test_the_figures_come_from_the_rules(client, monkeypatch):
    from course import money
    from course.approvals import services
    from course.people import services as people

    monkeypatch.setattr(money, "DEFAULT_CAP", 45_000)
    monkeypatch.setattr(people, "DECISION_DAYS", 10)
    monkeypatch.setattr(people, "PLAN_DAYS", 42)
    monkeypatch.setattr(services, "MAX_MONTHS", 18)
    page = client.get("/information").get_data(as_text=True)
    assert "Op til 45.000 kr." in page and "10 dages betænkningstid" in page
    assert "højst 6 uger" in page and "(6 til 18 måneder)" in page
    start = client.get("/").get_data(as_text=True)
    assert "op til 45.000 kr." in start and "10 dages betænkningstid" in start
    assert "højst 6 uger" in start


def test_the_consultant_prints_it_for_a_course_with_its_days(app, team_a, consultant_client):
    with app.app_context():
        course = db.session.get(Course, team_a.course_id)
        course.budget_cap, course.venue = 40_000, "Jobcentret, lokale 4"
        course.kickoff_on, course.day1_on, course.day2_on = (
            date(2027, 1, 5), date(2027, 1, 12), date(2027, 1, 13))
        db.session.commit()
    course_page = consultant_client.get(f"/courses/{team_a.course_id}").get_data(as_text=True)
    assert f'href="/courses/{team_a.course_id}/information"' in course_page
    page = consultant_client.get(f"/courses/{team_a.course_id}/information").get_data(
        as_text=True)
    assert "Op til 40.000 kr." in page  # the course's own cap
    for text in ("Formøde", "5. januar 2027", "12. januar 2027", "13. januar 2027",
                 "Jobcentret, lokale 4"):
        assert text in page, text
    english = consultant_client.get(f"/courses/{team_a.course_id}/information?lang=en")
    assert "Course day 1" in english.get_data(as_text=True)


def test_who_may_print_a_courses_leaflet(app, team_a, make_world, citizen_client):
    path = f"/courses/{team_a.course_id}/information"
    make_world(team="Team B", citizens=0)
    assert signed_in_staff(app, "con@teamb.dk").get(path).status_code == 404
    assert citizen_client.get(path).status_code in (403, 404)
    assert signed_in_staff(app, "fac@teama.dk").get(path).status_code == 200


def test_the_citizens_phone_links_the_leaflet_with_their_days(app, team_a, citizen_client):
    home = citizen_client.get("/me", follow_redirects=True).get_data(as_text=True)
    assert 'href="/me/information"' in home
    page = citizen_client.get("/me/information").get_data(as_text=True)
    with app.test_request_context():
        from course.i18n import long_date

        day1 = long_date(db.session.get(Course, team_a.course_id).day1_on)
    assert day1 in page and "ikke en forhåndsgodkendelse" in page


@pytest.mark.parametrize("path", ["/", "/join"])
def test_the_start_page_says_the_same_to_citizens_who_ask(client, path):
    if path == "/join":
        response = client.post("/join", data={"course_code": "", "personal_code": ""})
    else:
        response = client.get(path)
    page = response.get_data(as_text=True)
    assert "op til 50.000 kr." in page and "7 dages betænkningstid" in page
    assert "højst 4 uger" in page and "ikke en forhåndsgodkendelse" in page
    assert 'href="/information"' in page
