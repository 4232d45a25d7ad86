"""Running a course day: start, next/previous, countdown, attendance, questions, pushes."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from course import realtime
from course.extensions import db, socketio
from course.live import day as live_day
from course.live.models import Attendance, Question, RunningDay
from course.schedule.models import AgendaItem, Course, Day, ItemKind, SpeakerRole
from course.types import utcnow
from tests.conftest import (
    LEAD_A,
    element_by_id,
    hx_post,
    join_citizen,
    login_staff,
    pushed,
    pushes_to,
    signed_in_citizen,
    signed_in_staff,
    sql_statements,
    without_csrf,
)

KICKOFF = [
    ("13:00", "13:15", ItemKind.PLENARY, "Velkommen", "", None, "Vi byder **velkommen**."),
    ("13:15", "13:40", ItemKind.TALK, "Mit forløb: valg og fravalg", "Lise Holm",
     SpeakerRole.FORMER_PARTICIPANT, ""),
    ("13:40", "13:50", ItemKind.BREAK, "Pause", "", None, ""),
]


def _t(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@pytest.fixture
def kickoff_course(app, team_a):
    """Team A's course with the KICKOFF agenda: a welcome, a talk by a former participant and a
    break."""
    with app.app_context():
        for position, (start, end, kind, title, speaker, role, text) in enumerate(KICKOFF):
            db.session.add(AgendaItem(course_id=team_a.course_id, day=Day.KICKOFF,
                                      position=position, starts_at=_t(start), ends_at=_t(end),
                                      kind=kind, title=title, speaker_name=speaker,
                                      speaker_role=role, description=text))
        db.session.commit()
    return team_a


def _start(facilitator_client, kickoff_course, day="kickoff"):
    response = hx_post(facilitator_client, f"/courses/{kickoff_course.course_id}/session/start",
                       day=day)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def test_phones_and_projector_follow_the_facilitator(app, kickoff_course, facilitator_client):
    phone = signed_in_citizen(app, kickoff_course)
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    token = facilitator_client.post(f"/courses/{kickoff_course.course_id}/projector").headers[
        "Location"].rsplit("/", 1)[1]
    wall = socketio.test_client(app, flask_test_client=app.test_client(),
                                auth={"display": token})
    for sock in (phone_socket, wall):
        sock.get_received()
    assert "Formøde er i dag" in phone.get("/me").get_data(as_text=True)

    console = _start(facilitator_client, kickoff_course).get_data(as_text=True)
    assert "Velkommen" in console and 'data-shortcut="n"' in console
    [pushed] = pushes_to(phone_socket, "now")
    assert "Velkommen" in pushed and "<strong>velkommen</strong>" in pushed
    [projected] = pushes_to(wall, "now")
    assert "Velkommen" in projected and "Mit forløb" in projected  # now and next

    hx_post(facilitator_client, f"/courses/{kickoff_course.course_id}/session/next")
    [pushed] = pushes_to(phone_socket, "now")
    assert "Oplæg ved Lise Holm" in pushed and "Tidligere deltager" in pushed
    [projected] = pushes_to(wall, "now")
    assert "Lise Holm" in projected and "Tidligere deltager" in projected
    # reloading shows the same state
    assert "Lise Holm" in app.test_client().get(f"/projector/{token}").get_data(as_text=True)
    now = phone.get(f"/courses/{kickoff_course.course_id}/now")
    assert "Lise Holm" in now.get_data(as_text=True)

    hx_post(facilitator_client, f"/courses/{kickoff_course.course_id}/session/previous")
    assert "Velkommen" in pushes_to(phone_socket, "now")[0]


def test_the_state_survives_a_server_restart(app, kickoff_course, facilitator_client, tmp_path):
    from course import create_app
    from tests.conftest import base_config

    _start(facilitator_client, kickoff_course)
    hx_post(facilitator_client, f"/courses/{kickoff_course.course_id}/session/next")
    token = facilitator_client.post(f"/courses/{kickoff_course.course_id}/projector").headers[
        "Location"].rsplit("/", 1)[1]
    restarted = create_app(base_config(tmp_path))
    page = restarted.test_client().get(f"/projector/{token}").get_data(as_text=True)
    assert "Mit forløb: valg og fravalg" in page


def test_moving_past_the_ends_is_refused_with_a_message(kickoff_course, facilitator_client):
    _start(facilitator_client, kickoff_course)
    response = hx_post(facilitator_client, f"/courses/{kickoff_course.course_id}/session/previous")
    assert response.status_code == 422
    assert "Der er ikke flere punkter i den retning" in response.get_data(as_text=True)
    for _ in range(2):
        assert hx_post(facilitator_client,
                       f"/courses/{kickoff_course.course_id}/session/next").status_code == 200
    assert hx_post(facilitator_client,
                   f"/courses/{kickoff_course.course_id}/session/next").status_code == 422


def test_controls_need_a_started_day(kickoff_course, facilitator_client):
    response = hx_post(facilitator_client, f"/courses/{kickoff_course.course_id}/session/next")
    assert response.status_code == 422 and "Start dagen først" in response.get_data(as_text=True)


def test_unknown_day_is_refused(kickoff_course, facilitator_client):
    response = hx_post(facilitator_client, f"/courses/{kickoff_course.course_id}/session/start",
                       day="day9")
    assert response.status_code == 400


def test_only_the_courses_facilitators_run_the_day(app, kickoff_course, make_world):
    consultant, citizen, other = app.test_client(), app.test_client(), app.test_client()
    login_staff(consultant, "con@teama.dk")
    join_citizen(citizen, kickoff_course.course_code, kickoff_course.citizens[0][1])
    make_world("Team B")
    login_staff(other, "fac@teamb.dk")
    path = f"/courses/{kickoff_course.course_id}/session/start"
    assert hx_post(consultant, path, day="kickoff").status_code == 404
    assert hx_post(citizen, path, day="kickoff").status_code == 403
    assert hx_post(other, path, day="kickoff").status_code == 404


def test_go_to_an_item_of_another_course_is_404(app, kickoff_course, facilitator_client,
                                                make_world):
    other = make_world("Team B")
    with app.app_context():
        foreign = AgendaItem(course_id=other.course_id, day=Day.KICKOFF, position=0,
                             starts_at=time(9), ends_at=time(10), kind=ItemKind.PLENARY,
                             title="Fremmed")
        db.session.add(foreign)
        db.session.commit()
        foreign_id = foreign.id
    _start(facilitator_client, kickoff_course)
    path = f"/courses/{kickoff_course.course_id}/session/items/{foreign_id}"
    assert hx_post(facilitator_client, path).status_code == 404


def test_countdown_runs_pauses_and_extends(app, kickoff_course):
    with app.app_context():
        course = db.session.get(Course, kickoff_course.course_id)
        running = live_day.start_day(course, Day.KICKOFF)
        item = live_day.day_items(course.id, Day.KICKOFF)[0]  # 15 minutes
        assert live_day.countdown(running, item).running is False
        assert live_day.countdown(running, item).remaining == 15 * 60
        live_day.start_timer(running)
        later = utcnow() + timedelta(minutes=10)
        assert live_day.countdown(running, item, later).remaining in range(299, 301)
        live_day.extend_timer(running)
        assert live_day.countdown(running, item, later).remaining in range(599, 601)
        much_later = utcnow() + timedelta(minutes=25)
        clock = live_day.countdown(running, item, much_later)
        assert clock.overrun and clock.remaining < 0
        live_day.pause_timer(running)
        paused = live_day.countdown(running, item, utcnow() + timedelta(hours=1))
        assert not paused.running and paused.ends_at_ms is None


def test_concurrent_moves_one_wins_the_other_is_told(app, kickoff_course, facilitator_client,
                                                     monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    _start(facilitator_client, kickoff_course)

    def lost_race(*args, **kwargs):
        raise StaleDataError("another facilitator was faster")

    monkeypatch.setattr(live_day, "move", lost_race)
    response = hx_post(facilitator_client, f"/courses/{kickoff_course.course_id}/session/next")
    assert response.status_code == 409
    assert "En anden facilitator ændrede forløbet" in response.get_data(as_text=True)


def test_live_session_rows_are_versioned(app, kickoff_course):
    """Two writers of one session: the slower one's flush fails instead of overwriting."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    with app.app_context():
        course = db.session.get(Course, kickoff_course.course_id)
        live_day.start_day(course, Day.KICKOFF)
        db.session.commit()
        engine = db.engine
    with Session(engine) as first, Session(engine) as second:
        a = first.scalars(sa.select(RunningDay)).one()
        b = second.scalars(sa.select(RunningDay)).one()
        a.extra_seconds = 300
        first.commit()
        b.extra_seconds = 600
        with pytest.raises(StaleDataError):
            second.commit()


