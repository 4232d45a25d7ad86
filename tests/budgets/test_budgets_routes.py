"""The budget editor over HTTP: autosave, conflicts, money, the checklist, print, in Danish."""

from __future__ import annotations

import re

import pytest

from course.budgets.models import BudgetLine, Draft, FieldVersion, StrategyItem
from course.extensions import db
from tests.conftest import CONSULTANT_A, PASSWORD, signed_in_citizen, signed_in_staff

HX = {"HX-Request": "true"}


def open_editor(device) -> tuple[int, str]:
    response = device.get("/me/budget")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return int(re.search(r"/drafts/(\d+)/fields", html).group(1)), html


def save(device, draft_id: int, key: str, value: str | None, version: int | str, *,
         htmx: bool = True, extra: dict | None = None):
    data = {"field": key, "version": str(version), **(extra or {})}
    if value is not None:
        data["value"] = value
    return device.post(f"/drafts/{draft_id}/fields", data=data, headers=HX if htmx else {})


def add_line(device, draft_id: int) -> int:
    response = device.post(f"/drafts/{draft_id}/lines", headers=HX)
    assert response.status_code == 200
    return int(re.search(r'id="line-(\d+)"', response.get_data(as_text=True)).group(1))


def version_in(html: str, key: str) -> int:
    dom = key.replace(":", "-")
    return int(re.search(rf'id="v-{dom}" value="(\d+)"', html).group(1))


@pytest.fixture
def anna(citizen_client):
    """Citizen 0 signed in, with her draft opened: (client, draft id)."""
    draft_id, _ = open_editor(citizen_client)
    return citizen_client, draft_id


# -- the editor ----------------------------------------------------------------------------------


def test_the_editor_creates_one_draft_and_shows_the_four_parts_in_danish(app, anna):
    device, draft_id = anna
    add_line(device, draft_id)
    again, html = open_editor(device)
    assert again == draft_id
    with app.app_context():
        assert db.session.query(Draft).count() == 1
    for text in ["Min budgetplan", "Hvilket arbejde sigter du efter?", "Personlig motivering",
                 "Del min motivering med de andre deltagere", "Budget og forandringsteorier",
                 "Forandringsteori", "Faktura til kommunen", "Udlæg – betales til min egen konto",
                 "Hold budgetposten privat", "Personlig strategi",
                 "Det vil jeg fortsætte med at gøre", "Det vil jeg holde op med at gøre",
                 "Det vil jeg begynde at gøre", "Før du kan aflevere", "Alt er gemt",
                 "ikke en forhåndsgodkendelse"]:
        assert text in html, text
    assert 'role="status"' in html
    assert "js/autosave.js" in html


def test_a_save_returns_the_new_version_and_asks_the_regions_to_refresh(anna):
    device, draft_id = anna
    key = f"draft:{draft_id}:goal"
    response = save(device, draft_id, key, "Lastbilchauffør", 0)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.strip().startswith("Gemt")
    assert version_in(html, key) == 1 and 'hx-swap-oob="true"' in html
    assert response.headers["HX-Trigger"] == "budget-changed"
    assert "HX-Request" in response.headers["Vary"]
    response = save(device, draft_id, key, "Lastbilchauffør hos Dansk Fragt", 1)
    assert version_in(response.get_data(as_text=True), key) == 2
    _, page = open_editor(device)
    assert "Lastbilchauffør hos Dansk Fragt" in page and version_in(page, key) == 2


def test_two_tabs_on_the_same_field_get_a_conflict_with_both_texts(app, team_a, anna):
    tab_a, draft_id = anna
    tab_b = signed_in_citizen(app, team_a)
    key = f"draft:{draft_id}:motivation"
    _, page_b = open_editor(tab_b)
    based_on = version_in(page_b, key)
    assert save(tab_a, draft_id, key, "Skrevet i fane A", based_on).status_code == 200
    response = save(tab_b, draft_id, key, "Skrevet i fane B", based_on)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Skrevet i fane A" in html and "Skrevet i fane B" in html
    assert "Ikke gemt – vælg en version" in html
    assert "Behold min" in html and "Brug den gemte" in html
    assert f'id="v-{key.replace(":", "-")}"' not in html  # the stale version is not replaced
    with app.app_context():
        assert db.session.get(Draft, draft_id).motivation == "Skrevet i fane A"
    # "Keep mine" re-saves with the server's version, named in the button.
    server_version = int(re.search(r'"version": "(\d+)"', html.replace("&#34;", '"')).group(1))
    assert server_version == 1
    response = save(tab_b, draft_id, key, "Skrevet i fane B", server_version)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(Draft, draft_id).motivation == "Skrevet i fane B"
    # "Use the saved one" fetches the field as saved, with its version.
    response = tab_a.get(f"/drafts/{draft_id}/fields", query_string={"field": key}, headers=HX)
    html = response.get_data(as_text=True)
    assert "Skrevet i fane B" in html and version_in(html, key) == 2


