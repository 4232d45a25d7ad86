"""Join, always: the wall's join strip counts who has joined of the enrolled, live, and the console
puts the join QR on the whole wall and takes it off (a state of the running day)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from course.extensions import db, socketio
from course.live.models import RunningDay
from tests.conftest import hx_post, join_citizen, login_staff, pushes_to


@pytest.fixture
def world(app, make_world):
    """Team A's course (kickoff today, the best-practice agenda's first item a plenary)."""
    from course.schedule import services as schedule_services
    from course.schedule.models import Course

    world = make_world(citizens=3)
    with app.app_context():
        schedule_services.apply_template(db.session.get(Course, world.course_id))
        db.session.commit()
    return world


@pytest.fixture
def console(app, world):
    client = app.test_client()
    login_staff(client, "fac@teama.dk")
    return client


def _start(console, world) -> None:
    assert hx_post(console, f"/courses/{world.course_id}/session/start",
                   day="kickoff").status_code == 200


def _token(console, world) -> str:
    return console.post(f"/courses/{world.course_id}/projector").headers["Location"].rsplit(
        "/", 1)[1]


def _joined(html: str) -> str:
    match = re.search(r'id="projector-joined">\s*(.*?)\s*</p>', html, re.S)
    assert match, "no join count on the wall"
    return match.group(1)


def _qr_full(html: str) -> bool:
    return 'class="stage-zone stage-main projector-join"' in html


def test_the_wall_counts_who_has_joined_of_the_enrolled(app, world, console):
    _start(console, world)
    token = _token(console, world)
    now = app.test_client().get(f"/projector/{token}/now").get_data(as_text=True)
    assert _joined(now) == "Logget ind: 0 af 3"
    assert 'class="join-strip"' in now and "<svg" in now  # the strip's QR, inline
    assert world.course_code in now
    join_citizen(app.test_client(), world.course_code, world.citizens[0][1])
    now = app.test_client().get(f"/projector/{token}/now").get_data(as_text=True)
    assert _joined(now) == "Logget ind: 1 af 3"


def test_a_sign_in_pushes_the_walls_count_alone(app, world, console):
    _start(console, world)
    wall = socketio.test_client(app, auth={"display": _token(console, world)})
    wall.get_received()
    join_citizen(app.test_client(), world.course_code, world.citizens[1][1])
    [count] = pushes_to(wall, "projector-joined")
    assert count.strip() == "Logget ind: 1 af 3"
    assert pushes_to(wall, "now") == []  # a count, not the whole stage
    # a second phone of the same citizen changes nothing: nothing to tell the room
    join_citizen(app.test_client(), world.course_code, world.citizens[1][1])
    assert pushes_to(wall, "projector-joined") == []


def test_the_count_is_rendered_once_for_the_room(app, world, console):
    _start(console, world)
    wall = socketio.test_client(app, auth={"display": _token(console, world)})
    other = socketio.test_client(app, auth={"display": _token(console, world)})
    wall.get_received(), other.get_received()
    join_citizen(app.test_client(), world.course_code, world.citizens[2][1])
    assert pushes_to(wall, "projector-joined") == pushes_to(other, "projector-joined")


def test_the_console_puts_the_join_qr_on_the_wall_and_takes_it_off(app, world, console):
    _start(console, world)
    token = _token(console, world)
    wall = socketio.test_client(app, auth={"display": token})
    wall.get_received()
    shown = hx_post(console, f"/courses/{world.course_id}/session/join-qr", shown="1")
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    assert 'name="shown" value="0"' in page and 'aria-pressed="true"' in page
    [pushed] = pushes_to(wall, "now")
    assert _qr_full(pushed) and 'id="projector-joined"' in pushed
    # the state is the running day's: a reloaded wall (or a restarted server) shows it
    fresh = app.test_client().get(f"/projector/{token}").get_data(as_text=True)
    assert _qr_full(fresh)
    with app.app_context():
        assert db.session.scalars(sa.select(RunningDay)).one().join_qr_shown

    # the keyboard's q clicks the same button: listed among the console's keys
    assert 'data-shortcut="q" aria-keyshortcuts="q"' in page
    assert "<kbd>q</kbd></span> QR-kode på hele væggen, eller væk igen" in page
    taken_off = hx_post(console, f"/courses/{world.course_id}/session/join-qr", shown="0")
    assert taken_off.status_code == 200
    [pushed] = pushes_to(wall, "now")
    assert not _qr_full(pushed) and 'class="join-strip"' in pushed
    assert not _qr_full(app.test_client().get(f"/projector/{token}/now").get_data(as_text=True))


def test_ending_the_day_takes_the_join_qr_off(app, world, console):
    _start(console, world)
    hx_post(console, f"/courses/{world.course_id}/session/join-qr", shown="1")
    hx_post(console, f"/courses/{world.course_id}/session/end")
    _start(console, world)
    with app.app_context():
        assert not db.session.scalars(sa.select(RunningDay)).one().join_qr_shown


def test_the_join_qr_needs_a_running_day(app, world, console, monkeypatch):
    from course import web

    refusals = []
    refuse = web.refuse
    monkeypatch.setattr(web, "refuse",
                        lambda *a, **kw: refusals.append((a, kw)) or refuse(*a, **kw))
    response = hx_post(console, f"/courses/{world.course_id}/session/join-qr", shown="1")
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#day-message"
    assert "Start dagen først." in response.get_data(as_text=True)
    assert refusals and refusals[0][1] == {"slot": "day-message"}
    with app.app_context():
        assert db.session.scalars(sa.select(RunningDay)).all() == []


def test_only_the_courses_facilitators_put_the_qr_up(app, world, make_world, console):
    _start(console, world)
    make_world(team="Team B")
    other = app.test_client()
    login_staff(other, "fac@teamb.dk")
    response = hx_post(other, f"/courses/{world.course_id}/session/join-qr", shown="1")
    assert response.status_code == 404
    with app.app_context():
        assert not db.session.scalars(sa.select(RunningDay)).one().join_qr_shown


def test_the_stage_has_its_zones_and_the_clock_in_the_header(app, world, console):
    _start(console, world)
    page = app.test_client().get(f"/projector/{_token(console, world)}").get_data(as_text=True)
    header = page[page.index('<header class="stage-zone stage-header'):page.index("</header>")]
    assert "projector-course" in header and "projector-countdown" in header
    for zone in ("stage-main", "stage-footer", "stage-spotlight", "stage-announcement"):
        assert zone in page
