"""Polls that finish: a poll prepared on an item closes when the running day moves on from the
item (its results leave the projector, the phones say why), one made on the spot closes when
the day ends; a poll nobody has voted in can be edited, and any poll deleted, and every screen
follows by push."""

from __future__ import annotations

from datetime import time

import sqlalchemy as sa

from course.extensions import db, socketio
from course.people.models import Staff
from course.polls import services
from course.polls.models import Poll, PollVote
from course.schedule.models import AgendaItem, Course, Day, ItemKind
from tests.conftest import FACILITATOR_A, hx_post, pushes_to, signed_in_citizen, signed_in_staff


def _items(app, world) -> tuple[int, int]:
    with app.app_context():
        first = AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=0,
                           starts_at=time(13), ends_at=time(13, 30), kind=ItemKind.PLENARY,
                           title="Velkommen")
        second = AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=1,
                            starts_at=time(13, 30), ends_at=time(14), kind=ItemKind.PLENARY,
                            title="Drømmen")
        db.session.add_all([first, second])
        db.session.commit()
        return first.id, second.id


def _poll(app, world, item_id: int | None, question="Er I klar?", *, shown=True) -> int:
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        item = db.session.get(AgendaItem, item_id) if item_id else None
        poll = services.create(course, db.session.get(Staff, world.facilitator_id), "single",
                               question, ["Ja", "Nej"], item=item)
        services.open_voting(poll)
        if shown:
            services.show_results(poll, True)
        db.session.commit()
        return poll.id


def _state(app, poll_id) -> tuple[str, bool] | None:
    with app.app_context():
        poll = db.session.get(Poll, poll_id)
        return (poll.state, poll.results_shown) if poll else None


def _running_day(app, world, console) -> str:
    """Start the kickoff from the console; the projector's token."""
    assert hx_post(console, f"/courses/{world.course_id}/session/start",
                   day="kickoff").status_code == 200
    return console.post(f"/courses/{world.course_id}/projector").headers["Location"].rsplit(
        "/", 1)[1]


def test_a_poll_on_an_item_closes_when_the_day_moves_on(app, team_a):
    first, _second = _items(app, team_a)
    console = signed_in_staff(app, FACILITATOR_A)
    token = _running_day(app, team_a, console)
    poll = _poll(app, team_a, first)
    spot = _poll(app, team_a, None, "Kaffe nu?", shown=False)  # opening it closed the first
    with app.app_context():  # the item's poll open again, its results on the wall
        services.open_voting(db.session.get(Poll, poll))
        db.session.commit()
    phone = signed_in_citizen(app, team_a, 0)
    wall = socketio.test_client(app, flask_test_client=app.test_client(),
                                auth={"display": token})
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    for sock in (wall, phone_socket):
        sock.get_received()

    assert hx_post(console, f"/courses/{team_a.course_id}/session/next").status_code == 200

    assert _state(app, poll) == ("closed", False)
    assert _state(app, spot) == ("closed", False)  # closed by opening the first, untouched
    # the projector takes the results off; the phones are told to read their poll again
    assert [html.strip() for html in pushes_to(wall, "poll")] == [""]
    assert pushes_to(phone_socket, "poll") == [""]
    region = phone.get(f"/courses/{team_a.course_id}/poll").get_data(as_text=True)
    assert "Er I klar?" in region and "Afstemningen er lukket." in region
    assert "programmet er gået videre fra" in region and 'name="choice"' not in region
    answer = hx_post(phone, f"/courses/{team_a.course_id}/polls/{poll}/vote", choice="1")
    assert answer.status_code == 409 and answer.get_data(as_text=True) == (
        "Afstemningen er lukket.")


def test_a_poll_made_on_the_spot_stays_open_when_the_item_changes_and_closes_with_the_day(
        app, team_a):
    _items(app, team_a)
    console = signed_in_staff(app, FACILITATOR_A)
    _running_day(app, team_a, console)
    spot = _poll(app, team_a, None)
    assert hx_post(console, f"/courses/{team_a.course_id}/session/next").status_code == 200
    assert _state(app, spot) == ("open", True)
    assert hx_post(console, f"/courses/{team_a.course_id}/session/end").status_code == 200
    assert _state(app, spot) == ("closed", False)


def test_starting_another_day_closes_the_open_poll(app, team_a):
    _items(app, team_a)
    console = signed_in_staff(app, FACILITATOR_A)
    _running_day(app, team_a, console)
    spot = _poll(app, team_a, None)
    assert hx_post(console, f"/courses/{team_a.course_id}/session/start",
                   day="day1").status_code == 200
    assert _state(app, spot) == ("closed", False)


