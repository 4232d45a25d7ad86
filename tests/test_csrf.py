"""CSRF on every form and htmx request; no one-hour expiry; Referer checked over HTTPS."""

from __future__ import annotations

import time

import sqlalchemy as sa

from course.extensions import db
from course.live.models import Announcement


def _announcements(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Announcement.id)))


def test_post_without_token_is_refused_and_changes_nothing(app, facilitator_client, team_a):
    response = facilitator_client.post(f"/courses/{team_a.course_id}/announcements",
                                       data={"text": "Pause"}, csrf=False)
    assert response.status_code == 400
    assert _announcements(app) == 0


def test_htmx_post_with_wrong_token_is_refused(app, facilitator_client, team_a):
    response = facilitator_client.post(f"/courses/{team_a.course_id}/announcements",
                                       data={"text": "Pause"},
                                       headers={"HX-Request": "true", "X-CSRFToken": "forged"})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"  # shown by the page's error toast
    assert _announcements(app) == 0


def test_sign_in_form_needs_a_token_too(client, make_world):
    world = make_world()
    response = client.post("/join", data={"course_code": world.course_code,
                                          "personal_code": world.citizens[0][1]}, csrf=False)
    assert response.status_code == 400


def test_token_still_works_after_hours_of_writing(app, facilitator_client, team_a, monkeypatch):
    token = facilitator_client.csrf_token()
    later = time.time() + 9 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    response = facilitator_client.post(f"/courses/{team_a.course_id}/announcements",
                                       data={"text": "Still here"}, headers={"X-CSRFToken": token})
    assert response.status_code == 302  # a plain form post redirects back to the console
    assert _announcements(app) == 1


def test_https_post_from_the_apps_own_page_works(app, facilitator_client, team_a):
    response = facilitator_client.post(
        f"/courses/{team_a.course_id}/announcements", data={"text": "Over TLS"},
        base_url="https://teten.test",
        headers={"Referer": f"https://teten.test/courses/{team_a.course_id}/console"})
    assert response.status_code == 302  # a plain form post redirects back to the console
    assert _announcements(app) == 1


def test_https_post_with_a_foreign_referer_is_refused(app, facilitator_client, team_a):
    response = facilitator_client.post(f"/courses/{team_a.course_id}/announcements",
                                       data={"text": "Evil"},
                                       base_url="https://teten.test",
                                       headers={"Referer": "https://evil.example/"})
    assert response.status_code == 400
    assert _announcements(app) == 0


def test_pages_carry_the_token_for_htmx(client):
    page = client.get("/").get_data(as_text=True)
    assert "hx-headers='{\"X-CSRFToken\": \"" in page
