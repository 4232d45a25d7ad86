"""The privacy notice (issue 18, point 6): public, in plain Danish, filled in by the team lead
(with defaults), shown on a citizen's phone at the first sign-in until they say they have read
it (and again after it changes), and linked from every page's footer; the accessibility
statement (point 7) with the axe results it rests on."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import sqlalchemy as sa
from babel.support import Translations

from course.approvals.models import Setting
from course.extensions import db
from course.people.models import Citizen
from course.privacy import fragments, labels, services
from tests.conftest import LEAD_A, join_citizen, signed_in_citizen, signed_in_staff

ROOT = Path(__file__).resolve().parent.parent.parent


@functools.cache
def _danish():
    return Translations.load(str(ROOT / "course" / "translations"), ["da"])


def da(msgid: str) -> str:
    return _danish().gettext(msgid)


def text_of(response) -> str:
    from html import unescape

    return unescape(response.get_data(as_text=True))


def test_the_notice_is_public_in_danish_with_the_defaults_and_the_periods(client, team_a):
    page = text_of(client.get("/privacy"))
    assert da("Privacy notice") == "Privatlivserklæring" and "Privatlivserklæring" in page
    for msgid in ("Your rights", "How long we keep it", "The municipality sets these periods."):
        assert da(msgid) in page
    assert "6 måneder efter kursets opstartsmøde" in page
    assert "60 måneder efter den dag" in page
    assert "Datatilsynet" in page and "artikel 6, stk. 1, litra e" in page
    assert da(str(fragments.labels.DEFAULTS[services.CONTROLLER])) in page


def test_the_team_lead_fills_in_the_notice_and_the_periods(app, team_a):
    lead = signed_in_staff(app, LEAD_A)
    settings = text_of(lead.get("/settings"))
    assert 'id="privacy-texts"' in settings and 'id="privacy-periods"' in settings
    response = lead.post("/settings/privacy", data={
        services.CONTROLLER: "Aarhus Kommune, Rådhuspladsen 2, 8000 Aarhus C",
        services.CONTACT: "jobcenter@aarhus.dk", services.DPO: "dpo@aarhus.dk",
        services.EXTRA: ""})
    assert response.status_code == 303
    assert lead.post("/settings/retention", data={services.DECLINED_MONTHS: "3",
                                                  services.ENDED_MONTHS: "72"}).status_code == 303
    page = text_of(app.test_client().get("/privacy"))
    assert "Aarhus Kommune, Rådhuspladsen 2" in page and "dpo@aarhus.dk" in page
    assert "3 måneder efter kursets opstartsmøde" in page and "72 måneder" in page
    with app.app_context():
        assert services.months(services.ENDED_MONTHS) == 72
        assert services.last_change().updated_by.email == LEAD_A


def test_a_refused_setting_keeps_what_was_typed_and_saves_nothing(app, team_a):
    lead = signed_in_staff(app, LEAD_A)
    long = "x" * 301
    response = lead.post("/settings/privacy", data={services.CONTROLLER: long})
    assert response.status_code == 422
    page = text_of(response)
    assert long in page and "højst 300 tegn" in page
    response = lead.post("/settings/retention", data={services.DECLINED_MONTHS: "0",
                                                      services.ENDED_MONTHS: "60"})
    assert response.status_code == 422 and "mellem 1 og 36 måneder" in text_of(response)
    response = lead.post("/settings/retention", data={services.DECLINED_MONTHS: "seks",
                                                      services.ENDED_MONTHS: "60"})
    assert response.status_code == 422 and "i tal" in text_of(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Setting)) == 0


def test_only_the_team_lead_changes_the_notice(app, team_a):
    consultant = signed_in_staff(app, "con@teama.dk")
    assert consultant.post("/settings/privacy", data={}).status_code == 403
    assert consultant.post("/settings/retention", data={}).status_code == 403
    phone = signed_in_citizen(app, team_a)
    assert phone.post("/settings/privacy", data={}).status_code == 403


def test_the_notice_is_shown_at_the_first_sign_in_until_read(app, team_a):
    phone = signed_in_citizen(app, team_a)
    first = text_of(phone.get("/me"))
    assert 'id="privacy-prompt"' in first and da("I have read it") in first
    assert 'href="/privacy"' in first
    # the notice itself is not covered by its own card
    assert 'id="privacy-prompt"' not in text_of(phone.get("/privacy"))
    # on the citizen's other pages too, until they say they read it
    assert 'id="privacy-prompt"' in text_of(phone.get("/me/budget"))
    response = phone.post("/me/privacy", data={"next": "/me/budget"})
    assert response.status_code == 303 and response.headers["Location"] == "/me/budget"
    with app.app_context():
        seen = db.session.get(Citizen, team_a.citizens[0][0]).privacy_seen_at
    assert seen is not None
    assert 'id="privacy-prompt"' not in text_of(phone.get("/me"))
    # a second sign-in (another phone) does not show it again
    other = app.test_client()
    join_citizen(other, team_a.course_code, team_a.citizens[0][1])
    assert 'id="privacy-prompt"' not in text_of(other.get("/me"))
    # another citizen has not read it yet
    assert 'id="privacy-prompt"' in text_of(signed_in_citizen(app, team_a, 1).get("/me"))


def test_a_changed_notice_is_shown_again(app, team_a):
    phone = signed_in_citizen(app, team_a)
    phone.post("/me/privacy")
    assert 'id="privacy-prompt"' not in text_of(phone.get("/me"))
    lead = signed_in_staff(app, LEAD_A)
    lead.post("/settings/privacy", data={services.CONTACT: "Ring 12 34 56 78"})
    assert 'id="privacy-prompt"' in text_of(phone.get("/me"))
    # saving the same texts again changes nothing for the citizens
    phone.post("/me/privacy")
    lead.post("/settings/privacy", data={services.CONTACT: "Ring 12 34 56 78"})
    assert 'id="privacy-prompt"' not in text_of(phone.get("/me"))


def test_a_hostile_next_after_reading_is_dropped(app, team_a):
    phone = signed_in_citizen(app, team_a)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example/", "/me\nX",
                   "/me\x7f"):
        response = phone.post("/me/privacy", data={"next": target})
        assert response.headers["Location"] == "/me"


def test_every_layout_links_the_notice_and_the_statement(app, team_a):
    anonymous = app.test_client()
    pages = {
        "join (phone layout, signed out)": anonymous.get("/"),
        "staff sign-in": anonymous.get("/login"),
        "the notice itself": anonymous.get("/privacy"),
        "citizen's phone": signed_in_citizen(app, team_a).get("/me"),
        "office": signed_in_staff(app, "fac@teama.dk").get("/office"),
        "settings (office)": signed_in_staff(app, LEAD_A).get("/settings"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        footer = text_of(response).split("<footer", 1)
        assert len(footer) == 2, f"{name} has no footer"
        assert 'href="/privacy"' in footer[1] and 'href="/accessibility"' in footer[1], name


def test_the_accessibility_statement_shows_the_axe_results_it_rests_on(client):
    results = json.loads(fragments.A11Y_RESULTS.read_text(encoding="utf-8"))
    assert results["pages"], "docs/a11y-results.json lists the pages checked"
    page = text_of(client.get("/accessibility"))
    assert da("Accessibility statement") == "Tilgængelighedserklæring"
    assert "Tilgængelighedserklæring" in page and "Delvist overholdt" in page
    assert "e2e/test_a11y.py" in page and "https://www.was.digst.dk/" in page
    assert f"axe-core {results['axe_version']}" in page
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr>") == len(results["pages"])
    for row in results["pages"]:
        assert not row["blocking"], "no serious or critical finding is published as passed"
        named = (da(str(labels.A11Y_PAGES[row["page"]])),
                 da(str(labels.A11Y_DEVICES[row["device"]])), row["passed"])
        assert "<td>{}</td><td>{}</td><td>{}</td>".format(*named) in rows
