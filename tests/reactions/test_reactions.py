"""Reactions: the course's set (chosen by its facilitators, never a laughing face), a phone's
limit per minute, what is stored and pushed (counts, nobody named), and the coalesced pushes
of a burst (bounded, and converging to the final count)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from course.extensions import db, socketio
from course.people.models import Citizen
from course.reactions import pushes, services
from course.reactions.models import Reaction
from course.realtime import coalesce
from course.types import utcnow
from tests.conftest import (
    FACILITATOR_A,
    hx_post,
    pushed,
    pushes_to,
    signed_in_citizen,
    signed_in_staff,
)


def _react(phone, world, emoji: str, status: int = 200) -> str:
    response = hx_post(phone, f"/courses/{world.course_id}/reactions", emoji=emoji)
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


def _projector(app, world, console):
    token = console.post(f"/courses/{world.course_id}/projector").headers["Location"].rsplit(
        "/", 1)[1]
    sock = socketio.test_client(app, flask_test_client=app.test_client(),
                                auth={"display": token})
    sock.get_received()
    return token, sock


def _rows(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Reaction))


# -- the set ------------------------------------------------------------------------------------


def test_a_phone_offers_the_default_set_with_names_and_sends_one(app, team_a):
    phone = signed_in_citizen(app, team_a)
    page = phone.get("/me").get_data(as_text=True)
    for name in ("Tommelfinger op", "Hjerte", "God idé", "Klapsalver"):
        assert f'aria-label="{name}"' in page
    assert "😂" not in page and "🤣" not in page
    answer = _react(phone, team_a, "👏")
    assert "Sendt: Klapsalver" in answer
    assert _rows(app) == 1


@pytest.mark.parametrize("emoji, message", [
    ("😂", "Et grinende ansigt kan virke som hån"),
    ("🤣", "Et grinende ansigt kan virke som hån"),
    ("🎉", "Forløbet bruger ikke den reaktion."),  # allowed, but not in this course's set
    ("<b>x</b>", "Forløbet bruger ikke den reaktion."),
    ("", "Forløbet bruger ikke den reaktion."),
])
def test_a_reaction_outside_the_courses_set_is_refused(app, team_a, emoji, message):
    phone = signed_in_citizen(app, team_a)
    answer = _react(phone, team_a, emoji, 422)
    assert message in answer
    assert 'aria-label="Tommelfinger op"' in answer  # the buttons stay, in place
    assert _rows(app) == 0


def test_the_facilitator_chooses_the_set_where_the_course_is_edited(app, team_a):
    console = signed_in_staff(app, FACILITATOR_A)
    edit = console.get(f"/courses/{team_a.course_id}/edit").get_data(as_text=True)
    assert f'action="/courses/{team_a.course_id}/reactions/set"' in edit
    assert "Tommelfinger op" in edit and "😂" not in edit
    phone = signed_in_citizen(app, team_a)
    answer = hx_post(console, f"/courses/{team_a.course_id}/reactions/set",
                     emoji=["🎉", "👍"])
    assert answer.status_code == 200 and "Reaktionerne er gemt." in answer.get_data(as_text=True)
    region = phone.get(f"/courses/{team_a.course_id}/reactions").get_data(as_text=True)
    assert 'aria-label="Fejring"' in region and 'aria-label="Hjerte"' not in region
    assert "Sendt: Fejring" in _react(phone, team_a, "🎉")
    assert "Forløbet bruger ikke den reaktion." in _react(phone, team_a, "❤️", 422)


@pytest.mark.parametrize("emojis, message", [
    (["👍", "😂"], "Et grinende ansigt kan virke som hån"),
    (["👍", "🖕"], "Vælg reaktionerne på listen."),
    ([], "Vælg mindst én reaktion."),
    (list(services.ALLOWED[:7]), "Vælg højst 6 reaktioner"),
])
def test_the_set_refuses_laughing_faces_and_anything_off_the_list(app, team_a, emojis,
                                                                   message):
    console = signed_in_staff(app, FACILITATOR_A)
    answer = hx_post(console, f"/courses/{team_a.course_id}/reactions/set", emoji=emojis)
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert message in body
    for emoji in emojis:  # what was ticked stays ticked
        if emoji in services.ALLOWED:
            assert f'value="{emoji}" id' in body and "checked" in body
    with app.app_context():
        assert services.course_set(team_a.course_id) == list(services.DEFAULT)


def test_another_team_cannot_choose_the_set(app, make_world):
    a = make_world("Team A")
    b = make_world("Team B")
    console = signed_in_staff(app, FACILITATOR_A)
    assert hx_post(console, f"/courses/{b.course_id}/reactions/set",
                   emoji="👍").status_code == 404
    phone = signed_in_citizen(app, a)
    assert hx_post(phone, f"/courses/{b.course_id}/reactions", emoji="👍").status_code in (
        403, 404)
    assert _rows(app) == 0


# -- the limit ----------------------------------------------------------------------------------


def test_a_phone_may_send_so_many_a_minute_then_is_told_to_wait(app, team_a, monkeypatch):
    phone = signed_in_citizen(app, team_a, 0)
    other = signed_in_citizen(app, team_a, 1)
    for _ in range(services.LIMIT):
        _react(phone, team_a, "👍")
    refused = _react(phone, team_a, "👍", 422)
    assert f"Du har sendt {services.LIMIT} reaktioner i dette minut. Vent lidt." in refused
    assert 'aria-label="Tommelfinger op"' in refused
    assert "Sendt" in _react(other, team_a, "👍")  # another phone has its own limit
    assert _rows(app) == services.LIMIT + 1
    later = utcnow() + timedelta(seconds=61)
    monkeypatch.setattr(services, "utcnow", lambda: later)
    assert "Sendt" in _react(phone, team_a, "👍")  # the next minute


# -- anonymity ----------------------------------------------------------------------------------


def test_a_stored_reaction_names_nobody_and_its_mark_changes_every_minute(app, team_a):
    phone = signed_in_citizen(app, team_a)
    _react(phone, team_a, "💡")
    assert {c.name for c in Reaction.__table__.columns} == {
        "id", "course_id", "emoji", "sender_key", "sent_at"}
    citizen_id = team_a.citizens[0][0]
    with app.app_context():
        row = db.session.scalars(sa.select(Reaction)).one()
        assert str(citizen_id) != row.sender_key and len(row.sender_key) == 64
        minute = int(row.sent_at.timestamp() // 60)
        assert row.sender_key == services.sender_key(citizen_id, minute)
        assert services.sender_key(citizen_id, minute + 1) != row.sender_key


def test_the_projector_shows_counts_and_no_push_names_anyone(app, make_world):
    world = make_world(citizens=5)
    console = signed_in_staff(app, FACILITATOR_A)
    token, projector = _projector(app, world, console)
    watchers = [socketio.test_client(app, flask_test_client=console)]
    phones = [signed_in_citizen(app, world, i) for i in range(5)]
    watchers += [socketio.test_client(app, flask_test_client=p) for p in phones]
    for sock in watchers:
        sock.get_received()
    for i, phone in enumerate(phones):
        _react(phone, world, "👏" if i < 3 else "❤️")
    time.sleep(pushes.INTERVAL * 2)
    html = [f["html"] for sock in [projector, *watchers] for f in pushed(sock)]
    with app.app_context():
        names = [c.name for c in db.session.scalars(sa.select(Citizen))]
    assert html
    for fragment in html:
        for name in names:
            assert name not in fragment and name.split()[0] not in fragment
    region = app.test_client().get(f"/projector/{token}/reactions").get_data(as_text=True)
    assert "×3" in region and "×2" in region
    assert region.index("👏") < region.index("❤️")  # most first
    for name in names:
        assert name not in region


# -- coalescing ---------------------------------------------------------------------------------


def test_a_burst_of_reactions_is_pushed_a_few_times_and_converges_to_the_final_count(
        app, make_world):
    world = make_world(citizens=30, capacity=40)
    console = signed_in_staff(app, FACILITATOR_A)
    _token, projector = _projector(app, world, console)
    phones = [signed_in_citizen(app, world, i) for i in range(30)]
    started = time.monotonic()
    for phone in phones:
        _react(phone, world, "👏")
    elapsed = time.monotonic() - started
    bursts: list[str] = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the trailing push, within an interval or so
        time.sleep(pushes.INTERVAL)
        bursts += pushes_to(projector, "reactions")
        if bursts and "×30" in bursts[-1]:
            break
    assert 1 <= len(bursts) <= elapsed / pushes.INTERVAL + 2, (len(bursts), elapsed)
    assert len(bursts) < 30
    assert "×30" in bursts[-1]


def test_the_coalescer_pushes_a_room_at_once_then_once_more_after_the_interval(
        app, monkeypatch):
    """The shared rule with the clock held still, for reactions' rooms (one per course)."""
    now = [100.0]
    sent: list[object] = []
    scheduled: list[tuple] = []
    monkeypatch.setattr(coalesce.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(coalesce.socketio, "start_background_task",
                        lambda task, *args: scheduled.append(args))
    monkeypatch.setattr(coalesce.socketio, "sleep", lambda seconds: None)
    monkeypatch.setattr(pushes.coalescer, "push", sent.append)
    monkeypatch.setattr(pushes.coalescer, "_marks", {})
    with app.test_request_context():
        pushes.after_reaction(1)
        for _ in range(54):
            now[0] += 0.001
            pushes.after_reaction(1)
        assert sent == [1] and len(scheduled) == 1
        _app, key, wait = scheduled[0]
        now[0] += wait
        pushes.coalescer.trailing(app, key, wait)
        assert sent == [1, 1] and not pushes.coalescer.is_dirty(1)
        pushes.after_reaction(2)  # another course's room is its own
        assert sent == [1, 1, 2]
