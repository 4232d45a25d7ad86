"""Hostile ids and URLs answer 404 or 400, never 500 (SECURITY.md, bad input).

Every route is walked with ids no column can hold — in the path, in the query string and in
every form field a template names — by each kind of person; and ``next`` values that would
split a header or leave the site are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.routing import Rule

from course.extensions import db
from course.people import services as people
from course.people.models import Role, Team
from course.web import MAX_ID, as_id
from tests.conftest import (
    CONSULTANT_A,
    LEAD_A,
    PASSWORD,
    signed_in_citizen,
    signed_in_staff,
)

#: Numbers no id column holds: past PostgreSQL's integer, past 64 bits, past anything.
HUGE = [str(MAX_ID + 1), str(2**63), "9" * 40]
#: The form fields and query arguments the templates name (a hostile value in each at once).
FIELDS = sorted(set(re.findall(r'name="([a-z_]+)"', "".join(
    p.read_text() for p in __import__("pathlib").Path("course/templates").rglob("*.html")))))


def _rules(app: Flask) -> Iterator[Rule]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint != "static":
            yield rule


def _path(rule: Rule, number: str) -> str:
    """The rule's path with ``number`` for every id and a plain word for any other argument."""
    path = re.sub(r"<int:\w+>", number, rule.rule)
    return re.sub(r"<(?:\w+:)?\w+>", "x", path)


@pytest.fixture
def people_of_the_room(app: Flask, team_a) -> dict[str, object]:
    """A browser for everyone who can sign in, and one signed in as nobody."""
    with app.app_context():
        people.create_staff(db.session.get(Team, team_a.team_id), "Finn Finans",
                            "finance@teama.dk", Role.FINANCE, PASSWORD,
                            must_change_password=False)
        db.session.commit()
    return {
        "nobody": app.test_client(),
        "citizen": signed_in_citizen(app, team_a),
        "consultant": signed_in_staff(app, CONSULTANT_A),
        "lead": signed_in_staff(app, LEAD_A),
        "finance": signed_in_staff(app, "finance@teama.dk"),
    }


def test_as_id_takes_only_what_an_id_column_holds():
    assert [as_id(v) for v in ("1", " 42 ", str(MAX_ID))] == [1, 42, MAX_ID]
    for value in (*HUGE, "0", "-1", "1.0", "1e3", "٣", "²", "", None, "0x10"):
        assert as_id(value) is None, value


def test_every_route_answers_an_out_of_range_id_in_the_path_with_404(app, people_of_the_room):
    """No route matches (the converter refuses the number). Werkzeug may say 405 instead of
    404 where a rule of the same shape takes another method: neither names anything."""
    walked = 0
    for rule in _rules(app):
        if "<int:" not in rule.rule:
            continue
        for number in HUGE:
            path = _path(rule, number)
            for who, browser in people_of_the_room.items():
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    response = browser.open(path, method=method)
                    assert response.status_code in (404, 405), (who, method, path,
                                                                response.status_code)
                    walked += 1
    assert walked > 500  # every id route, three numbers, five people


def test_every_route_answers_out_of_range_ids_in_its_form_and_query_without_a_500(
        app, team_a, people_of_the_room):
    """Real ids in the path (the world's course, its first citizen…), a huge number in every
    query argument and form field the templates name."""
    hostile = {name: HUGE[1] for name in FIELDS if name not in ("lang", "next")}
    failures = []
    for rule in _rules(app):
        path = _path(rule, "1")
        for who, browser in people_of_the_room.items():
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if method == "GET":
                    response = browser.get(path, query_string=hostile)
                else:
                    response = browser.open(path, method=method, data=hostile,
                                            headers={"HX-Request": "true"})
                if response.status_code >= 500:
                    failures.append((who, method, path, response.status_code))
    assert failures == []


@pytest.mark.parametrize("target", ["/me\nX", "/me\r\nSet-Cookie: x=1", "/me%0AX",
                                    "/\\evil.example", "/me\x00", "/me\tX", "/\x7f"])
def test_a_hostile_next_is_dropped_on_the_language_switch(client, target):
    client.get("/")
    response = client.post("/language", data={"lang": "en", "next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "\n" not in location and "\r" not in location and "evil" not in location
    if "%0A" not in target:
        assert location.endswith("/")  # the start page instead


def test_a_hostile_next_at_sign_in_signs_in_and_goes_home(app, team_a):
    browser = app.test_client()
    browser.get("/login")
    response = browser.post("/login?next=%2Fme%0AX", data={"email": CONSULTANT_A,
                                                           "password": PASSWORD})
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"]
    assert browser.get(response.headers["Location"]).status_code in (200, 302)
    # a same-site next is still followed
    other = app.test_client()
    other.get("/login")
    response = other.post("/login?next=%2Fqueue", data={"email": CONSULTANT_A,
                                                        "password": PASSWORD})
    assert response.headers["Location"].endswith("/queue")
