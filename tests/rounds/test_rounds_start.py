"""A round cannot start empty: the start form shows who is in the room (with and without a
plan, and who is enrolled but not checked in, with a one-click check-in), and a round with
fewer present plans than the minimum + 1 is refused unless the facilitator gives a reason,
which is recorded."""

from __future__ import annotations

from datetime import time

import pytest
import sqlalchemy as sa

from course.extensions import db, socketio
from course.schedule.models import AgendaItem, Day, ItemKind
from peerreview import services as peerreview
from peerreview.errors import InvalidInput
from peerreview.models import Round
from tests.conftest import hx_post, join_citizen, login_staff, pushes_to


@pytest.fixture
def sparring_now(app, make_world, make_draft):
    """Team A's course of four, two with a plan, on a sparring item of the kickoff."""
    world = make_world(citizens=4)
    with app.app_context():
        db.session.add(AgendaItem(course_id=world.course_id, day=Day.KICKOFF, position=0,
                                  starts_at=time(13), ends_at=time(14),
                                  kind=ItemKind.SPARRING_ROUND, title="Sparring"))
        db.session.commit()
    for citizen_id, _code in world.citizens[:2]:
        make_draft(citizen_id, world.course_id, goal="Job på lager",
                   lines=[{"title": "Truckkørekort", "amount": 9000}])
    return world


@pytest.fixture
def console(app, sparring_now):
    client = app.test_client()
    login_staff(client, "fac@teama.dk")
    hx_post(client, f"/courses/{sparring_now.course_id}/session/start", day="kickoff")
    return client


def _phones(app, world, count: int) -> None:
    for _citizen_id, code in world.citizens[:count]:
        join_citizen(app.test_client(), world.course_code, code)


def _rounds(app) -> list[Round]:
    with app.app_context():
        rounds = list(db.session.scalars(sa.select(Round)))
        for round_ in rounds:
            db.session.expunge(round_)
        return rounds


def test_the_start_form_says_who_is_in_the_room(app, sparring_now, console):
    _phones(app, sparring_now, 3)  # two with a plan, one without; the fourth stays home
    now = console.get(f"/courses/{sparring_now.course_id}/now").get_data(as_text=True)
    room = now[now.index('class="round-room"'):now.index("</section>", now.index("round-room"))]
    assert "2 til stede med en plan" in room
    assert "1 til stede uden en plan (giver feedback)" in room
    assert "1 tilmeldt, ikke tjekket ind" in room
    absent_id = sparring_now.citizens[3][0]
    assert f"/attendance/{absent_id}" in room and "Tjek ind" in room


def test_too_few_present_plans_are_refused_beside_the_form(app, sparring_now, console):
    _phones(app, sparring_now, 4)  # two plans; a minimum of 2 needs 3
    response = hx_post(console, f"/courses/{sparring_now.course_id}/rounds",
                       grouping="rotation", min_feedback="2")
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#round-message"
    text = response.get_data(as_text=True)
    assert "Kun 2 af de fremmødte har en plan" in text and "mindst 3 planer" in text
    assert _rounds(app) == []


def test_a_reason_starts_it_anyway_and_is_recorded(app, sparring_now, console):
    _phones(app, sparring_now, 2)
    response = hx_post(console, f"/courses/{sparring_now.course_id}/rounds",
                       grouping="rotation", min_feedback="2",
                       start_reason="Vi øver os på feedback i plenum")
    assert response.status_code == 200
    [round_] = _rounds(app)
    assert round_.state == "open"
    assert round_.opened_override_reason == "Vi øver os på feedback i plenum"
    assert round_.opened_override_by_ref == sparring_now.facilitator_id


def test_enough_plans_start_without_a_reason_and_record_none(app, sparring_now, console):
    _phones(app, sparring_now, 3)
    assert hx_post(console, f"/courses/{sparring_now.course_id}/rounds",
                   grouping="rotation", min_feedback="1").status_code == 200  # 2 plans ≥ 1 + 1
    [round_] = _rounds(app)
    assert round_.opened_override_reason is None


def test_a_check_in_from_the_start_form_updates_it_on_the_consoles(app, sparring_now, console):
    _phones(app, sparring_now, 1)
    screen = socketio.test_client(app, flask_test_client=console)
    screen.get_received()
    second = sparring_now.citizens[1][0]
    assert hx_post(console, f"/courses/{sparring_now.course_id}/attendance/{second}",
                   present="1").status_code == 200
    [now] = pushes_to(screen, "now")[-1:]
    assert "2 til stede med en plan" in now


def test_the_domain_refuses_too_few_drafts_when_asked_and_records_an_override(app):
    with app.app_context():
        session = db.session
        round_ = peerreview.create_round(session, course_ref=1, title="r", min_feedback=2)
        drafts = [{"owner_ref": n, "draft_ref": n, "content": {"goal": "", "lines": []}}
                  for n in (1, 2)]
        with pytest.raises(InvalidInput) as refused:
            peerreview.open_round(session, round_.id, drafts, require_enough=True)
        assert (refused.value.code, refused.value.params) == (
            "too_few_plans", {"plans": 2, "needed": 3})
        with pytest.raises(InvalidInput) as no_one:
            peerreview.open_round(session, round_.id, drafts, require_enough=True,
                                  override_reason="Fordi")
        assert no_one.value.code == "override_reason_required"
        opened = peerreview.open_round(session, round_.id, drafts, require_enough=True,
                                       override_by_ref=9, override_reason=" Fordi ")
        assert (opened.opened_override_by_ref, opened.opened_override_reason) == (9, "Fordi")
