"""Creating and editing courses: who may, what is refused (in Danish), and nothing half-saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from course.extensions import db
from course.people import services as people_services
from course.people.models import Role, Staff, Team
from course.schedule import services
from course.schedule.models import AgendaItem, Course, Day
from tests.conftest import PASSWORD, login_staff

SOON = date.today() + timedelta(days=20)


def course_data(world, **overrides) -> dict:
    data = {
        "name": "Forår 2027, hold 1",
        "kickoff_on": SOON.isoformat(),
        "day1_on": (SOON + timedelta(days=7)).isoformat(),
        "day2_on": (SOON + timedelta(days=8)).isoformat(),
        "venue": "Jobcentret, lokale 4",
        "capacity": "18",
        "facilitators": [str(world.facilitator_id)],
        "question_mode": "anonymous",
        "agenda_from": "template",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(model.id)))


def new_course(app, name: str) -> Course:
    with app.app_context():
        return db.session.scalar(sa.select(Course).where(Course.name == name))


# -- creating ----------------------------------------------------------------------------------


def test_office_offers_a_new_course_to_facilitators_and_team_leads_only(client, make_world):
    make_world()
    login_staff(client, "fac@teama.dk")
    page = client.get("/office").get_data(as_text=True)
    assert "Nyt forløb" in page and 'href="/courses/new"' in page
    assert "Program" in page
    client.post("/logout")
    login_staff(client, "con@teama.dk")
    assert "Nyt forløb" not in client.get("/office").get_data(as_text=True)
    assert client.get("/courses/new").status_code == 403
    world_data = course_data(type("W", (), {"facilitator_id": 1})())
    assert client.post("/courses/new", data=world_data).status_code == 403


def test_the_form_is_in_danish_and_offers_the_teams_facilitators(client, make_world):
    world = make_world()
    make_world("Team B")
    login_staff(client, "lead@teama.dk")
    page = client.get("/courses/new").get_data(as_text=True)
    for text in ("Nyt forløb", "Forløbets navn", "Formøde", "Kursusdag 1", "Kursusdag 2",
                 "Kapacitet (pladser)", "Facilitatorer", "Spørgsmål til oplægsholderne",
                 "Skabelonen for god praksis (anbefales)", "Opret forløbet"):
        assert text in page, text
    own, guests = page.split("Facilitatorer fra et andet team")
    assert "Facilitator Team A" in own and "Lead Team A" in own
    assert "Consultant Team A" not in page  # job consultants do not facilitate
    assert "Team B" not in own
    # another team's facilitators are offered as guests (the method's other department),
    # not its team lead or job consultants
    assert "Facilitator Team B (Team B)" in guests
    assert "Lead Team B" not in guests and "Consultant Team B" not in guests
    assert f'value="{world.facilitator_id}"' in own


def test_a_facilitator_creates_a_course_with_the_template_agenda(app, facilitator_client, team_a):
    response = facilitator_client.post("/courses/new", data=course_data(team_a))
    assert response.status_code == 303
    course = new_course(app, "Forår 2027, hold 1")
    assert response.headers["Location"].endswith(f"/courses/{course.id}/agenda")
    with app.app_context():
        course = db.session.get(Course, course.id)
        assert course.team_id == team_a.team_id
        assert (course.kickoff_on, course.day1_on, course.day2_on) == (
            SOON, SOON + timedelta(days=7), SOON + timedelta(days=8))
        assert course.capacity == 18 and course.question_mode == "anonymous"
        assert course.venue == "Jobcentret, lokale 4"
        assert [s.id for s in course.facilitators] == [team_a.facilitator_id]
        assert len(course.code) >= 6 and course.code != team_a.course_code
        plan = services.agenda(course)
        assert [len(plan[d]) for d in Day] == [6, 10, 10]
    page = facilitator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Forløbet er oprettet med programmet fra skabelonen for god praksis" in page
    assert "Mit forløb: valg og fravalg" in page
    office = facilitator_client.get("/office").get_data(as_text=True)
    assert "Forår 2027, hold 1" in office


def test_co_facilitators_and_a_team_lead_can_be_chosen(app, client, make_world):
    world = make_world()
    with app.app_context():
        team = db.session.get(Team, world.team_id)
        second = people_services.create_staff(team, "Anden Facilitator", "fac2@teama.dk",
                                              Role.FACILITATOR, PASSWORD,
                                              must_change_password=False)
        db.session.commit()
        second_id = second.id
    login_staff(client, "lead@teama.dk")
    response = client.post("/courses/new", data=course_data(
        world, facilitators=[str(world.facilitator_id), str(second_id), str(world.lead_id)]))
    assert response.status_code == 303
    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.name == "Forår 2027, hold 1"))
        assert {s.id for s in course.facilitators} == {world.facilitator_id, second_id,
                                                      world.lead_id}
    # the co-facilitator may edit it too
    client.post("/logout")
    login_staff(client, "fac2@teama.dk")
    assert client.get(f"/courses/{course.id}/edit").status_code == 200


def test_a_new_course_can_copy_an_earlier_courses_agenda(app, client, make_world):
    world = make_world()
    with app.app_context():
        source = db.session.get(Course, world.course_id)
        services.apply_template(source)
        first = services.day_items(source, Day.DAY1)[1]
        services.update_item(first, services.ItemDetails(
            first.starts_at, first.ends_at, first.kind, first.title, "Karin Madsen",
            first.speaker_role, first.description), expected_version=first.version)
        services.add_item(source, Day.DAY2, services.ItemDetails(
            first.starts_at.replace(hour=15), first.ends_at.replace(hour=16),
            first.kind, "Ekstra oplæg", "Ole", first.speaker_role, "**Ekstra**"))
        db.session.commit()
    login_staff(client, "fac@teama.dk")
    page = client.get("/courses/new").get_data(as_text=True)
    assert "En kopi af Course Team A" in page
    response = client.post("/courses/new", data=course_data(
        world, agenda_from=str(world.course_id)))
    assert response.status_code == 303
    with app.app_context():
        copy = db.session.scalar(sa.select(Course).where(Course.name == "Forår 2027, hold 1"))
        source = db.session.get(Course, world.course_id)

        def rows(course):
            return [(i.day, i.position, i.starts_at, i.ends_at, i.kind, i.title, i.speaker_name,
                     i.speaker_role, i.description)
                    for items in services.agenda(course).values() for i in items]

        assert rows(copy) == rows(source)
        assert len(rows(copy)) == 27
        assert "Karin Madsen" in [r[6] for r in rows(copy)]
    assert "kopi af programmet fra Course Team A" in client.get(
        response.headers["Location"]).get_data(as_text=True)


def test_another_teams_agenda_cannot_be_copied(app, client, make_world):
    world = make_world()
    other = make_world("Team B")
    with app.app_context():
        services.apply_template(db.session.get(Course, other.course_id))
        db.session.commit()
    login_staff(client, "fac@teama.dk")
    assert "Course Team B" not in client.get("/courses/new").get_data(as_text=True)
    before = count(app, Course), count(app, AgendaItem)
    response = client.post("/courses/new", data=course_data(
        world, agenda_from=str(other.course_id)))
    assert response.status_code == 422
    assert "Vælg et program fra et af dit teams forløb." in response.get_data(as_text=True)
    assert (count(app, Course), count(app, AgendaItem)) == before


def test_the_service_refuses_a_foreign_source_too(app, make_world):
    world = make_world()
    other = make_world("Team B")
    with app.app_context():
        team = db.session.get(Team, world.team_id)
        details = services.CourseDetails("X", SOON, SOON + timedelta(days=1),
                                         SOON + timedelta(days=2))
        staff = [db.session.get(Staff, world.facilitator_id)]
        with pytest.raises(services.ScheduleError) as err:
            services.create_course(team, details, staff,
                                   copy_from=db.session.get(Course, other.course_id))
        assert err.value.code == "foreign_source"
        with pytest.raises(services.ScheduleError) as err:
            services.copy_agenda(db.session.get(Course, other.course_id),
                                 db.session.get(Course, world.course_id))
        assert err.value.code == "foreign_source"


@pytest.mark.parametrize("overrides, field_message", [
    ({"kickoff_on": (date.today() - timedelta(days=3)).isoformat()},
     "Datoen er overskredet. Vælg i dag eller en senere dato."),
    ({"day1_on": SOON.isoformat()}, "Kursusdag 1 skal ligge efter formødet."),
    ({"day1_on": (SOON - timedelta(days=1)).isoformat()},
     "Kursusdag 1 skal ligge efter formødet."),
    ({"day2_on": (SOON + timedelta(days=6)).isoformat()},
     "Kursusdag 2 skal ligge efter kursusdag 1."),
    ({"day2_on": (SOON + timedelta(days=7)).isoformat()},
     "Kursusdag 2 skal ligge efter kursusdag 1."),
    ({"capacity": "0"}, "Kapaciteten skal være fra 1 til 200 pladser."),
    ({"capacity": "201"}, "Kapaciteten skal være fra 1 til 200 pladser."),
    ({"capacity": "tyve"}, "Skriv et helt tal."),
    ({"capacity": None}, "Skriv, hvor mange pladser forløbet har."),
    ({"kickoff_on": "32.13.2026"}, "Skriv datoen som dd.mm.åååå, f.eks. 24.11.2026."),
    ({"day2_on": None}, "Vælg datoen for kursusdag 2."),
    ({"name": "  "}, "Skriv et navn til forløbet."),
    ({"facilitators": None}, "Vælg mindst én facilitator."),
    ({"question_mode": "public"}, "Vælg en af mulighederne."),
    ({"facilitators": ["x"]}, "Vælg en af mulighederne."),
])
def test_bad_input_is_refused_with_a_danish_message_and_nothing_saved(
        app, facilitator_client, team_a, overrides, field_message):
    before = count(app, Course), count(app, AgendaItem)
    data = course_data(team_a, **overrides)
    response = facilitator_client.post("/courses/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Forløbet er ikke gemt endnu. Ret felterne markeret med rødt." in page
    assert field_message in page
    assert 'value="Jobcentret, lokale 4"' in page  # what was typed is kept
    assert (count(app, Course), count(app, AgendaItem)) == before


def test_every_problem_is_shown_at_once(facilitator_client, team_a):
    past = date.today() - timedelta(days=10)
    page = facilitator_client.post("/courses/new", data=course_data(
        team_a, name="", kickoff_on=past.isoformat(), day1_on=past.isoformat(),
        day2_on=(past - timedelta(days=1)).isoformat(), capacity="500",
    )).get_data(as_text=True)
    for message in ("Skriv et navn til forløbet.", "Datoen er overskredet.",
                    "Kursusdag 1 skal ligge efter formødet.",
                    "Kursusdag 2 skal ligge efter kursusdag 1.",
                    "Kapaciteten skal være fra 1 til 200 pladser."):
        assert message in page, message


def test_danish_typed_dates_are_understood(app, facilitator_client, team_a):
    response = facilitator_client.post("/courses/new", data=course_data(
        team_a, kickoff_on=SOON.strftime("%d.%m.%Y"),
        day1_on=(SOON + timedelta(days=7)).strftime("%d-%m-%Y"),
        day2_on=(SOON + timedelta(days=8)).strftime("%d/%m/%Y")))
    assert response.status_code == 303
    assert new_course(app, "Forår 2027, hold 1").day2_on == SOON + timedelta(days=8)


def test_facilitators_must_be_the_teams_active_facilitators_or_leads(app, client, make_world):
    world = make_world()
    other = make_world("Team B")
    login_staff(client, "fac@teama.dk")
    message = ("Vælg facilitatorer blandt dit teams aktive facilitatorer og "
               "afdelingsledere.")
    for chosen in ([str(other.facilitator_id)], [str(world.consultant_id)], ["999"], ["x"]):
        response = client.post("/courses/new", data=course_data(world, facilitators=chosen))
        assert response.status_code == 422, chosen
        if chosen != ["x"]:
            assert message in response.get_data(as_text=True), chosen
    with app.app_context():
        fac = db.session.get(Staff, world.facilitator_id)
        people_services.deactivate_staff(fac)
        db.session.commit()
    login_staff(client, "lead@teama.dk")
    response = client.post("/courses/new", data=course_data(world))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(app, Course) == 2


def test_extra_form_fields_are_ignored(app, client, make_world):
    world = make_world()
    other = make_world("Team B")
    login_staff(client, "fac@teama.dk")
    response = client.post("/courses/new", data=course_data(
        world, team_id=str(other.team_id), code="HACKED", id="1", created_at="2000-01-01"))
    assert response.status_code == 303
    course = new_course(app, "Forår 2027, hold 1")
    assert course.team_id == world.team_id and course.code != "HACKED" and course.id > 2


def test_a_citizen_cannot_create_courses(client, make_world):
    from tests.conftest import join_citizen

    world = make_world()
    join_citizen(client, world.course_code, world.citizens[0][1])
    assert client.get("/courses/new").status_code == 403
    assert client.post("/courses/new", data=course_data(world)).status_code == 403


def test_without_a_csrf_token_nothing_is_created(app, facilitator_client, team_a):
    response = facilitator_client.post("/courses/new", data=course_data(team_a), csrf=False)
    assert response.status_code == 400
    assert count(app, Course) == 1


# -- editing -----------------------------------------------------------------------------------


def test_the_course_page_links_to_agenda_and_edit(client, make_world):
    world = make_world()
    login_staff(client, "fac@teama.dk")
    page = client.get(f"/courses/{world.course_id}").get_data(as_text=True)
    assert f'href="/courses/{world.course_id}/agenda"' in page
    assert f'href="/courses/{world.course_id}/edit"' in page
    assert "Hver deltager vælger: med navn eller anonymt for de andre deltagere" in page
    client.post("/logout")
    login_staff(client, "con@teama.dk")
    page = client.get(f"/courses/{world.course_id}").get_data(as_text=True)
    assert f'href="/courses/{world.course_id}/agenda"' in page
    assert f'href="/courses/{world.course_id}/edit"' not in page


def test_a_facilitator_edits_the_course_keeping_a_kickoff_that_has_passed(
        app, client, make_world):
    world = make_world()
    with app.app_context():  # the course started yesterday
        course = db.session.get(Course, world.course_id)
        course.kickoff_on = date.today() - timedelta(days=1)
        db.session.commit()
        kickoff = course.kickoff_on
    login_staff(client, "fac@teama.dk")
    form = client.get(f"/courses/{world.course_id}/edit").get_data(as_text=True)
    assert "Rediger Course Team A" in form and 'value="Room 1"' in form
    assert "Program" not in form.split("<form", 1)[1].split("</form>")[0].replace(
        "Programmet", "")  # no agenda choice on an edit
    response = client.post(f"/courses/{world.course_id}/edit", data={
        "name": "Nyt navn", "kickoff_on": kickoff.isoformat(),
        "day1_on": (date.today() + timedelta(days=9)).isoformat(),
        "day2_on": (date.today() + timedelta(days=10)).isoformat(),
        "venue": "Lokale 7", "capacity": "12", "question_mode": "named",
        "facilitators": [str(world.facilitator_id), str(world.lead_id)],
        "code": "HACKED", "team_id": "99",
    })
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/courses/{world.course_id}")
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        assert course.name == "Nyt navn" and course.venue == "Lokale 7"
        assert course.capacity == 12 and course.question_mode == "named"
        assert course.day1_on == date.today() + timedelta(days=9)
        assert course.code == world.course_code and course.team_id == world.team_id
        assert {s.id for s in course.facilitators} == {world.facilitator_id, world.lead_id}
    assert "Forløbet er gemt." in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_an_edit_cannot_move_a_date_into_the_past(app, lead_client, team_a):
    response = lead_client.post(f"/courses/{team_a.course_id}/edit", data={
        "name": "X", "kickoff_on": (date.today() - timedelta(days=2)).isoformat(),
        "day1_on": (date.today() + timedelta(days=7)).isoformat(),
        "day2_on": (date.today() + timedelta(days=8)).isoformat(),
        "capacity": "20", "question_mode": "either",
        "facilitators": [str(team_a.facilitator_id)]})
    assert response.status_code == 422
    assert "Datoen er overskredet." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Course, team_a.course_id).name == "Course Team A"


def test_capacity_cannot_drop_below_the_enrolled(app, client, make_world):
    world = make_world(citizens=3)
    login_staff(client, "fac@teama.dk")
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        data = {"name": course.name, "kickoff_on": course.kickoff_on.isoformat(),
                "day1_on": course.day1_on.isoformat(), "day2_on": course.day2_on.isoformat(),
                "capacity": "2", "question_mode": "either",
                "facilitators": [str(world.facilitator_id)]}
    response = client.post(f"/courses/{world.course_id}/edit", data=data)
    assert response.status_code == 422
    assert "Der er allerede tilmeldt flere deltagere" in response.get_data(as_text=True)
    data["capacity"] = "3"
    assert client.post(f"/courses/{world.course_id}/edit", data=data).status_code == 303


def test_only_the_courses_facilitators_and_the_team_lead_edit(client, make_world):
    world = make_world()
    other = make_world("Team B")
    login_staff(client, "con@teama.dk")
    assert client.get(f"/courses/{world.course_id}/edit").status_code == 404
    assert client.post(f"/courses/{world.course_id}/edit", data={"name": "x"}).status_code \
        == 404
    client.post("/logout")
    login_staff(client, "fac@teama.dk")
    assert client.get(f"/courses/{other.course_id}/edit").status_code == 404
    assert client.post(f"/courses/{other.course_id}/edit", data={}).status_code == 404
    assert client.get(f"/courses/{other.course_id}/agenda").status_code == 404
