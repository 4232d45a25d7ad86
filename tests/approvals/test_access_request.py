"""An access request (issue 16, point 7): the per-citizen audit trail a citizen can read — every
step in words (Danish, or English in the English locale), Danish local time, the rating notes —
as CSV and as a page to print; and still only for the citizen's team's job consultants and
team lead."""

from __future__ import annotations

import csv
import io
import re
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from course.approvals.models import AuditEvent
from course.extensions import db
from tests.approvals.test_approvals import _approve_green, _case, _submit, complete_draft
from tests.conftest import hx_post, signed_in_staff

CODES = ("substantial_change", "criterion=", "sent_back", "declaration_signed", "value=yes",
         "triaged", "in_assessment")


@pytest.fixture
def citizen(app, team_a, citizen_client):
    complete_draft(app, team_a.citizens[0][0], team_a.course_id)
    return citizen_client


@pytest.fixture
def decided(app, team_a, citizen, consultant_client):
    """Handed in, sent back, handed in again, rated (with a note), green, approved, signed."""
    _submit(citizen)
    case = _case(app)
    hx_post(consultant_client, f"/cases/{case.id}/send-back", note="Ret prisen på kurset",
            version=str(case.version))
    _submit(citizen)
    _approve_green(app, consultant_client, _case(app))
    citizen.post("/me/plan/declaration", data={"agree": "1"})
    return _case(app)


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))


def _local(app, action: str) -> str:
    with app.app_context():
        at = db.session.scalars(sa.select(AuditEvent.at).where(AuditEvent.action == action)).first()
    return at.astimezone(ZoneInfo("Europe/Copenhagen")).strftime("%Y-%m-%d %H:%M")


def test_the_trail_as_csv_speaks_danish_in_local_time(app, decided, consultant_client):
    rows = _csv_rows(consultant_client.get(f"/cases/{decided.id}/trail.csv"))
    assert rows[0] == ["Tidspunkt", "Trin", "Af", "Version", "Farve", "Hvad"]
    steps = [r[1] for r in rows[1:]]
    assert steps[:3] == ["Plan afleveret", "Plan sendt tilbage til ændringer", "Plan afleveret"]
    assert steps[-2:] == ["Plan godkendt", "Tro- og loveerklæring underskrevet"]
    assert "Kriterium vurderet" in steps and "Markeret grøn, gul eller rød" in steps
    rated = next(r for r in rows if r[1] == "Kriterium vurderet" and "Godt mål" in r[5])
    assert rated[5].endswith("Note: Godt mål") and " Ja." in rated[5]
    sent_back = next(r for r in rows if r[1] == "Plan sendt tilbage til ændringer")
    assert sent_back[2] == "Consultant Team A" and "Ret prisen på kurset" in sent_back[5]
    assert next(r for r in rows if r[1] == "Plan godkendt")[5] == "Forløbets længde: 9 måneder."
    assert rows[-1][2] == "Citizen Team A 0"  # the citizen's own step, by name
    # Danish time (Copenhagen is UTC+1 in winter), as written in the database's UTC
    assert rows[1][0] == _local(app, "submitted")
    text = "\n".join(";".join(r) for r in rows)
    assert not any(code in text for code in CODES), text


def test_the_trail_page_prints_for_the_citizen(app, decided, consultant_client):
    response = consultant_client.get(f"/cases/{decided.id}/trail")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert decided.reference in page and "Citizen Team A 0" in page
    assert "Plan afleveret" in page and "Note: Godt mål" in page
    assert re.search(r"\d{4}</span> <span class=\"nowrap\">kl\. \d\d\.\d\d<", page)
    assert 'class="print-actions no-print"' in page
    body = re.sub(r"<head>.*?</head>", "", page, flags=re.S)
    assert not any(code in body for code in CODES)


def test_the_trail_in_english(app, decided, consultant_client):
    consultant_client.post("/language", data={"lang": "en", "next": "/"})
    rows = _csv_rows(consultant_client.get(f"/cases/{decided.id}/trail.csv"))
    assert rows[0] == ["When", "Step", "By", "Version", "Colour", "What"]
    assert rows[1][1] == "Plan handed in" and rows[-1][1] == "Declaration on honour signed"
    page = consultant_client.get(f"/cases/{decided.id}/trail").get_data(as_text=True)
    assert "Criterion rated" in page and "Note: Godt mål" in page and "Plan afleveret" not in page


def test_an_earlier_rating_event_shows_the_rating_note_it_set(app, team_a, citizen,
                                                              consultant_client):
    """Events recorded before the note was kept in the trail: the rating's note, when the event
    is that criterion's last rating on the version (later ones would have overwritten it)."""
    from course.approvals.models import Rating

    _submit(citizen)
    case = _case(app)
    with app.app_context():
        version = db.session.get(type(case), case.id).current
        db.session.add(Rating(version_id=version.id, criterion="coherence", value="no",
                              note="Målet mangler", by_id=team_a.consultant_id))
        db.session.add(AuditEvent(case_id=case.id, citizen_id=case.citizen_id, action="rated",
                                  actor_staff_id=team_a.consultant_id, version_number=1,
                                  details={"criterion": "coherence", "value": "no"}))
        db.session.commit()
    rows = _csv_rows(consultant_client.get(f"/cases/{case.id}/trail.csv"))
    assert rows[-1][1] == "Kriterium vurderet" and rows[-1][5].endswith("Note: Målet mangler")


def test_who_may_fetch_a_citizens_trail(app, team_a, make_world, decided, lead_client,
                                        facilitator_client, citizen):
    from tests.approvals.test_approvals import _new_consultant

    for path in (f"/cases/{decided.id}/trail", f"/cases/{decided.id}/trail.csv"):
        assert lead_client.get(path).status_code == 200
        assert citizen.get(path).status_code in (403, 404)
        assert facilitator_client.get(path).status_code in (403, 404)
    _new_consultant(app, team_a, "kollega@teama.dk")
    colleague = signed_in_staff(app, "kollega@teama.dk")  # the team reads submitted plans
    assert colleague.get(f"/cases/{decided.id}/trail").status_code == 200
    make_world(team="Team B", citizens=0)
    other = signed_in_staff(app, "con@teamb.dk")
    assert other.get(f"/cases/{decided.id}/trail").status_code == 404
    assert other.get(f"/cases/{decided.id}/trail.csv").status_code == 404