def test_two_tabs_on_different_fields_both_stand(app, team_a, anna):
    tab_a, draft_id = anna
    line_id = add_line(tab_a, draft_id)
    tab_b = signed_in_citizen(app, team_a)
    _, page = open_editor(tab_b)
    goal, title = f"draft:{draft_id}:goal", f"line:{line_id}:title"
    assert save(tab_a, draft_id, goal, "Kok", version_in(page, goal)).status_code == 200
    assert save(tab_b, draft_id, title, "Kokkeuddannelse",
                version_in(page, title)).status_code == 200
    with app.app_context():
        draft = db.session.get(Draft, draft_id)
        assert draft.goal == "Kok" and draft.lines[0].title == "Kokkeuddannelse"


@pytest.mark.parametrize("typed, message", [
    ("1.234,50", "Skriv hele kroner uden øre"),
    ("-500", "uden minus"),
    ("femhundrede", "Skriv beløbet med tal"),
    ("1e309", "Skriv beløbet med tal"),
    ("99999999999999999999", "for meget til én budgetpost"),
    ("0", "mere end 0 kr."),
])
def test_bad_amounts_get_a_danish_422_and_nothing_is_stored(app, anna, typed, message):
    device, draft_id = anna
    line_id = add_line(device, draft_id)
    key = f"line:{line_id}:amount"
    assert save(device, draft_id, key, "4.000", 0).status_code == 200
    response = save(device, draft_id, key, typed, 1)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "Ikke gemt" in html
    assert "hx-swap-oob" in html and 'id="v-' not in html
    with app.app_context():
        assert db.session.get(BudgetLine, line_id).amount == 4000
        assert db.session.get(FieldVersion, key).version == 1


def test_without_javascript_a_refused_amount_keeps_the_typed_text(app, anna):
    device, draft_id = anna
    line_id = add_line(device, draft_id)
    response = save(device, draft_id, f"line:{line_id}:amount", "12.500,75", 0, htmx=False)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="12.500,75"' in html and 'aria-invalid="true"' in html
    assert "Skriv hele kroner uden øre" in html
    ok = save(device, draft_id, f"line:{line_id}:amount", "12.500", 0, htmx=False)
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"#f-line-{line_id}-amount")


def test_totals_follow_the_amounts_and_an_over_cap_total_is_saved_and_flagged(app, anna):
    device, draft_id = anna
    first, second = add_line(device, draft_id), add_line(device, draft_id)
    save(device, draft_id, f"line:{first}:amount", "30.000", 0)
    totals = device.get(f"/drafts/{draft_id}/totals", headers=HX).get_data(as_text=True)
    assert "30.000 kr." in totals and "20.000 kr." in totals and "is-over" not in totals
    assert save(device, draft_id, f"line:{second}:amount", "30.000", 0).status_code == 200
    totals = device.get(f"/drafts/{draft_id}/totals", headers=HX).get_data(as_text=True)
    assert "60.000 kr." in totals and "is-over" in totals
    assert "Over loftet med" in totals and "10.000 kr." in totals
    assert "Over loftet på 50.000 kr. – gemt, men kan ikke afleveres" in totals
    checklist = device.get(f"/drafts/{draft_id}/checklist", headers=HX).get_data(as_text=True)
    assert re.search(r'class="is-missing" data-check="within_cap"', checklist)
    with app.app_context():
        assert sum(x.amount for x in db.session.get(Draft, draft_id).lines) == 60_000


