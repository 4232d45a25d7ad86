"""The agenda page and its inline editing: htmx fragments, plain-form fallback, flags, conflicts."""

from __future__ import annotations

import re
from datetime import time

import pytest
import sqlalchemy as sa

from course.extensions import db
from course.schedule import services
from course.schedule.models import AgendaItem, Course, Day, ItemKind, SpeakerRole
from tests.conftest import LEAD_A, join_citizen, signed_in_staff

HTMX = {"HX-Request": "true"}


@pytest.fixture
def team_b(make_world):
    return make_world("Team B")


@pytest.fixture
def template_agendas(app, team_a, team_b) -> None:
    """Team A's course and Team B's, each with the template agenda."""
    with app.app_context():
        for course_id in (team_a.course_id, team_b.course_id):
            services.apply_template(db.session.get(Course, course_id))
        db.session.commit()


def items(app, course_id: int, day: Day) -> list[AgendaItem]:
    with app.app_context():
        rows = services.day_items(db.session.get(Course, course_id), day)
        db.session.expunge_all()
        return rows


def item_form(prefix: str, **values) -> dict:
    data = {"starts_at": "15:00", "ends_at": "15:30", "kind": "plenary", "title": "Ny ting",
            "speaker_name": "", "speaker_role": "", "description": ""}
    data.update(values)
    return {f"{prefix}-{key}": value for key, value in data.items() if value is not None}


def edit_form(item: AgendaItem, **values) -> dict:
    data = {"starts_at": item.starts_at.strftime("%H:%M"),
            "ends_at": item.ends_at.strftime("%H:%M"), "kind": item.kind.value,
            "title": item.title, "speaker_name": item.speaker_name,
            "speaker_role": item.speaker_role.value if item.speaker_role else "",
            "description": item.description, "version": str(item.version)}
    data.update(values)
    return item_form(f"item-{item.id}", **data)


def url(world, rest: str = "") -> str:
    return f"/courses/{world.course_id}/agenda{rest}"


# -- reading -----------------------------------------------------------------------------------


def test_the_agenda_shows_three_meetings_with_dates_and_danish_labels(facilitator_client, team_a,
                                                                      template_agendas):
    response = facilitator_client.get(url(team_a))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Program", "Formøde", "Kursusdag 1", "Kursusdag 2", "13.00–13.15",
                 "Oplæg", "Workshop", "Sparringsrunde", "Pause", "Fælles",
                 "Tidligere deltager", "Arbejdsgiver", "Selvstændig iværksætter",
                 "Velkommen til kursusdag 1", "Rediger", "Slet",
                 "Tilføj et punkt til kursusdag 1", "Skriv oplægsholderens navn."):
        assert text in page, text
    assert page.index('id="day-kickoff"') < page.index('id="day-day1"') < page.index(
        'id="day-day2"')


def test_other_staff_of_the_team_may_read_but_not_edit(consultant_client, team_a, template_agendas):
    page = consultant_client.get(url(team_a)).get_data(as_text=True)
    assert "Mit forløb: valg og fravalg" in page
    assert "Kun forløbets facilitatorer og afdelingslederen kan ændre programmet." in page
    main = page[page.index("<main"):page.index("</main>")]
    assert "/edit" not in main and "hx-post" not in main and "Tilføj et punkt" not in main
    first = items(consultant_client.application, team_a.course_id, Day.DAY1)[0]
    assert consultant_client.get(url(team_a, f"/items/{first.id}/edit")).status_code == 404
    assert consultant_client.get(url(team_a, f"/items/{first.id}/delete")).status_code == 404
    assert consultant_client.post(url(team_a, f"/items/{first.id}"),
                                  data=edit_form(first, title="Hacked")).status_code == 404
    assert consultant_client.post(url(team_a, f"/items/{first.id}/move"),
                                  data={"direction": "down"}).status_code == 404
    assert consultant_client.post(url(team_a, f"/items/{first.id}/delete"),
                                  data={"version": "1"}).status_code == 404
    assert consultant_client.post(url(team_a, "/day1/items"),
                                  data=item_form("new-day1")).status_code == 404
    assert consultant_client.post(url(team_a, "/template")).status_code == 404
    assert items(consultant_client.application, team_a.course_id, Day.DAY1)[0].title == first.title


