"""The live bridge: rooms from the database, pushes after commit, per audience, in sequence."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import g

from course import realtime
from course.extensions import db, socketio
from course.realtime import sockets
from course.realtime.models import LiveConnection
from tests.conftest import (
    CONSULTANT_A,
    FACILITATOR_A,
    LEAD_A,
    join_citizen,
    signed_in_citizen,
    signed_in_staff,
)


def _socket(app, client, auth=None):
    return socketio.test_client(app, flask_test_client=client, auth=auth)


def _events(sock, name):
    return [e["args"][0] for e in sock.get_received() if e["name"] == name]


def _display_token(client, course_id: int) -> str:
    response = client.post(f"/courses/{course_id}/projector")
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[1]


def test_connecting_without_signing_in_is_refused(app, client):
    sock = _socket(app, client)
    assert not sock.is_connected()


def test_a_forged_display_token_is_refused(app, client, make_world):
    make_world()
    assert not _socket(app, client, auth={"display": "not-a-token"}).is_connected()


def test_server_joins_only_the_rooms_the_database_allows(app, make_world):
    a = make_world("Team A")
    b = make_world("Team B")
    phone = signed_in_citizen(app, a)
    lead = signed_in_staff(app, LEAD_A)
    consultant = signed_in_staff(app, CONSULTANT_A)
    hello = _events(_socket(app, phone), realtime.EVENT_HELLO)[0]
    assert set(hello["streams"]) == {f"course:{a.course_id}:participants",
                                     f"citizen:{a.citizens[0][0]}"}
    hello = _events(_socket(app, lead), realtime.EVENT_HELLO)[0]
    assert set(hello["streams"]) == {f"course:{a.course_id}:facilitators",
                                     f"team:{a.team_id}:queue", f"staff:{a.lead_id}"}
    assert f"course:{b.course_id}:facilitators" not in hello["streams"]
    assert f"team:{b.team_id}:queue" not in hello["streams"]
    hello = _events(_socket(app, consultant), realtime.EVENT_HELLO)[0]
    assert set(hello["streams"]) == {f"team:{a.team_id}:queue", f"staff:{a.consultant_id}"}


def test_announcement_reaches_its_course_and_no_other(app, make_world):
    a = make_world("Team A")
    b = make_world("Team B")
    facilitator = signed_in_staff(app, FACILITATOR_A)
    phones_a = [app.test_client() for _ in range(2)]
    for phone, (_, code) in zip(phones_a, a.citizens, strict=False):
        join_citizen(phone, a.course_code, code)
    phone_b = signed_in_citizen(app, b)
    projector_a = _socket(app, app.test_client(),
                          auth={"display": _display_token(facilitator, a.course_id)})
    sockets_a = [_socket(app, phone) for phone in phones_a]
    console_a = _socket(app, facilitator)
    socket_b = _socket(app, phone_b)
    for sock in [projector_a, console_a, socket_b, *sockets_a]:
        sock.get_received()

    response = facilitator.post(f"/courses/{a.course_id}/announcements",
                                data={"text": "Kaffe <b>i kantinen</b> kl. 10"},
                                headers={"HX-Request": "true"})
    assert response.status_code == 200

    for sock in [*sockets_a, projector_a]:
        [message] = _events(sock, realtime.EVENT_FRAGMENTS)
        [fragment] = message["fragments"]
        assert fragment["target"] == "announcement"
        assert "Kaffe &lt;b&gt;i kantinen&lt;/b&gt; kl. 10" in fragment["html"]
        assert "<b>" not in fragment["html"]
        assert "<form" not in fragment["html"]  # no controls on phones or the projector
    [console_message] = _events(console_a, realtime.EVENT_FRAGMENTS)
    assert "Kaffe &lt;b&gt;i kantinen" in console_message["fragments"][0]["html"]
    assert _events(socket_b, realtime.EVENT_FRAGMENTS) == []


def test_each_room_counts_its_pushes(app, make_world):
    world = make_world()
    facilitator = signed_in_staff(app, FACILITATOR_A)
    phone = signed_in_citizen(app, world)
    sock = _socket(app, phone)
    start = _events(sock, realtime.EVENT_HELLO)[0]["streams"][
        f"course:{world.course_id}:participants"]
    for text in ["one", "two", "three"]:
        facilitator.post(f"/courses/{world.course_id}/announcements", data={"text": text})
    seqs = [m["seq"] for m in _events(sock, realtime.EVENT_FRAGMENTS)]
    assert seqs == [start + 1, start + 2, start + 3]
    ack = sock.emit(realtime.EVENT_SYNC, callback=True)
    assert ack["streams"][f"course:{world.course_id}:participants"] == start + 3


def test_a_claimed_room_is_told_even_when_nothing_was_queued(app, make_world):
    """Rooms claimed before a push (numbers taken early) all get a message with their number,
    an empty one if nothing was queued for them: no screen sees a gap and refetches."""
    world = make_world()
    phone = signed_in_citizen(app, world)
    sock = _socket(app, phone)
    participants = realtime.room(world.course_id, realtime.PARTICIPANTS)
    start = _events(sock, realtime.EVENT_HELLO)[0]["streams"][participants]
    with app.test_request_context():
        realtime.claim([participants, realtime.room(world.course_id, realtime.PROJECTOR)])
        realtime.commit_and_push()
        [message] = _events(sock, realtime.EVENT_FRAGMENTS)
        assert (message["seq"], message["fragments"]) == (start + 1, [])
        # rooms already queued for are claimed with the others, in the same statement
        realtime.render_for(world.course_id, "x", "live/_announcement.html",
                          {realtime.PARTICIPANTS: {}}, announcement=None)
        realtime.claim([realtime.room(world.course_id, realtime.PROJECTOR)])
        assert set(g.live_claimed) == {participants, realtime.room(world.course_id,
                                                                 realtime.PROJECTOR)}
        # claimed already: nothing more is locked or numbered; a new room is numbered too
        realtime.claim([participants])
        realtime.claim([realtime.room(world.course_id, realtime.FACILITATORS)])
        assert g.live_claimed[participants] == start + 2
        assert len(g.live_claimed) == 3
        realtime.commit_and_push()
        [message] = _events(sock, realtime.EVENT_FRAGMENTS)
        assert message["seq"] == start + 2 and [f["target"] for f in message["fragments"]] == [
            "x"]


def test_a_refused_announcement_pushes_nothing(app, make_world):
    world = make_world()
    facilitator = signed_in_staff(app, FACILITATOR_A)
    phone = signed_in_citizen(app, world)
    sock = _socket(app, phone)
    sock.get_received()
    for text in ["", "   ", "x" * 281]:
        response = facilitator.post(f"/courses/{world.course_id}/announcements",
                                    data={"text": text}, headers={"HX-Request": "true"})
        assert response.status_code == 422
    assert "Højst 280 tegn" in response.get_data(as_text=True)
    assert _events(sock, realtime.EVENT_FRAGMENTS) == []


def test_region_refetch_returns_the_same_fragment(app, make_world):
    world = make_world()
    facilitator = signed_in_staff(app, FACILITATOR_A)
    phone = signed_in_citizen(app, world)
    sock = _socket(app, phone)
    sock.get_received()
    facilitator.post(f"/courses/{world.course_id}/announcements", data={"text": "Frokost"})
    pushed = _events(sock, realtime.EVENT_FRAGMENTS)[0]["fragments"][0]["html"]
    fetched = phone.get(f"/courses/{world.course_id}/announcement").get_data(as_text=True)
    assert fetched == pushed


def test_logout_disconnects_the_persons_sockets(app, make_world):
    world = make_world()
    phone = signed_in_citizen(app, world)
    sock = _socket(app, phone)
    assert sock.is_connected()
    phone.post("/logout")
    assert not sock.is_connected()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveConnection)) == 0


def test_deactivated_staff_socket_is_disconnected(app, make_world):
    world = make_world()
    facilitator = signed_in_staff(app, FACILITATOR_A)
    lead = signed_in_staff(app, LEAD_A)
    sock = _socket(app, facilitator)
    assert sock.is_connected()
    lead.post(f"/staff/{world.facilitator_id}/deactivate")
    assert not sock.is_connected()


def test_events_from_an_ended_session_are_refused(app, make_world):
    """The socket's copy of the sign-in is re-checked on every event."""
    from course.people.models import LoginSession
    from course.types import utcnow

    world = make_world()
    phone = signed_in_citizen(app, world)
    sock = _socket(app, phone)
    with app.app_context():  # ended behind the socket's back (e.g. by another process)
        db.session.execute(sa.update(LoginSession).values(ended_at=utcnow()))
        db.session.commit()
    assert not sock.emit(realtime.EVENT_SYNC, callback=True)  # no streams answered
    assert not sock.is_connected()


