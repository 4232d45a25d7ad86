"""Round comments held for review, in the room (issue 15, point 8): in a course that holds
comments, nothing reaches the plan's owner or the wall until a facilitator lets it through; the
comment's author sees it as waiting for a facilitator, and later as delivered or hidden — they
alone. The board counts only comments that reached the owner.

Each test names the rule it proves; each would fail without it.
"""

from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa

from course.extensions import db, socketio
from course.schedule.models import AgendaItem, Course, Day, ItemKind
from peerreview.models import Assignment, Feedback, Round, Snapshot
from tests.conftest import hx_post, join_citizen, login_staff, pushed

TEXT = "Dit budget er for dyrt, tænk dig om"
HX = {"HX-Request": "true"}


@pytest.fixture
def world(app, make_world, make_draft):
    """Team A's course holding comments for review, a sparring item, four citizens with plans."""
    world = make_world(citizens=4)
    with app.app_context():
        db.session.add(AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=0,
                                  starts_at=time(13), ends_at=time(14),
                                  kind=ItemKind.SPARRING_ROUND, title="Sparring"))
        db.session.get(Course, world.course_id).hold_comments = True
        db.session.commit()
    for n, (citizen_id, _code) in enumerate(world.citizens):
        make_draft(citizen_id, world.course_id, goal=f"Mål nummer {n}", lines=[
            {"title": f"Truckkørekort {n}", "amount": 9000, "change": "Jeg kan køre truck"}])
    return world


@pytest.fixture
def console(app, world):
    client = app.test_client()
    login_staff(client, "fac@teama.dk")
    return client


@pytest.fixture
def phones(app, world):
    clients = []
    for _citizen_id, code in world.citizens[:3]:
        phone = app.test_client()
        join_citizen(phone, world.course_code, code)
        clients.append(phone)
    return clients


@pytest.fixture
def round_(app, world, console, phones) -> Round:
    assert hx_post(console, f"/courses/{world.course_id}/session/start",
                   day="kickoff").status_code == 200
    assert hx_post(console, f"/courses/{world.course_id}/rounds", grouping="rotation",
                   min_feedback="2").status_code == 200
    with app.app_context():
        found = db.session.scalars(sa.select(Round)).one()
        db.session.expunge(found)
        return found


def _comment(app, world, round_, phone, index: int, text: str = TEXT):
    """``phone`` (citizen ``index``) comments on the plan it is sent to: (answer, comment id,
    index of the plan's owner)."""
    phone.get(f"/rounds/{round_.id}/review")
    with app.app_context():
        snapshot_id = db.session.scalars(sa.select(Assignment.snapshot_id).where(
            Assignment.round_id == round_.id,
            Assignment.reviewer_ref == world.citizens[index][0],
            Assignment.completed_at.is_(None))).one()
        owner = db.session.get(Snapshot, snapshot_id).owner_ref
    response = hx_post(phone, f"/rounds/{round_.id}/review", snapshot_id=str(snapshot_id),
                       criterion="effect", stem="like", text=text)
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    with app.app_context():
        feedback_id = db.session.scalars(sa.select(Feedback.id).where(
            Feedback.text == text)).one()
    return response.get_data(as_text=True), feedback_id, [c for c, _ in world.citizens].index(
        owner)


def _projector(app, world, console):
    token = console.post(f"/courses/{world.course_id}/projector").headers["Location"].rsplit(
        "/", 1)[1]
    return token, socketio.test_client(app, flask_test_client=app.test_client(),
                                       auth={"display": token})


def _sockets(app, *clients):
    socks = [socketio.test_client(app, flask_test_client=c) for c in clients]
    for sock in socks:
        sock.get_received()
    return socks


def _moderate(console, world, round_, feedback_id, action, status=200):
    response = hx_post(console, f"/courses/{world.course_id}/rounds/{round_.id}/feedback/"
                       f"{feedback_id}/{action}")
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    return response


def _board(console, world) -> str:
    return console.get(f"/courses/{world.course_id}/now", headers=HX).get_data(as_text=True)


