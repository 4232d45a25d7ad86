"""Brute force of codes and passwords: 429 after a few tries, per device and per course code."""

from __future__ import annotations

from tests.conftest import join_citizen


def _device(app, device_id: str):
    client = app.test_client()
    client.set_cookie("teten_device", device_id, domain="teten.test")
    return client


def _guess(client, course_code: str, code: str = "AAAA2222"):
    return client.post("/join", data={"course_code": course_code, "personal_code": code})


def test_one_device_is_stopped_after_a_few_wrong_codes(app, make_world):
    world = make_world()
    phone = _device(app, "a" * 32)
    statuses = [_guess(phone, world.course_code).status_code for _ in range(6)]
    assert statuses[:4] == [422] * 4
    assert statuses[5] == 429
    # even the right code is refused while locked: guessing does not pay
    assert _guess(phone, world.course_code, world.citizens[0][1]).status_code == 429
    locked = _guess(phone, world.course_code)
    assert int(locked.headers["Retry-After"]) > 0
    # the rest of the room (other devices behind the same router) is not affected
    neighbour = _device(app, "b" * 32)
    join_citizen(neighbour, world.course_code, world.citizens[1][1])


def test_many_devices_guessing_one_course_are_stopped(app, make_world):
    world = make_world()
    app.config["LOGIN_MAX_FAILURES_COURSE"] = 8
    for i in range(8):
        assert _guess(_device(app, f"{i:032d}"), world.course_code).status_code in (422, 429)
    fresh = _device(app, "c" * 32)
    assert _guess(fresh, world.course_code).status_code == 429


def test_cleared_cookies_do_not_reset_the_count(app, make_world):
    world = make_world()
    for _ in range(6):
        last = _guess(app.test_client(), world.course_code)  # no device cookie: address + browser
    assert last.status_code == 429


def test_staff_password_guessing_is_throttled(app, make_world):
    make_world()
    client = _device(app, "d" * 32)
    statuses = [client.post("/login", data={"email": "fac@teama.dk", "password": "wrong"}
                            ).status_code for _ in range(6)]
    assert statuses[0] == 422 and statuses[-1] == 429


def test_a_success_clears_the_device_count(app, make_world):
    world = make_world()
    phone = _device(app, "e" * 32)
    for _ in range(3):
        _guess(phone, world.course_code)
    join_citizen(phone, world.course_code, world.citizens[0][1])
    phone.post("/logout")
    for _ in range(3):
        assert _guess(phone, world.course_code).status_code == 422


def test_the_facilitator_lifts_a_course_lockout(app, make_world):
    from tests.conftest import login_staff

    world = make_world()
    app.config["LOGIN_MAX_FAILURES_COURSE"] = 3
    for i in range(3):
        _guess(_device(app, f"{i:032d}"), world.course_code)
    assert _guess(_device(app, "f" * 32), world.course_code).status_code == 429
    facilitator = app.test_client()
    login_staff(facilitator, "fac@teama.dk")
    console = facilitator.get(f"/courses/{world.course_id}/console").get_data(as_text=True)
    assert "Login er sat på pause" in console
    lifted = facilitator.post(f"/courses/{world.course_id}/join-lock/lift")
    assert lifted.status_code == 302
    join_citizen(_device(app, "f" * 32), world.course_code, world.citizens[0][1])
    console = facilitator.get(f"/courses/{world.course_id}/console").get_data(as_text=True)
    assert "Login er sat på pause" not in console


def test_only_the_courses_facilitators_lift_a_lockout(app, make_world):
    from tests.conftest import login_staff

    world = make_world()
    consultant = app.test_client()
    login_staff(consultant, "con@teama.dk")
    assert consultant.post(f"/courses/{world.course_id}/join-lock/lift").status_code == 404


# -- an attack cannot lock the room out ------------------------------------------------------


def _rotating_attack(app, course_code: str, n: int) -> None:
    """``n`` wrong codes, each from a new device cookie (a script, or cleared cookies)."""
    for i in range(n):
        _guess(_device(app, f"attacker{i:024d}"), course_code)


