"""Course routing (issue 19, point 4): with ``WORKERS`` on, a course's phones and projector live
on the process that owns the course, its pushes to them stay in that process, and everything
else still goes through the message queue."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from course import realtime
from course.extensions import socketio
from course.realtime import topology
from course.realtime.rooms import pinned_course
from tests.conftest import FACILITATOR_A, signed_in_citizen, signed_in_staff

WORKERS = 2


@pytest.fixture
def app(make_app):
    """Process 0 of two that own courses (a test moves it to the other index as it needs)."""
    return make_app(WORKERS=WORKERS, WORKER_INDEX=0)


def _be(app, *, owner_of: int | None = None, not_owner_of: int | None = None) -> None:
    """Make ``app`` the process that owns (or does not own) a course."""
    if owner_of is not None:
        app.config["WORKER_INDEX"] = owner_of % WORKERS
    else:
        app.config["WORKER_INDEX"] = (not_owner_of + 1) % WORKERS


@pytest.fixture
def emits(app, monkeypatch) -> list[tuple[str, bool]]:
    """Every emit to a room from the app's Socket.IO server: (room, through the queue?)."""
    seen: list[tuple[str, bool]] = []
    server = socketio.server
    original = server.emit

    def record(event: str, data: Any = None, *args: Any, **kwargs: Any) -> Any:
        seen.append((kwargs.get("to") or kwargs.get("room"), not kwargs.get("ignore_queue")))
        return original(event, data, *args, **kwargs)

    monkeypatch.setattr(server, "emit", record)
    return seen


def _socket(app, client, auth=None):
    return socketio.test_client(app, flask_test_client=client, auth=auth)


def _display_token(client, course_id: int) -> str:
    response = client.post(f"/courses/{course_id}/projector")
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[1]


# -- who owns what ------------------------------------------------------------------------------


def test_a_course_belongs_to_its_number_modulo_the_processes():
    assert [topology.owner(c, 2) for c in range(1, 7)] == [1, 0, 1, 0, 1, 0]
    assert [topology.owner(c, 3) for c in range(1, 7)] == [1, 2, 0, 1, 2, 0]
    assert [topology.owner(c, 1) for c in range(1, 4)] == [0, 0, 0]


def test_only_a_courses_phone_and_projector_rooms_are_pinned_to_it():
    assert pinned_course(realtime.room(12, realtime.PARTICIPANTS)) == 12
    assert pinned_course(realtime.room(12, realtime.PROJECTOR)) == 12
    # a facilitator's socket joins the facilitators' rooms of all their courses
    assert pinned_course(realtime.room(12, realtime.FACILITATORS)) is None
    for name in (realtime.citizen_room(12), realtime.team_room(12), realtime.staff_room(12),
                 "course:x:participants", "courses:12:participants"):
        assert pinned_course(name) is None


def test_with_workers_off_every_process_owns_every_course(make_app):
    app = make_app()
    with app.app_context():
        assert app.config["WORKERS"] == 0
        assert all(topology.owns(c) for c in range(1, 5))
        assert not topology.local(realtime.room(1, realtime.PARTICIPANTS))
        assert topology.foreign([realtime.room(1, realtime.PARTICIPANTS)]) == []


@pytest.mark.parametrize(("workers", "index"), [(2, 2), (2, -1), (-1, 0)])
def test_an_index_outside_the_processes_is_refused_at_start(make_app, workers, index):
    with pytest.raises(ValueError, match="COURSE_WORKER_INDEX"):
        make_app(WORKERS=workers, WORKER_INDEX=index)


def test_the_environment_sets_the_processes(make_app, monkeypatch):
    monkeypatch.setenv("COURSE_WORKERS", "3")
    monkeypatch.setenv("COURSE_WORKER_INDEX", "2")
    app = make_app()
    assert (app.config["WORKERS"], app.config["WORKER_INDEX"]) == (3, 2)


# -- emits --------------------------------------------------------------------------------------


def _push_everywhere(app, course_id: int) -> None:
    """Queue a ping to each of the course's rooms, a person's, a team's and a staff
    member's, then commit and push them."""
    with app.test_request_context():
        realtime.refetch_for(course_id, "now", realtime.AUDIENCES)
        realtime.refetch_to(realtime.citizen_room(7), "notices")
        realtime.refetch_to(realtime.team_room(3), "queue")
        realtime.refetch_to(realtime.staff_room(5), "notices")
        realtime.commit_and_push()


OTHERS_THROUGH_THE_QUEUE = [
    ("citizen:7", True), ("staff:5", True), ("team:3:queue", True)]


def test_the_owner_pushes_to_its_course_rooms_in_process(app, emits):
    _be(app, owner_of=4)
    _push_everywhere(app, 4)
    assert sorted(emits) == sorted([
        ("course:4:participants", False), ("course:4:projector", False),
        ("course:4:facilitators", True), *OTHERS_THROUGH_THE_QUEUE])


def test_another_process_pushes_to_the_course_rooms_through_the_queue(app, emits):
    _be(app, not_owner_of=4)
    _push_everywhere(app, 4)
    assert sorted(emits) == sorted([
        ("course:4:participants", True), ("course:4:projector", True),
        ("course:4:facilitators", True), *OTHERS_THROUGH_THE_QUEUE])