def test_a_sockets_events_after_its_connect_read_no_session(app, make_world, monkeypatch):
    """The connect reads the session (who is signed in decides the rooms); the events after it
    — a sync, the disconnect — act on what was admitted and read none (issue 19: a session
    read per socket event), while an ended sign-in still stops them (the test above)."""
    world = make_world()
    phone = signed_in_citizen(app, world)
    interface = app.session_interface.inner
    opened = []
    real_open = interface.open_session
    monkeypatch.setattr(interface, "open_session",
                        lambda *args: opened.append(1) or real_open(*args))
    sock = _socket(app, phone)
    assert sock.is_connected() and len(opened) == 1  # the connect's
    for _ in range(3):
        assert sock.emit(realtime.EVENT_SYNC, callback=True)["streams"]
    sock.disconnect()
    assert len(opened) == 1
    with app.app_context():  # the disconnect ran: its record is gone
        from course.realtime.models import LiveConnection
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveConnection)) == 0


def test_a_namespace_connect_again_on_the_same_transport_is_admitted_afresh(app, make_world):
    """Disconnected from the namespace (here by the client; a flood does it from the server)
    while its transport stays open, a socket that connects again is admitted by who is signed
    in — its session read again, not the null one its events after the first connect got."""
    from socketio import packet

    from course.extensions import socketio

    world = make_world()
    phone = signed_in_citizen(app, world)
    sock = _socket(app, phone)
    sock.disconnect()
    connect = packet.Packet(packet.CONNECT, None, namespace="/")
    socketio.server._handle_eio_message(sock.eio_sid, connect.encode())
    assert socketio.server.manager.sid_from_eio_sid(sock.eio_sid, "/")  # admitted
    sock.connected["/"] = True  # (the test client's own record, as its connect keeps it)
    hello = [e for e in sock.get_received() if e["name"] == realtime.EVENT_HELLO]
    assert hello and f"course:{world.course_id}:participants" in hello[-1]["args"][0]["streams"]