def test_a_held_comment_is_in_no_push_to_the_wall_the_phones_or_the_owner(app, world, console,
                                                                          phones, round_):
    token, wall = _projector(app, world, console)
    console_sock, *phone_socks = _sockets(app, console, *phones)
    wall.get_received()
    answer, feedback_id, owner = _comment(app, world, round_, phones[0], 0)
    # the author is told it waits, beside the form and in their list of comments
    assert "Tak. Din feedback venter på facilitator, før ejeren ser den." in answer
    given = answer[answer.index('id="round-given"'):]
    assert "Venter på facilitator" in given and TEXT in given
    # the wall and every phone (the owner's too) got nothing at all
    assert pushed(wall) == []
    for sock in phone_socks:
        assert pushed(sock) == []
    # the consoles: the comment, waiting, with "let through", and the hint that counts it
    on_console = {f["target"]: f["html"] for f in pushed(console_sock)}
    prefix = f"round-{round_.id}"
    assert set(on_console) == {f"{prefix}-moderation-hint", f"{prefix}-moderation-list"}
    row = on_console[f"{prefix}-moderation-list"]
    assert TEXT in row and "Venter på dig" in row and f"/{feedback_id}/release" in row
    assert "/pin" not in row  # not on the wall before it is let through
    assert "1 kommentar venter på, at du lukker den igennem" in on_console[
        f"{prefix}-moderation-hint"]
    # not on the owner's phone, nor counted on the board
    mine = phones[owner].get(f"/rounds/{round_.id}/mine").get_data(as_text=True)
    assert TEXT not in mine
    assert "0/2" in _board(console, world) and "1/2" not in _board(console, world)
    assert TEXT not in app.test_client().get(f"/projector/{token}").get_data(as_text=True)
    # the waiting comment cannot be pinned to the wall by a forged request
    response = _moderate(console, world, round_, feedback_id, "pin", 422)
    assert "Luk først kommentaren igennem." in response.get_data(as_text=True)


def test_letting_it_through_delivers_it_counts_it_and_tells_the_author(app, world, console,
                                                                      phones, round_):
    _answer, feedback_id, owner = _comment(app, world, round_, phones[0], 0)
    token, wall = _projector(app, world, console)
    author_sock, owner_sock = _sockets(app, phones[0], phones[owner])
    wall.get_received()
    _moderate(console, world, round_, feedback_id, "release")
    prefix = f"round-{round_.id}"
    on_wall = {f["target"]: f["html"] for f in pushed(wall)}
    assert "1/2" in on_wall[f"{prefix}-draft-{world.citizens[owner][0]}"]
    assert TEXT not in "".join(on_wall.values())  # the wall shows counts, not the text
    assert sorted(f["target"] for f in pushed(owner_sock)) == ["round-mine", "round-ping"]
    author = pushed(author_sock)
    assert {"target": "round-given", "html": "", "swap": "refetch"} in author
    assert TEXT in phones[owner].get(f"/rounds/{round_.id}/mine").get_data(as_text=True)
    given = phones[0].get(f"/rounds/{round_.id}/given").get_data(as_text=True)
    assert "Leveret" in given and "Venter" not in given
    with app.app_context():
        assert db.session.get(Feedback, feedback_id).released_by_ref == world.facilitator_id


def test_a_hidden_comment_is_told_to_its_author_only(app, world, console, phones, round_):
    _answer, feedback_id, owner = _comment(app, world, round_, phones[0], 0)
    author_sock, owner_sock = _sockets(app, phones[0], phones[owner])
    _moderate(console, world, round_, feedback_id, "hide")
    assert {"target": "round-given", "html": "", "swap": "refetch"} in pushed(author_sock)
    assert all(TEXT not in f["html"] for f in pushed(owner_sock))
    given = phones[0].get(f"/rounds/{round_.id}/given").get_data(as_text=True)
    assert "Skjult af facilitator" in given and "Ejeren ser den ikke. Kun du ser dette." in given
    for other in (phones[owner], phones[3 - owner]):  # the owner, and the third phone
        assert "Skjult" not in other.get(f"/rounds/{round_.id}/given").get_data(as_text=True)
        assert TEXT not in other.get(f"/rounds/{round_.id}/mine").get_data(as_text=True)
    # hidden is decided: it is not let through afterwards
    response = _moderate(console, world, round_, feedback_id, "release", 422)
    assert "Kommentaren er blevet skjult imens" in response.get_data(as_text=True)