def test_with_workers_off_every_push_goes_through_the_queue(make_app, monkeypatch):
    app = make_app()
    seen: list[bool] = []
    original = socketio.server.emit
    monkeypatch.setattr(socketio.server, "emit", lambda *a, **kw: (
        seen.append(not kw.get("ignore_queue")), original(*a, **kw))[1])
    _push_everywhere(app, 4)
    assert seen == [True] * 6


def test_a_real_announcement_reaches_the_owners_sockets_in_process(app, make_world, emits):
    world = make_world()
    _be(app, owner_of=world.course_id)
    facilitator = signed_in_staff(app, FACILITATOR_A)
    phone = _socket(app, signed_in_citizen(app, world))
    projector = _socket(app, app.test_client(),
                        auth={"display": _display_token(facilitator, world.course_id)})
    for sock in (phone, projector):
        sock.get_received()
    emits.clear()

    response = facilitator.post(f"/courses/{world.course_id}/announcements",
                                data={"text": "Kaffe kl. 10"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    for sock in (phone, projector):
        [message] = [e["args"][0] for e in sock.get_received()
                     if e["name"] == realtime.EVENT_FRAGMENTS]
        assert "Kaffe kl. 10" in message["fragments"][0]["html"]
    course = world.course_id
    assert dict(emits) == {f"course:{course}:participants": False,
                           f"course:{course}:projector": False,
                           f"course:{course}:facilitators": True}


# -- sockets ------------------------------------------------------------------------------------


def test_a_phone_on_the_wrong_process_is_refused_and_logged(app, make_world, caplog):
    world = make_world()
    phone = signed_in_citizen(app, world)
    _be(app, not_owner_of=world.course_id)
    with caplog.at_level(logging.WARNING, logger="course.realtime.topology"):
        assert not _socket(app, phone).is_connected()
    [record] = caplog.records
    assert f"course:{world.course_id}:participants" in record.getMessage()
    assert "balancer" in record.getMessage()

    _be(app, owner_of=world.course_id)
    sock = _socket(app, phone)
    assert sock.is_connected()
    [hello] = [e["args"][0] for e in sock.get_received() if e["name"] == realtime.EVENT_HELLO]
    assert f"course:{world.course_id}:participants" in hello["streams"]


def test_a_projector_on_the_wrong_process_is_refused(app, make_world):
    world = make_world()
    token = _display_token(signed_in_staff(app, FACILITATOR_A), world.course_id)
    _be(app, not_owner_of=world.course_id)
    assert not _socket(app, app.test_client(), auth={"display": token}).is_connected()
    _be(app, owner_of=world.course_id)
    assert _socket(app, app.test_client(), auth={"display": token}).is_connected()


def test_staff_connect_on_any_process(app, make_world):
    world = make_world()
    facilitator = signed_in_staff(app, FACILITATOR_A)
    for index in range(WORKERS):
        app.config["WORKER_INDEX"] = index
        sock = _socket(app, facilitator)
        assert sock.is_connected()
        [hello] = [e["args"][0] for e in sock.get_received()
                   if e["name"] == realtime.EVENT_HELLO]
        assert f"course:{world.course_id}:facilitators" in hello["streams"]


# -- the page names its course, for the balancer ------------------------------------------------


def test_a_phone_page_names_its_course_for_the_socket_and_the_balancer(app, make_world):
    world = make_world()
    phone = signed_in_citizen(app, world)
    response = phone.get("/me")
    assert f'data-live-course="{world.course_id}"' in response.get_data(as_text=True)
    assert f"{topology.COOKIE}={world.course_id}" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    # set once: the next page does not set it again
    assert topology.COOKIE not in phone.get("/me").headers.get("Set-Cookie", "")


def test_the_projector_and_the_console_route_to_their_course(app, make_world):
    world = make_world()
    facilitator = signed_in_staff(app, FACILITATOR_A)
    console = facilitator.get(f"/courses/{world.course_id}/console")
    assert console.status_code == 200
    assert f"{topology.COOKIE}={world.course_id}" in console.headers["Set-Cookie"]
    # the console's socket is a staff member's (all their courses): not pinned
    assert "data-live-course" not in console.get_data(as_text=True)

    token = _display_token(facilitator, world.course_id)
    projector = app.test_client().get(f"/projector/{token}")
    assert f'data-live-course="{world.course_id}"' in projector.get_data(as_text=True)
    assert f"{topology.COOKIE}={world.course_id}" in projector.headers["Set-Cookie"]


def test_with_workers_off_pages_name_no_course(make_app, make_world):
    app = make_app()
    world = make_world()
    response = signed_in_citizen(app, world).get("/me")
    assert "data-live-course" not in response.get_data(as_text=True)
    assert topology.COOKIE not in response.headers.get("Set-Cookie", "")


def test_every_push_goes_out_through_the_one_emit():
    """Every emit in the app is :func:`course.realtime.push.emit_to`'s, which decides local or
    queue (the coalesced pushes included: they commit and push through it)."""
    import ast
    from pathlib import Path

    import course

    emitters = []
    for path in Path(course.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "emit" and ast.unparse(node.func.value) in (
                        "socketio", "socketio.server", "current_app.extensions['socketio']"):
                emitters.append(path.name)
    assert emitters == ["push.py"]