def test_signing_in_on_a_course_day_checks_in(app, kickoff_course, facilitator_client):
    phone = app.test_client()
    console = socketio.test_client(app, flask_test_client=facilitator_client)
    console.get_received()
    watcher = app.test_client()  # another participant's phone: names of the room never reach it
    join_citizen(watcher, kickoff_course.course_code, kickoff_course.citizens[1][1])
    watching = socketio.test_client(app, flask_test_client=watcher)
    watching.get_received()
    console.get_received()
    with sql_statements(app) as statements:
        join_citizen(phone, kickoff_course.course_code, kickoff_course.citizens[0][1])
    # the count is read after the facilitators' room is numbered (its row locked until the
    # commit): two arrivals at the same moment push one after the other, both counted
    numbered = next(n for n, s in enumerate(statements) if s.startswith(
        "INSERT INTO live_streams"))
    assert numbered < next(n for n, s in enumerate(statements) if "count(attendance.id)" in s)
    parts = {f["target"]: f for f in pushed(console)}
    # the count and the person's row (swapped whole), not the whole list
    assert set(parts) == {"attendance-count", f"attendance-{kickoff_course.citizens[0][0]}"}
    assert "2 af 3 er til stede" in parts["attendance-count"]["html"]
    assert not [f for f in pushed(watching) if f["target"].startswith("attendance")]
    row = parts[f"attendance-{kickoff_course.citizens[0][0]}"]
    assert row["swap"] == "outerHTML" and "til stede siden" in row["html"]
    # a console loaded before this person was enrolled has no row to swap: it fetches the list
    assert row["fallback"] == "attendance"
    with app.app_context():
        row = db.session.scalars(sa.select(Attendance).where(
            Attendance.citizen_id == kickoff_course.citizens[0][0])).one()
        assert row.day == "kickoff" and row.left_at is None and row.checked_in_by_id is None


