"""Danish by default, English as the second locale, Danish amounts and dates."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from babel.messages.pofile import read_po
from flask import g

from course import i18n

ROOT = Path(__file__).resolve().parent.parent


def test_danish_is_the_default(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="da">' in page
    assert "Log ind på forløbet" in page and "Join the course" not in page


def test_english_can_be_chosen_and_is_remembered(client):
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Join the course" in page
    client.post("/language", data={"lang": "xx"})  # nonsense keeps the choice
    assert "Join the course" in client.get("/").get_data(as_text=True)


def test_language_switch_does_not_redirect_offsite(client):
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_errors_are_translated(client, make_world):
    world = make_world()
    response = client.post("/join", data={"course_code": world.course_code,
                                          "personal_code": "AAAA2222"})
    assert "Forløbskoden eller din personlige kode er forkert" in response.get_data(as_text=True)


def test_every_ui_string_has_a_danish_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    "babel.cfg", "-k", "_l", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with (ROOT / "course/translations/da/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    done = {m.id for m in catalog if m.id and "fuzzy" not in m.flags
            and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    assert sorted(wanted - done) == [], "run `make messages` and translate the new strings"


def test_kroner_the_danish_way():
    assert i18n.kroner(41100) == "41.100 kr."
    assert i18n.kroner(50000) == "50.000 kr."
    assert i18n.kroner(0) == "0 kr."


def test_long_dates_in_danish_and_english(app):
    with app.test_request_context():
        assert i18n.long_date(date(2026, 11, 24)) == "24. november 2026"
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        from flask_babel import refresh

        refresh()
        assert i18n.long_date(date(2026, 11, 24)) == "24 November 2026"


def test_a_date_is_formatted_once_per_request_and_language(app):
    """The queue shows the same deadlines over and over: each is formatted once — and a page in
    one language does not get another language's text (a mail rendered in Danish, say)."""
    day = date(2026, 11, 24)
    with app.test_request_context():
        assert i18n.long_date(day) == "24. november 2026"
        with i18n.force_locale("en"):
            assert "November" in i18n.long_date(day)
        assert i18n.long_date(day) == "24. november 2026"
        assert len(g.teten_long_dates) == 2


#: Templates asking for messages in every way the app's templates do: a message alone, one
#: with a literal "%%", one with placeholders (escaped; the message itself is safe), the
#: plural; autoescaped as the app's HTML templates are, and not.
_MESSAGES = ("{{ _('Back to the course') }}|{{ gettext('Cases') }}|{{ _('100 %% sure') }}|"
             "{{ _('Decided %(date)s', date='<b>') }}|"
             "{{ ngettext('%(num)d day', '%(num)d days', 3) }}|{{ _('a < b') }}")
_BOTH = (f"{{% autoescape true %}}{_MESSAGES}{{% endautoescape %}}#"
         f"{{% autoescape false %}}{_MESSAGES}{{% endautoescape %}}")


def test_templates_translate_as_jinja_does(app):
    """The app's template ``gettext`` (each message kept per catalog) renders exactly what
    Jinja's own newstyle ``gettext`` renders, in Danish and in English, inside ``force_locale``
    too, twice in a row (the second time from what was kept)."""
    from jinja2.ext import _make_new_gettext

    jinjas = _make_new_gettext(lambda string: i18n._translations().ugettext(string))
    ours = app.jinja_env.from_string(_BOTH)
    reference = app.jinja_env.from_string(_BOTH, globals={"_": jinjas, "gettext": jinjas})
    with app.test_request_context():
        for _ in range(2):
            danish = ours.render()
            assert danish == reference.render()
            assert danish == ("Tilbage til forløbet|Sager|100 % sure|Afgjort &lt;b&gt;|3 dage|"
                              "a < b#Tilbage til forløbet|Sager|100 % sure|Afgjort <b>|"
                              "3 dage|a < b")
            with i18n.force_locale("en"):
                english = ours.render()
                assert english == reference.render()
                assert english.startswith("Back to the course|Cases|")
            assert ours.render() == danish


def test_a_template_translates_each_message_once_per_catalog(app, monkeypatch):
    """A queue of 200 rows asks for the same messages hundreds of times: the catalog is asked
    once for each (Jinja's own ``gettext`` asked it every time, ≈ 10 µs a call)."""
    asked = []
    message = f"A message of this test only {id(asked)}"
    template = app.jinja_env.from_string("{% for n in range(50) %}{{ _(m) }}{% endfor %}")
    with app.test_request_context():
        catalog = i18n._translations()
        original = catalog.ugettext
        monkeypatch.setattr(catalog, "ugettext",
                            lambda string: asked.append(string) or original(string))
        assert template.render(m=message) == message * 50
        assert template.render(m=message) == message * 50
    assert asked == [message]