def test_going_to_the_same_item_again_closes_nothing(app, team_a):
    first, _second = _items(app, team_a)
    console = signed_in_staff(app, FACILITATOR_A)
    _running_day(app, team_a, console)
    poll = _poll(app, team_a, first)
    assert hx_post(console, f"/courses/{team_a.course_id}/session/items/{first}"
                   ).status_code == 200
    assert _state(app, poll) == ("open", True)


# -- editing and deleting -----------------------------------------------------------------------


def test_a_poll_nobody_voted_in_can_be_edited_and_the_screens_follow(app, team_a):
    poll = _poll(app, team_a, None, shown=True)
    console = signed_in_staff(app, FACILITATOR_A)
    phone = signed_in_citizen(app, team_a, 0)
    phone_socket = socketio.test_client(app, flask_test_client=phone)
    phone_socket.get_received()
    page = console.get(f"/courses/{team_a.course_id}/polls").get_data(as_text=True)
    assert f'action="/courses/{team_a.course_id}/polls/{poll}/edit"' in page
    answer = hx_post(console, f"/courses/{team_a.course_id}/polls/{poll}/edit",
                     question="Er I klar til pausen?", options="Ja\nNej\nOm lidt")
    assert answer.status_code == 200
    assert "Er I klar til pausen?" in answer.get_data(as_text=True)
    with app.app_context():
        edited = db.session.get(Poll, poll)
        assert (edited.question, edited.options) == ("Er I klar til pausen?",
                                                     ["Ja", "Nej", "Om lidt"])
    assert pushes_to(phone_socket, "poll") == [""]
    assert "Om lidt" in phone.get("/me").get_data(as_text=True)


def test_a_poll_cannot_be_edited_once_voting_has_started(app, team_a):
    poll = _poll(app, team_a, None)
    console = signed_in_staff(app, FACILITATOR_A)
    phone = signed_in_citizen(app, team_a, 0)
    assert hx_post(phone, f"/courses/{team_a.course_id}/polls/{poll}/vote",
                   choice="1").status_code == 200
    page = console.get(f"/courses/{team_a.course_id}/polls").get_data(as_text=True)
    assert f"/polls/{poll}/edit" not in page  # no form offered once a vote is in
    answer = hx_post(console, f"/courses/{team_a.course_id}/polls/{poll}/edit",
                     question="Noget helt andet?", options="A\nB")
    assert answer.status_code == 409
    assert answer.headers["HX-Retarget"] == f"#poll-{poll}-message"
    assert "afstemningen er gået i gang" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Poll, poll).question == "Er I klar?"


def test_an_edit_is_checked_as_a_new_poll_is(app, team_a):
    poll = _poll(app, team_a, None)
    console = signed_in_staff(app, FACILITATOR_A)
    answer = hx_post(console, f"/courses/{team_a.course_id}/polls/{poll}/edit",
                     question="Hvilken dag?", options="Mandag")
    assert answer.status_code == 422
    assert "mindst to svarmuligheder" in answer.get_data(as_text=True)
    # without JavaScript: the console's polls again, the form open with what was typed
    plain = console.post(f"/courses/{team_a.course_id}/polls/{poll}/edit",
                         data={"question": "Hvilken dag?", "options": "Mandag"})
    html = plain.get_data(as_text=True)
    assert plain.status_code == 422 and "mindst to svarmuligheder" in html
    assert 'value="Hvilken dag?"' in html and ">Mandag</textarea>" in html


def test_a_deleted_poll_leaves_every_screen(app, team_a):
    poll = _poll(app, team_a, None, shown=True)
    console = signed_in_staff(app, FACILITATOR_A)
    token = console.post(f"/courses/{team_a.course_id}/projector").headers["Location"].rsplit(
        "/", 1)[1]
    phone = signed_in_citizen(app, team_a, 0)
    hx_post(phone, f"/courses/{team_a.course_id}/polls/{poll}/vote", choice="1")
    wall = socketio.test_client(app, flask_test_client=app.test_client(),
                                auth={"display": token})
    screens = [socketio.test_client(app, flask_test_client=c) for c in (phone, console)]
    for sock in (wall, *screens):
        sock.get_received()
    answer = hx_post(console, f"/courses/{team_a.course_id}/polls/{poll}/delete")
    assert answer.status_code == 200 and "Er I klar?" not in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Poll, poll) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PollVote)) == 0
    assert [html.strip() for html in pushes_to(wall, "poll")] == [""]
    assert pushes_to(screens[0], "poll") == [""]
    assert pushes_to(screens[1], "polls") == [""]
    assert "Er I klar?" not in phone.get("/me").get_data(as_text=True)
    assert hx_post(console, f"/courses/{team_a.course_id}/polls/{poll}/delete"
                   ).status_code == 404
