"""Two-way sparring (issue 16, point 2): a thread per plan and per budget line between the
citizen and their job consultant — during the four weeks and after a send-back — live on both
sides, each side notified, kept with the case; and seen by nobody else: not another citizen,
not a peer reviewer in a round, not another team's job consultant (404, and their sockets
never receive a thread's push)."""

from __future__ import annotations

import sqlalchemy as sa

from course.approvals.models import Case, Notification
from course.budgets.models import Draft
from course.extensions import db, socketio
from tests.conftest import CONSULTANT_A, hx_post, pushed, signed_in_staff
from tests.rounds.test_rounds import (  # noqa: F401 (fixtures: a round running in Team A's course)
    phones,
    running,
    sparring_course,
    team_a,
)

HX = {"HX-Request": "true"}


def _draft_of(app, citizen_id: int) -> tuple[int, int]:
    """(draft id, first line id) of a citizen."""
    with app.app_context():
        draft = db.session.scalars(sa.select(Draft).where(Draft.citizen_id == citizen_id)).one()
        return draft.id, draft.lines[0].id


def _write(client, draft_id: int, text: str, line_id: int | None = None):
    return client.post(f"/drafts/{draft_id}/comments", headers=HX,
                       data={"text": text, "line_id": "" if line_id is None else str(line_id)})


def _texts(sock, target: str) -> list[str]:
    return [f["html"] for f in pushed(sock) if f["target"] == target]


def _notes(app, **who) -> list[tuple[str, str]]:
    with app.app_context():
        return [(n.kind, n.link) for n in db.session.scalars(
            sa.select(Notification).filter_by(**who).order_by(Notification.id))]


def _colleague(app, world, email: str, team_id: int | None = None) -> int:
    from course.people import services as people
    from course.people.models import Role, Team
    from tests.conftest import PASSWORD

    with app.app_context():
        staff = people.create_staff(db.session.get(Team, team_id or world.team_id), email,
                                    email, Role.JOB_CONSULTANT, PASSWORD,
                                    must_change_password=False)
        db.session.commit()
        return staff.id


def test_a_thread_while_writing_reaches_exactly_its_two_sides(app, sparring_course, running,  # noqa: F811
                                                              phones, make_world):  # noqa: F811
    anna_id = sparring_course.citizens[0][0]
    draft_id, line_id = _draft_of(app, anna_id)
    anna, peers = phones[0], phones[1:]  # the others review each other's plans in the round
    consultant = signed_in_staff(app, CONSULTANT_A)
    _colleague(app, sparring_course, "con2@teama.dk")
    colleague = signed_in_staff(app, "con2@teama.dk")  # same team, not Anna's consultant
    make_world("Team B")
    other_team = signed_in_staff(app, "con@teamb.dk")
    sockets = {name: socketio.test_client(app, flask_test_client=client) for name, client in
               [("anna", anna), ("consultant", consultant), ("peer1", peers[0]),
                ("peer2", peers[1]), ("colleague", colleague), ("other_team", other_team)]}
    for sock in sockets.values():
        sock.get_received()
    target = f"draft-thread-{draft_id}"

    assert _write(consultant, draft_id, "Hvad koster teoriprøven?", line_id).status_code == 200
    [to_anna] = _texts(sockets["anna"], target)
    assert "Hvad koster teoriprøven?" in to_anna and "Truckkørekort 0" in to_anna
    assert "csrf_token" not in to_anna
    assert _texts(sockets["consultant"], target)  # the consultant's other screens
    assert _notes(app, citizen_id=anna_id) == [("consultant_commented", "/me/budget")]

    answer = _write(anna, draft_id, "Den koster 900 kr. – jeg har vedhæftet prisen.", line_id)
    assert answer.status_code == 200
    received = pushed(sockets["consultant"])
    assert "notice-ping" in {f["target"] for f in received}  # the badge, live
    [to_consultant] = [f["html"] for f in received if f["target"] == target]
    assert to_consultant.index("Hvad koster") < to_consultant.index("Den koster 900 kr.")
    assert _notes(app, staff_id=sparring_course.consultant_id) == [
        ("citizen_replied", f"/drafts/{draft_id}")]
    badge = consultant.get("/notifications/badge").get_data(as_text=True)
    assert "1 ny besked" in badge

    for name in ("peer1", "peer2", "colleague", "other_team"):
        received = pushed(sockets[name])
        assert all("teoriprøven" not in f["html"] and "900 kr." not in f["html"]
                   for f in received), name
        assert target not in {f["target"] for f in received}, name
    for outsider in (*peers, colleague, other_team):
        assert outsider.get(f"/drafts/{draft_id}/comments", headers=HX).status_code == 404
        assert _write(outsider, draft_id, "Må jeg se?").status_code == 404
        assert outsider.get(f"/drafts/{draft_id}/comments").status_code == 404