def test_cpr_shaped_text_is_saved_with_a_clear_warning(app, anna):
    device, draft_id = anna
    key = f"draft:{draft_id}:motivation"
    response = save(device, draft_id, key, "Mit CPR er 010190-1234", 0)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Det ligner et CPR-nummer" in html and "Fjern det" in html
    _, page = open_editor(device)
    assert "Det ligner et CPR-nummer" in page  # still warned about after a reload
    response = save(device, draft_id, key, "Mit CPR er fjernet", 1)
    assert "CPR-nummer" not in response.get_data(as_text=True)


def test_lines_and_strategy_items_are_added_moved_and_removed(app, anna):
    device, draft_id = anna
    a, b = add_line(device, draft_id), add_line(device, draft_id)
    moved = device.post(f"/drafts/{draft_id}/lines/{b}/move", data={"direction": "up"},
                        headers=HX)
    assert moved.status_code == 204
    with app.app_context():
        assert [x.id for x in db.session.get(Draft, draft_id).lines] == [b, a]
    removed = device.post(f"/drafts/{draft_id}/lines/{a}/delete", headers=HX)
    assert removed.status_code == 200 and removed.get_data(as_text=True).strip() == ""
    assert removed.headers["HX-Trigger"] == "budget-changed"
    added = device.post(f"/drafts/{draft_id}/strategy/start", data={"text": "Stå op kl. 7"},
                        headers=HX)
    assert added.status_code == 200
    html = added.get_data(as_text=True)
    item_id = int(re.search(r'id="strategy-item-(\d+)"', html).group(1))
    assert "Stå op kl. 7" in html and 'id="add-start-message"' in html
    empty = device.post(f"/drafts/{draft_id}/strategy/stop", data={"text": "  "}, headers=HX)
    assert empty.status_code == 422
    assert empty.headers["HX-Retarget"] == "#add-stop-message"
    assert "Skriv noget først" in empty.get_data(as_text=True)
    assert device.post(f"/drafts/{draft_id}/strategy/sometimes", data={"text": "x"},
                       headers=HX).status_code == 404
    edited = save(device, draft_id, f"strategy:{item_id}:text", "Stå op kl. 6.30", 0)
    assert edited.status_code == 200
    assert device.post(f"/drafts/{draft_id}/strategy/items/{item_id}/delete",
                       headers=HX).status_code == 200
    with app.app_context():
        assert db.session.get(StrategyItem, item_id) is None
        assert db.session.get(BudgetLine, a) is None


def test_a_long_plan_shows_its_lines_folded_and_opens_one_at_a_time(app, anna):
    from course.budgets.fragments import OPEN_LINES_MAX

    device, draft_id = anna
    lines = [add_line(device, draft_id) for _ in range(OPEN_LINES_MAX + 1)]
    save(device, draft_id, f"line:{lines[0]}:title", "Kørekort til lastbil", 0)
    save(device, draft_id, f"line:{lines[0]}:amount", "12500", 0)
    _, html = open_editor(device)
    # Folded: no line's fields, but each line's title, price and what it lacks, and a way in.
    assert 'id="i-line-' not in html
    assert html.count("budget-line card is-folded") == OPEN_LINES_MAX + 1
    assert "Kørekort til lastbil" in html and "12.500" in html
    assert "Forandringsteorien mangler" in html and "Ingen pris endnu" in html
    assert f'href="/me/budget?open={lines[0]}#line-{lines[0]}"' in html
    assert "Åbn og ret" in html and "Flyt op" in html  # a folded line still moves

    # htmx opens one line with all its fields; its heading takes the focus.
    opened = device.get(f"/drafts/{draft_id}/lines/{lines[0]}", headers=HX)
    body = opened.get_data(as_text=True)
    assert opened.status_code == 200 and "data-opened" in body
    for attr in ["title", "amount", "category", "change", "job_effect", "assumptions"]:
        assert f'id="i-line-{lines[0]}-{attr}"' in body, attr
    assert 'value="Kørekort til lastbil"' in body

    # Without JavaScript the link lands on the editor with that line open, the rest folded.
    back = device.get(f"/drafts/{draft_id}/lines/{lines[1]}")
    assert back.status_code == 302
    assert back.headers["Location"].endswith(f"/me/budget?open={lines[1]}#line-{lines[1]}")
    page = device.get(f"/me/budget?open={lines[1]}").get_data(as_text=True)
    assert f'id="i-line-{lines[1]}-title"' in page
    assert f'id="i-line-{lines[0]}-title"' not in page
    # ... a save goes back to its line, open ...
    saved = save(device, draft_id, f"line:{lines[3]}:title", "Sikkerhedssko", 0, htmx=False)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(
        f"/me/budget?open={lines[3]}#f-line-{lines[3]}-title")
    # ... and a refused save shows its line open, with what was typed.
    refused = save(device, draft_id, f"line:{lines[2]}:amount", "mange penge", 0, htmx=False)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert f'id="i-line-{lines[2]}-amount"' in body and 'value="mange penge"' in body
    assert f'id="i-line-{lines[0]}-amount"' not in body


