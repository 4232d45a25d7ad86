"""Peer-review rounds in the room: the facilitator starts a round from the present participants'
drafts, phones review the plan they are sent to, the board and the owner's view follow."""

from __future__ import annotations

import re
from datetime import time

import pytest
import sqlalchemy as sa
from flask import template_rendered

from course import realtime
from course.extensions import db, socketio
from course.schedule.models import AgendaItem, Day, ItemKind
from peerreview.models import Assignment, Feedback, Round, Snapshot
from tests.conftest import (
    CONSULTANT_A,
    FACILITATOR_A,
    element_by_id,
    hx_post,
    join_citizen,
    pushed,
    pushes_to,
    signed_in_citizen,
    signed_in_staff,
    sql_statements,
    without_csrf,
)

SECRET_LINE = "Hemmelig tandlæge"
SECRET_MOTIVATION = "Min hemmelige motivation"


@pytest.fixture
def team_a(make_world):
    """Team A with four citizens: ``phones`` brings three, the fourth stays at home."""
    return make_world(citizens=4)


@pytest.fixture
def sparring_course(app, team_a, make_draft):
    """Team A's course with a sparring round and a break on the kickoff day; every citizen has
    a draft with a public line, a private line and a motivation that is not shared."""
    with app.app_context():
        db.session.add(AgendaItem(course_id=team_a.course_id, day=Day.KICKOFF, position=0,
                                  starts_at=time(13), ends_at=time(14),
                                  kind=ItemKind.SPARRING_ROUND, title="Sparring"))
        db.session.add(AgendaItem(course_id=team_a.course_id, day=Day.KICKOFF, position=1,
                                  starts_at=time(14), ends_at=time(14, 10),
                                  kind=ItemKind.BREAK, title="Pause"))
        db.session.commit()
    for n, (citizen_id, _code) in enumerate(team_a.citizens):
        make_draft(citizen_id, team_a.course_id, goal=f"Mål nummer {n}", lines=[
            {"title": f"Truckkørekort {n}", "amount": 9000, "change": "Jeg kan køre truck"},
            {"title": SECRET_LINE, "amount": 4000, "private": True},
        ])
    with app.app_context():
        from course.budgets.models import Draft
        for draft in db.session.scalars(sa.select(Draft)):
            draft.motivation = SECRET_MOTIVATION
        db.session.commit()
    return team_a


@pytest.fixture
def phones(app, sparring_course):
    """The first three participants sign in (and are checked in); the fourth stays home."""
    return [signed_in_citizen(app, sparring_course, index) for index in range(3)]


def _start_day(facilitator_client, sparring_course):
    assert hx_post(facilitator_client, f"/courses/{sparring_course.course_id}/session/start",
                 day="kickoff").status_code == 200


def _start_round(facilitator_client, sparring_course, **form):
    data = {"grouping": "rotation", "min_feedback": "2"} | form
    response = hx_post(facilitator_client, f"/courses/{sparring_course.course_id}/rounds", **data)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def _round(app) -> Round:
    with app.app_context():
        round_ = db.session.scalars(sa.select(Round)).one()
        db.session.expunge(round_)
        return round_


def _assigned(app, round_id, citizen_id) -> int:
    with app.app_context():
        return db.session.scalars(sa.select(Assignment.snapshot_id).where(
            Assignment.round_id == round_id, Assignment.reviewer_ref == citizen_id,
            Assignment.completed_at.is_(None))).one()


def _feedback_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Feedback))


@pytest.fixture
def running(app, sparring_course, facilitator_client, phones):
    """The kickoff day started and a round open on the sparring item, three phones in it."""
    _start_day(facilitator_client, sparring_course)
    _start_round(facilitator_client, sparring_course)
    return _round(app)


def _give(phone, round_id, snapshot_id, text="Jeg kan lide dit mål", **extra):
    data = {"snapshot_id": str(snapshot_id), "criterion": "effect", "stem": "like",
            "text": text} | extra
    return hx_post(phone, f"/rounds/{round_id}/review", **data)


# -- starting and closing -------------------------------------------------------------------


