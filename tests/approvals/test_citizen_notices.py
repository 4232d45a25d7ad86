"""The citizen is told (issue 16, point 1): a live in-app notice — the badge and the changed
state on /me/plan and the phone's home, without a reload — when the plan is sent back,
approved or ended; an e-mail with a link only, where an address is on file and SMTP is set up;
a notice centre on the phone where reading one marks it read on every device."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from course.approvals.models import Case, Notification
from course.extensions import db, socketio
from course.people.models import Citizen
from tests.approvals.test_approvals import GOAL, complete_draft
from tests.conftest import (
    CONSULTANT_A,
    hx_post,
    pushed,
    signed_in_citizen,
    signed_in_staff,
    smtp_inbox,
)


@pytest.fixture
def team_a(make_world):
    return make_world(citizens=2)


@pytest.fixture
def handed_in(app, team_a, citizen_client):
    """Citizen 0 has handed in a complete plan; returns the case's id."""
    complete_draft(app, team_a.citizens[0][0], team_a.course_id)
    assert citizen_client.post("/me/plan/submit").status_code == 303
    with app.app_context():
        return db.session.scalar(sa.select(Case.id))


def _version(app, case_id: int) -> str:
    with app.app_context():
        return str(db.session.get(Case, case_id).version)


def _send_back(app, consultant, case_id: int, note: str = "Find en billigere pris"):
    response = hx_post(consultant, f"/cases/{case_id}/send-back", note=note,
                       version=_version(app, case_id))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


def _citizen_notes(app, citizen_id: int) -> list[Notification]:
    with app.app_context():
        notes = db.session.scalars(sa.select(Notification).where(
            Notification.citizen_id == citizen_id).order_by(Notification.id)).all()
        db.session.expunge_all()
        return notes


# -- live, in the app ---------------------------------------------------------------------------


def test_a_send_back_reaches_the_citizens_devices_live_and_no_one_elses(
        app, team_a, handed_in, citizen_client, consultant_client):
    mine = socketio.test_client(app, flask_test_client=citizen_client)
    other_phone = signed_in_citizen(app, team_a, 1)
    other = socketio.test_client(app, flask_test_client=other_phone)
    page = citizen_client.get("/me/plan").get_data(as_text=True)
    assert 'id="my-plan-outcome" data-live-src="/me/plan/outcome"' in page
    assert f"citizen:{team_a.citizens[0][0]}" in page  # a live page: the citizen's own stream
    assert "Din plan er sendt" in page
    mine.get_received(), other.get_received()

    _send_back(app, consultant_client, handed_in)

    fragments = pushed(mine)
    assert {f["target"] for f in fragments} >= {"notice-ping", "my-stage", "my-plan-outcome",
                                               "my-notices"}
    assert all("Find en billigere pris" not in f["html"] for f in fragments)  # pings only
    assert pushed(other) == []
    # what the pinged regions read afresh
    outcome = citizen_client.get("/me/plan/outcome").get_data(as_text=True)
    assert "Din jobkonsulent beder dig rette planen" in outcome
    assert "Find en billigere pris" in outcome and "<main" not in outcome
    badge = citizen_client.get("/notifications/badge").get_data(as_text=True)
    assert "1 ny besked" in badge and 'href="/me/notices"' in badge
    stage = citizen_client.get("/me/stage").get_data(as_text=True)
    assert "Din jobkonsulent beder dig rette planen" in stage
    assert [n.kind for n in _citizen_notes(app, team_a.citizens[0][0])] == ["sent_back"]


@pytest.mark.parametrize(("step", "kind", "shown"), [
    ("approve", "approved", "Din plan er godkendt"),
    ("reject", "ended", "Dit forløb er afsluttet"),
])
def test_an_approval_or_an_ending_is_its_own_notice(app, team_a, handed_in, citizen_client,
                                                   consultant_client, step, kind, shown):
    from tests.approvals.test_approvals import _approve, _case, _rate

    sock = socketio.test_client(app, flask_test_client=citizen_client)
    case = _case(app)
    if step == "approve":
        _rate(consultant_client, case)
        case = _case(app)
        hx_post(consultant_client, f"/cases/{case.id}/triage", colour="green",
                version=str(case.version))
        sock.get_received()
        assert _approve(consultant_client, _case(app)).status_code == 200
    else:
        sock.get_received()
        assert hx_post(consultant_client, f"/cases/{case.id}/reject", reason="job",
                       version=str(case.version)).status_code == 200
    assert {"notice-ping", "my-plan-outcome", "my-stage"} <= {f["target"] for f in pushed(sock)}
    assert shown in citizen_client.get("/me/plan/outcome").get_data(as_text=True)
    [note] = _citizen_notes(app, team_a.citizens[0][0])
    assert note.kind == kind and note.link == "/me/plan"