def test_a_short_plan_shows_every_line_open(anna):
    from course.budgets.fragments import OPEN_LINES_MAX

    device, draft_id = anna
    lines = [add_line(device, draft_id) for _ in range(OPEN_LINES_MAX)]
    _, html = open_editor(device)
    assert "is-folded" not in html
    assert all(f'id="i-line-{line}-title"' in html for line in lines)


def test_the_checklist_and_the_deadline(app, team_a, anna):
    from datetime import timedelta

    from course.people.models import Citizen
    from course.people.services import local_today

    device, draft_id = anna
    page = device.get(f"/drafts/{draft_id}/checklist", headers=HX).get_data(as_text=True)
    assert "Dit mål" not in page and "Det arbejde, du sigter efter" in page
    assert "En forandringsteori på hver budgetpost" in page
    assert "Der mangler 10 ting" in page  # (8, and a price's source and documentation)
    with app.app_context():
        citizen = db.session.get(Citizen, team_a.citizens[0][0])
        citizen.decision, citizen.decided_on = "yes", local_today() - timedelta(days=40)
        db.session.commit()
    page = device.get(f"/drafts/{draft_id}/checklist", headers=HX).get_data(as_text=True)
    assert "For sent" in page and "skulle have været færdig senest" in page


def test_the_theory_partial_works_on_a_page_of_its_own(anna):
    device, draft_id = anna
    line_id = add_line(device, draft_id)
    save(device, draft_id, f"line:{line_id}:change", "Jeg får kørekort", 0)
    page = device.get(f"/drafts/{draft_id}/lines/{line_id}/theory").get_data(as_text=True)
    assert "Jeg får kørekort" in page and "Hvordan bringer det dig tættere på et job?" in page
    assert version_in(page, f"line:{line_id}:change") == 1
    assert "js/autosave.js" in page