def test_a_round_freezes_the_present_participants_drafts(app, sparring_course, running,
                                                         facilitator_client):
    assert running.state == "open" and running.course_ref == sparring_course.course_id
    with app.app_context():
        owners = set(db.session.scalars(sa.select(Snapshot.owner_ref)))
        contents = [s.content for s in db.session.scalars(sa.select(Snapshot))]
        item = db.session.scalars(sa.select(AgendaItem).where(
            AgendaItem.kind == ItemKind.SPARRING_ROUND)).one()
    assert running.agenda_item_ref == item.id
    assert owners == {c for c, _ in sparring_course.citizens[:3]}  # the absent fourth is not in it
    assert all(len(c["lines"]) == 2 for c in contents)
    console = facilitator_client.get(f"/courses/{sparring_course.course_id}/now",
                                     headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "0/2" in console and "Luk runden" in console


def test_a_round_starts_only_during_a_sparring_item(app, sparring_course, facilitator_client,
                                                    phones):
    assert hx_post(facilitator_client,
                   f"/courses/{sparring_course.course_id}/rounds").status_code == 422
    _start_day(facilitator_client, sparring_course)
    hx_post(facilitator_client, f"/courses/{sparring_course.course_id}/session/next")
    response = hx_post(facilitator_client, f"/courses/{sparring_course.course_id}/rounds")
    assert response.status_code == 422
    assert "Start en runde under et sparringspunkt" in response.get_data(as_text=True)


def test_only_the_courses_facilitators_start_rounds(app, sparring_course, make_world, phones,
                                                    facilitator_client):
    _start_day(facilitator_client, sparring_course)
    make_world("Team B")
    other = signed_in_staff(app, "fac@teamb.dk")
    path = f"/courses/{sparring_course.course_id}/rounds"
    assert hx_post(other, path).status_code == 404
    assert hx_post(phones[0], path).status_code == 403


def test_closing_below_the_minimum_needs_a_reason(app, sparring_course, running,
                                                  facilitator_client):
    path = f"/courses/{sparring_course.course_id}/rounds/{running.id}/close"
    response = hx_post(facilitator_client, path)
    assert response.status_code == 422
    assert "Skriv en begrundelse" in response.get_data(as_text=True)
    assert _round(app).state == "open"
    assert hx_post(facilitator_client, path, override_reason="Tiden er gået").status_code == 200
    closed = _round(app)
    assert closed.state == "closed" and closed.override_reason == "Tiden er gået"


# -- the reviewer's phone -------------------------------------------------------------------


def test_the_phone_shows_the_peer_view_without_private_parts(app, sparring_course, running, phones):
    page = phones[0].get(f"/rounds/{running.id}/review").get_data(as_text=True)
    assert "Plan fra Citizen Team A" in page and "Truckkørekort" in page
    assert "Jeg kan køre truck" in page and "Jeg kan lide…" in page
    assert "Planen kan ændre jobchancerne" in page
    assert SECRET_LINE not in page and SECRET_MOTIVATION not in page
    own = "Mål nummer 0"
    assert own not in page  # never their own draft


def test_feedback_is_stored_and_the_board_follows(app, sparring_course, running, phones,
                                                  facilitator_client):
    token, wall = _projector(app, sparring_course, facilitator_client)
    phone_sockets = [socketio.test_client(app, flask_test_client=phone) for phone in phones]
    console_socket = socketio.test_client(app, flask_test_client=facilitator_client)
    for sock in (wall, *phone_sockets, console_socket):
        sock.get_received()

    phones[0].get(f"/rounds/{running.id}/review")
    snapshot_id = _assigned(app, running.id, sparring_course.citizens[0][0])
    response = _give(phones[0], running.id, snapshot_id, text="Godt valg af kørekort")
    assert response.status_code == 200 and "Tak. Din feedback er sendt." in response.get_data(
        as_text=True)
    assert _feedback_count(app) == 1

    with app.app_context():
        owner = db.session.get(Snapshot, snapshot_id).owner_ref
    # the wall and the console get what the comment changed: the headline and the plan's tile
    # (the tile swapped whole: it may have turned from waiting to reached), not the board
    prefix = f"round-{running.id}"
    on_wall = {f["target"]: f for f in pushed(wall)}
    assert set(on_wall) == {f"{prefix}-total", f"{prefix}-draft-{owner}"}
    tile = on_wall[f"{prefix}-draft-{owner}"]
    assert tile["swap"] == "outerHTML" and tile["html"].strip().startswith(
        f'<li class="round-draft is-waiting" id="{prefix}-draft-{owner}">')
    assert "1/2" in tile["html"] and "venter" in tile["html"]
    total = on_wall[f"{prefix}-total"]["html"]
    assert "1 kommentar" in total and "3 planer venter på feedback" in total
    board = total + tile["html"]
    assert "Godt valg af kørekort" not in board  # no text on the wall unless pinned
    on_console = {f["target"]: f for f in pushed(console_socket)}
    assert set(on_console) == {*on_wall, f"{prefix}-moderation-hint", f"{prefix}-moderation-list"}
    # the comment itself goes on top of the console's list, not the list again
    listed = on_console[f"{prefix}-moderation-list"]
    assert listed["swap"] == "afterbegin" and listed["html"].count("<li") == 1
    moderation = listed["html"]
    assert "Godt valg af kørekort" in moderation and "Skjul" in moderation
    assert on_console[f"{prefix}-moderation-hint"]["html"] == ""  # 1 comment: all are listed
    owner_index = [c for c, _ in sparring_course.citizens].index(owner)
    for n, sock in enumerate(phone_sockets):
        received = pushed(sock)
        # a phone gets nothing of the board or the consoles' list: only these two
        assert {f["target"] for f in received} <= {"round-ping", "round-mine"}
        # every phone: the room's progress (no names, no text)
        [progress] = [f["html"] for f in received if f["target"] == "round-ping"]
        assert "1 kommentar indtil nu" in progress and "3 planer venter stadig" in progress
        # the owner's phones alone: read your own feedback afresh (a ping: no markup that
        # would stay behind in the page, nothing of the comment)
        mine = [f for f in received if f["target"] == "round-mine"]
        assert mine == ([{"target": "round-mine", "html": "", "swap": "refetch"}]
                        if n == owner_index else [])
        assert "Godt valg" not in progress and "Citizen" not in progress
    for html in (board, moderation):
        assert SECRET_LINE not in html and SECRET_MOTIVATION not in html

    owner_phone = phones[owner_index]
    mine = owner_phone.get(f"/rounds/{running.id}/mine").get_data(as_text=True)
    assert "Planen kan ændre jobchancerne" in mine
    assert "Jeg kan lide…</span> Godt valg af kørekort" in mine


def test_a_comment_on_a_plan_one_was_not_sent_to_is_refused(app, sparring_course, running, phones):
    phones[0].get(f"/rounds/{running.id}/review")
    assigned = _assigned(app, running.id, sparring_course.citizens[0][0])
    with app.app_context():
        other = db.session.scalars(sa.select(Snapshot.id).where(
            Snapshot.id != assigned, Snapshot.owner_ref != sparring_course.citizens[0][0])).first()
    response = _give(phones[0], running.id, other)
    assert response.status_code == 422
    assert "Du blev ikke sendt til denne plan" in response.get_data(as_text=True)
    assert _give(phones[0], running.id, 99999).status_code == 404  # forged draft
    assert _give(phones[0], 99999, assigned).status_code == 404  # forged round
    assert _feedback_count(app) == 0


def test_bad_text_is_refused_with_a_danish_message(app, sparring_course, running, phones):
    phones[0].get(f"/rounds/{running.id}/review")
    assigned = _assigned(app, running.id, sparring_course.citizens[0][0])
    response = _give(phones[0], running.id, assigned, text="x" * 1001)
    assert response.status_code == 422 and "Højst 1000 tegn" in response.get_data(as_text=True)
    response = _give(phones[0], running.id, assigned, text="   ")
    assert response.status_code == 422 and "Skriv din feedback" in response.get_data(
        as_text=True)
    assert _feedback_count(app) == 0


def test_no_comments_after_the_round_closed(app, sparring_course, running, phones,
                                            facilitator_client):
    phones[0].get(f"/rounds/{running.id}/review")
    assigned = _assigned(app, running.id, sparring_course.citizens[0][0])
    hx_post(facilitator_client, f"/courses/{sparring_course.course_id}/rounds/{running.id}/close",
          override_reason="Slut")
    response = _give(phones[0], running.id, assigned)
    assert response.status_code == 422 and "Runden er lukket" in response.get_data(as_text=True)
    assert _feedback_count(app) == 0


def test_a_citizen_of_another_course_cannot_see_the_round(app, sparring_course, make_world,
                                                          running):
    other_world = make_world("Team B", citizens=1)
    stranger = signed_in_citizen(app, other_world)
    assert stranger.get(f"/rounds/{running.id}/review").status_code == 404
    assert stranger.get(f"/rounds/{running.id}/mine").status_code == 404
    assert _give(stranger, running.id, 1).status_code == 404


# -- moderation -----------------------------------------------------------------------------


def _projector(app, sparring_course, facilitator_client):
    """Open the course's projector: its display token and a socket connected with it."""
    token = facilitator_client.post(f"/courses/{sparring_course.course_id}/projector").headers[
        "Location"].rsplit("/", 1)[1]
    return token, socketio.test_client(app, flask_test_client=app.test_client(),
                                       auth={"display": token})


def _one_comment(app, sparring_course, running, phones, text):
    phones[0].get(f"/rounds/{running.id}/review")
    snapshot_id = _assigned(app, running.id, sparring_course.citizens[0][0])
    assert _give(phones[0], running.id, snapshot_id, text=text).status_code == 200
    with app.app_context():
        feedback = db.session.scalars(sa.select(Feedback)).one()
        owner = feedback.snapshot.owner_ref
        return feedback.id, phones[[c for c, _ in sparring_course.citizens].index(owner)]


def test_moderation_pushes_the_parts_a_fresh_board_shows(app, sparring_course, running, phones,
                                                        facilitator_client):
    """Pin, unpin, pin again, hide: each pushes the parts it changed — the pinned comments on
    the wall, the headline, the plan's tile and the comment's row on the console — never the
    whole board, and each part equals what the wall and the console show afresh. A pinned
    comment is shown in full on the wall; hidden, it leaves it and stops counting."""
    feedback_id, _owner = _one_comment(app, sparring_course, running, phones,
                                       "Til fælles drøftelse")
    with app.app_context():
        owner = db.session.get(Feedback, feedback_id).snapshot.owner_ref
    token, wall = _projector(app, sparring_course, facilitator_client)
    console = socketio.test_client(app, flask_test_client=facilitator_client)
    reviewer = socketio.test_client(app, flask_test_client=phones[0])  # a phone, not the owner's
    prefix = f"round-{running.id}"
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    for action in ("pin", "unpin", "pin", "hide"):
        wall.get_received()
        console.get_received()
        reviewer.get_received()
        rendered.clear()
        path = (f"/courses/{sparring_course.course_id}/rounds/{running.id}"
                f"/feedback/{feedback_id}/{action}")
        with template_rendered.connected_to(record, app):
            assert hx_post(facilitator_client, path).status_code == 200
        assert rendered.count("rounds/_board.html") == 1  # the facilitator's own answer only
        on_wall = {f["target"]: f["html"] for f in pushed(wall)}
        on_console = {f["target"]: f["html"] for f in pushed(console)}
        assert "round-board" not in on_wall and "round-board" not in on_console
        fresh_wall = app.test_client().get(f"/projector/{token}").get_data(as_text=True)
        fresh_console = without_csrf(facilitator_client.get(
            f"/courses/{sparring_course.course_id}/now", headers={"HX-Request": "true"}
        ).get_data(as_text=True))
        for target in (f"{prefix}-pinned", f"{prefix}-total"):
            assert on_wall[target] == element_by_id(fresh_wall, target)[1], (action, target)
        tile = f"{prefix}-draft-{owner}"
        assert on_wall[tile].strip() == element_by_id(fresh_wall, tile)[0], action
        row = f"{prefix}-comment-{feedback_id}"
        assert on_console[row].strip() == element_by_id(fresh_console, row)[0], action
        pinned_text = "Til fælles drøftelse" in on_wall[f"{prefix}-pinned"]
        assert pinned_text == (action == "pin"), action
        # a phone gets the room's progress only: no comment, no name; the comment's author
        # is pinged when it is hidden, and reads what became of it over HTTP
        on_phone = pushed(reviewer)
        expected = ["round-given", "round-ping"] if action == "hide" else ["round-ping"]
        assert [f["target"] for f in on_phone] == expected, action
        assert not any("Til fælles" in f["html"] or "Citizen" in f["html"] for f in on_phone)
    assert "0/2" in on_wall[tile] and "skjult" in on_console[row]


def test_a_hidden_comment_leaves_the_owner_and_the_board(app, sparring_course, running, phones,
                                                         facilitator_client):
    feedback_id, owner_phone = _one_comment(app, sparring_course, running, phones, "Upassende ord")
    assert "Upassende ord" in owner_phone.get(f"/rounds/{running.id}/mine").get_data(
        as_text=True)
    path = f"/courses/{sparring_course.course_id}/rounds/{running.id}/feedback/{feedback_id}/hide"
    response = hx_post(facilitator_client, path)
    assert response.status_code == 200 and "skjult" in response.get_data(as_text=True)
    assert "Upassende ord" not in owner_phone.get(f"/rounds/{running.id}/mine").get_data(
        as_text=True)
    console = facilitator_client.get(f"/courses/{sparring_course.course_id}/now",
                                     headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "0/2" in console  # a hidden comment does not count
    with app.app_context():
        assert db.session.get(Feedback, feedback_id).hidden  # the record stays


def test_moderation_is_for_the_courses_facilitators(app, sparring_course, make_world, running,
                                                    phones):
    feedback_id, _owner = _one_comment(app, sparring_course, running, phones, "Tekst")
    path = f"/courses/{sparring_course.course_id}/rounds/{running.id}/feedback/{feedback_id}/hide"
    make_world("Team B")
    other = signed_in_staff(app, "fac@teamb.dk")
    assert hx_post(other, path).status_code == 404
    assert hx_post(phones[1], path).status_code == 403
    with app.app_context():
        assert not db.session.get(Feedback, feedback_id).hidden


def test_a_late_joiner_brings_their_plan_into_the_round(app, sparring_course, running):
    late = signed_in_citizen(app, sparring_course, 3)
    page = late.get(f"/rounds/{running.id}/review").get_data(as_text=True)
    assert "Plan fra Citizen Team A" in page and SECRET_LINE not in page
    with app.app_context():
        owners = set(db.session.scalars(sa.select(Snapshot.owner_ref)))
    assert sparring_course.citizens[3][0] in owners


def test_a_shared_motivation_is_shown_to_peers(app, sparring_course, facilitator_client, phones):
    with app.app_context():
        from course.budgets.models import Draft
        for draft in db.session.scalars(sa.select(Draft)):
            draft.motivation_shared = True
        db.session.commit()
    _start_day(facilitator_client, sparring_course)
    _start_round(facilitator_client, sparring_course)
    page = phones[0].get(f"/rounds/{_round(app).id}/review").get_data(as_text=True)
    assert SECRET_MOTIVATION in page and SECRET_LINE not in page


def test_too_many_comments_at_once_are_rate_limited(app, sparring_course, running, phones):
    phones[0].get(f"/rounds/{running.id}/review")
    assigned = _assigned(app, running.id, sparring_course.citizens[0][0])
    for n in range(6):
        assert _give(phones[0], running.id, assigned, text=f"Kommentar {n}").status_code == 200
    response = _give(phones[0], running.id, assigned, text="En for mange")
    assert response.status_code == 422
    assert "Du har sendt flere kommentarer lige nu" in response.get_data(as_text=True)
    assert _feedback_count(app) == 6


def test_the_board_stops_waiting_when_everyone_has_the_minimum(app, sparring_course, running,
                                                               phones,
                                                               facilitator_client):
    token = facilitator_client.post(f"/courses/{sparring_course.course_id}/projector").headers[
        "Location"].rsplit("/", 1)[1]
    for n, phone in enumerate(phones):
        for _ in range(2):
            phone.get(f"/rounds/{running.id}/review")
            snapshot_id = _assigned(app, running.id, sparring_course.citizens[n][0])
            assert _give(phone, running.id, snapshot_id).status_code == 200
    wall = app.test_client().get(f"/projector/{token}").get_data(as_text=True)
    assert wall.count("2/2") == 3 and "venter" not in wall
    assert "6 kommentarer · minimum 2 pr. plan" in wall
    assert "Citizen Team A 3" not in wall  # absent: not on the board
    response = hx_post(facilitator_client,
                       f"/courses/{sparring_course.course_id}/rounds/{running.id}/close")
    assert response.status_code == 200 and _round(app).state == "closed"
    assert _round(app).override_reason is None


def test_starting_a_round_pushes_nothing_private(app, sparring_course, facilitator_client, phones):
    _start_day(facilitator_client, sparring_course)
    token, wall = _projector(app, sparring_course, facilitator_client)
    phone_socket = socketio.test_client(app, flask_test_client=phones[0])
    for sock in (wall, phone_socket):
        sock.get_received()
    _start_round(facilitator_client, sparring_course)
    round_id = _round(app).id
    phone_events = phone_socket.get_received()
    wall_events = wall.get_received()
    [now] = [f["html"] for e in phone_events if e["name"] == realtime.EVENT_FRAGMENTS
             for f in e["args"][0]["fragments"] if f["target"] == "now"]
    assert f"/rounds/{round_id}/review" in now and "Giv feedback" in now
    assert "csrf_token" not in now
    for event in phone_events + wall_events:
        text = str(event)
        assert SECRET_LINE not in text and SECRET_MOTIVATION not in text
        assert "Truckkørekort" not in text  # no plan content in any push


@pytest.mark.parametrize("anonymous", [False, True])
def test_the_owner_sees_the_reviewer_only_in_a_named_round(app, sparring_course, facilitator_client,
                                                           phones,
                                                          anonymous):
    _start_day(facilitator_client, sparring_course)
    _start_round(facilitator_client, sparring_course, **({"anonymous": "1"} if anonymous else {}))
    round_ = _round(app)
    assert round_.anonymous is anonymous
    feedback_id, owner_phone = _one_comment(app, sparring_course, round_, phones, "Fin plan")
    mine = owner_phone.get(f"/rounds/{round_.id}/mine").get_data(as_text=True)
    reviewer = "Citizen Team A 0"
    assert "Fin plan" in mine
    assert (reviewer in mine) is not anonymous
    console = facilitator_client.get(f"/courses/{sparring_course.course_id}/now",
                                     headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f"{reviewer} til" in console  # facilitators moderate, so they always see who


# -- the start form: duration and prompt set ------------------------------------------------


def test_the_round_takes_its_duration_and_the_facilitators_criteria(app, sparring_course,
                                                                    facilitator_client,
                                                                    phones):
    _start_day(facilitator_client, sparring_course)
    _start_round(facilitator_client, sparring_course, minutes="20",
                 criteria="Er målet tydeligt?\n\n  Passer priserne?  \n")
    round_ = _round(app)
    assert round_.duration_seconds == 20 * 60
    assert [c["label"] for c in round_.prompt_set["criteria"]] == ["Er målet tydeligt?",
                                                                   "Passer priserne?"]
    page = phones[0].get(f"/rounds/{round_.id}/review").get_data(as_text=True)
    assert "Er målet tydeligt?" in page and "Planen kan ændre jobchancerne" not in page
    assert "Hvad nu hvis…" in page
    console = facilitator_client.get(f"/courses/{sparring_course.course_id}/now",
                                     headers={"HX-Request": "true"}).get_data(as_text=True)
    # the round's 20 minutes, said as the round's (the item's countdown is the console's clock)
    assert "Runden: 20 min. tilbage" in console and 'data-minutes-left data-remaining="1' in console
    assert console.count("data-countdown") == 1


def test_the_default_criteria_keep_the_approval_keys(app, sparring_course, facilitator_client,
                                                     phones):
    _start_day(facilitator_client, sparring_course)
    console = facilitator_client.get(f"/courses/{sparring_course.course_id}/now",
                                     headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Planen kan ændre jobchancerne\nPlanen er realistisk at gennemføre" in console
    _start_round(facilitator_client, sparring_course, criteria="Planen kan ændre jobchancerne\n"
                 "Planen er realistisk at gennemføre\nPosterne og målet hænger sammen")
    keys = [c["key"] for c in _round(app).prompt_set["criteria"]]
    assert keys == ["effect", "realistic", "coherence"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("minutes", "0", "Runden varer mellem 1 og 240 minutter"),
    ("minutes", "241", "Runden varer mellem 1 og 240 minutter"),
    ("minutes", "et kvarter", "Runden varer mellem 1 og 240 minutter"),
    ("min_feedback", "to", "Minimum skal være mellem 1 og 10"),
    ("criteria", "  \n ", "Skriv et til seks kriterier"),
    ("criteria", "\n".join(f"Kriterie {n}" for n in range(7)), "Skriv et til seks kriterier"),
    ("criteria", "x" * 201, "Skriv et til seks kriterier"),
    ("grouping", "alle", "Vælg grupper eller rotation"),
])
def test_a_bad_start_form_is_refused_and_starts_nothing(app, sparring_course, facilitator_client,
                                                        phones, field,
                                                        value, message):
    _start_day(facilitator_client, sparring_course)
    response = hx_post(facilitator_client, f"/courses/{sparring_course.course_id}/rounds",
                       **{field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Round)) == 0


# -- closing phase ---------------------------------------------------------------------------


def test_last_comments_then_more_time_then_closed(app, sparring_course, running, phones,
                                                  facilitator_client):
    base = f"/courses/{sparring_course.course_id}/rounds/{running.id}"
    response = hx_post(facilitator_client, f"{base}/closing", version=str(running.version))
    assert response.status_code == 200 and "Mere tid" in response.get_data(as_text=True)
    closing = _round(app)
    assert closing.state == "closing"
    phone_now = phones[0].get("/me").get_data(as_text=True)
    assert "Sidste kommentarer: gør det færdigt, du skriver." in phone_now
    # a comment being written is still accepted while the round closes
    phones[0].get(f"/rounds/{running.id}/review")
    snapshot_id = _assigned(app, running.id, sparring_course.citizens[0][0])
    assert _give(phones[0], running.id, snapshot_id).status_code == 200

    # a second console that still shows the open round cannot act on what it saw
    stale = hx_post(facilitator_client, f"{base}/closing", version=str(running.version))
    assert stale.status_code == 422
    assert _round(app).state == "closing"

    assert hx_post(facilitator_client, f"{base}/reopen",
                   version=str(_round(app).version)).status_code == 200
    assert _round(app).state == "open"
    assert hx_post(facilitator_client, f"{base}/close",
                   override_reason="Tiden er gået").status_code \
        == 200
    assert _round(app).state == "closed"
    refused = hx_post(facilitator_client, f"{base}/reopen")
    assert refused.status_code == 422 and "Det kan runden ikke lige nu" in refused.get_data(
        as_text=True)


def test_two_consoles_closing_at_once_one_is_told(app, sparring_course, running,
                                                  facilitator_client):
    other = signed_in_staff(app, FACILITATOR_A)
    base = f"/courses/{sparring_course.course_id}/rounds/{running.id}"
    seen = str(running.version)
    assert hx_post(facilitator_client, f"{base}/closing", version=seen).status_code == 200
    late = hx_post(other, f"{base}/close", version=seen, override_reason="Slut")
    assert late.status_code == 422
    assert "En anden ændrede det samme på samme tid" in late.get_data(as_text=True)
    assert _round(app).state == "closing"


# -- who is present during the round ---------------------------------------------------------


def _seat(app, round_id, citizen_id):
    from peerreview.models import RoundParticipant

    with app.app_context():
        return db.session.scalars(sa.select(RoundParticipant.present).where(
            RoundParticipant.round_id == round_id,
            RoundParticipant.person_ref == citizen_id)).one_or_none()


_TILE = re.compile(r'<li class="round-draft[^"]*" id="([^"]+)">.*?</li>', re.S)


def _tiles(page: str) -> list[tuple[str, str]]:
    """The board's tiles in order, as (id, the element whole)."""
    return [(m.group(1), m.group(0)) for m in _TILE.finditer(page)]


def _patched(tiles: list[tuple[str, str]], parts: list[dict[str, str]],
             drafts: str) -> list[tuple[str, str]]:
    """``tiles`` with the pushed parts applied as the browser applies them (htmx's swap styles
    on the board's list and its tiles; the headline is compared on its own)."""
    tiles = list(tiles)
    for part in parts:
        swap, target = part.get("swap", "innerHTML"), part["target"]
        ids = [tile_id for tile_id, _ in tiles]
        if swap == "delete":
            tiles = [tile for tile in tiles if tile[0] != target]
        elif swap in ("afterbegin", "afterend", "outerHTML") and (
                target == drafts or target in ids):
            new = _tiles(part["html"])
            assert len(new) == 1, part
            at = 0 if target == drafts else ids.index(target) + (swap == "afterend")
            tiles[at:at + (swap == "outerHTML")] = new
    return tiles


def test_leaving_and_coming_back_during_a_round(app, sparring_course, running, phones,
                                                facilitator_client):
    """Someone leaving takes their plan's tile off the wall, coming back puts it in its place
    again (after the plan before it, or first), and a late joiner's goes in too: each a part
    of the board, not the whole board, and the wall patched with them equals the wall read
    afresh — the tiles in order and the headline."""
    token, wall = _projector(app, sparring_course, facilitator_client)
    prefix = f"round-{running.id}"

    def fresh() -> str:
        return app.test_client().get(f"/projector/{token}").get_data(as_text=True)

    watcher = socketio.test_client(app, flask_test_client=phones[2])

    def change(citizen_id: int, present: str) -> None:
        shown = _tiles(fresh())
        wall.get_received()
        watcher.get_received()
        attendance = f"/courses/{sparring_course.course_id}/attendance/{citizen_id}"
        assert hx_post(facilitator_client, attendance, present=present).status_code == 200
        # a phone gets the room's progress only: no tile, no name, no attendance row
        on_phone = pushed(watcher)
        assert [f["target"] for f in on_phone] == ["round-ping"]
        assert "Citizen" not in on_phone[0]["html"]
        parts = pushed(wall)
        assert not [p for p in parts if p["target"] == "round-board"]  # never the whole board
        page = fresh()
        assert _patched(shown, parts, f"{prefix}-drafts") == _tiles(page)
        [headline] = [p["html"] for p in parts if p["target"] == f"{prefix}-total"]
        assert headline == element_by_id(page, f"{prefix}-total")[1]

    seated = [int(tile_id.rsplit("-", 1)[1]) for tile_id, _ in _tiles(fresh())]
    assert len(seated) == 3
    for leaver in (seated[1], seated[0]):  # the middle one, then the first
        phones[[c for c, _ in sparring_course.citizens].index(leaver)].get(
            f"/rounds/{running.id}/review")  # holds an assignment when leaving
        change(leaver, "0")
        assert _seat(app, running.id, leaver) is False
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(
                Assignment.reviewer_ref == leaver, Assignment.completed_at.is_(None),
                Assignment.abandoned_at.is_(None))) == 0
        assert f"{prefix}-draft-{leaver}" not in fresh()
    for comer in (seated[0], seated[1]):  # first again, then back after the first
        change(comer, "1")
        assert _seat(app, running.id, comer) is True
    assert [int(tile_id.rsplit("-", 1)[1]) for tile_id, _ in _tiles(fresh())] == seated
    late = sparring_course.citizens[3][0]  # never in the round: their plan comes in, last
    change(late, "1")
    assert [int(tile_id.rsplit("-", 1)[1]) for tile_id, _ in _tiles(fresh())] == [*seated, late]


def test_a_late_joiner_renders_their_tile_not_the_board(app, sparring_course, running):
    """Signing in during a round seats the late joiner: their tile and the headline are rendered
    once per screen audience, the whole board (a room's every tile) not at all, and where the
    tile goes is read after the rooms are numbered (a join at the same moment is on it)."""
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    late = app.test_client()
    with template_rendered.connected_to(record, app), sql_statements(app) as statements:
        join_citizen(late, sparring_course.course_code, sparring_course.citizens[3][1])
    assert _seat(app, running.id, sparring_course.citizens[3][0]) is True
    assert rendered.count("rounds/_board.html") == 0
    assert rendered.count("rounds/_board_tiles.html") == 2  # the projector, the facilitators
    assert rendered.count("rounds/_board_total.html") == 2
    assert rendered.count("rounds/_ping.html") == 1
    numbered = next(n for n, s in enumerate(statements) if s.startswith(
        "INSERT INTO live_streams"))
    placed = next(n for n, s in enumerate(statements) if "lag(" in s)
    assert numbered < placed


def test_checked_in_by_the_facilitator_during_a_round_brings_the_plan(app, sparring_course, running,
                                                                      facilitator_client):
    absent = sparring_course.citizens[3][0]
    assert _seat(app, running.id, absent) is None
    assert hx_post(facilitator_client, f"/courses/{sparring_course.course_id}/attendance/{absent}",
                   present="1").status_code == 200
    assert _seat(app, running.id, absent) is True
    with app.app_context():
        assert db.session.scalar(sa.select(Snapshot).where(
            Snapshot.round_id == running.id, Snapshot.owner_ref == absent)) is not None


def test_signing_in_again_changes_nothing_in_the_round(app, sparring_course, running, phones):
    with app.app_context():
        before = db.session.get(Round, running.id).version
    join_citizen(app.test_client(), sparring_course.course_code, sparring_course.citizens[0][1])
    with app.app_context():
        assert db.session.get(Round, running.id).version == before


# -- the owner's marks and the feedback beside the draft --------------------------------------


def test_the_owner_marks_feedback_helpful_and_addressed(app, sparring_course, running, phones):
    feedback_id, owner_phone = _one_comment(app, sparring_course, running, phones,
                                            "Find en billigere")
    path = f"/rounds/{running.id}/feedback/{feedback_id}"
    response = hx_post(owner_phone, f"{path}/helpful", value="1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "is-helpful" in html and 'aria-pressed="true"' in html
    assert hx_post(owner_phone, f"{path}/addressed", value="1").status_code == 200
    assert hx_post(owner_phone, f"{path}/helpful", value="0").status_code == 200
    with app.app_context():
        feedback = db.session.get(Feedback, feedback_id)
        assert (feedback.helpful, feedback.addressed) == (False, True)


def test_only_the_owner_marks_and_only_known_marks(app, sparring_course, running, phones,
                                                   facilitator_client):
    feedback_id, owner_phone = _one_comment(app, sparring_course, running, phones, "Tekst")
    path = f"/rounds/{running.id}/feedback/{feedback_id}"
    stranger = next(p for p in phones if p is not owner_phone)
    refused = hx_post(stranger, f"{path}/helpful", value="1")
    assert refused.status_code == 422
    assert "Kun ejeren af planen" in refused.get_data(as_text=True)
    assert hx_post(owner_phone, f"{path}/pinned", value="1").status_code == 404
    assert hx_post(owner_phone, f"/rounds/{running.id}/feedback/99999/helpful",
                   value="1").status_code == 404
    assert hx_post(facilitator_client, f"{path}/helpful", value="1").status_code == 403
    hx_post(facilitator_client,
            f"/courses/{sparring_course.course_id}/rounds/{running.id}/feedback/"
            f"{feedback_id}/hide")
    assert hx_post(owner_phone, f"{path}/helpful", value="1").status_code == 404
    with app.app_context():
        assert not db.session.get(Feedback, feedback_id).helpful


def test_after_the_round_the_feedback_stands_beside_the_draft(app, sparring_course, running, phones,
                                                               facilitator_client):
    feedback_id, owner_phone = _one_comment(app, sparring_course, running, phones,
                                            "Husk prisoverslag")
    editor = owner_phone.get("/me/budget").get_data(as_text=True)
    assert "Feedback fra kurset" not in editor  # not final while the round runs
    hx_post(facilitator_client, f"/courses/{sparring_course.course_id}/rounds/{running.id}/close",
            override_reason="Tiden er gået")
    editor = owner_phone.get("/me/budget").get_data(as_text=True)
    assert "Feedback fra kurset" in editor and "Husk prisoverslag" in editor
    assert "Planen kan ændre jobchancerne" in editor
    assert f"/rounds/{running.id}/feedback/{feedback_id}/helpful" in editor
    # marking still works after the round, and the job consultant reads it with the plan
    assert hx_post(owner_phone, f"/rounds/{running.id}/feedback/{feedback_id}/addressed",
                   value="1").status_code == 200
    with app.app_context():
        draft_id = db.session.get(Feedback, feedback_id).snapshot.draft_ref
    consultant = signed_in_staff(app, CONSULTANT_A)
    view = consultant.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "Husk prisoverslag" in view and "Ændret i planen" in view
    assert "/helpful" not in view  # staff read, they do not mark


def test_a_hidden_comment_does_not_travel_with_the_draft(app, sparring_course, running, phones,
                                                         facilitator_client):
    feedback_id, owner_phone = _one_comment(app, sparring_course, running, phones, "Grimt sagt")
    base = f"/courses/{sparring_course.course_id}/rounds/{running.id}"
    hx_post(facilitator_client, f"{base}/feedback/{feedback_id}/hide")
    hx_post(facilitator_client, f"{base}/close", override_reason="Slut")
    assert "Grimt sagt" not in owner_phone.get("/me/budget").get_data(as_text=True)


# -- sockets of another course ----------------------------------------------------------------


def test_another_courses_sockets_get_nothing_and_can_ask_for_nothing(app, sparring_course,
                                                                     make_world,
                                                                     running, phones):
    other_world = make_world("Team B", citizens=1)
    stranger = signed_in_citizen(app, other_world)
    outsider = socketio.test_client(app, flask_test_client=stranger)
    outsider.get_received()
    # events naming the other course's round are not the outsider's way in
    assert not outsider.emit("round:feedback", {"round_id": running.id, "text": "Hej"},
                             callback=True)
    synced = outsider.emit(realtime.EVENT_SYNC, {"course_id": sparring_course.course_id},
                           callback=True)
    assert set(synced["streams"]) == {f"course:{other_world.course_id}:participants",
                                      f"citizen:{other_world.citizens[0][0]}"}

    phones[0].get(f"/rounds/{running.id}/review")
    snapshot_id = _assigned(app, running.id, sparring_course.citizens[0][0])
    assert _give(phones[0], running.id, snapshot_id, text="Kun for kurset").status_code == 200
    received = outsider.get_received()
    assert not [e for e in received if "Kun for kurset" in str(e) or "round" in str(e)]
    assert _feedback_count(app) == 1


@pytest.mark.parametrize(("name", "shown"), [
    ("Anna Holm", "Anna H."),
    ("Jens Peter Østergaard-Madsen", "Jens Peter Ø."),
    ("Cher", "Cher"),
])
def test_the_wall_shows_first_names_and_an_initial(name, shown):
    from course.rounds.fragments import wall_name

    assert wall_name(name) == shown


def test_a_comment_is_rendered_once_per_audience_not_per_screen(app, sparring_course, running,
                                                                phones,
                                                                facilitator_client):

    phone_sockets = [socketio.test_client(app, flask_test_client=phone) for phone in phones]
    console_sockets = [socketio.test_client(app, flask_test_client=facilitator_client)
                       for _ in range(3)]
    for sock in phone_sockets + console_sockets:
        sock.get_received()
    phones[0].get(f"/rounds/{running.id}/review")
    snapshot_id = _assigned(app, running.id, sparring_course.citizens[0][0])
    rendered: list[str] = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    with template_rendered.connected_to(record, app):
        assert _give(phones[0], running.id, snapshot_id).status_code == 200
    # the headline and the plan's tile once for the projector and once for the facilitators,
    # their comments once, one ping for all phones; six connected screens change nothing, and
    # the whole board is not rendered at all
    assert rendered.count("rounds/_board_total.html") == 2
    assert rendered.count("rounds/_board_tiles.html") == 2
    assert rendered.count("rounds/_board_comments.html") == 1
    assert rendered.count("rounds/_board_moderation_hint.html") == 1
    assert rendered.count("rounds/_board.html") == 0
    assert rendered.count("rounds/_ping.html") == 1
    assert all(len(pushes_to(sock, "round-ping")) == 1 for sock in phone_sockets)
    assert all(len(pushes_to(sock, f"round-{running.id}-moderation-list")) == 1
               for sock in console_sockets)


def test_the_parts_a_comment_pushes_are_what_a_fresh_board_shows(app, sparring_course, running,
                                                                 phones,
                                                                 facilitator_client):
    """The wall patched with a comment's parts equals the wall read again: the tile that
    reached the minimum, the headline with its counts."""
    token, wall = _projector(app, sparring_course, facilitator_client)
    phones[0].get(f"/rounds/{running.id}/review")
    snapshot_id = _assigned(app, running.id, sparring_course.citizens[0][0])
    with app.app_context():  # someone else's comment first: this one reaches the minimum
        snapshot = db.session.get(Snapshot, snapshot_id)
        owner = snapshot.owner_ref
        other = next(c for c, _ in sparring_course.citizens
                     if c not in (owner, sparring_course.citizens[0][0]))
        db.session.add(Feedback(round_id=running.id, snapshot_id=snapshot_id,
                                reviewer_ref=other, criterion="effect", stem="like",
                                text="Først"))
        db.session.commit()
    wall.get_received()
    assert _give(phones[0], running.id, snapshot_id).status_code == 200

    parts = {f["target"]: f["html"] for f in pushed(wall)}
    fresh = app.test_client().get(f"/projector/{token}").get_data(as_text=True)
    prefix = f"round-{running.id}"
    whole_tile, _inside = element_by_id(fresh, f"{prefix}-draft-{owner}")
    assert parts[f"{prefix}-draft-{owner}"].strip() == whole_tile
    assert "is-reached" in whole_tile and "2/2" in whole_tile
    _whole, headline = element_by_id(fresh, f"{prefix}-total")
    assert parts[f"{prefix}-total"] == headline
    assert "2 kommentarer" in headline and "2 planer venter på feedback" in headline


def test_a_comment_reads_its_counts_after_numbering_the_rooms(app, sparring_course, running,
                                                              phones):
    """Two comments on one plan at the same moment: the rooms' numbers are taken first (their
    rows locked until the commit), then the counts read — so the later push counts both,
    instead of each pushing the plan's count without the other's comment."""
    phones[0].get(f"/rounds/{running.id}/review")
    snapshot_id = _assigned(app, running.id, sparring_course.citizens[0][0])
    with sql_statements(app) as statements:
        assert _give(phones[0], running.id, snapshot_id).status_code == 200
    numbered = next(n for n, s in enumerate(statements) if s.startswith(
        "INSERT INTO live_streams"))
    counted = next(n for n, s in enumerate(statements) if "FILTER (WHERE" in s)
    inserted = next(n for n, s in enumerate(statements) if s.startswith("INSERT INTO pr_feedback"))
    # the round's state is read again after the numbering too, with the counts: a "last
    # comments" or "close" committed meanwhile is not undone on the wall by this push
    assert "pr_round.state" in statements[counted]
    assert inserted < numbered < counted


def test_moderation_reads_what_it_pushes_after_numbering_the_rooms(app, sparring_course, running,
                                                                    phones, facilitator_client):
    """Hiding or pinning a comment reads the counts and the pinned comments after the rooms'
    numbers are taken (their rows locked until the commit), so a comment at the same moment is
    in what it pushes, or pushes its own parts after it."""
    feedback_id, _owner = _one_comment(app, sparring_course, running, phones, "Skjul mig")
    for action in ("pin", "hide"):
        path = (f"/courses/{sparring_course.course_id}/rounds/{running.id}"
                f"/feedback/{feedback_id}/{action}")
        with sql_statements(app) as statements:
            assert hx_post(facilitator_client, path).status_code == 200
        numbered = next(n for n, s in enumerate(statements) if s.startswith(
            "INSERT INTO live_streams"))
        counted = next(n for n, s in enumerate(statements) if "FILTER (WHERE" in s)
        pinned = next(n for n, s in enumerate(statements) if s.startswith("SELECT pr_feedback")
                      and "pr_feedback.pinned IS 1" in s)
        committed = next(n for n, s in enumerate(statements) if "pr_feedback SET" in s)
        assert committed < numbered < counted < pinned, action


def test_a_comment_in_a_busy_round_goes_on_top_of_the_consoles_newest(app, sparring_course, running,
                                                                      phones, facilitator_client):
    """45 comments, then one more: the console gets that one comment, on top of a list that
    keeps its newest 40, and the hint with the new total — what the console shows afresh."""
    # (the 45 are by others: the rate limit counts their own)
    poster = sparring_course.citizens[0][0]
    with app.app_context():
        snapshots = db.session.scalars(sa.select(Snapshot)).all()
        for n in range(45):
            snapshot = snapshots[n % len(snapshots)]
            reviewer = next(c for c, _ in sparring_course.citizens
                            if c not in (snapshot.owner_ref, poster))
            db.session.add(Feedback(round_id=running.id, snapshot_id=snapshot.id,
                                    reviewer_ref=reviewer, criterion="effect", stem="like",
                                    text=f"Kommentar nummer {n}"))
        db.session.commit()
    console = socketio.test_client(app, flask_test_client=facilitator_client)
    console.get_received()
    phones[0].get(f"/rounds/{running.id}/review")
    snapshot_id = _assigned(app, running.id, poster)
    assert _give(phones[0], running.id, snapshot_id, text="Den nyeste af dem alle"
                 ).status_code == 200

    parts = {f["target"]: f["html"] for f in pushed(console)}
    fresh = without_csrf(facilitator_client.get(
        f"/courses/{sparring_course.course_id}/now",
        headers={"HX-Request": "true"}).get_data(as_text=True))
    prefix = f"round-{running.id}"
    _whole, hint = element_by_id(fresh, f"{prefix}-moderation-hint")
    assert parts[f"{prefix}-moderation-hint"] == hint
    assert "De nyeste 40 af 46 kommentarer" in hint
    whole, listed = element_by_id(fresh, f"{prefix}-moderation-list")
    assert 'data-live-max="40"' in whole and listed.count("<li") == 40
    newest = re.search(r"<li.*?</li>", listed, re.S).group(0)
    assert parts[f"{prefix}-moderation-list"].strip() == newest
    assert "Den nyeste af dem alle" in newest
    with app.app_context():  # its id: a screen that has it already (fetched afresh) skips it
        newest_id = db.session.scalar(sa.select(sa.func.max(Feedback.id)))
    assert f'id="{prefix}-comment-{newest_id}"' in newest


def test_a_busy_round_shows_the_newest_comments_and_all_on_their_own_page(app, sparring_course,
                                                                          running,
                                                                         facilitator_client):
    with app.app_context():
        snapshots = db.session.scalars(sa.select(Snapshot)).all()
        for n in range(45):
            snapshot = snapshots[n % len(snapshots)]
            reviewer = next(c for c, _ in sparring_course.citizens if c != snapshot.owner_ref)
            db.session.add(Feedback(round_id=running.id, snapshot_id=snapshot.id,
                                    reviewer_ref=reviewer, criterion="effect", stem="like",
                                    text=f"Kommentar nummer {n}"))
        db.session.commit()
    console = facilitator_client.get(f"/courses/{sparring_course.course_id}/now",
                                     headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "De nyeste 40 af 45 kommentarer" in console
    shown = {int(n) for n in re.findall(r"Kommentar nummer (\d+)\b", console)}
    assert shown == set(range(5, 45))
    assert console.index("Kommentar nummer 44") < console.index("Kommentar nummer 43")
    path = f"/courses/{sparring_course.course_id}/rounds/{running.id}/comments"
    everything = facilitator_client.get(path).get_data(as_text=True)
    assert {int(n) for n in re.findall(r"Kommentar nummer (\d+)\b", everything)} == set(
        range(45))
    assert 'name="all" value="1"' in everything
    with app.app_context():
        oldest = db.session.scalars(sa.select(Feedback.id).order_by(Feedback.id)).first()
    hidden = hx_post(facilitator_client,
                     f"/courses/{sparring_course.course_id}/rounds/{running.id}/feedback/"
                     f"{oldest}/hide", all="1").get_data(as_text=True)
    assert re.search(r"Kommentar nummer 0\b", hidden)  # the all-comments page stays whole
    assert app.test_client().get(path).status_code in (302, 401)


def test_a_comment_pushes_the_rounds_state_as_it_is_at_the_push(app, sparring_course, running,
                                                                phones,
                                                               facilitator_client, monkeypatch):
    """The facilitator's "last comments" lands between a comment's reading of the round and its
    push: the comment's headline shows the round closing, it does not undo it on the wall."""
    token, wall = _projector(app, sparring_course, facilitator_client)
    phones[0].get(f"/rounds/{running.id}/review")
    snapshot_id = _assigned(app, running.id, sparring_course.citizens[0][0])
    claim = realtime.claim

    def closing_meanwhile(names):
        # (as if committed by the console while this request waited for the rooms' rows)
        db.session.execute(sa.update(Round).where(Round.id == running.id)
                           .values(state="closing").execution_options(synchronize_session=False))
        claim(names)

    monkeypatch.setattr(realtime.push, "claim", closing_meanwhile)
    wall.get_received()
    assert _give(phones[0], running.id, snapshot_id).status_code == 200
    [headline] = pushes_to(wall, f"round-{running.id}-total")
    assert "Sidste kommentarer" in headline and "Runden er åben" not in headline
