"""The running day's seams: what the wall shows ends with its item, a "back" carries on where
the item stood, the attendance follows the day, the workshop's ends, and a citizen who said no."""

from __future__ import annotations

from datetime import date, time

import pytest
import sqlalchemy as sa

from course.extensions import db, socketio
from course.live.models import Question, RunningDay
from course.people.models import Citizen
from course.schedule.models import AgendaItem, Day, ItemKind, SpeakerRole
from tests.conftest import hx_post, join_citizen, login_staff, pushes_to

#: A kickoff of a talk, a workshop and a break, and a course day 1 of one item.
ITEMS = [
    (Day.KICKOFF, "13:00", "13:25", ItemKind.TALK, "Mit forløb", "Lise Holm"),
    (Day.KICKOFF, "13:25", "13:55", ItemKind.WORKSHOP, "Forandringsteori", ""),
    (Day.KICKOFF, "13:55", "14:05", ItemKind.BREAK, "Pause", ""),
    (Day.DAY1, "09:00", "09:30", ItemKind.PLENARY, "Godmorgen", ""),
]


def _t(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@pytest.fixture
def talk_course(app, make_world):
    """Team A's course with the items above (the first a talk with a speaker)."""
    world = make_world()
    with app.app_context():
        for position, (day, start, end, kind, title, speaker) in enumerate(ITEMS):
            db.session.add(AgendaItem(
                course_id=world.course_id, day=day, position=position, starts_at=_t(start),
                ends_at=_t(end), kind=kind, title=title, speaker_name=speaker,
                speaker_role=SpeakerRole.FORMER_PARTICIPANT if speaker else None))
        db.session.commit()
    return world


@pytest.fixture
def console(app, talk_course):
    client = app.test_client()
    login_staff(client, "fac@teama.dk")
    assert hx_post(client, f"/courses/{talk_course.course_id}/session/start",
                   day="kickoff").status_code == 200
    return client


def _projector(app, course_id: int, console):
    token = console.post(f"/courses/{course_id}/projector").headers["Location"].rsplit("/", 1)[1]
    return socketio.test_client(app, auth={"display": token})


def _ask_and_show(app, world, console) -> int:
    phone = app.test_client()
    join_citizen(phone, world.course_code, world.citizens[0][1])
    assert hx_post(phone, f"/courses/{world.course_id}/questions",
                   text="Hvordan fandt du modet?").status_code == 200
    with app.app_context():
        question_id = db.session.scalar(sa.select(Question.id))
    assert hx_post(console, f"/courses/{world.course_id}/questions/{question_id}/show"
                   ).status_code == 200
    return question_id


def test_a_question_on_the_wall_ends_with_its_talk(app, talk_course, console):
    wall = _projector(app, talk_course.course_id, console)
    _ask_and_show(app, talk_course, console)
    assert "Hvordan fandt du modet?" in pushes_to(wall, "spotlight")[-1]
    hx_post(console, f"/courses/{talk_course.course_id}/session/next")
    assert "Hvordan fandt du modet?" not in pushes_to(wall, "spotlight")[-1]
    with app.app_context():
        assert db.session.scalar(sa.select(Question.shown_at)) is None  # a reload reads the same


def test_ending_the_day_takes_the_question_off_the_wall(app, talk_course, console):
    _ask_and_show(app, talk_course, console)
    assert hx_post(console, f"/courses/{talk_course.course_id}/session/end").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(Question.shown_at)) is None


def test_back_carries_on_where_the_item_stood(app, talk_course, console):
    course_id = talk_course.course_id
    with app.app_context():
        running = db.session.scalars(sa.select(RunningDay)).one()
        talk_id = running.current_item_id
        # the talk ran eight minutes (its timer paused now) and got five more
        running.elapsed_seconds, running.extra_seconds = 8 * 60, 300
        db.session.commit()
    hx_post(console, f"/courses/{course_id}/session/next")  # too early: the workshop
    hx_post(console, f"/courses/{course_id}/session/workshop/next")
    hx_post(console, f"/courses/{course_id}/session/previous")  # back to the talk
    with app.app_context():
        running = db.session.scalars(sa.select(RunningDay)).one()
        assert running.current_item_id == talk_id
        assert (running.elapsed_seconds, running.extra_seconds) == (8 * 60, 300)
        assert running.timer_started_at is not None  # and it runs on
    hx_post(console, f"/courses/{course_id}/session/next")  # the workshop again: its step kept
    with app.app_context():
        assert db.session.scalars(sa.select(RunningDay)).one().workshop_step == 1


def test_the_attendance_follows_the_day_that_runs(app, talk_course, console):
    course_id = talk_course.course_id
    screen = socketio.test_client(app, flask_test_client=console)
    screen.get_received()
    hx_post(console, f"/courses/{course_id}/session/end")
    hx_post(console, f"/courses/{course_id}/session/start", day="day1")
    [attendance] = pushes_to(screen, "attendance")[-1:]
    assert "Kursusdag 1" in attendance and "Formøde" not in attendance
    assert attendance.count('class="attendance-') >= 1
    fresh = console.get(f"/courses/{course_id}/attendance").get_data(as_text=True)
    assert "Kursusdag 1" in fresh


def test_the_workshop_steps_are_named_as_on_the_wall_and_stop_at_their_ends(
        app, talk_course, console):
    course_id = talk_course.course_id
    now = hx_post(console, f"/courses/{course_id}/session/next").get_data(as_text=True)
    assert "Workshop: introduktionen" in now
    assert 'workshop/previous"' in now and _button_disabled(now, "workshop/previous")
    for _ in range(4):
        now = hx_post(console, f"/courses/{course_id}/session/workshop/next").get_data(
            as_text=True)
    assert "Workshoptrin 4 af 4" in now and "4. Antagelser" in now
    assert _button_disabled(now, "workshop/next")
    assert not _button_disabled(now, "workshop/previous")


def _button_disabled(page: str, action: str) -> bool:
    form = page[page.index(f'{action}"'):]
    return "disabled" in form[:form.index("</form>")]


def test_ending_the_day_is_asked_twice(app, talk_course, console):
    now = console.get(f"/courses/{talk_course.course_id}/now").get_data(as_text=True)
    confirm = now[now.index('<details class="confirm-end">'):]
    confirm = confirm[:confirm.index("</details>")]
    assert "Afslut dagen" in confirm and "Ja, afslut dagen" in confirm
    assert 'action="/courses/' in confirm and "/session/end" in confirm


def test_a_citizen_who_said_no_is_told_so_not_that_the_code_is_wrong(app, talk_course):
    citizen_id, code = talk_course.citizens[0]
    with app.app_context():
        citizen = db.session.get(Citizen, citizen_id)
        citizen.decision, citizen.decided_on, citizen.active = "no", date.today(), False
        db.session.commit()
    response = app.test_client().post("/join", data={"course_code": talk_course.course_code,
                                                     "personal_code": code})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "deltager ikke længere i forløbet" in page and "er forkert" not in page
    wrong = app.test_client().post("/join", data={"course_code": talk_course.course_code,
                                                  "personal_code": "WRONG234"})
    assert "din personlige kode er forkert" in wrong.get_data(as_text=True)