def test_after_a_send_back_the_thread_is_live_on_the_plan_page_and_the_case(app, make_world):
    from tests.approvals.test_approvals import complete_draft
    from tests.conftest import signed_in_citizen

    world = make_world("Team C", citizens=2)
    citizen_id = world.citizens[0][0]
    complete_draft(app, citizen_id, world.course_id)
    phone = signed_in_citizen(app, world, 0)
    assert phone.post("/me/plan/submit").status_code == 303
    consultant = signed_in_staff(app, "con@teamc.dk")
    lead = signed_in_staff(app, "lead@teamc.dk")
    with app.app_context():
        case = db.session.scalars(sa.select(Case)).one()
        case_id, draft_id, version = case.id, case.draft_id, case.version
    # handed in: the sparring is closed for both sides (the decision speaks now)
    assert _write(consultant, draft_id, "Et spørgsmål").status_code == 422
    assert hx_post(consultant, f"/cases/{case_id}/send-back", note="Find en billigere pris",
                   version=str(version)).status_code == 200

    phone_sock = socketio.test_client(app, flask_test_client=phone)
    lead_sock = socketio.test_client(app, flask_test_client=lead)
    consultant_sock = socketio.test_client(app, flask_test_client=consultant)
    other_phone = signed_in_citizen(app, world, 1)
    other_sock = socketio.test_client(app, flask_test_client=other_phone)
    for sock in (phone_sock, lead_sock, consultant_sock, other_sock):
        sock.get_received()
    target = f"draft-thread-{draft_id}"

    case_page = consultant.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'id="{target}"' in case_page and f'hx-post="/drafts/{draft_id}/comments"' in case_page
    assert _write(consultant, draft_id, "Prøv AMU-centret i Aarhus.").status_code == 200
    assert "Prøv AMU-centret" in _texts(phone_sock, target)[0]
    assert "Prøv AMU-centret" in _texts(lead_sock, target)[0]  # the case's staff (team room)
    assert _notes(app, citizen_id=citizen_id)[-1] == ("consultant_commented", "/me/plan")

    plan = phone.get("/me/plan").get_data(as_text=True)
    assert "Prøv AMU-centret i Aarhus." in plan and f'id="{target}"' in plan
    assert f'hx-post="/drafts/{draft_id}/comments"' in plan  # the citizen answers here
    assert _write(phone, draft_id, "Tak, det gør jeg.").status_code == 200
    assert "Tak, det gør jeg." in _texts(consultant_sock, target)[-1]
    assert "Tak, det gør jeg." in _texts(lead_sock, target)[-1]
    assert _notes(app, staff_id=world.consultant_id)[-1] == ("citizen_replied",
                                                               f"/cases/{case_id}")
    assert all("AMU" not in f["html"] and "Tak, det" not in f["html"]
               for f in pushed(other_sock))
    # kept with the case: the assessment screen shows the thread beside the plan
    page = lead.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Prøv AMU-centret i Aarhus." in page and "Tak, det gør jeg." in page
    # the lead reads along but does not write in the citizen's thread
    assert _write(lead, draft_id, "Jeg blander mig").status_code == 403