def test_unknown_events_are_ignored(app, make_world):
    world = make_world()
    phone = signed_in_citizen(app, world)
    sock = _socket(app, phone)
    assert not sock.emit("join_room", "course:999:facilitators", callback=True)
    assert sock.is_connected()
    rooms = socketio.server.rooms(socketio.server.manager.sid_from_eio_sid(sock.eio_sid, "/"))
    assert "course:999:facilitators" not in rooms


def test_projector_link_shows_only_projector_content_and_can_be_revoked(app, make_world):
    world = make_world()
    facilitator = signed_in_staff(app, FACILITATOR_A)
    token = _display_token(facilitator, world.course_id)
    screen = app.test_client()
    page = screen.get(f"/projector/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert world.course_code in html and "<svg" in html  # join code and QR
    for _, code in world.citizens:
        assert code not in html
    assert "Citizen Team A" not in html  # no participant names on the wall
    # the display link opens nothing else
    assert screen.get(f"/courses/{world.course_id}/announcement").status_code == 302
    assert screen.get("/office").status_code == 302
    sock = _socket(app, screen, auth={"display": token})
    assert sock.is_connected()
    console = facilitator.get(f"/courses/{world.course_id}/console").get_data(as_text=True)
    link_id = re.search(r"/display-links/(\d+)/revoke", console).group(1)
    facilitator.post(f"/courses/{world.course_id}/display-links/{link_id}/revoke")
    assert not sock.is_connected()
    assert screen.get(f"/projector/{token}").status_code == 404
    assert not _socket(app, screen, auth={"display": token}).is_connected()


@pytest.mark.parametrize("token", ["x", "a" * 200, "../etc/passwd"])
def test_bad_display_tokens_are_404(client, token):
    assert client.get(f"/projector/{token}").status_code == 404


def test_projector_survives_without_idle_timeout(app, make_world):
    world = make_world()
    facilitator = signed_in_staff(app, FACILITATOR_A)
    token = _display_token(facilitator, world.course_id)
    page = app.test_client().get(f"/projector/{token}").get_data(as_text=True)
    assert "data-idle-seconds" not in page and 'data-display-token="' in page


def test_the_flood_guard_counts_concurrent_events_exactly():
    """Fifty events of one socket counted at once from fifty threads: exactly the limit pass."""
    import threading

    guard = sockets.FloodGuard(limit=20, window_seconds=10)
    start = threading.Barrier(50)
    passed: list[bool] = []

    def event() -> None:
        start.wait()
        passed.append(not guard.flooding("sid-1"))

    threads = [threading.Thread(target=event) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert passed.count(True) == 20
    assert not guard.flooding("sid-2")  # another socket has its own count


def test_the_flood_window_starts_again():
    now = [0.0]
    guard = sockets.FloodGuard(limit=2, window_seconds=10, clock=lambda: now[0])
    assert [guard.flooding("s") for _ in range(3)] == [False, False, True]
    now[0] = 10.0
    assert not guard.flooding("s")
    guard.forget("s")
    assert guard._counts == {}


def test_a_flooding_socket_is_disconnected_and_others_carry_on(app, make_world):
    from course.realtime import sockets

    world = make_world()
    flooder_phone = signed_in_citizen(app, world)
    calm_phone = signed_in_citizen(app, world, 1)
    flooder, calm = _socket(app, flooder_phone), _socket(app, calm_phone)
    for _ in range(sockets.EVENT_LIMIT):
        assert flooder.emit(realtime.EVENT_SYNC, callback=True)["streams"]
    flooder.emit(realtime.EVENT_SYNC, callback=True)
    assert not flooder.is_connected()
    assert calm.emit(realtime.EVENT_SYNC, callback=True)["streams"]
    assert calm.is_connected()
