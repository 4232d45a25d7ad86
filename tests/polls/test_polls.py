"""Polls: one vote per person, a changed vote counted once, closed polls refuse votes, what the
console refuses, anonymity of what is stored and shown, and the coalesced pushes of the
counts (bounded, and converging to the final count)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from course.extensions import db, socketio
from course.people.models import Citizen, Staff
from course.polls import pushes, services
from course.polls.models import Poll, PollVote
from course.realtime import coalesce
from course.schedule.models import Course
from tests.conftest import FACILITATOR_A, hx_post, pushes_to, signed_in_citizen, signed_in_staff


def _poll(app, world, kind="single", options=("Ja", "Nej", "Måske"), *, open_=True) -> int:
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        staff = db.session.get(Staff, world.facilitator_id)
        poll = services.create(course, staff, kind, "Er I klar til næste runde?",
                               list(options))
        if open_:
            services.open_voting(poll)
        db.session.commit()
        return poll.id


def _vote(app, world, poll_id, citizen_index, choices):
    with app.app_context():
        poll = db.session.get(Poll, poll_id)
        citizen = db.session.get(Citizen, world.citizens[citizen_index][0])
        changed = services.vote(poll, citizen, choices)
        db.session.commit()
        return changed


def _counts(app, poll_id):
    with app.app_context():
        result = services.results(db.session.get(Poll, poll_id))
        return result.voters, [bar.count for bar in result.bars]


# -- the rules ----------------------------------------------------------------------------------


def test_one_vote_per_person(app, team_a):
    poll = _poll(app, team_a)
    assert _vote(app, team_a, poll, 0, [0])
    assert not _vote(app, team_a, poll, 0, [0])  # the same vote again: nothing changes
    _vote(app, team_a, poll, 1, [1])
    assert _counts(app, poll) == (2, [1, 1, 0])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PollVote)) == 2


def test_a_changed_vote_is_counted_once(app, team_a):
    poll = _poll(app, team_a)
    _vote(app, team_a, poll, 0, [0])
    assert _vote(app, team_a, poll, 0, [2])
    assert _counts(app, poll) == (1, [0, 0, 1])


def test_a_multiple_choice_vote_counts_each_choice_once_and_one_voter(app, team_a):
    poll = _poll(app, team_a, "multiple")
    _vote(app, team_a, poll, 0, [0, 2, 2])
    _vote(app, team_a, poll, 1, [2])
    voters, counts = _counts(app, poll)
    assert (voters, counts) == (2, [1, 0, 2])
    with app.app_context():
        shares = [bar.percent for bar in services.results(db.session.get(Poll, poll)).bars]
    assert shares == [50, 0, 100]  # of the voters


@pytest.mark.parametrize("choices, code", [([], "no_choice"), ([0, 1], "one_choice"),
                                           ([3], "no_choice"), ([-1], "no_choice")])
def test_a_vote_must_be_one_of_the_options(app, team_a, choices, code):
    poll = _poll(app, team_a)
    with pytest.raises(services.PollError) as refused:
        _vote(app, team_a, poll, 0, choices)
    assert refused.value.code == code


def test_closed_and_unopened_polls_refuse_votes(app, team_a):
    poll = _poll(app, team_a)
    _vote(app, team_a, poll, 0, [0])
    with app.app_context():
        services.close_voting(db.session.get(Poll, poll))
        db.session.commit()
    for index, choice in ((0, [1]), (1, [0])):  # neither a change nor a new vote
        with pytest.raises(services.PollError) as refused:
            _vote(app, team_a, poll, index, choice)
        assert refused.value.code == "closed"
    assert _counts(app, poll) == (1, [1, 0, 0])
    ready = _poll(app, team_a, open_=False)
    with pytest.raises(services.PollError):
        _vote(app, team_a, ready, 0, [0])


def test_opening_a_poll_closes_the_other_open_one(app, team_a):
    first = _poll(app, team_a)
    second = _poll(app, team_a)
    with app.app_context():
        assert db.session.get(Poll, first).state == services.CLOSED
        assert services.open_poll(team_a.course_id).id == second


def test_a_scale_and_a_check_in_have_their_own_answers(app, team_a):
    scale = _poll(app, team_a, "scale", options=())
    checkin = _poll(app, team_a, "checkin", options=("ignored",))
    with app.app_context():
        assert db.session.get(Poll, scale).options == ["1", "2", "3", "4", "5"]
        assert len(db.session.get(Poll, checkin).options) == 5


@pytest.mark.parametrize("question, options, code", [
    ("  ", ["A", "B"], "empty"),
    ("Hvad?", ["Kun én"], "too_few_options"),
    ("Hvad?", [f"Svar {n}" for n in range(500)], "too_many_options"),
    ("Hvad?", ["Ja", "ja"], "duplicate_options"),
    ("Hvad?", ["Ja", "x" * 81], "option_too_long"),
    ("x" * 201, ["Ja", "Nej"], "question_too_long"),
])
def test_the_console_refuses_a_poll_that_cannot_be_voted_on(app, team_a, question, options,
                                                            code):
    with app.app_context():
        course = db.session.get(Course, team_a.course_id)
        staff = db.session.get(Staff, team_a.facilitator_id)
        with pytest.raises(services.PollError) as refused:
            services.create(course, staff, "single", question, options)
        assert refused.value.code == code


# -- anonymity ----------------------------------------------------------------------------------


def test_a_stored_vote_names_nobody_and_differs_from_poll_to_poll(app, team_a):
    first, second = _poll(app, team_a), _poll(app, team_a)
    with app.app_context():
        services.open_voting(db.session.get(Poll, first))  # (reopen: both get a vote)
        db.session.commit()
    _vote(app, team_a, first, 0, [0])
    with app.app_context():
        services.open_voting(db.session.get(Poll, second))
        db.session.commit()
    _vote(app, team_a, second, 0, [0])
    citizen_id = team_a.citizens[0][0]
    with app.app_context():
        rows = db.session.execute(sa.select(PollVote)).scalars().all()
        keys = {row.voter_key for row in rows}
        assert len(keys) == 2  # one person's marks cannot be joined across polls
        assert all(str(citizen_id) != key and len(key) == 64 for key in keys)
        assert set(PollVote.__table__.columns.keys()) == {"poll_id", "voter_key", "choices",
                                                          "changed_at"}


def test_console_and_projector_show_counts_and_no_names(app, team_a):
    poll = _poll(app, team_a)
    phone = signed_in_citizen(app, team_a, 0)
    assert hx_post(phone, f"/courses/{team_a.course_id}/polls/{poll}/vote",
                   choice="1").status_code == 200
    console = signed_in_staff(app, FACILITATOR_A)
    assert hx_post(console, f"/courses/{team_a.course_id}/polls/{poll}/show",
                   shown="1").status_code == 200
    token = console.post(f"/courses/{team_a.course_id}/projector").headers["Location"]
    wall = app.test_client().get(token.replace("/projector/", "/projector/", 1) + "/poll")
    page = console.get(f"/courses/{team_a.course_id}/polls").get_data(as_text=True)
    for html in (wall.get_data(as_text=True), page):
        assert "Er I klar til næste runde?" in html
        assert "1 · 100 %" in html
        assert "Citizen Team A 0" not in html


# -- the routes ---------------------------------------------------------------------------------


def test_a_phone_votes_sees_its_vote_after_a_reload_and_changes_it(app, team_a):
    poll = _poll(app, team_a)
    phone = signed_in_citizen(app, team_a, 0)
    page = phone.get("/me").get_data(as_text=True)
    assert "Er I klar til næste runde?" in page and 'type="radio"' in page
    answer = hx_post(phone, f"/courses/{team_a.course_id}/polls/{poll}/vote", choice="2")
    assert answer.status_code == 200
    assert "Din stemme er talt med" in answer.get_data(as_text=True)
    page = phone.get("/me").get_data(as_text=True)
    assert 'value="2" checked' in page
    hx_post(phone, f"/courses/{team_a.course_id}/polls/{poll}/vote", choice="3")
    assert _counts(app, poll) == (1, [0, 0, 1])


def test_voting_after_close_is_refused_with_a_clear_message(app, team_a):
    poll = _poll(app, team_a)
    phone = signed_in_citizen(app, team_a, 0)
    console = signed_in_staff(app, FACILITATOR_A)
    assert hx_post(console, f"/courses/{team_a.course_id}/polls/{poll}/close").status_code == 200
    answer = hx_post(phone, f"/courses/{team_a.course_id}/polls/{poll}/vote", choice="1")
    assert answer.status_code == 409  # the toast: the form goes with the close's ping
    assert answer.get_data(as_text=True) == "Afstemningen er lukket."
    assert _counts(app, poll) == (0, [0, 0, 0])


def test_the_console_form_comes_back_with_what_was_typed_and_why(app, team_a):
    console = signed_in_staff(app, FACILITATOR_A)
    answer = hx_post(console, f"/courses/{team_a.course_id}/polls", kind="single",
                     question="Hvilken dag passer?", options="Mandag")
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "mindst to svarmuligheder" in html
    assert 'value="Hvilken dag passer?"' in html and ">Mandag</textarea>" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Poll)) == 0


def test_another_courses_phone_cannot_vote(app, make_world):
    a = make_world("Team A")
    b = make_world("Team B")
    poll = _poll(app, a)
    phone = signed_in_citizen(app, b, 0)
    assert hx_post(phone, f"/courses/{a.course_id}/polls/{poll}/vote",
                   choice="1").status_code == 404
    assert hx_post(phone, f"/courses/{b.course_id}/polls/{poll}/vote",
                   choice="1").status_code == 404


def test_a_check_in_without_a_question_asks_the_methods_question(app, team_a):
    console = signed_in_staff(app, FACILITATOR_A)
    answer = hx_post(console, f"/courses/{team_a.course_id}/polls", kind="checkin",
                     question="", options="")
    assert answer.status_code == 200
    assert "Hvordan har du det med din plan lige nu?" in answer.get_data(as_text=True)


# -- coalescing ---------------------------------------------------------------------------------


def test_a_burst_of_votes_is_pushed_a_few_times_and_converges_to_the_final_count(
        app, make_world):
    world = make_world(citizens=30, capacity=40)
    poll = _poll(app, world)
    console = signed_in_staff(app, FACILITATOR_A)
    hx_post(console, f"/courses/{world.course_id}/polls/{poll}/show", shown="1")
    screen = socketio.test_client(app, flask_test_client=console)
    screen.get_received()
    phones = [signed_in_citizen(app, world, i) for i in range(30)]
    started = time.monotonic()
    for i, phone in enumerate(phones):
        assert hx_post(phone, f"/courses/{world.course_id}/polls/{poll}/vote",
                       choice=str(i % 3 + 1)).status_code == 200
    elapsed = time.monotonic() - started
    counts: list[str] = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the trailing push, within an interval or so
        time.sleep(pushes.INTERVAL)
        counts += pushes_to(screen, f"poll-{poll}-results")
        if counts and "30 stemmer" in counts[-1]:
            break
    # at most one push per interval, plus the first and the trailing one
    assert 1 <= len(counts) <= elapsed / pushes.INTERVAL + 2, (len(counts), elapsed)
    assert len(counts) < 30
    assert "30 stemmer" in counts[-1]
    assert "10 · 33 %" in counts[-1]


# -- prepared in the agenda editor --------------------------------------------------------------


def _item(app, world) -> int:
    from datetime import time as clock

    from course.schedule.models import AgendaItem, Day, ItemKind

    with app.app_context():
        item = AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=0,
                          starts_at=clock(13), ends_at=clock(13, 30), kind=ItemKind.PLENARY,
                          title="Velkommen")
        db.session.add(item)
        db.session.commit()
        return item.id


def test_a_poll_prepared_on_an_item_in_the_agenda_is_offered_while_the_item_is_on(app, team_a):
    from course.live import day as live_day
    from course.schedule.models import Day

    item = _item(app, team_a)
    console = signed_in_staff(app, FACILITATOR_A)
    agenda = console.get(f"/courses/{team_a.course_id}/agenda").get_data(as_text=True)
    assert f"/courses/{team_a.course_id}/items/{item}/polls/new" in agenda
    assert console.get(f"/courses/{team_a.course_id}/items/{item}/polls/new").status_code == 200
    refused = console.post(f"/courses/{team_a.course_id}/items/{item}/polls",
                           data={"kind": "single", "question": "Hvem kender budgetmetoden?",
                                 "options": "Ja"})
    assert refused.status_code == 422
    assert "mindst to svarmuligheder" in refused.get_data(as_text=True)
    assert 'value="Hvem kender budgetmetoden?"' in refused.get_data(as_text=True)
    made = console.post(f"/courses/{team_a.course_id}/items/{item}/polls",
                        data={"kind": "single", "question": "Hvem kender budgetmetoden?",
                              "options": "Ja\nNej"})
    assert made.status_code == 303 and made.headers["Location"].endswith(f"#item-{item}")
    agenda = console.get(f"/courses/{team_a.course_id}/agenda").get_data(as_text=True)
    assert "Hvem kender budgetmetoden?" in agenda
    # not on the console before the item is on; there once it is
    assert "Hvem kender budgetmetoden?" not in console.get(
        f"/courses/{team_a.course_id}/polls").get_data(as_text=True)
    with app.app_context():
        live_day.start_day(db.session.get(Course, team_a.course_id), Day.KICKOFF)
        db.session.commit()
    assert "Hvem kender budgetmetoden?" in console.get(
        f"/courses/{team_a.course_id}/polls").get_data(as_text=True)


def test_an_item_of_another_course_takes_no_poll(app, make_world):
    a = make_world("Team A")
    b = make_world("Team B")
    item = _item(app, b)
    console = signed_in_staff(app, FACILITATOR_A)
    assert console.post(f"/courses/{a.course_id}/items/{item}/polls",
                        data={"kind": "scale", "question": "Hvor klar?"}).status_code == 404
    assert console.get(f"/courses/{a.course_id}/items/{item}/polls/new").status_code == 404


def test_the_coalescer_pushes_at_once_then_once_more_after_the_interval(app, monkeypatch):
    """The rule itself, with the clock held still: the first vote pushes at once; every vote
    within the interval after it only marks the room, and one trailing push is scheduled (not
    one per vote); the trailing push clears the mark, so a vote after it schedules the next."""
    now = [100.0]
    sent: list[str] = []
    scheduled: list[tuple] = []
    monkeypatch.setattr(coalesce.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(pushes, "_push_counts_now", lambda c, p: sent.append("push"))
    monkeypatch.setattr(coalesce.socketio, "start_background_task",
                        lambda task, *args: scheduled.append(args))
    monkeypatch.setattr(coalesce.socketio, "sleep", lambda seconds: None)
    monkeypatch.setattr(pushes.coalescer, "_marks", {})
    with app.test_request_context():
        pushes.after_vote(1, 7)
        assert sent == ["push"] and scheduled == []
        for _ in range(54):
            now[0] += 0.001
            pushes.after_vote(1, 7)
        assert sent == ["push"] and len(scheduled) == 1
        _app, key, wait = scheduled[0]
        assert key == (1, 7) and 0 < wait <= pushes.INTERVAL
        now[0] += wait
        pushes.coalescer.trailing(app, key, wait)
        assert sent == ["push", "push"] and not pushes.coalescer.is_dirty((1, 7))
        pushes.after_vote(1, 7)  # right after the trailing push: the next one is scheduled
        assert sent == ["push", "push"] and len(scheduled) == 2
        now[0] += 1
        pushes.after_vote(2, 8)  # another poll's room is its own
        assert sent == ["push", "push", "push"]
