"""Documents a municipality can sign (issue 16, point 6): the decision document — case number,
date and consultant, the three ratings with notes, the colours on the way, the approved length
and follow-up, the signed declaration on honour, and the complaint guidance where a plan is
ended, from the team lead's setting — and the plan's own A4 print without buttons or an empty
deadline. (The PDFs themselves: ``e2e/test_documents.py``.)"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from course.approvals.models import Case, Setting
from course.extensions import db
from tests.approvals.test_approvals import _approve_green, _case, _rate, _submit, complete_draft
from tests.conftest import hx_post, signed_in_staff

DEFAULT_GUIDANCE_DA = "Du kan klage over denne afgørelse"
OWN_GUIDANCE = ("Klag til Jobcenter Aarhus, Værkmestergade 15, inden 4 uger.\n"
                "Ring 89 40 00 00, hvis du vil have hjælp.")


@pytest.fixture
def citizen(app, team_a, citizen_client):
    """Citizen 0's phone with a complete plan (9.800 kr.), not yet handed in."""
    complete_draft(app, team_a.citizens[0][0], team_a.course_id)
    return citizen_client


def _document(client, case) -> str:
    response = client.get(f"/cases/{case.id}/decision")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _printed(html: str) -> str:
    """The document without its screen-only controls (``.no-print``)."""
    return re.sub(r'<div class="print-actions no-print">.*?</div>', "", html, flags=re.S)


def _reject(client, case, reason="not_approvable", note="Planen hænger ikke sammen"):
    return hx_post(client, f"/cases/{case.id}/reject", reason=reason, note=note,
                   version=str(case.version))


# -- the decision document ----------------------------------------------------------------------


def test_an_approved_decision_carries_what_the_municipality_signs(app, team_a, citizen,
                                                                  consultant_client):
    _submit(citizen)
    case = _case(app)
    _approve_green(app, consultant_client, case)
    assert citizen.post("/me/plan/declaration", data={"agree": "1"}).status_code == 303
    html = _document(consultant_client, case)
    printed = _printed(html)
    assert f"TET-{case.id:05d}" in printed and "Sagsnummer" in printed
    assert "Consultant Team A" in printed  # the job consultant, and who decided
    assert "Budgetplanen er godkendt." in printed
    # the three ratings, one word each in a cell that never breaks, and the note
    assert printed.count('<td class="nowrap rating">Ja</td>') == 3
    assert "Godt mål" in printed
    # the colour path, the length and the follow-up plan
    assert re.search(r'class="colour-path">\s*<li><span class="colour-dot colour-green"', printed)
    assert "9 måneder" in printed and "Møde hver måned" in printed
    assert "1. marts 2027" in printed and "1. april 2027" in printed
    # amounts in unbreakable cells, with the total
    assert '<td class="amount">9.800 kr.</td>' in printed
    # the declaration on honour as the citizen signed it, with its date
    assert "Tro- og loveerklæring" in printed
    assert "Jeg erklærer på tro og love" in printed
    assert "Underskrevet i Teten af Citizen Team A 0" in printed
    # no complaint guidance on an approval; the screen's buttons are not printed
    assert DEFAULT_GUIDANCE_DA not in printed and "Klagevejledning" not in printed
    assert "Tilbage" not in printed and 'class="print-actions no-print"' in html


def test_the_path_through_yellow_is_on_the_document(app, team_a, citizen, consultant_client):
    _submit(citizen)
    case = _case(app)
    _rate(consultant_client, case, realistic="uncertain")
    case = _case(app)
    hx_post(consultant_client, f"/cases/{case.id}/triage", colour="yellow",
            version=str(case.version))
    case = _case(app)
    hx_post(consultant_client, f"/cases/{case.id}/triage", colour="green",
            version=str(case.version))
    printed = _printed(_document(consultant_client, _case(app)))
    path = re.search(r'<ol class="colour-path">(.*?)</ol>', printed, flags=re.S).group(1)
    assert re.findall(r"<strong>(\w+)</strong>", path) == ["Gul", "Grøn"]
    assert "(genvurdering)" in path
    assert "Ikke underskrevet" not in printed  # nothing decided yet: no declaration part
    assert "Usikker" in printed


def test_an_ended_plan_carries_the_default_complaint_guidance(app, team_a, citizen,
                                                              consultant_client):
    _submit(citizen)
    case = _case(app)
    assert _reject(consultant_client, case).status_code == 200
    printed = _printed(_document(consultant_client, _case(app)))
    assert "Forløbet er afsluttet: Budgetplanen kan ikke godkendes." in printed
    assert "Planen hænger ikke sammen" in printed
    assert "Klagevejledning" in printed and DEFAULT_GUIDANCE_DA in printed
    assert "Tro- og loveerklæring" not in printed