def test_a_sign_in_on_another_day_than_the_consoles_show_tells_them_nothing(app, kickoff_course,
                                                                            facilitator_client):
    """The consoles show the running session's day: a check-in for today's meeting, when the
    session running is another day's, is not theirs to show (their row is about that day)."""
    with app.app_context():
        live_day.start_day(db.session.get(Course, kickoff_course.course_id), Day.DAY1)
        db.session.commit()
    console = socketio.test_client(app, flask_test_client=facilitator_client)
    console.get_received()
    signed_in_citizen(app, kickoff_course)
    assert not [f for f in pushed(console) if f["target"].startswith("attendance")]
    with app.app_context():  # checked in for today's meeting all the same
        assert db.session.scalars(sa.select(Attendance.day)).one() == "kickoff"


def test_signing_in_again_while_present_tells_the_room_nothing(app, kickoff_course,
                                                               facilitator_client):
    """A second phone (or signing in again) changes no one's presence: no attendance push — in
    a room of 500 each push is the whole list. Someone marked as left is checked in again."""
    console = socketio.test_client(app, flask_test_client=facilitator_client)
    console.get_received()
    row = f"attendance-{kickoff_course.citizens[0][0]}"
    signed_in_citizen(app, kickoff_course)
    assert len(pushes_to(console, row)) == 1
    signed_in_citizen(app, kickoff_course)  # a second phone
    assert pushed(console) == []
    hx_post(facilitator_client,
            f"/courses/{kickoff_course.course_id}/attendance/{kickoff_course.citizens[0][0]}",
            present="0")
    console.get_received()
    signed_in_citizen(app, kickoff_course)
    parts = {f["target"]: f["html"] for f in pushed(console)}
    assert "1 af 3 er til stede" in parts["attendance-count"]
    assert "til stede siden" in parts[row]


def test_the_attendance_parts_pushed_are_what_the_list_shows_afresh(app, kickoff_course,
                                                                    facilitator_client):
    """Arrivals and a leaving push the count and one row each; patched in, the console's list
    is the list read again (but for the CSRF input a push never carries)."""
    console = socketio.test_client(app, flask_test_client=facilitator_client)
    first, second = kickoff_course.citizens[0], kickoff_course.citizens[1]
    join_citizen(app.test_client(), kickoff_course.course_code, first[1])
    join_citizen(app.test_client(), kickoff_course.course_code, second[1])
    hx_post(facilitator_client, f"/courses/{kickoff_course.course_id}/attendance/{first[0]}",
            present="0")
    parts = {}
    for fragment in pushed(console):  # the newest of each part wins, as on the screen
        parts[fragment["target"]] = fragment["html"]
    fresh = without_csrf(facilitator_client.get(
        f"/courses/{kickoff_course.course_id}/attendance").get_data(as_text=True))
    for citizen_id, _code in (first, second):
        whole, _inside = element_by_id(fresh, f"attendance-{citizen_id}")
        assert parts[f"attendance-{citizen_id}"].strip() == whole
    _whole, count = element_by_id(fresh, "attendance-count")
    assert parts["attendance-count"] == count and "1 af 3 er til stede" in count
    assert "gik kl." in parts[f"attendance-{first[0]}"]


