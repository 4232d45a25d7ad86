from tests.conftest import join_citizen, login_staff


def test_front_page_is_join_form(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "personal_code" in response.get_data(as_text=True)


def test_staff_and_citizen_sign_in(app, client, make_world):
    world = make_world()
    login_staff(client, "fac@teama.dk")
    page = client.get("/office")
    assert page.status_code == 200, page.get_data(as_text=True)
    assert "Course Team A" in page.get_data(as_text=True)
    console = client.get(f"/courses/{world.course_id}/console")
    assert console.status_code == 200, console.get_data(as_text=True)
    phone = app.test_client()
    join_citizen(phone, world.course_code, world.citizens[0][1])
    me = phone.get("/me")
    assert me.status_code == 200, me.get_data(as_text=True)
