"""Fail-closed permissions: every endpoint declares who may use it, and the rules hold."""

from __future__ import annotations

import pytest

from course import access
from tests.conftest import join_citizen, login_staff


def test_every_endpoint_declares_who_may_use_it(app):
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules()
        if access.declared_kinds(app, rule.endpoint) is None
    ]
    assert undeclared == []


def test_an_undeclared_endpoint_is_refused_at_runtime(app, client):
    @app.get("/undeclared")
    def undeclared():
        return "secret"

    assert client.get("/undeclared").status_code == 403


def test_declaring_nothing_or_nonsense_is_an_error():
    with pytest.raises(ValueError):
        access.allow()
    with pytest.raises(ValueError):
        access.allow("everyone")


@pytest.mark.parametrize("path", ["/office", "/staff", "/me", "/password"])
def test_anonymous_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/?next=") or "next=" in response.headers[
        "Location"]


def test_anonymous_htmx_request_gets_401_not_a_redirect(client, make_world):
    world = make_world()
    response = client.get(f"/courses/{world.course_id}/announcement",
                          headers={"HX-Request": "true"})
    assert response.status_code == 401


def test_citizen_cannot_reach_staff_pages(client, make_world):
    world = make_world()
    join_citizen(client, world.course_code, world.citizens[0][1])
    for path in ["/office", f"/courses/{world.course_id}", f"/courses/{world.course_id}/console",
                 "/staff"]:
        assert client.get(path).status_code == 403, path
    response = client.post(f"/courses/{world.course_id}/announcements", data={"text": "hi"})
    assert response.status_code == 403


def test_staff_of_another_team_sees_nothing_of_a_course(client, make_world):
    a = make_world("Team A")
    make_world("Team B")
    login_staff(client, "fac@teamb.dk")
    for path in [f"/courses/{a.course_id}", f"/courses/{a.course_id}/console",
                 f"/courses/{a.course_id}/announcement"]:
        assert client.get(path).status_code == 404, path
    assert client.post(f"/courses/{a.course_id}/announcements",
                       data={"text": "hijack"}).status_code == 404
    assert client.post(f"/courses/{a.course_id}/citizens",
                       data={"name": "X", "job_consultant": "1"}).status_code == 404
    office = client.get("/office").get_data(as_text=True)
    assert "Course Team A" not in office


def test_citizen_cannot_read_another_course(client, make_world):
    a = make_world("Team A")
    b = make_world("Team B")
    join_citizen(client, b.course_code, b.citizens[0][1])
    assert client.get(f"/courses/{a.course_id}/announcement").status_code == 404
    assert client.get(f"/courses/{b.course_id}/announcement").status_code == 200


def test_job_consultant_cannot_run_the_console(consultant_client, team_a):
    assert consultant_client.get(f"/courses/{team_a.course_id}/console").status_code == 404
    assert consultant_client.post(f"/courses/{team_a.course_id}/announcements",
                                  data={"text": "x"}).status_code == 404


def test_only_team_leads_manage_staff(facilitator_client, team_a):
    assert facilitator_client.get("/staff").status_code == 403
    assert facilitator_client.post(f"/staff/{team_a.consultant_id}/deactivate").status_code == 403


def test_team_lead_cannot_touch_another_teams_staff(client, make_world):
    make_world("Team A")
    b = make_world("Team B")
    login_staff(client, "lead@teama.dk")
    assert client.post(f"/staff/{b.consultant_id}/deactivate").status_code == 404
    assert client.post(f"/staff/{b.consultant_id}/reset").status_code == 404


def test_extra_form_fields_are_ignored(app, client, make_world):
    """An enrolment with smuggled course_id/active fields lands in the URL's course only."""
    from course.extensions import db
    from course.people.models import Citizen

    a = make_world("Team A")
    b = make_world("Team B")
    login_staff(client, "con@teama.dk")
    from course.people.services import REQUIRED_ELIGIBILITY

    response = client.post(f"/courses/{a.course_id}/citizens", data={
        "name": "Smuggler", "job_consultant": str(a.consultant_id),
        "info_meeting_on": "2026-01-05", "criteria": list(REQUIRED_ELIGIBILITY),
        "course_id": str(b.course_id), "active": "0", "code_hash": "x",
    })
    assert response.status_code == 200
    with app.app_context():
        citizen = db.session.query(Citizen).filter_by(name="Smuggler").one()
        assert citizen.course_id == a.course_id and citizen.active and citizen.code_hash != "x"


def test_enrolment_refuses_a_consultant_from_another_team(client, make_world):
    a = make_world("Team A")
    b = make_world("Team B")
    login_staff(client, "con@teama.dk")
    response = client.post(f"/courses/{a.course_id}/citizens", data={
        "name": "X", "job_consultant": str(b.consultant_id)})
    assert response.status_code == 422