def test_facilitator_checks_people_in_and_out(app, kickoff_course, facilitator_client):
    citizen_id = kickoff_course.citizens[1][0]
    path = f"/courses/{kickoff_course.course_id}/attendance/{citizen_id}"
    page = hx_post(facilitator_client, path, present="1").get_data(as_text=True)
    assert "1 af 3 er til stede" in page
    page = hx_post(facilitator_client, path, present="0").get_data(as_text=True)
    assert "0 af 3 er til stede" in page and "gik kl." in page
    page = hx_post(facilitator_client, path, present="1").get_data(as_text=True)
    assert "1 af 3 er til stede" in page


def test_attendance_of_another_courses_citizen_is_404(kickoff_course, facilitator_client,
                                                      make_world):
    other = make_world("Team B")
    path = f"/courses/{kickoff_course.course_id}/attendance/{other.citizens[0][0]}"
    assert hx_post(facilitator_client, path, present="1").status_code == 404


# -- questions -----------------------------------------------------------------------------


@pytest.fixture
def in_talk(kickoff_course, facilitator_client):
    _start(facilitator_client, kickoff_course)
    hx_post(facilitator_client, f"/courses/{kickoff_course.course_id}/session/next")
    return kickoff_course


def test_questions_only_during_a_talk(app, kickoff_course, facilitator_client):
    phone = signed_in_citizen(app, kickoff_course)
    _start(facilitator_client, kickoff_course)
    response = hx_post(phone, f"/courses/{kickoff_course.course_id}/questions", text="Hvorfor?")
    assert response.status_code == 422
    assert "Du kan sende spørgsmål under et oplæg" in response.get_data(as_text=True)