def _phone_that_joined_before(app, world, index: int, device_id: str):
    """A citizen's own phone: it loaded the front page (its device cookie), signed in once at
    the kickoff and signed out again."""
    phone = _device(app, device_id)
    join_citizen(phone, world.course_code, world.citizens[index][1])
    assert phone.get_cookie("teten_known", domain="teten.test") is not None
    phone.post("/logout")
    return phone


def test_citizens_with_the_right_code_get_in_while_a_rotating_attack_locks_the_course(
        app, make_world):
    world = make_world()
    app.config["LOGIN_MAX_FAILURES_COURSE"] = 8
    anna = _phone_that_joined_before(app, world, 0, "a" * 32)
    bilal = _phone_that_joined_before(app, world, 1, "b" * 32)
    _rotating_attack(app, world.course_code, 12)
    # the course is locked for devices that signed in as no one…
    assert _guess(_device(app, "f" * 32), world.course_code).status_code == 429
    assert _guess(_device(app, "g" * 32), world.course_code,
                  world.citizens[2][1]).status_code == 429  # (even with a right code: below)
    # …but Anna and Bilal get in on their own phones, with their own codes
    assert _guess(anna, world.course_code, world.citizens[0][1]).status_code == 302
    assert _guess(bilal, world.course_code, world.citizens[1][1]).status_code == 302


def test_a_known_phone_admits_only_the_people_it_knows_while_the_course_is_locked(
        app, make_world):
    """A co-participant's own phone is known for them only: while the course is locked their
    guesses — even another citizen's right code — admit no one, and count against the phone."""
    world = make_world()
    app.config["LOGIN_MAX_FAILURES_COURSE"] = 8
    attacker = _phone_that_joined_before(app, world, 0, "a" * 32)
    _rotating_attack(app, world.course_code, 12)
    assert _guess(attacker, world.course_code, world.citizens[1][1]).status_code == 429
    for _ in range(5):
        _guess(attacker, world.course_code)
    # the phone itself is now locked: not even its own person gets in from it until it unlocks
    assert _guess(attacker, world.course_code, world.citizens[0][1]).status_code == 429


def test_a_known_device_list_is_bound_to_its_device(app, make_world):
    """The list copied onto another device id (or forged) is ignored."""
    world = make_world()
    app.config["LOGIN_MAX_FAILURES_COURSE"] = 8
    anna = _phone_that_joined_before(app, world, 0, "a" * 32)
    copied = _device(app, "c" * 32)
    known = anna.get_cookie("teten_known", domain="teten.test").value
    copied.set_cookie("teten_known", known, domain="teten.test")
    forged = _device(app, "d" * 32)
    forged.set_cookie("teten_known", "eyJkIjoiZGRkZCIsInAiOlsiYzEiXX0.forged",
                      domain="teten.test")
    _rotating_attack(app, world.course_code, 12)
    for device in (copied, forged):
        assert _guess(device, world.course_code, world.citizens[0][1]).status_code == 429


def test_staff_with_the_right_password_get_in_on_their_own_pc_during_an_attack(
        app, make_world):
    from tests.conftest import PASSWORD

    make_world()
    pc = _device(app, "p" * 32)
    assert pc.post("/login", data={"email": "fac@teama.dk", "password": PASSWORD}
                   ).status_code == 302
    pc.post("/logout")
    for i in range(12):  # rotating devices, wrong passwords
        _device(app, f"attacker{i:024d}").post(
            "/login", data={"email": "fac@teama.dk", "password": f"forkert {i}"})
    stranger = _device(app, "s" * 32)
    assert stranger.post("/login", data={"email": "fac@teama.dk", "password": PASSWORD}
                         ).status_code == 429
    # a wrong password from the known PC is refused as locked, and the right one admits
    assert pc.post("/login", data={"email": "fac@teama.dk", "password": "forkert"}
                   ).status_code == 429
    assert pc.post("/login", data={"email": "fac@teama.dk", "password": PASSWORD}
                   ).status_code == 302
    # the success did not reset the count against the e-mail: the attack stays locked out
    assert _device(app, "t" * 32).post(
        "/login", data={"email": "fac@teama.dk", "password": "x"}).status_code == 429
