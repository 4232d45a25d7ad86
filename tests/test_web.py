"""The one fragment-or-page decision and the one refusal path (course/web.py)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask import request

from course import realtime, web
from course.extensions import db
from course.people.models import Team

HTMX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


@pytest.fixture
def routes(app):
    """Two throwaway endpoints: a page with its fragment, and a refused change."""
    @app.get("/_t/page")
    def page():
        return web.render("errors/error.html", "_refusal.html", code=200, message="hello")

    @app.post("/_t/refuse")
    def refused():
        db.session.add(Team(name="written before the refusal"))
        db.session.flush()
        realtime.render_to("team:1:queue", "queue-ping", "approvals/_queue_ping.html")
        slot = "approve-message" if request.args.get("slot") else None
        return web.refuse("Skriv datoer som dd-mm-åååå.", 422, slot=slot)

    for view in (page, refused):
        view.teten_access = frozenset({"public"})
    return app


def test_a_fragment_request_gets_the_fragment_and_the_answer_varies(routes, client):
    response = client.get("/_t/page", headers=HTMX)
    assert response.get_data(as_text=True).strip().startswith('<span class="refusal">')
    assert "HX-Request" in response.vary


@pytest.mark.parametrize("headers", [{}, BOOSTED], ids=["no javascript", "boosted"])
def test_a_boosted_request_or_a_plain_one_gets_the_page(routes, client, headers):
    response = client.get("/_t/page", headers=headers)
    assert "<html" in response.get_data(as_text=True)
    assert "HX-Request" in response.vary


def _refuse(app, client, *, slot: bool, headers: dict[str, str]):
    return client.post("/_t/refuse?slot=1" if slot else "/_t/refuse", headers=headers)


def test_a_refusal_with_a_slot_is_swapped_beside_the_form(routes, client):
    response = _refuse(routes, client, slot=True, headers=HTMX)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#approve-message"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "Skriv datoer som dd-mm-åååå." in response.get_data(as_text=True)


def test_a_refusal_without_a_slot_leaves_the_page_and_says_why_in_the_toast(routes, client):
    response = _refuse(routes, client, slot=False, headers=HTMX)
    assert response.status_code == 422
    assert response.headers["HX-Reswap"] == "none"
    trigger = json.loads(response.headers["HX-Trigger"])
    assert trigger == {web.REFUSED_EVENT: {"message": "Skriv datoer som dd-mm-åååå."}}


def test_a_refusal_without_javascript_is_a_page_with_the_message(routes, client):
    response = _refuse(routes, client, slot=True, headers={})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" in body
    assert "Skriv datoer som dd-mm-åååå." in body
    assert "HX-Retarget" not in response.headers


def test_a_refusal_keeps_nothing_and_pushes_nothing(routes, client, monkeypatch):
    sent = []
    monkeypatch.setattr(realtime.push.socketio, "emit", lambda *a, **k: sent.append(a))
    _refuse(routes, client, slot=False, headers=HTMX)
    with routes.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Team)) == 0
    assert sent == []