def test_ask_upvote_show_and_hide(app, in_talk, facilitator_client):
    kickoff_course = in_talk
    asker = signed_in_citizen(app, kickoff_course, 0)
    voter = signed_in_citizen(app, kickoff_course, 1)
    token = facilitator_client.post(f"/courses/{kickoff_course.course_id}/projector").headers[
        "Location"].rsplit("/", 1)[1]
    wall = socketio.test_client(app, flask_test_client=app.test_client(), auth={"display": token})
    voter_socket = socketio.test_client(app, flask_test_client=voter)
    for sock in (wall, voter_socket):
        sock.get_received()

    page = hx_post(asker, f"/courses/{kickoff_course.course_id}/questions",
                 text="Hvad <b>kostede</b> kurset?").get_data(as_text=True)
    assert "Hvad &lt;b&gt;kostede&lt;/b&gt; kurset?" in page
    # the phones are pinged, and each reads its own list (with its own votes) afresh
    assert pushes_to(voter_socket, "questions") == [""]
    assert "Hvad &lt;b&gt;kostede" in voter.get(f"/courses/{kickoff_course.course_id}/questions",
                                                 headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert not any("kostede" in html for html in pushes_to(wall, "spotlight"))  # not shown yet

    with app.app_context():
        question_id = db.session.scalars(sa.select(Question.id)).one()
    base = f"/courses/{kickoff_course.course_id}/questions/{question_id}"
    hx_post(voter, f"{base}/upvote")
    hx_post(voter, f"{base}/upvote")  # twice counts once
    hx_post(asker, f"{base}/upvote")  # own question does not count
    with app.app_context():
        assert db.session.get(Question, question_id).votes == 1

    hx_post(facilitator_client, f"{base}/show")
    assert any("kostede" in html for html in pushes_to(wall, "spotlight"))
    hx_post(facilitator_client, f"{base}/hide")
    spotlight = pushes_to(wall, "spotlight")
    assert spotlight and not any("kostede" in html for html in spotlight)
    assert "kostede" not in app.test_client().get(f"/projector/{token}").get_data(as_text=True)
    assert "kostede" not in voter.get(f"/courses/{kickoff_course.course_id}/questions").get_data(
        as_text=True)
    # a hidden question cannot be put on the projector
    response = hx_post(facilitator_client, f"{base}/show")
    assert response.status_code == 409 and "skjult" in response.get_data(as_text=True)
    # the facilitator still sees it, marked hidden
    console = facilitator_client.get(
        f"/courses/{kickoff_course.course_id}/questions").get_data(as_text=True)
    assert "kostede" in console and "skjult" in console


def test_question_mode_decides_names(app, in_talk):
    kickoff_course = in_talk
    with app.app_context():
        db.session.get(Course, kickoff_course.course_id).question_mode = "anonymous"
        db.session.commit()
    phone = signed_in_citizen(app, kickoff_course)
    hx_post(phone, f"/courses/{kickoff_course.course_id}/questions", text="Anonymt?", anonymous="0")
    with app.app_context():
        question = db.session.scalars(sa.select(Question)).one()
        assert question.anonymous
        db.session.get(Course, kickoff_course.course_id).question_mode = "named"
        db.session.commit()
    hx_post(phone, f"/courses/{kickoff_course.course_id}/questions", text="Med navn?",
            anonymous="1")
    with app.app_context():
        named = db.session.scalars(sa.select(Question).where(Question.text == "Med navn?")).one()
        assert not named.anonymous


def test_anonymous_questions_hide_the_name_from_phones_and_projector(app, in_talk,
                                                                     facilitator_client):
    kickoff_course = in_talk
    asker = signed_in_citizen(app, kickoff_course, 0)
    hx_post(asker, f"/courses/{kickoff_course.course_id}/questions", text="Hemmeligt?",
            anonymous="1")
    name = "Citizen Team A 0"
    other = signed_in_citizen(app, kickoff_course, 1)
    questions = other.get(f"/courses/{kickoff_course.course_id}/questions")
    assert name not in questions.get_data(as_text=True)
    with app.app_context():
        question_id = db.session.scalars(sa.select(Question.id)).one()
    token = facilitator_client.post(f"/courses/{kickoff_course.course_id}/projector").headers[
        "Location"].rsplit("/", 1)[1]
    hx_post(facilitator_client, f"/courses/{kickoff_course.course_id}/questions/{question_id}/show")
    wall = app.test_client().get(f"/projector/{token}/spotlight").get_data(as_text=True)
    assert "Hemmeligt?" in wall and name not in wall and "Anonym" in wall


@pytest.mark.parametrize("text, message", [
    ("", "Skriv dit spørgsmål først"),
    ("   ", "Skriv dit spørgsmål først"),
    ("x" * 281, "Højst 280 tegn"),
])
def test_bad_questions_are_refused_and_keep_the_text(app, in_talk, text, message):
    phone = signed_in_citizen(app, in_talk)
    response = hx_post(phone, f"/courses/{in_talk.course_id}/questions", text=text)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 0


def test_question_flood_is_limited(app, in_talk):
    phone = signed_in_citizen(app, in_talk)
    statuses = [hx_post(phone, f"/courses/{in_talk.course_id}/questions",
                      text=f"Spørgsmål {i}").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 422]


def test_questions_of_another_course_are_out_of_reach(app, in_talk, make_world):
    other = make_world("Team B")
    stranger = signed_in_citizen(app, other)
    asker = signed_in_citizen(app, in_talk)
    hx_post(asker, f"/courses/{in_talk.course_id}/questions", text="Mit spørgsmål")
    with app.app_context():
        question_id = db.session.scalars(sa.select(Question.id)).one()
    assert hx_post(stranger, f"/courses/{in_talk.course_id}/questions",
                 text="x").status_code == 404
    assert hx_post(stranger, f"/courses/{in_talk.course_id}/questions/{question_id}/upvote"
                 ).status_code == 404
    assert stranger.get(f"/courses/{in_talk.course_id}/questions").status_code == 404


def test_pushed_fragments_carry_no_ones_csrf_token(app, in_talk, facilitator_client):
    """A push is rendered in one person's request for a whole room: no token may ride along."""
    kickoff_course = in_talk
    other_facilitator = signed_in_staff(app, LEAD_A)
    phone = signed_in_citizen(app, kickoff_course)
    watchers = [socketio.test_client(app, flask_test_client=c)
                for c in (other_facilitator, phone)]
    for sock in watchers:
        sock.get_received()
    hx_post(facilitator_client, f"/courses/{kickoff_course.course_id}/session/next")
    hx_post(phone, f"/courses/{kickoff_course.course_id}/questions", text="Et spørgsmål")
    pushed = [f["html"] for sock in watchers for e in sock.get_received()
              if e["name"] == realtime.EVENT_FRAGMENTS for f in e["args"][0]["fragments"]]
    assert pushed and not any("csrf_token" in html for html in pushed)
    # the console's own HTTP answer (not a push) still has its token for plain forms
    assert "csrf_token" in facilitator_client.get(
        f"/courses/{kickoff_course.course_id}/console").get_data(as_text=True)