def test_a_save_without_a_csrf_token_changes_nothing(app, anna):
    device, draft_id = anna
    response = device.post(f"/drafts/{draft_id}/fields", csrf=False, headers=HX,
                           data={"field": f"draft:{draft_id}:goal", "value": "x",
                                 "version": "0"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Draft, draft_id).goal == ""


# -- print ---------------------------------------------------------------------------------------


def test_the_print_view_holds_the_whole_plan(app, anna):
    device, draft_id = anna
    line_id = add_line(device, draft_id)
    for key, value in [(f"draft:{draft_id}:goal", "Lastbilchauffør"),
                       (f"line:{line_id}:title", "C-kørekort"),
                       (f"line:{line_id}:amount", "41.100"),
                       (f"line:{line_id}:change", "Jeg kan køre lastbil"),
                       (f"line:{line_id}:job_effect", "Vognmænd mangler chauffører")]:
        assert save(device, draft_id, key, value, 0).status_code == 200
    device.post(f"/drafts/{draft_id}/strategy/stop", data={"text": "Sove til middag"},
                headers=HX)
    html = device.get(f"/drafts/{draft_id}/print").get_data(as_text=True)
    for text in ["Lastbilchauffør", "C-kørekort", "41.100 kr.", "Jeg kan køre lastbil",
                 "Vognmænd mangler chauffører", "Sove til middag", "layout-print",
                 "Det vil jeg holde op med at gøre", "I alt"]:
        assert text in html, text
    assert "hx-post" not in html


# -- who sees a draft (issue 4, point 9) ----------------------------------------------------------


def test_the_consultant_and_the_facilitators_read_the_draft_read_only(app, team_a, anna):
    device, draft_id = anna
    save(device, draft_id, f"draft:{draft_id}:goal", "Kok", 0)
    for email in ["con@teama.dk", "fac@teama.dk", "lead@teama.dk"]:
        staff = signed_in_staff(app, email)
        response = staff.get(f"/drafts/{draft_id}")
        assert response.status_code == 200, email
        html = response.get_data(as_text=True)
        assert "Kok" in html and "kun til læsning" in html
        assert "/fields" not in html  # no autosave forms for staff
        assert staff.get(f"/drafts/{draft_id}/print").status_code == 200
        # Staff read; only the owner writes (the write endpoints are for citizens: 403).
        assert save(staff, draft_id, f"draft:{draft_id}:goal", "Hacked", 1).status_code == 403
        assert staff.post(f"/drafts/{draft_id}/lines", headers=HX).status_code == 403
    with app.app_context():
        assert db.session.get(Draft, draft_id).goal == "Kok"


def test_the_owner_visiting_the_staff_view_goes_to_the_editor(anna):
    device, draft_id = anna
    response = device.get(f"/drafts/{draft_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/budget")


def _every_draft_url(draft_id: int, line_id: int, item_id: int) -> list[tuple[str, str, dict]]:
    return [
        ("GET", f"/drafts/{draft_id}", {}),
        ("GET", f"/drafts/{draft_id}/print", {}),
        ("GET", f"/drafts/{draft_id}/totals", {}),
        ("GET", f"/drafts/{draft_id}/checklist", {}),
        ("GET", f"/drafts/{draft_id}/fields?field=draft:{draft_id}:goal", {}),
        ("GET", f"/drafts/{draft_id}/lines/{line_id}/theory", {}),
        ("GET", f"/drafts/{draft_id}/lines/{line_id}", {}),
        ("POST", f"/drafts/{draft_id}/fields",
         {"field": f"draft:{draft_id}:goal", "value": "pwned", "version": "1"}),
        ("POST", f"/drafts/{draft_id}/fields",
         {"field": f"line:{line_id}:title", "value": "pwned", "version": "0"}),
        ("POST", f"/drafts/{draft_id}/lines", {}),
        ("POST", f"/drafts/{draft_id}/lines/{line_id}/move", {"direction": "up"}),
        ("POST", f"/drafts/{draft_id}/lines/{line_id}/delete", {}),
        ("POST", f"/drafts/{draft_id}/strategy/start", {"text": "pwned"}),
        ("POST", f"/drafts/{draft_id}/strategy/items/{item_id}/delete", {}),
    ]


@pytest.fixture
def annas_plan(app, anna):
    device, draft_id = anna
    line_id = add_line(device, draft_id)
    save(device, draft_id, f"draft:{draft_id}:goal", "Annas hemmelige mål", 0)
    save(device, draft_id, f"line:{line_id}:title", "Terapiforløb", 0)
    added = device.post(f"/drafts/{draft_id}/strategy/start", data={"text": "Annas punkt"},
                        headers=HX)
    item_id = int(re.search(r'id="strategy-item-(\d+)"', added.get_data(as_text=True)).group(1))
    return draft_id, line_id, item_id


def _assert_nothing_reachable(app, device, plan) -> None:
    draft_id, line_id, item_id = plan
    for method, url, data in _every_draft_url(draft_id, line_id, item_id):
        response = device.open(url, method=method, data=data, headers=HX)
        # 404 where the principal may use the endpoint at all; 403 for staff on a citizen's
        # write endpoint. Either way nothing about the draft comes back.
        assert response.status_code in (403, 404), (method, url, response.status_code)
        body = response.get_data(as_text=True)
        assert "Annas" not in body and "Terapiforløb" not in body
    with app.app_context():
        draft = db.session.get(Draft, draft_id)
        assert draft.goal == "Annas hemmelige mål"
        assert [x.title for x in draft.lines] == ["Terapiforløb"]
        assert [i.text for i in draft.strategy] == ["Annas punkt"]


def test_another_citizen_reaches_nothing_of_a_draft(app, team_a, annas_plan):
    bilal = signed_in_citizen(app, team_a, 1)
    open_editor(bilal)
    _assert_nothing_reachable(app, bilal, annas_plan)


def test_a_consultant_who_is_not_the_citizens_reaches_nothing(app, team_a, annas_plan):
    from course.people import services as people
    from course.people.models import Role, Team

    with app.app_context():
        team = db.session.get(Team, team_a.team_id)
        people.create_staff(team, "Other consultant", "other@teama.dk", Role.JOB_CONSULTANT,
                            PASSWORD, must_change_password=False)
        db.session.commit()
    _assert_nothing_reachable(app, signed_in_staff(app, "other@teama.dk"), annas_plan)


def test_staff_of_another_team_reach_nothing(app, make_world, annas_plan):
    make_world("Team B")
    for email in ["con@teamb.dk", "fac@teamb.dk", "lead@teamb.dk"]:
        _assert_nothing_reachable(app, signed_in_staff(app, email), annas_plan)


def test_forged_ids_of_another_drafts_line_are_refused(app, team_a, annas_plan):
    draft_id, line_id, item_id = annas_plan
    bilal = signed_in_citizen(app, team_a, 1)
    own_draft, _ = open_editor(bilal)
    for key in [f"line:{line_id}:title", f"strategy:{item_id}:text", f"draft:{draft_id}:goal"]:
        assert save(bilal, own_draft, key, "pwned", 1).status_code == 404, key
        assert save(bilal, own_draft, key, "pwned", 0).status_code == 404, key
    assert bilal.post(f"/drafts/{own_draft}/lines/{line_id}/delete",
                      headers=HX).status_code == 404
    assert bilal.post(f"/drafts/{own_draft}/lines/{line_id}/move", data={"direction": "up"},
                      headers=HX).status_code == 404
    assert bilal.post(f"/drafts/{own_draft}/strategy/items/{item_id}/delete",
                      headers=HX).status_code == 404
    assert bilal.get(f"/drafts/{own_draft}/fields?field=line:{line_id}:title",
                     headers=HX).status_code == 404
    assert bilal.get(f"/drafts/{own_draft}/lines/{line_id}/theory").status_code == 404
    assert bilal.get(f"/drafts/{own_draft}/lines/{line_id}", headers=HX).status_code == 404
    with app.app_context():
        assert db.session.get(BudgetLine, line_id).title == "Terapiforløb"


def test_extra_form_fields_are_ignored(app, team_a, anna):
    device, draft_id = anna
    line_id = add_line(device, draft_id)
    with app.app_context():
        before = db.session.get(Draft, draft_id)
        citizen_id, course_id = before.citizen_id, before.course_id
    response = save(device, draft_id, f"line:{line_id}:amount", "5.000", 0,
                    extra={"draft_id": "999", "citizen_id": str(team_a.citizens[1][0]),
                           "total": "1", "course_id": "999", "status": "approved",
                           "owner_id": "1", "amount": "1"})
    assert response.status_code == 200
    for key in [f"draft:{draft_id}:citizen_id", f"draft:{draft_id}:course_id",
                f"line:{line_id}:draft_id", f"line:{line_id}:position"]:
        assert save(device, draft_id, key, "2", 0).status_code == 404, key
    with app.app_context():
        draft = db.session.get(Draft, draft_id)
        assert (draft.citizen_id, draft.course_id) == (citizen_id, course_id)
        assert draft.lines[0].amount == 5000 and draft.lines[0].draft_id == draft_id


HOSTILE = """Hej <script>alert(1)</script>
<img src=x onerror="alert(2)"> [klik](javascript:alert(3)) <a href="data:text/html,x">d</a>
<iframe src="https://evil.example"></iframe><svg onload="alert(4)"></svg>
<div hx-get="/logout" hx-trigger="load" data-hx-post="/x">hx</div><style>body{}</style>"""


def test_hostile_markdown_in_the_motivation_is_sanitised(app, team_a, anna):
    device, draft_id = anna
    assert save(device, draft_id, f"draft:{draft_id}:motivation", HOSTILE, 0).status_code == 200
    staff = signed_in_staff(app, CONSULTANT_A)
    for html in [staff.get(f"/drafts/{draft_id}").get_data(as_text=True),
                 device.get(f"/drafts/{draft_id}/print").get_data(as_text=True)]:
        plan = html[html.index('class="plan-markdown"'):]
        plan = plan[:plan.index("</div>")]
        for bad in ["<script", "onerror", "javascript:", "data:text", "<iframe", "<svg",
                    "onload", "hx-get", "data-hx", "<style"]:
            assert bad not in plan, bad
        assert "Hej" in plan
    # In the editor the text is only ever the content of a textarea (escaped).
    _, page = open_editor(device)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