def test_the_team_lead_may_edit_without_being_a_facilitator(lead_client, team_a, template_agendas):
    first = items(lead_client.application, team_a.course_id, Day.DAY1)[0]
    response = lead_client.post(url(team_a, f"/items/{first.id}"),
                                data=edit_form(first, title="Godmorgen"))
    assert response.status_code == 303


def test_another_teams_agenda_and_items_are_404(facilitator_client, team_a, template_agendas,
                                                team_b):
    theirs = items(facilitator_client.application, team_b.course_id, Day.DAY1)[0]
    assert facilitator_client.get(f"/courses/{team_b.course_id}/agenda").status_code == 404
    assert facilitator_client.get(f"/courses/{team_b.course_id}/agenda/items/{theirs.id}"
                                  ).status_code == 404
    # their item through our course's URL is 404 too
    assert facilitator_client.get(url(team_a, f"/items/{theirs.id}")).status_code == 404
    assert facilitator_client.get(url(team_a, f"/items/{theirs.id}/edit")).status_code == 404
    assert facilitator_client.post(url(team_a, f"/items/{theirs.id}"),
                                   data=edit_form(theirs, title="Hijack")).status_code == 404
    assert facilitator_client.post(url(team_a, f"/items/{theirs.id}/delete"),
                                   data={"version": str(theirs.version)}).status_code == 404
    assert facilitator_client.post(f"/courses/{team_b.course_id}/agenda/day1/items",
                                   data=item_form("new-day1")).status_code == 404
    assert items(facilitator_client.application, team_b.course_id,
                 Day.DAY1)[0].title == theirs.title


def test_citizens_and_strangers_cannot_see_the_office_agenda(client, team_a, template_agendas):
    assert client.get(url(team_a)).status_code == 302
    assert client.get(url(team_a), headers=HTMX).status_code == 401
    join_citizen(client, team_a.course_code, team_a.citizens[0][1])
    assert client.get(url(team_a)).status_code == 403


def test_hostile_markdown_is_sanitised_and_sits_inside_hx_disable(app, facilitator_client, team_a,
                                                                  template_agendas):
    hostile = ('Hej <script>alert(1)</script> <img src=x onerror=alert(2)> '
               '[klik](javascript:alert(3)) <a href="#" hx-get="/logout" data-hx-post="/x" '
               'onclick="x()">a</a> <iframe src="https://evil"></iframe> '
               '<svg onload=alert(4)></svg> <style>body{}</style> **fed**')
    target = items(app, team_a.course_id, Day.DAY1)[0]
    response = facilitator_client.post(url(team_a, f"/items/{target.id}"),
                                       data=edit_form(target, description=hostile), headers=HTMX)
    assert response.status_code == 200
    for page in (response.get_data(as_text=True),
                 facilitator_client.get(url(team_a)).get_data(as_text=True)):
        block = re.search(rf'id="item-{target.id}".*?<div class="agenda-description" '
                          r'hx-disable>(.*?)</div>', page, re.S).group(1)
        assert "<strong>fed</strong>" in block
        for bad in ("<script", "onerror", "javascript:", "hx-get", "data-hx", "onclick",
                    "<iframe", "<svg", "<style", "onload"):
            assert bad not in block, bad


# -- adding --------------------------------------------------------------------------------------


def test_add_an_item_with_htmx_returns_the_day_and_places_it_by_time(app, facilitator_client,
                                                                     team_a, template_agendas):
    response = facilitator_client.post(url(team_a, "/day1/items"), headers=HTMX, data=item_form(
        "new-day1", starts_at="11.00", ends_at="11.20", kind="talk", title="Gæst",
        speaker_name="Hanne Holm", speaker_role="employer", description="*kort*"))
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#day-day1"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert "HX-Request" in response.headers["Vary"]
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<section class="agenda-day" id="day-day1"')
    assert "<html" not in page
    assert "Gæst" in page and "<em>kort</em>" in page and "Tilføjet: Gæst" in page
    day = items(app, team_a.course_id, Day.DAY1)
    assert [i.position for i in day] == list(range(11))
    new = next(i for i in day if i.title == "Gæst")
    assert (new.starts_at, new.ends_at, new.kind, new.speaker_role, new.speaker_name) == (
        time(11, 0), time(11, 20), ItemKind.TALK, SpeakerRole.EMPLOYER, "Hanne Holm")
    assert day[new.position - 1].starts_at <= new.starts_at < day[new.position + 1].starts_at
    # it overlaps the change-theory workshop (10.50–12.00): saved, and flagged on both
    assert "Overlapper »Forandringsteori: fra budgetpost til job« (10.50–12.00)." in page
    assert "Overlapper »Gæst« (11.00–11.20)." in page
    assert "Advarsler:" in page