def test_comments_that_wait_do_not_count_towards_the_minimum(app, world, console, phones,
                                                             round_):
    """Every plan has comments, all of them waiting: the board still counts no one as served,
    and the round closes only with a reason — until they are let through."""
    comments = []
    for turn in range(2):
        for index, phone in enumerate(phones):
            comments.append(_comment(app, world, round_, phone, index,
                                     text=f"Kommentar {turn}-{index}")[1])
    board = _board(console, world)
    assert "0/2" in board and "6 kommentarer venter på, at du lukker dem igennem" in board
    base = f"/courses/{world.course_id}/rounds/{round_.id}"
    with app.app_context():
        version = db.session.get(Round, round_.id).version
    refused = hx_post(console, f"{base}/close", version=str(version), override_reason="")
    assert refused.status_code == 422
    for feedback_id in comments:
        _moderate(console, world, round_, feedback_id, "release")
    assert "2/2" in _board(console, world)
    with app.app_context():
        version = db.session.get(Round, round_.id).version
    closed = hx_post(console, f"{base}/close", version=str(version), override_reason="")
    assert closed.status_code == 200 and "Runden er lukket." in closed.get_data(as_text=True)


def test_a_comment_never_let_through_does_not_travel_with_the_plan(app, world, console, phones,
                                                                   round_):
    _answer, _feedback_id, owner = _comment(app, world, round_, phones[0], 0)
    hx_post(console, f"/courses/{world.course_id}/rounds/{round_.id}/close",
            override_reason="Tiden er gået")
    assert TEXT not in phones[owner].get("/me/budget").get_data(as_text=True)


def test_turning_holding_on_mid_round_holds_the_next_comment(app, world, console, phones,
                                                            round_):
    with app.app_context():
        db.session.get(Course, world.course_id).hold_comments = False
        db.session.commit()
    answer, first, _owner = _comment(app, world, round_, phones[0], 0, text="Først")
    assert "Tak. Din feedback er sendt." in answer
    with app.app_context():
        db.session.get(Course, world.course_id).hold_comments = True
        db.session.commit()
    _answer, second, _owner = _comment(app, world, round_, phones[1], 1, text="Bagefter")
    with app.app_context():
        assert not db.session.get(Feedback, first).held
        assert db.session.get(Feedback, second).held


def test_the_review_page_is_live_and_lists_the_authors_comments(app, world, phones, round_):
    _comment(app, world, round_, phones[0], 0)
    page = phones[0].get(f"/rounds/{round_.id}/review").get_data(as_text=True)
    assert "data-live-streams=" in page
    assert f'id="round-given" data-live-src="/rounds/{round_.id}/given"' in page
    assert "En facilitator læser hver kommentar, før ejeren ser den." in page
    assert "Venter på facilitator" in page
    # the phone's round region reads the same list
    now = phones[0].get(f"/courses/{world.course_id}/now", headers=HX).get_data(as_text=True)
    assert f'id="round-given" data-live-src="/rounds/{round_.id}/given"' in now


def test_no_one_reads_another_reviewers_comments(app, world, make_world, phones, round_):
    _comment(app, world, round_, phones[0], 0)
    assert TEXT not in phones[1].get(f"/rounds/{round_.id}/given").get_data(as_text=True)
    other = make_world("Team B")
    stranger = app.test_client()
    join_citizen(stranger, other.course_code, other.citizens[0][1])
    assert stranger.get(f"/rounds/{round_.id}/given").status_code == 404
