"""Phone first: the phone's home puts what to do now on top, and shows one countdown."""

from __future__ import annotations

from datetime import time

import sqlalchemy as sa

from course.extensions import db
from course.schedule.models import AgendaItem, Day, ItemKind
from tests.conftest import hx_post, join_citizen, login_staff


def test_the_item_on_now_comes_before_the_budget_plan(app, make_world):
    world = make_world()
    phone = app.test_client()
    join_citizen(phone, world.course_code, world.citizens[0][1])
    page = phone.get("/me").get_data(as_text=True)
    assert page.index('id="now"') < page.index('id="questions"') < page.index("/me/budget")


def test_a_phone_in_a_running_round_shows_one_countdown(app, make_world, make_draft):
    world = make_world()
    with app.app_context():
        db.session.add(AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=0,
                                  starts_at=time(13), ends_at=time(14),
                                  kind=ItemKind.SPARRING_ROUND, title="Sparring"))
        db.session.commit()
    phones = []
    for citizen_id, code in world.citizens:
        make_draft(citizen_id, world.course_id, goal="Job", lines=[{"title": "Kursus",
                                                                    "amount": 5000}])
        phone = app.test_client()
        join_citizen(phone, world.course_code, code)
        phones.append(phone)
    console = app.test_client()
    login_staff(console, "fac@teama.dk")
    hx_post(console, f"/courses/{world.course_id}/session/start", day="kickoff")
    before = phones[0].get(f"/courses/{world.course_id}/now").get_data(as_text=True)
    assert before.count("data-countdown") == 1  # the item's, while no round runs
    assert hx_post(console, f"/courses/{world.course_id}/rounds", grouping="rotation",
                   min_feedback="2").status_code == 200
    during = phones[0].get(f"/courses/{world.course_id}/now").get_data(as_text=True)
    assert during.count("data-countdown") == 1  # the round's own, named as such
    assert "Tid tilbage af runden:" in during
    with app.app_context():
        from peerreview.models import Round

        assert db.session.scalar(sa.select(Round.state)) == "open"


def test_the_review_page_says_where_the_reviewer_is(app, make_world, make_draft):
    """A way back, the live badge, the round's clock, "plan 1 of 3" and prices as the editor
    writes them, on a reviewer's phone in a room of four with a plan each."""
    world = make_world(citizens=4)
    with app.app_context():
        db.session.add(AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=0,
                                  starts_at=time(13), ends_at=time(14),
                                  kind=ItemKind.SPARRING_ROUND, title="Sparring"))
        db.session.commit()
    phones = []
    for citizen_id, code in world.citizens:
        make_draft(citizen_id, world.course_id, goal="Job",
                   lines=[{"title": "Kursus", "amount": 14000}])
        phone = app.test_client()
        join_citizen(phone, world.course_code, code)
        phones.append(phone)
    console = app.test_client()
    login_staff(console, "fac@teama.dk")
    hx_post(console, f"/courses/{world.course_id}/session/start", day="kickoff")
    hx_post(console, f"/courses/{world.course_id}/rounds", grouping="rotation", min_feedback="3")
    with app.app_context():
        from peerreview.models import Round

        round_id = db.session.scalar(sa.select(Round.id))
    page = phones[0].get(f"/rounds/{round_id}/review").get_data(as_text=True)
    assert 'href="/me"' in page  # back to the course
    assert 'id="live-status"' in page and "data-live-streams" in page
    assert page.count("data-countdown") == 1 and "Tid tilbage af runden:" in page
    assert "Plan 1 af 3" in page
    assert "14.000 kr." in page and "14000 kr." not in page