def test_an_ended_plan_keeps_the_guidance_it_was_given(app, team_a, citizen, consultant_client,
                                                       lead_client):
    assert lead_client.post("/settings/complaint-guidance",
                            data={"complaint_guidance": OWN_GUIDANCE}).status_code == 303
    _submit(citizen)
    case = _case(app)
    _reject(consultant_client, case)
    printed = _printed(_document(consultant_client, _case(app)))
    assert "Klag til Jobcenter Aarhus, Værkmestergade 15, inden 4 uger." in printed
    assert DEFAULT_GUIDANCE_DA not in printed
    # the setting changes later: the decision already given does not
    lead_client.post("/settings/complaint-guidance", data={"complaint_guidance": "Ny tekst"})
    assert "Værkmestergade 15" in _document(consultant_client, case)


def test_who_may_read_a_decision_document(app, team_a, make_world, citizen, consultant_client,
                                          facilitator_client, lead_client):
    _submit(citizen)
    case = _case(app)
    assert lead_client.get(f"/cases/{case.id}/decision").status_code == 200
    assert citizen.get(f"/cases/{case.id}/decision").status_code in (403, 404)
    assert facilitator_client.get(f"/cases/{case.id}/decision").status_code in (403, 404)
    make_world(team="Team B", citizens=0)
    other = signed_in_staff(app, "con@teamb.dk")
    assert other.get(f"/cases/{case.id}/decision").status_code == 404


# -- the complaint guidance setting ----------------------------------------------------------------


def _guidance(app) -> str | None:
    with app.app_context():
        setting = db.session.get(Setting, "complaint_guidance")
        return setting.value if setting else None


def test_the_team_lead_fills_in_the_complaint_guidance(app, team_a, lead_client):
    page = lead_client.get("/settings").get_data(as_text=True)
    assert "Klagevejledning" in page and DEFAULT_GUIDANCE_DA in page
    assert 'href="/settings"' in page  # the lead's navigation leads here
    saved = lead_client.post("/settings/complaint-guidance",
                             data={"complaint_guidance": f"  {OWN_GUIDANCE}\r\n "})
    assert saved.status_code == 303
    assert _guidance(app) == OWN_GUIDANCE
    page = lead_client.get("/settings").get_data(as_text=True)
    assert "Værkmestergade 15" in page and "Lead Team A" in page
    lead_client.post("/settings/complaint-guidance",
                     data={"complaint_guidance": "", "default": "1"})
    assert _guidance(app) is None


@pytest.mark.parametrize(("text", "says"), [
    ("   \n  ", "Skriv klagevejledningen"),
    ("x" * 3001, "Højst 3000 tegn"),
])
def test_bad_complaint_guidance_is_refused_and_the_text_kept(app, team_a, lead_client, text,
                                                             says):
    lead_client.post("/settings/complaint-guidance", data={"complaint_guidance": OWN_GUIDANCE})
    refused = lead_client.post("/settings/complaint-guidance", data={"complaint_guidance": text})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert says in body and text.strip()[:50] in body  # the message, and what was typed
    assert _guidance(app) == OWN_GUIDANCE  # nothing overwritten
    as_htmx = lead_client.post("/settings/complaint-guidance", data={"complaint_guidance": text},
                               headers={"HX-Request": "true"})
    assert as_htmx.status_code == 422 and as_htmx.headers["HX-Retarget"] == "#guidance-message"


def test_only_the_team_lead_changes_the_settings(app, team_a, consultant_client,
                                                 facilitator_client, citizen_client):
    for client in (consultant_client, facilitator_client, citizen_client):
        assert client.get("/settings").status_code in (403, 404)
        assert client.post("/settings/complaint-guidance",
                           data={"complaint_guidance": "Klag her"}).status_code in (403, 404)
    assert _guidance(app) is None
    page = consultant_client.get("/queue").get_data(as_text=True)
    assert 'href="/settings"' not in page


# -- the plan's own print ------------------------------------------------------------------------


def test_the_plan_print_has_no_buttons_and_no_empty_deadline(app, team_a, citizen):
    with app.app_context():
        draft_id = db.session.scalar(sa.text("SELECT id FROM drafts"))
    html = citizen.get(f"/drafts/{draft_id}/print").get_data(as_text=True)
    printed = _printed(html)
    assert "submit-plan" not in printed and "Send planen" not in printed
    assert "Frist" not in printed or not re.search(r"Frist</dt><dd[^>]*>—", printed)
    assert '<dd class="plan-amount">9.800 kr.</dd>' in printed
    _submit(citizen)
    with app.app_context():
        case = db.session.scalars(sa.select(Case)).one()
        reference = case.reference
    printed = _printed(citizen.get(f"/drafts/{draft_id}/print").get_data(as_text=True))
    assert reference in printed and "Afleveret" in printed