def test_reading_the_plan_page_reads_its_notices_and_the_other_devices_badge_follows(
        app, team_a, handed_in, citizen_client, consultant_client):
    _send_back(app, consultant_client, handed_in)
    second_phone = signed_in_citizen(app, team_a, 0)
    sock = socketio.test_client(app, flask_test_client=second_phone)
    sock.get_received()
    citizen_client.get("/me/plan")
    assert "notice-ping" in {f["target"] for f in pushed(sock)}
    assert "ny besked" not in second_phone.get("/notifications/badge").get_data(as_text=True)


# -- the notice centre --------------------------------------------------------------------------


def test_the_notice_centre_lists_newest_first_and_reading_one_marks_it_read(
        app, team_a, handed_in, citizen_client, consultant_client):
    citizen_id = team_a.citizens[0][0]
    with app.app_context():  # an older notice, read already
        db.session.add(Notification(citizen_id=citizen_id, kind="deadline", link="/me/budget",
                                    read_at=db.func.now()))
        db.session.commit()
    _send_back(app, consultant_client, handed_in)
    older, newer = _citizen_notes(app, citizen_id)
    assert (newer.kind, older.kind) == ("sent_back", "deadline")
    second_phone = signed_in_citizen(app, team_a, 0)
    sock = socketio.test_client(app, flask_test_client=second_phone)

    page = citizen_client.get("/me/notices").get_data(as_text=True)
    assert 'id="my-notices"' in page and "data-live-streams" in page
    sent_back = page.index("Din jobkonsulent har sendt din plan tilbage til dig.")
    assert sent_back < page.index("Fristen for budgetplanen nærmer sig.")  # newest first
    assert page.count("is-unread") == 1 and "Ny</span>" in page
    sock.get_received()

    read = citizen_client.post(f"/me/notices/{newer.id}")
    assert read.status_code == 303 and read.headers["Location"] == "/me/plan"
    assert _citizen_notes(app, citizen_id)[1].read_at is not None
    targets = {f["target"] for f in pushed(sock)}
    assert {"notice-ping", "my-notices"} <= targets  # the other device follows
    assert "is-unread" not in second_phone.get("/me/notices",
                                               headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert "ny besked" not in second_phone.get("/notifications/badge").get_data(as_text=True)


def test_no_one_reads_another_persons_notice(app, team_a, handed_in, consultant_client):
    _send_back(app, consultant_client, handed_in)
    [note] = _citizen_notes(app, team_a.citizens[0][0])
    other = signed_in_citizen(app, team_a, 1)
    assert other.post(f"/me/notices/{note.id}").status_code == 404
    assert "Din jobkonsulent har sendt" not in other.get("/me/notices").get_data(as_text=True)
    assert consultant_client.post(f"/me/notices/{note.id}").status_code in (403, 404)
    assert _citizen_notes(app, team_a.citizens[0][0])[0].read_at is None


# -- by e-mail ----------------------------------------------------------------------------------


def test_the_citizen_gets_an_e_mail_with_a_link_only(app, team_a, handed_in):
    with app.app_context():
        citizen = db.session.get(Citizen, team_a.citizens[0][0])
        citizen.email = "anna@example.dk"
        db.session.commit()
    consultant = signed_in_staff(app, CONSULTANT_A)
    with smtp_inbox() as (port, inbox):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="teten@kommune.dk")
        _send_back(app, consultant, handed_in, note="Find en billigere pris på truckkortet")
    [mail] = inbox
    assert mail.rcpt_tos == ["anna@example.dk"]
    body = mail.content.decode()
    assert "https://teten.test/me/plan" in body or "http://teten.test/me/plan" in body
    for private in ("billigere", GOAL, "Citizen", "Truck", "sendt tilbage"):
        assert private not in body


def test_no_e_mail_without_an_address_or_without_smtp(app, team_a, handed_in, consultant_client):
    with smtp_inbox() as (port, inbox):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        _send_back(app, consultant_client, handed_in)  # the citizen has no address on file
    assert inbox == []
    assert [n.kind for n in _citizen_notes(app, team_a.citizens[0][0])] == ["sent_back"]
