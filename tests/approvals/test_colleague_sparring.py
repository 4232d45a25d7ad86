"""Colleague sparring that works (issue 16, point 3): the colleague asked on a yellow case sees
the plan, the ratings and the notes (read-only), answers in the case's thread; the owner sees
the answer live; the re-triage to green or red records who advised what, in the audit trail
and on the case page."""

from __future__ import annotations

import sqlalchemy as sa

from course.approvals.models import AuditEvent
from course.extensions import db, socketio
from tests.approvals.test_approvals import _case, _new_consultant, _rate, _submit, citizen  # noqa: F401
from tests.conftest import hx_post, pushed, pushes_to, signed_in_staff

NOTE = "Usikker på om tidsplanen holder"


def _yellow(app, consultant, colleague_id: int):
    """Submitted, rated (realistic uncertain, with a note), yellow, the colleague asked."""
    case = _case(app)
    response = hx_post(consultant, f"/cases/{case.id}/ratings", version=str(case.version),
                       **{"substantial_change-value": "yes", "substantial_change-note": "",
                          "realistic-value": "uncertain", "realistic-note": NOTE,
                          "coherence-value": "yes", "coherence-note": "Hænger sammen"})
    assert response.status_code == 200
    case = _case(app)
    hx_post(consultant, f"/cases/{case.id}/triage", colour="yellow", version=str(case.version))
    case = _case(app)
    assert hx_post(consultant, f"/cases/{case.id}/colleagues", staff_id=str(colleague_id),
                   version=str(case.version)).status_code == 200
    return _case(app)


def test_the_colleague_sees_the_ratings_and_notes_read_only(app, team_a, citizen,  # noqa: F811
                                                            consultant_client):
    _submit(citizen)
    colleague_id = _new_consultant(app, team_a, "sara@teama.dk")
    case = _yellow(app, consultant_client, colleague_id)
    colleague = signed_in_staff(app, "sara@teama.dk")
    page = colleague.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'class="card criteria-read"' in page
    assert NOTE in page and "Hænger sammen" in page and "Usikker" in page
    assert "Du er bedt om sparring" in page
    assert 'name="realistic-value"' not in page  # read-only: no rating form
    assert f'action="/cases/{case.id}/ratings"' not in page
    assert "Truckkørekort" in page  # the plan itself
    # the owner still has the form, not the read-only panel
    own = consultant_client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'name="realistic-value"' in own and 'class="card criteria-read"' not in own
    # and the colleague cannot rate
    refused = hx_post(colleague, f"/cases/{case.id}/ratings", version=str(case.version),
                      **{"realistic-value": "yes"})
    assert refused.status_code == 422


def test_the_colleagues_answer_reaches_the_owner_live_and_the_re_triage_records_it(
        app, team_a, make_world, citizen, consultant_client):  # noqa: F811
    _submit(citizen)
    colleague_id = _new_consultant(app, team_a, "sara@teama.dk")
    case = _yellow(app, consultant_client, colleague_id)
    colleague = signed_in_staff(app, "sara@teama.dk")
    owner_sock = socketio.test_client(app, flask_test_client=consultant_client)
    make_world("Team B")
    other_team = socketio.test_client(app, flask_test_client=signed_in_staff(app,
                                                                             "con@teamb.dk"))
    citizen_sock = socketio.test_client(app, flask_test_client=citizen)
    for sock in (owner_sock, other_team, citizen_sock):
        sock.get_received()

    answer = "Tidsplanen er realistisk – hun har en plads på holdet i februar."
    assert hx_post(colleague, f"/cases/{case.id}/comments", text=answer).status_code == 200
    [thread] = pushes_to(owner_sock, f"case-thread-{case.id}")
    assert answer in thread and "sara ·" in thread  # the colleague's name
    assert all(answer not in f["html"] for f in pushed(other_team))
    assert all(answer not in f["html"] for f in pushed(citizen_sock))

    # the owner acts on the page they had: a colleague's comment is not a step on the case
    assert hx_post(consultant_client, f"/cases/{case.id}/triage", colour="green",
                   version=str(case.version)).status_code == 200
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "triaged").order_by(AuditEvent.id.desc())).first()
        assert event.colour == "green" and event.details["from_colour"] == "yellow"
        [advice] = event.details["advice"]
        assert advice["by"] == colleague_id and advice["text"] == answer
    page = consultant_client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Kollegial sparring til journalen" in page and "ændrede gul til Grøn" in page
    assert answer in page
    trail = consultant_client.get(f"/cases/{case.id}/trail.csv").get_data(as_text=True)
    # the access request's trail says it in words: whose advice, and what it was
    assert "Ændret fra Gul." in trail and f"Råd fra sara: {answer}" in trail