def test_add_without_javascript_redirects_back_to_the_agenda(app, facilitator_client, team_a,
                                                             template_agendas):
    response = facilitator_client.post(url(team_a, "/kickoff/items"), data=item_form(
        "new-kickoff", starts_at="14:45", ends_at="15:00", title="Kaffe", kind="break"))
    assert response.status_code == 303
    new = items(app, team_a.course_id, Day.KICKOFF)[-1]
    assert response.headers["Location"].endswith(f"/agenda#item-{new.id}")
    assert new.title == "Kaffe" and new.position == 6 and new.version == 1
    page = facilitator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tilføjet: Kaffe" in page


def test_a_new_item_starts_where_the_day_ends(facilitator_client, team_a, template_agendas):
    page = facilitator_client.get(url(team_a)).get_data(as_text=True)
    form = page[page.index('id="add-day2"'):]
    assert 'name="new-day2-starts_at"' in form and 'value="15:00"' in form
    assert 'value="15:30"' in form


def test_end_before_start_is_refused_in_place_with_the_typed_text_kept(app, facilitator_client,
                                                                       team_a, template_agendas):
    data = item_form("new-day2", starts_at="10:00", ends_at="09:30", title="Min titel",
                     description="Mine *noter*")
    response = facilitator_client.post(url(team_a, "/day2/items"), data=data, headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.lstrip().startswith('<details class="agenda-add" id="add-day2" open>')
    assert "Sluttidspunktet skal ligge efter starttidspunktet." in page
    assert 'value="Min titel"' in page and "Mine *noter*" in page
    assert 'value="09:30"' in page
    assert len(items(app, team_a.course_id, Day.DAY2)) == 10
    # the same without JavaScript: the full page, that form open with its errors
    response = facilitator_client.post(url(team_a, "/day2/items"), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" in page
    assert 'id="add-day2" open' in page and 'id="add-day1" open' not in page
    assert "Sluttidspunktet skal ligge efter starttidspunktet." in page


@pytest.mark.parametrize("values, message", [
    ({"starts_at": "10:00", "ends_at": "10:00"}, "Sluttidspunktet skal ligge efter"),
    ({"starts_at": "kl. ti"}, "Skriv tidspunktet som tt.mm, f.eks. 09.15."),
    ({"ends_at": ""}, "Skriv et sluttidspunkt."),
    ({"title": ""}, "Skriv en titel."),
    ({"title": "x" * 161}, "Højst 160 tegn."),
    ({"speaker_name": "x" * 121}, "Højst 120 tegn."),
    ({"kind": "party"}, "Vælg en af mulighederne."),
    ({"speaker_role": "boss"}, "Vælg en af mulighederne."),
])
def test_bad_item_input_is_refused(app, facilitator_client, team_a, template_agendas, values,
                                   message):
    response = facilitator_client.post(url(team_a, "/day1/items"),
                                       data=item_form("new-day1", **values), headers=HTMX)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert len(items(app, team_a.course_id, Day.DAY1)) == 10


def test_times_are_understood_the_danish_way(app, facilitator_client, team_a, template_agendas):
    facilitator_client.post(url(team_a, "/day1/items"),
                            data=item_form("new-day1", starts_at="8.30", ends_at="8,55",
                                           title="Morgen"))
    first = items(app, team_a.course_id, Day.DAY1)[0]
    assert (first.title, first.starts_at, first.ends_at) == ("Morgen", time(8, 30), time(8, 55))


def test_items_outside_the_day_are_saved_and_flagged(app, facilitator_client, team_a,
                                                     template_agendas):
    response = facilitator_client.post(url(team_a, "/day2/items"), headers=HTMX, data=item_form(
        "new-day2", starts_at="16:30", ends_at="17:30", title="Netværk"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Uden for en kursusdags normale tidsrum (08.00–17.00)." in page
    assert items(app, team_a.course_id, Day.DAY2)[-1].title == "Netværk"
    facilitator_client.post(url(team_a, "/day2/items"), data=item_form(
        "new-day2", starts_at="07:00", ends_at="07:45", title="Tidlig"))
    with app.app_context():
        course = db.session.get(Course, team_a.course_id)
        codes = {(f.item.title, f.code) for f in services.day_problems(course, Day.DAY2)}
    assert ("Tidlig", "outside_hours") in codes and ("Netværk", "outside_hours") in codes


def test_extra_fields_on_an_item_are_ignored(app, facilitator_client, team_a, template_agendas,
                                             team_b):
    data = item_form("new-day1", title="Smugler")
    data.update({"new-day1-course_id": str(team_b.course_id), "new-day1-position": "0",
                 "new-day1-version": "77", "new-day1-day": "kickoff", "course_id": "2",
                 "new-day1-id": "1"})
    assert facilitator_client.post(url(team_a, "/day1/items"), data=data).status_code == 303
    with app.app_context():
        new = db.session.scalar(sa.select(AgendaItem).where(AgendaItem.title == "Smugler"))
        assert new.course_id == team_a.course_id and new.day == Day.DAY1
        assert new.version == 1 and new.position == 10 and new.id > 52


# -- editing -------------------------------------------------------------------------------------


def test_edit_swaps_the_row_into_a_form_and_back(app, facilitator_client, team_a, template_agendas):
    target = items(app, team_a.course_id, Day.DAY1)[1]
    response = facilitator_client.get(url(team_a, f"/items/{target.id}/edit"), headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith(f'<li class="agenda-item agenda-item-editing" '
                                    f'id="item-{target.id}">')
    assert f'name="item-{target.id}-title"' in page and 'value="Mit forløb: valg og fravalg"' \
        in page
    assert f'name="item-{target.id}-version" type="hidden" value="1"' in page
    assert 'hx-target="closest .agenda-item"' in page and 'method="post"' in page
    cancel = facilitator_client.get(url(team_a, f"/items/{target.id}"), headers=HTMX)
    assert cancel.get_data(as_text=True).lstrip().startswith(
        f'<li class="agenda-item kind-talk is-flagged" id="item-{target.id}">')
    # without JavaScript the edit link opens the whole page with that row as a form
    page = facilitator_client.get(url(team_a, f"/items/{target.id}/edit")).get_data(as_text=True)
    assert "<html" in page and f'name="item-{target.id}-title"' in page
    assert page.count("agenda-item-editing") == 1


def test_saving_an_edit_bumps_the_version_and_re_renders_the_day(app, facilitator_client, team_a,
                                                                 template_agendas):
    target = items(app, team_a.course_id, Day.DAY1)[1]
    response = facilitator_client.post(url(team_a, f"/items/{target.id}"), headers=HTMX,
                                       data=edit_form(
        target, speaker_name="Karin Madsen", title="Mit forløb"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#day-day1"
    assert "<strong>Karin Madsen</strong>, tidligere deltager" in page
    assert "Gemt: Mit forløb" in page
    saved = items(app, team_a.course_id, Day.DAY1)[1]
    assert (saved.title, saved.speaker_name, saved.version) == ("Mit forløb", "Karin Madsen", 2)
    # its "speaker missing" flag is gone; the other talk keeps it
    assert page.count("Skriv oplægsholderens navn.") == 1


def test_changing_the_start_moves_the_item_without_touching_its_neighbours(app, facilitator_client,
                                                                           team_a,
                                                                           template_agendas):
    day = items(app, team_a.course_id, Day.DAY1)
    versions = {i.id: i.version for i in day}
    target = day[1]  # 09.15 talk → 14.50
    facilitator_client.post(url(team_a, f"/items/{target.id}"),
                            data=edit_form(target, starts_at="14:50", ends_at="15:30"))
    after = items(app, team_a.course_id, Day.DAY1)
    assert [i.position for i in after] == list(range(10))
    assert after[-1].id == target.id and after[-1].version == 2
    assert [i.starts_at for i in after] == sorted(i.starts_at for i in after)
    assert all(i.version == versions[i.id] for i in after if i.id != target.id)


def test_a_stale_edit_is_a_409_showing_both_versions(app, facilitator_client, team_a,
                                                     template_agendas):
    target = items(app, team_a.course_id, Day.DAY2)[1]
    theirs = edit_form(target, title="Deres titel", description="Deres *tekst*")
    mine = edit_form(target, title="Min titel", description="Min tekst")
    colleague = signed_in_staff(app, LEAD_A)
    assert colleague.post(url(team_a, f"/items/{target.id}"), data=theirs).status_code == 303
    response = facilitator_client.post(url(team_a, f"/items/{target.id}"), data=mine, headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "En anden har gemt punktet, mens du redigerede det." in page
    assert "Den gemte udgave" in page and "Deres titel" in page and "<em>tekst</em>" in page
    assert "Din udgave" in page and 'value="Min titel"' in page and "Min tekst" in page
    assert f'name="item-{target.id}-version" type="hidden" value="2"' in page
    assert items(app, team_a.course_id, Day.DAY2)[1].title == "Deres titel"
    # saving again, knowingly, replaces theirs
    mine[f"item-{target.id}-version"] = "2"
    assert facilitator_client.post(url(team_a, f"/items/{target.id}"), data=mine).status_code == 303
    saved = items(app, team_a.course_id, Day.DAY2)[1]
    assert (saved.title, saved.version) == ("Min titel", 3)


def test_an_edit_without_a_version_is_never_a_silent_overwrite(app, facilitator_client, team_a,
                                                               template_agendas):
    target = items(app, team_a.course_id, Day.DAY1)[0]
    data = edit_form(target, title="Uden version")
    del data[f"item-{target.id}-version"]
    assert facilitator_client.post(url(team_a, f"/items/{target.id}"), data=data).status_code == 409
    assert items(app, team_a.course_id, Day.DAY1)[0].title == target.title


def test_a_refused_edit_keeps_the_typed_text(app, facilitator_client, team_a, template_agendas):
    target = items(app, team_a.course_id, Day.DAY1)[0]
    response = facilitator_client.post(url(team_a, f"/items/{target.id}"), headers=HTMX,
                                       data=edit_form(
        target, ends_at="08:00", title="Ændret titel", description="Lang tekst jeg skrev"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.lstrip().startswith(f'<li class="agenda-item agenda-item-editing" '
                                    f'id="item-{target.id}">')
    assert 'value="Ændret titel"' in page and "Lang tekst jeg skrev" in page
    assert "Sluttidspunktet skal ligge efter starttidspunktet." in page
    assert items(app, team_a.course_id, Day.DAY1)[0].title == target.title


# -- reordering ----------------------------------------------------------------------------------


def test_move_down_swaps_places_and_time_slots(app, facilitator_client, team_a, template_agendas):
    before = items(app, team_a.course_id, Day.DAY1)
    welcome, talk = before[0], before[1]  # 09.00–09.15 and 09.15–09.55
    response = facilitator_client.post(url(team_a, f"/items/{welcome.id}/move"),
                                       data={"direction": "down"},
                                       headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#day-day1"
    assert "Flyttet: Velkommen til kursusdag 1" in response.get_data(as_text=True)
    after = items(app, team_a.course_id, Day.DAY1)
    assert [i.id for i in after[:2]] == [talk.id, welcome.id]
    assert (after[0].starts_at, after[0].ends_at) == (time(9, 0), time(9, 40))
    assert (after[1].starts_at, after[1].ends_at) == (time(9, 40), time(9, 55))
    assert [i.position for i in after] == list(range(10))
    assert [i.id for i in after[2:]] == [i.id for i in before[2:]]


def test_move_keeps_a_gap_between_the_two(app, facilitator_client, team_a, template_agendas):
    with app.app_context():
        course = db.session.get(Course, team_a.course_id)
        last = services.day_items(course, Day.KICKOFF)[-1]  # 14.40–14.45
        services.add_item(course, Day.KICKOFF, services.ItemDetails(
            time(15, 0), time(15, 30), ItemKind.PLENARY, "Spørgsmål"))
        db.session.commit()
        last_id = last.id
    new = items(app, team_a.course_id, Day.KICKOFF)[-1]
    facilitator_client.post(url(team_a, f"/items/{new.id}/move"), data={"direction": "up"})
    after = items(app, team_a.course_id, Day.KICKOFF)
    assert [i.id for i in after[-2:]] == [new.id, last_id]
    assert (after[-2].starts_at, after[-2].ends_at) == (time(14, 40), time(15, 10))
    assert (after[-1].starts_at, after[-1].ends_at) == (time(15, 25), time(15, 30))


def test_moving_past_either_end_changes_nothing(app, facilitator_client, team_a, template_agendas):
    before = items(app, team_a.course_id, Day.DAY2)
    response = facilitator_client.post(url(team_a, f"/items/{before[0].id}/move"),
                                       data={"direction": "up"})
    assert response.status_code == 303
    facilitator_client.post(url(team_a, f"/items/{before[-1].id}/move"), data={"direction": "down"})
    after = items(app, team_a.course_id, Day.DAY2)
    assert [(i.id, i.starts_at, i.version) for i in after] == [
        (i.id, i.starts_at, i.version) for i in before]
    assert facilitator_client.post(url(team_a, f"/items/{before[0].id}/move"),
                                   data={"direction": "sideways"}).status_code == 400


def test_up_and_down_buttons_are_disabled_at_the_ends(facilitator_client, team_a, template_agendas):
    page = facilitator_client.get(url(team_a)).get_data(as_text=True)
    day = page[page.index('id="day-kickoff"'):page.index('id="day-day1"')]
    rows = day.split('<li class="agenda-item')[1:]
    assert 'value="up" disabled' in rows[0] and 'value="down" disabled' not in rows[0]
    assert 'value="down" disabled' in rows[-1] and 'value="up" disabled' not in rows[-1]


# -- deleting ------------------------------------------------------------------------------------


def test_delete_asks_first_then_deletes_and_renumbers(app, facilitator_client, team_a,
                                                      template_agendas):
    before = items(app, team_a.course_id, Day.DAY1)
    target = before[3]  # the 10.35 break
    ask = facilitator_client.get(url(team_a, f"/items/{target.id}/delete"), headers=HTMX)
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200
    assert "Slet »Pause« (10.35–10.50)?" in page and "Ja, slet det" in page
    assert "Nej, behold det" in page and "confirm(" not in page and "hx-confirm" not in page
    assert f'name="version" value="{target.version}"' in page
    assert len(items(app, team_a.course_id, Day.DAY1)) == 10  # asking deletes nothing
    response = facilitator_client.post(url(team_a, f"/items/{target.id}/delete"),
                                       data={"version": str(target.version)}, headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#day-day1"
    assert "Slettet: Pause" in response.get_data(as_text=True)
    after = items(app, team_a.course_id, Day.DAY1)
    assert target.id not in [i.id for i in after]
    assert [i.position for i in after] == list(range(9))
    # the others were renumbered, not edited: their versions are unchanged
    assert {i.id: i.version for i in after} == {i.id: i.version for i in before
                                                if i.id != target.id}


def test_delete_without_javascript(app, facilitator_client, team_a, template_agendas):
    target = items(app, team_a.course_id, Day.KICKOFF)[3]
    page = facilitator_client.get(url(team_a, f"/items/{target.id}/delete")).get_data(as_text=True)
    assert "<html" in page and f'action="/courses/{team_a.course_id}/agenda/items/' \
        f'{target.id}/delete"' in page
    response = facilitator_client.post(url(team_a, f"/items/{target.id}/delete"),
                                       data={"version": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/agenda#day-kickoff")
    assert len(items(app, team_a.course_id, Day.KICKOFF)) == 5


def test_deleting_an_item_changed_meanwhile_asks_again(app, facilitator_client, team_a,
                                                       template_agendas):
    target = items(app, team_a.course_id, Day.DAY1)[0]
    colleague = signed_in_staff(app, LEAD_A)
    colleague.post(url(team_a, f"/items/{target.id}"),
                   data=edit_form(target, title="Ny velkomst"))
    response = facilitator_client.post(url(team_a, f"/items/{target.id}/delete"),
                                       data={"version": "1"},
                                       headers=HTMX)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Punktet er blevet ændret, efter du valgte at slette det." in page
    assert "Ny velkomst" in page and 'name="version" value="2"' in page
    assert items(app, team_a.course_id, Day.DAY1)[0].title == "Ny velkomst"
    assert facilitator_client.post(url(team_a, f"/items/{target.id}/delete"),
                                   data={"version": "2"}).status_code == 303
    assert len(items(app, team_a.course_id, Day.DAY1)) == 9


def test_csrf_is_required_for_every_agenda_write(app, facilitator_client, team_a, template_agendas):
    target = items(app, team_a.course_id, Day.DAY1)[0]
    for path, data in [(f"/items/{target.id}", edit_form(target, title="x")),
                       (f"/items/{target.id}/move", {"direction": "down"}),
                       (f"/items/{target.id}/delete", {"version": "1"}),
                       ("/day1/items", item_form("new-day1"))]:
        assert facilitator_client.post(url(team_a, path), data=data,
                                       csrf=False).status_code == 400, path
    after = items(app, team_a.course_id, Day.DAY1)
    assert len(after) == 10 and after[0].title == target.title and after[0].version == 1


# -- an empty agenda -----------------------------------------------------------------------------


def test_a_course_without_an_agenda_offers_the_template(app, facilitator_client, team_a):
    page = facilitator_client.get(f"/courses/{team_a.course_id}/agenda").get_data(as_text=True)
    assert "Forløbet har intet program endnu" in page and "Ingen punkter endnu." in page
    response = facilitator_client.post(f"/courses/{team_a.course_id}/agenda/template")
    assert response.status_code == 303
    assert len(items(app, team_a.course_id, Day.DAY1)) == 10
    page = facilitator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Programmet følger nu skabelonen for god praksis." in page
    # a second press does not double the agenda
    facilitator_client.post(f"/courses/{team_a.course_id}/agenda/template")
    assert len(items(app, team_a.course_id, Day.DAY1)) == 10


# -- services ------------------------------------------------------------------------------------


def test_update_item_refuses_a_stale_version_in_the_service(app, team_a, template_agendas):
    with app.app_context():
        item = services.day_items(db.session.get(Course, team_a.course_id), Day.DAY1)[0]
        details = services.ItemDetails(item.starts_at, item.ends_at, item.kind, "Ny")
        with pytest.raises(services.StaleItem) as err:
            services.update_item(item, details, expected_version=item.version + 1)
        assert err.value.code == "stale" and err.value.item_id == item.id
        with pytest.raises(services.ScheduleError) as err:
            services.update_item(item, services.ItemDetails(
                time(10), time(9), item.kind, "Ny"), expected_version=item.version)
        assert err.value.code == "end_not_after_start"
        with pytest.raises(services.ScheduleError) as err:
            services.move_item(item, "left")
        assert err.value.code == "direction"


def test_day_problems_reports_each_overlap_on_both_items(app, team_a, template_agendas):
    with app.app_context():
        course = db.session.get(Course, team_a.course_id)
        talk = services.day_items(course, Day.DAY2)[1]
        services.update_item(talk, services.ItemDetails(
            talk.starts_at, talk.ends_at, talk.kind, talk.title, "Per"), expected_version=1)
        extra = services.add_item(course, Day.DAY2, services.ItemDetails(
            time(9, 30), time(9, 45), ItemKind.PLENARY, "Parallel"))
        flags = services.day_problems(course, Day.DAY2)
        overlaps = {(f.item.id, f.other.id) for f in flags if f.code == "overlap"}
        assert overlaps == {(extra.id, talk.id), (talk.id, extra.id)}
        plan = services.day_plan(course, Day.DAY2)
        assert plan.flagged_items == 3  # the two overlapping items + the nameless talk
