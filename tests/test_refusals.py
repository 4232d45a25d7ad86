"""One refusal path: every POST endpoint that can refuse says why in place.

A refused htmx request never replaces the region the person was working in with a bare sentence.
It is answered in one of these ways, and only these:

* a message slot beside the form (``HX-Retarget: #…-message``, an element of the page the form
  lives on), the form and what was typed in it left as they were;
* the toast (``HX-Reswap: none`` and the ``teten:refused`` event, or a 4xx that htmx does not
  swap at all: only 422 and 409 are swapped, see ``responseHandling`` in ``base.html``);
* the form itself again, with the typed text and the reason (the agenda, enrolment, the
  announcement, questions, comments, attachments), or the field's own status slot (the budget
  editor's autosave).

A browser without JavaScript gets a whole page (the form again, or the error page), never a bare
text. Nothing a refusal touched is written.

``REFUSALS`` makes every POST endpoint refuse once (or more); ``CANNOT_REFUSE`` names the ones
that refuse nothing beyond sign-in, access (403/404) and CSRF, and why. A new POST endpoint must
be put in one of the two (``test_every_post_endpoint_is_classified``).
"""

from __future__ import annotations

import functools
import html
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from babel.support import Translations
from markupsafe import escape
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from course.approvals.models import Case
from course.budgets.models import Attachment, BudgetLine, Draft, StrategyItem, StrategyKind
from course.extensions import db
from course.followup.models import Meeting
from course.live import day as live_day
from course.live.models import Question
from course.money import format_amount
from course.payouts.models import Payout
from course.people import services as people_services
from course.people.models import Citizen, Role, Team
from course.receipts.models import Receipt, ReceiptUpload
from course.schedule import services as schedule_services
from course.schedule.models import AgendaItem, Course, Day, ItemKind
from peerreview.models import Feedback, Round, Snapshot
from tests.conftest import PASSWORD, Client, World, join_citizen, login_staff

HX = {"HX-Request": "true"}
ROOT = Path(__file__).resolve().parent.parent

#: Tables a request writes whatever it does (the sign-in's last use, live stream counters).
VOLATILE = frozenset({"login_sessions", "live_streams", "live_connections"})


@functools.cache
def _danish():
    return Translations.load(str(ROOT / "course" / "translations"), ["da"])


def da(msgid: str, **params: Any) -> str:
    """The Danish text of ``msgid`` (what the person reads), as the catalog has it."""
    text = _danish().gettext(msgid)
    return text % params if params else text


# -- what one refused request is ----------------------------------------------------------------


@dataclass
class Attempt:
    """One refusable request, as a person would send it from a page they have open."""

    client: Client
    page: str  #: the page the form lives on (loaded before anything else happens)
    action: str  #: the form's action
    data: dict[str, Any]
    target: str | None  #: the form's hx-target as the template has it; None: a plain form
    message: str  #: (the start of) the Danish reason the person must read
    typed: str = ""  #: what the person typed that a re-rendered form must keep
    htmx: bool | None = None  #: sent by htmx (default: when the form has a target)
    meanwhile: Callable[[], object] | None = None  #: what someone else does after the page loaded
    same_form: bool = True  #: a re-rendered region still has this very form (not a race that
    #: changed which buttons the region offers)
    also_written: frozenset[str] = frozenset()  #: tables this refusal writes by design

    @property
    def by_htmx(self) -> bool:
        return self.target is not None if self.htmx is None else self.htmx


@dataclass
class Setting:
    """A test's world and people, built on demand by the scenarios."""

    app: Any
    make_world: Callable[..., World]
    make_draft: Callable[..., Any]
    monkeypatch: pytest.MonkeyPatch
    _world: World | None = None
    items: dict[str, int] = field(default_factory=dict)

    @property
    def world(self) -> World:
        if self._world is None:
            self._world = self.make_world(citizens=3)
        return self._world

    @property
    def course(self) -> int:
        return self.world.course_id

    def staff(self, email: str) -> Client:
        assert self.world  # the team's staff exist
        client = self.app.test_client()
        login_staff(client, email)
        return client

    def facilitator(self) -> Client:
        return self.staff("fac@teama.dk")

    def lead(self) -> Client:
        """The team lead: facilitates too (a second console), and decides red cases."""
        return self.staff("lead@teama.dk")

    def consultant(self) -> Client:
        return self.staff("con@teama.dk")

    def phone(self, index: int = 0) -> Client:
        client = self.app.test_client()
        join_citizen(client, self.world.course_code, self.world.citizens[index][1])
        return client

    def read(self, query: Callable[[], Any]) -> Any:
        with self.app.app_context():
            return query()

    def write(self, change: Callable[[], Any]) -> Any:
        with self.app.app_context():
            result = change()
            db.session.commit()
            return result

    def console(self) -> str:
        return f"/courses/{self.course}/console"


def ok(response, status: int = 200):
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response


def hx(client: Client, path: str, **data: Any):
    return client.post(path, data=data, headers=HX)


# -- checking an answer ------------------------------------------------------------------------


def forms_in(page: str) -> list[dict[str, str]]:
    """The attributes of every ``<form>`` opening tag of ``page``."""
    return [{name: html.unescape(value) for name, value in re.findall(r'([\w:-]+)="([^"]*)"', tag)}
            for tag in re.findall(r"<form\b([^>]*)>", page, re.S)]


def _path(url: str) -> str:
    return urlsplit(url).path


def form_for(page: str, action: str, url: str, target: str | None = None
             ) -> dict[str, str] | None:
    """The form of ``page`` (found at ``url``) that posts to ``action`` (into ``target``, when
    several do: the editor's fields); a form without an action posts to the page's address."""
    forms = [f for f in forms_in(page) if _path(f.get("action") or url) == action]
    return next((f for f in forms if f.get("hx-target") == target), forms[0] if forms else None)


def element_with_id(page: str, element_id: str) -> str | None:
    match = re.search(rf'<\w+\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', page)
    return match.group(0) if match else None


def says(body: str, message: str) -> bool:
    return message in body or str(escape(message)) in body


def rows(app, skip: frozenset[str]) -> dict[str, list[str]]:
    """Every row of every table (but ``skip``), to show that nothing was written."""
    with app.app_context(), db.engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        return {name: sorted(repr(tuple(row)) for row in conn.execute(
            sa.text(f'SELECT * FROM "{name}"'))) for name in names if name not in skip}


def assert_in_place(response, page: str, attempt: Attempt) -> str:
    """An htmx refusal: a slot beside the form, the toast, or the form itself. Returns which."""
    status, body = response.status_code, response.get_data(as_text=True)
    assert 400 <= status < 500, (status, body[:500])
    reswap = response.headers.get("HX-Reswap")
    retarget = response.headers.get("HX-Retarget")
    if status not in (409, 422):
        # htmx swaps no other 4xx (responseHandling): the page stays, app.js toasts the text
        assert retarget is None and reswap is None, response.headers
        assert response.mimetype == "text/plain" and len(body) < 400, body[:500]
        assert says(body, attempt.message), body
        return "toast"
    if reswap == "none":
        trigger = json.loads(response.headers["HX-Trigger"])
        assert trigger["teten:refused"]["message"] == body, trigger
        assert says(body, attempt.message), body
        return "toast"
    if retarget is not None:
        slot = retarget.removeprefix("#")
        assert re.fullmatch(r"[\w-]+-message", slot), f"retargeted to {retarget}, not a slot"
        assert element_with_id(page, slot), f"#{slot} is not on {attempt.page}"
        assert reswap == "innerHTML", response.headers
        assert "<form" not in body, "a slot gets the reason, not a form"
        assert says(body, attempt.message), body
        return "slot"
    # swapped into the form's own target: that must be a status slot, or the form again
    assert attempt.target is not None, (
        f"{status} to a form with hx-swap=none, without HX-Reswap or HX-Trigger: the person "
        f"is shown nothing at all ({body[:200]!r})")
    own = element_with_id(page, attempt.target[1:]) if attempt.target.startswith("#") else None
    if own is not None and 'role="status"' in own:
        assert says(body, attempt.message), body
        return "status"
    forms = forms_in(body)
    assert forms, (f"{status} with a bare message swapped into {attempt.target} "
                   f"(over the form and what was typed): {body[:300]!r}")
    if attempt.same_form:
        assert form_for(body, attempt.action, attempt.page), (
            f"the form {attempt.action} is not in the answer")
    else:  # the region again, with its own controls
        assert any(f.get("hx-target") == attempt.target for f in forms), body[:500]
    assert says(body, attempt.typed), "what was typed is not kept"
    assert says(body, attempt.message), body
    return "form"


def assert_whole_page(response, attempt: Attempt) -> str:
    """A refusal without JavaScript: a whole page (the form again, or the error page), or a
    redirect back to the form's page, which says why."""
    status, body = response.status_code, response.get_data(as_text=True)
    if status in (302, 303):
        assert _path(response.headers["Location"]) == _path(attempt.page), response.headers
        body = ok(attempt.client.get(response.headers["Location"])).get_data(as_text=True)
        assert says(body, attempt.message), body
        return "redirect"
    assert 400 <= status < 500, (status, body[:500])
    assert response.mimetype == "text/html", response.mimetype
    assert "<html" in body and 'class="layout-' in body and "</html>" in body, body[:300]
    assert says(body, attempt.message), body
    if attempt.typed:
        assert form_for(body, attempt.action, attempt.action), "the form is not on the page"
        assert says(body, attempt.typed), "what was typed is not kept"
    return "page"


# -- worlds the scenarios start from -----------------------------------------------------------

KICKOFF = [  # the kickoff's agenda: (start, end, kind, title, speaker)
    (time(13), time(13, 15), ItemKind.PLENARY, "Velkommen", ""),
    (time(13, 15), time(13, 40), ItemKind.TALK, "Mit forløb", "Lise Holm"),
    (time(13, 40), time(14, 10), ItemKind.WORKSHOP, "Forandringsteorier", ""),
    (time(14, 10), time(14, 40), ItemKind.SPARRING_ROUND, "Sparring", ""),
    (time(14, 40), time(14, 50), ItemKind.BREAK, "Pause", ""),
]


def live(s: Setting) -> Setting:
    """The course with the kickoff's agenda (course day 1 has none)."""
    def add():
        for position, (start, end, kind, title, speaker) in enumerate(KICKOFF):
            item = AgendaItem(course_id=s.course, day=Day.KICKOFF, position=position,
                              starts_at=start, ends_at=end, kind=kind, title=title,
                              speaker_name=speaker)
            db.session.add(item)
            db.session.flush()
            s.items[title] = item.id
    s.write(add)
    return s


def start_day(client: Client, s: Setting, at: str | None = None, day: str = "kickoff") -> None:
    ok(hx(client, f"/courses/{s.course}/session/start", day=day))
    if at is not None:
        go_to(client, s, at)


def go_to(client: Client, s: Setting, title: str) -> None:
    ok(hx(client, f"/courses/{s.course}/session/items/{s.items[title]}"))


def sparring(s: Setting) -> tuple[Client, list[Client], int]:
    """A round running at the sparring item: the console, three present phones, the round."""
    live(s)
    for n, (citizen_id, _code) in enumerate(s.world.citizens):
        s.make_draft(citizen_id, s.course, goal=f"Mål nummer {n}", lines=[
            {"title": f"Truckkørekort {n}", "amount": 9000, "change": "Jeg kan køre truck"}])
    phones = [s.phone(i) for i in range(3)]
    fac = s.facilitator()
    start_day(fac, s, at="Sparring")
    ok(hx(fac, f"/courses/{s.course}/rounds", grouping="rotation", min_feedback="2"))
    round_id = s.read(lambda: db.session.scalars(sa.select(Round.id)).one())
    return fac, phones, round_id


def round_version(s: Setting, round_id: int) -> int:
    return s.read(lambda: db.session.get(Round, round_id).version)


def feedback_given(s: Setting, phone: Client, round_id: int) -> int:
    """``phone`` reviews the plan it is sent to; returns the comment's id."""
    page = ok(phone.get(f"/rounds/{round_id}/review")).get_data(as_text=True)
    snapshot = re.search(r'name="snapshot_id" value="(\d+)"', page).group(1)
    ok(hx(phone, f"/rounds/{round_id}/review", snapshot_id=snapshot, criterion="effect",
          stem="like", text="Godt valg af kørekort"))
    return s.read(lambda: db.session.scalars(sa.select(Feedback.id)).one())


def complete_draft(s: Setting, index: int = 0, lines: int = 1) -> int:
    """A plan that passes the checklist: lines with change theories, each strategy list."""
    citizen_id = s.world.citizens[index][0]

    def make():
        draft = Draft(citizen_id=citizen_id, course_id=s.course, goal="Job som lagermedarbejder",
                      motivation="Jeg vil tjene mine egne penge.")
        draft.lines = [BudgetLine(position=n, title=f"Truckkørekort {n}", amount=4900,
                                  change="Jeg kan køre truck",
                                  job_effect="Lagerjob kræver certifikat",
                                  price_source="AMU-kursets hjemmeside",
                                  no_documentation="Prisen står på kursets egen side",
                                  need_date=date(2027, 2, 1)) for n in range(lines)]
        draft.strategy = [StrategyItem(kind=kind, position=0, text=f"Punkt {kind.value}")
                          for kind in StrategyKind]
        db.session.add(draft)
        db.session.flush()
        return draft.id
    return s.write(make)


def editor(s: Setting, lines: int = 1) -> tuple[Client, int, list[int]]:
    """Citizen 0 with a complete plan, signed in: (phone, draft id, line ids)."""
    draft_id = complete_draft(s, lines=lines)
    phone = s.phone(0)
    line_ids = s.read(lambda: [line.id for line in db.session.get(Draft, draft_id).lines])
    return phone, draft_id, line_ids


def submit_elsewhere(phone: Client) -> Callable[[], object]:
    """The citizen submits the plan in another tab: the editor open here is now read-only."""
    return lambda: ok(phone.post("/me/plan/submit"), 303)


LOCKED = ("Your plan has been submitted and cannot be changed now. If your job consultant "
          "sends it back, you can change it again.")


def case(s: Setting, colour: str | None = None) -> tuple[Client, int]:
    """Citizen 0's plan, submitted; its consultant signed in, having rated it all yes and chosen
    ``colour`` if given: (consultant, case id)."""
    phone = s.phone(0)
    complete_draft(s)
    ok(phone.post("/me/plan/submit"), 303)
    case_id = s.read(lambda: db.session.scalars(sa.select(Case.id)).one())
    con = s.consultant()
    if colour:
        ok(rate(con, s, case_id))
        ok(hx(con, f"/cases/{case_id}/triage", colour=colour,
              version=str(case_version(s, case_id))))
    return con, case_id


def case_version(s: Setting, case_id: int) -> int:
    return s.read(lambda: db.session.get(Case, case_id).version)


def rate(client: Client, s: Setting, case_id: int):
    """All three criteria yes."""
    data = {"version": str(case_version(s, case_id))}
    for criterion in ("substantial_change", "realistic", "coherence"):
        data[f"{criterion}-value"], data[f"{criterion}-note"] = "yes", ""
    return hx(client, f"/cases/{case_id}/ratings", **data)


def payments(s: Setting, case_id: int) -> dict[str, str]:
    ids = s.read(lambda: [line["id"] for line in db.session.get(Case, case_id)
                          .current.content["lines"]])
    return {f"payment-{i}": "invoice" for i in ids}


def another_consultant(s: Setting) -> int:
    return s.write(lambda: people_services.create_staff(
        db.session.get(Team, s.world.team_id), "Sara Anden", "sara@teama.dk",
        Role.JOB_CONSULTANT, PASSWORD, must_change_password=False).id)


def with_template(s: Setting) -> Setting:
    s.write(lambda: schedule_services.apply_template(db.session.get(Course, s.course)))
    return s


def first_item(s: Setting, day: Day = Day.KICKOFF) -> AgendaItem:
    def find():
        item = db.session.scalars(sa.select(AgendaItem).where(
            AgendaItem.course_id == s.course, AgendaItem.day == day)
            .order_by(AgendaItem.position)).first()
        db.session.expunge(item)
        return item
    return s.read(find)


def item_data(prefix: str, item: AgendaItem | None = None, **values: str) -> dict[str, str]:
    data = {"starts_at": "15:00", "ends_at": "15:30", "kind": "plenary", "title": "Ny ting",
            "speaker_name": "", "speaker_role": "", "description": ""}
    if item is not None:
        data.update(starts_at=item.starts_at.strftime("%H:%M"),
                    ends_at=item.ends_at.strftime("%H:%M"), kind=item.kind.value,
                    title=item.title, speaker_name=item.speaker_name or "",
                    speaker_role=item.speaker_role.value if item.speaker_role else "",
                    description=item.description or "", version=str(item.version))
    data.update(values)
    return {f"{prefix}-{key}": value for key, value in data.items()}


def course_data(s: Setting, **values: Any) -> dict[str, Any]:
    soon = date.today() + timedelta(days=20)
    data = {"name": "Forår 2027, hold 1", "kickoff_on": soon.isoformat(),
            "day1_on": (soon + timedelta(days=7)).isoformat(),
            "day2_on": (soon + timedelta(days=8)).isoformat(), "venue": "Jobcentret",
            "capacity": "18", "facilitators": [str(s.world.facilitator_id)],
            "question_mode": "either", "agenda_from": "template"}
    data.update(values)
    return data


def citizen_page(s: Setting, index: int = 0) -> str:
    return f"/courses/{s.course}/citizens/{s.world.citizens[index][0]}"


def said_yes(s: Setting, index: int = 0) -> None:
    def yes():
        citizen = db.session.get(Citizen, s.world.citizens[index][0])
        citizen.decision, citizen.decided_on = "yes", date.today()
    s.write(yes)


# -- the refusals: one scenario per way an endpoint refuses --------------------------------------
# Each builds what it needs, signs in the person whose page has the form, and returns the
# request that is refused. ``meanwhile`` is another person acting after the page was loaded.


def rounds_start(s: Setting) -> Attempt:
    live(s)
    fac = s.facilitator()
    start_day(fac, s, at="Sparring")
    return Attempt(fac, s.console(), f"/courses/{s.course}/rounds",
                   {"grouping": "groups", "minutes": "fem", "min_feedback": "2"}, "#now",
                   da("The round lasts between 1 and 240 minutes."))


def rounds_begin_closing(s: Setting) -> Attempt:
    fac, _phones, round_id = sparring(s)
    base = f"/courses/{s.course}/rounds/{round_id}"
    lead = s.lead()
    seen = round_version(s, round_id)

    def other_console():  # last comments, then more time: open again, a newer version
        ok(hx(lead, f"{base}/closing"))
        ok(hx(lead, f"{base}/reopen"))
    return Attempt(fac, s.console(), f"{base}/closing", {"version": str(seen)}, "#now",
                   da("Someone else changed this at the same time."), meanwhile=other_console)


def rounds_reopen(s: Setting) -> Attempt:
    fac, _phones, round_id = sparring(s)
    base = f"/courses/{s.course}/rounds/{round_id}"
    ok(hx(fac, f"{base}/closing"))
    lead = s.lead()
    seen = round_version(s, round_id)

    def other_console():
        ok(hx(lead, f"{base}/reopen"))
        ok(hx(lead, f"{base}/closing"))
    return Attempt(fac, s.console(), f"{base}/reopen", {"version": str(seen)}, "#now",
                   da("Someone else changed this at the same time."), meanwhile=other_console)


def rounds_close(s: Setting) -> Attempt:
    fac, _phones, round_id = sparring(s)
    return Attempt(fac, s.console(), f"/courses/{s.course}/rounds/{round_id}/close",
                   {"version": str(round_version(s, round_id)), "override_reason": ""}, "#now",
                   da("Someone still has less feedback than the minimum. Give a reason to close "
                      "the round anyway."))


def _feedback_form(s: Setting, htmx: bool) -> Attempt:
    _fac, phones, round_id = sparring(s)
    page = f"/rounds/{round_id}/review"
    snapshot = re.search(r'name="snapshot_id" value="(\d+)"',
                         ok(phones[0].get(page)).get_data(as_text=True)).group(1)
    return Attempt(phones[0], page, page,
                   {"snapshot_id": snapshot, "criterion": "", "stem": "like",
                    "text": "Godt mål, men hvad koster teorien?"}, "#review",
                   da("Choose one of the criteria."), typed="Godt mål, men hvad koster teorien?",
                   htmx=htmx)


def rounds_give_feedback(s: Setting) -> Attempt:
    return _feedback_form(s, htmx=True)


def rounds_give_feedback_without_javascript(s: Setting) -> Attempt:
    return _feedback_form(s, htmx=False)


def rounds_pin(s: Setting) -> Attempt:
    fac, phones, round_id = sparring(s)
    feedback_id = feedback_given(s, phones[0], round_id)
    base = f"/courses/{s.course}/rounds/{round_id}/feedback/{feedback_id}"
    lead = s.lead()
    return Attempt(fac, s.console(), f"{base}/pin", {}, "#round-board",
                   da("A hidden comment cannot be pinned."),
                   meanwhile=lambda: ok(hx(lead, f"{base}/hide")))


def rounds_mark(s: Setting) -> Attempt:
    fac, phones, round_id = sparring(s)
    feedback_id = feedback_given(s, phones[0], round_id)
    owner = s.read(lambda: db.session.get(Snapshot, db.session.get(
        Feedback, feedback_id).snapshot_id).owner_ref)
    owner_phone = phones[[c for c, _ in s.world.citizens].index(owner)]
    hide = f"/courses/{s.course}/rounds/{round_id}/feedback/{feedback_id}/hide"
    return Attempt(owner_phone, f"/rounds/{round_id}/mine",
                   f"/rounds/{round_id}/feedback/{feedback_id}/helpful", {"value": "1"},
                   f"#feedback-{feedback_id}", da("We could not find that page."),
                   meanwhile=lambda: ok(hx(fac, hide)))


def live_start_day(s: Setting) -> Attempt:
    live(s)

    def lost_race(*_args, **_kwargs):  # another console's start was flushed first
        raise StaleDataError("the running day changed meanwhile")
    return Attempt(s.facilitator(), s.console(), f"/courses/{s.course}/session/start",
                   {"day": "kickoff"}, "#now",
                   da("Another facilitator changed the session at the same time. This is how "
                      "it stands now."),
                   meanwhile=lambda: s.monkeypatch.setattr(live_day, "start_day", lost_race))


def _day_refusal(s: Setting, step: str, message: str, *, at: str | None = None,
                 day: str = "kickoff", other: Callable[[Client], object] | None = None
                 ) -> Attempt:
    """A console's control of the day (``/session/<step>``), refused; ``other`` is the second
    console (the team lead) acting meanwhile."""
    live(s)
    fac = s.facilitator()
    start_day(fac, s, at=at, day=day)
    lead = s.lead() if other else None
    return Attempt(fac, s.console(), f"/courses/{s.course}/session/{step}", {}, "#now",
                   message, meanwhile=(lambda: other(lead)) if other else None)


def _ends_the_day(s: Setting) -> Callable[[Client], object]:
    return lambda lead: ok(hx(lead, f"/courses/{s.course}/session/end"))


def live_end_day(s: Setting) -> Attempt:
    return _day_refusal(s, "end", da("Start the day first."), other=_ends_the_day(s))


def live_next_item(s: Setting) -> Attempt:
    return _day_refusal(s, "next", da("There are no more items in that direction."), at="Pause")


def live_previous_item(s: Setting) -> Attempt:
    return _day_refusal(s, "previous", da("There are no more items in that direction."))


def live_go_to_item(s: Setting) -> Attempt:
    live(s)
    fac, lead = s.facilitator(), s.lead()
    start_day(fac, s)
    return Attempt(fac, s.console(), f"/courses/{s.course}/session/items/{s.items['Mit forløb']}",
                   {}, "#now", da("That item belongs to another day."),
                   meanwhile=lambda: start_day(lead, s, day="day1"))


def live_next_workshop_step(s: Setting) -> Attempt:
    return _day_refusal(s, "workshop/next", da("The item on now is not a workshop."),
                        at="Forandringsteorier",
                        other=lambda lead: ok(hx(lead, f"/courses/{s.course}/session/next")))


def live_previous_workshop_step(s: Setting) -> Attempt:
    return _day_refusal(s, "workshop/previous", da("There are no more steps in that direction."),
                        at="Forandringsteorier")


def live_start_timer(s: Setting) -> Attempt:
    return _day_refusal(s, "timer/start", da("Choose an agenda item first."), day="day1")


def live_pause_timer(s: Setting) -> Attempt:
    return _day_refusal(s, "timer/pause", da("Start the day first."), at="Mit forløb",
                        other=_ends_the_day(s))


def live_extend_timer(s: Setting) -> Attempt:
    return _day_refusal(s, "timer/extend", da("Choose an agenda item first."), day="day1")


def live_show_join_qr(s: Setting) -> Attempt:
    return _day_refusal(s, "join-qr", da("Start the day first."), other=_ends_the_day(s))


def live_announce(s: Setting) -> Attempt:
    text = "Kaffen står i kantinen. " * 12  # 288 characters: more than the back row can read
    return Attempt(s.facilitator(), s.console(), f"/courses/{s.course}/announcements",
                   {"text": text}, "#console-panel",
                   da("At most %(max)d characters: it is read from the back of the room.",
                      max=280), typed=text.strip())


def live_ask(s: Setting) -> Attempt:
    live(s)
    start_day(s.facilitator(), s, at="Mit forløb")
    phone = s.phone(0)
    for n in range(3):  # three a minute (questions.RATE_LIMIT)
        ok(hx(phone, f"/courses/{s.course}/questions", text=f"Spørgsmål nummer {n}"))
    typed = "Hvor lang tid tog det at finde et job?"
    return Attempt(phone, "/me", f"/courses/{s.course}/questions", {"text": typed}, "#questions",
                   da("You have sent several questions just now. Wait a minute."), typed=typed)


def live_ask_after_the_talk(s: Setting) -> Attempt:
    live(s)
    fac = s.facilitator()
    start_day(fac, s, at="Mit forløb")
    typed = "Hvor lang tid tog det at finde et job?"
    return Attempt(s.phone(0), "/me", f"/courses/{s.course}/questions", {"text": typed},
                   "#questions", da("Questions can be sent during a talk."), typed=typed,
                   meanwhile=lambda: ok(hx(fac, f"/courses/{s.course}/session/next")))


def _poll_form(s: Setting, question: str, options: str, *, htmx: bool | None = None,
               message: str, typed: str) -> Attempt:
    return Attempt(s.facilitator(), s.console(), f"/courses/{s.course}/polls",
                   {"kind": "single", "question": question, "options": options}, "#polls",
                   message, typed=typed, htmx=htmx)


def polls_create(s: Setting) -> Attempt:
    return _poll_form(s, "Hvilken dag passer jer?", "Mandag",
                      message=da("A poll needs at least two options, one per line."),
                      typed="Hvilken dag passer jer?")


def polls_create_many(s: Setting) -> Attempt:
    return _poll_form(s, "Hvilken dag passer jer?", "\n".join(f"Svar {n}" for n in range(500)),
                      message=da("A poll can have at most %(n)d options: more cannot be read "
                                 "from the back of the room.", n=8),
                      typed="Hvilken dag passer jer?")


def polls_create_empty(s: Setting) -> Attempt:
    return _poll_form(s, "  ", "Mandag\nTirsdag",
                      message=da("Write the poll's question first."), typed="Tirsdag")


def polls_create_without_javascript(s: Setting) -> Attempt:
    return _poll_form(s, "Hvilken dag passer jer?", "Mandag", htmx=False,
                      message=da("A poll needs at least two options, one per line."),
                      typed="Hvilken dag passer jer?")


def polls_create_for_item(s: Setting) -> Attempt:
    live(s)
    item = s.items["Velkommen"]
    return Attempt(s.facilitator(), f"/courses/{s.course}/items/{item}/polls/new",
                   f"/courses/{s.course}/items/{item}/polls",
                   {"kind": "single", "question": "Hvem kender metoden?", "options": "Ja"}, None,
                   da("A poll needs at least two options, one per line."),
                   typed="Hvem kender metoden?")


def _material_on(s: Setting, title: str, pages: int = 2) -> int:
    """A material of ``pages`` pictures on the kickoff's item ``title``; its id."""
    from course.material import services as material
    from course.people.models import Staff
    from tests.material.pdfs import png

    def add():
        item = db.session.get(AgendaItem, s.items[title])
        staff = db.session.get(Staff, s.world.facilitator_id)
        uploads = [material.Upload(io.BytesIO(png()), f"side{n}.png") for n in range(pages)]
        return material.add_material(db.session.get(Course, s.course), item, staff, uploads,
                                     fallback_name="materiale").id
    return s.write(add)


def _material_upload(s: Setting, content: bytes, message: str) -> Attempt:
    live(s)
    item = s.items["Mit forløb"]
    return Attempt(s.facilitator(), f"/courses/{s.course}/items/{item}/material",
                   f"/courses/{s.course}/items/{item}/material",
                   {"file": (io.BytesIO(content), "slides.pdf")}, None, message)


def material_upload_not_a_pdf(s: Setting) -> Attempt:
    return _material_upload(s, b"<html><script>alert(1)</script></html>", da(
        "Only a PDF, or pictures as JPEG or PNG, can be uploaded as material, and this file "
        "is none of them."))


def material_upload_locked(s: Setting) -> Attempt:
    from tests.material.pdfs import encrypted_pdf

    return _material_upload(s, encrypted_pdf(), da(
        "The PDF is locked with a password. Save it again without a password."))


def _material_up(s: Setting) -> tuple[Client, int]:
    live(s)
    material_id = _material_on(s, "Mit forløb")
    fac = s.facilitator()
    start_day(fac, s, at="Mit forløb")
    ok(hx(fac, f"/courses/{s.course}/materials/{material_id}/show", shown="1"))
    return fac, material_id


def material_turn(s: Setting) -> Attempt:
    fac, material_id = _material_up(s)
    lead = s.lead()
    return Attempt(fac, s.console(), f"/courses/{s.course}/material/turn", {"step": "1"},
                   "#material", da("No material is up on the projector."),
                   meanwhile=lambda: ok(hx(
                       lead, f"/courses/{s.course}/materials/{material_id}/show", shown="0")))


def material_show(s: Setting) -> Attempt:
    live(s)
    material_id = _material_on(s, "Mit forløb")
    fac = s.facilitator()
    start_day(fac, s, at="Mit forløb")
    lead = s.lead()
    return Attempt(fac, s.console(), f"/courses/{s.course}/materials/{material_id}/show",
                   {"shown": "1"}, "#material",
                   da("The material can be put up only while its agenda item is on."),
                   meanwhile=lambda: ok(hx(lead, f"/courses/{s.course}/session/next")))


def material_speaker_turn(s: Setting) -> Attempt:
    fac, material_id = _material_up(s)
    token = fac.post(f"/courses/{s.course}/speaker").headers["Location"].rsplit("/", 1)[1]
    return Attempt(s.app.test_client(), f"/speaker/{token}", f"/speaker/{token}/material/turn",
                   {"step": "1"}, "#speaker-material", da("No material is up on the projector."),
                   meanwhile=lambda: ok(hx(
                       fac, f"/courses/{s.course}/materials/{material_id}/show", shown="0")))


def _open_poll(s: Setting) -> int:
    from course.people.models import Staff
    from course.polls import services as polls

    def make() -> int:
        poll = polls.create(db.session.get(Course, s.course),
                            db.session.get(Staff, s.world.facilitator_id), "single",
                            "Er I klar?", ["Ja", "Nej"])
        polls.open_voting(poll)
        return poll.id
    return s.write(make)


def polls_vote(s: Setting) -> Attempt:
    poll = _open_poll(s)
    fac = s.facilitator()
    return Attempt(s.phone(0), "/me", f"/courses/{s.course}/polls/{poll}/vote", {"choice": "1"},
                   "#poll", da("Voting on this poll is closed."),
                   meanwhile=lambda: ok(hx(fac, f"/courses/{s.course}/polls/{poll}/close")))


def polls_vote_no_choice(s: Setting) -> Attempt:
    poll = _open_poll(s)
    return Attempt(s.phone(0), "/me", f"/courses/{s.course}/polls/{poll}/vote", {}, "#poll",
                   da("Choose an answer first."))


def polls_edit_after_a_vote(s: Setting) -> Attempt:
    poll = _open_poll(s)
    phone = s.phone(0)
    return Attempt(s.facilitator(), s.console(), f"/courses/{s.course}/polls/{poll}/edit",
                   {"question": "Er I klar til pausen?", "options": "Ja\nNej"}, "#polls",
                   da("This poll can no longer be changed: voting has started. Make a new "
                      "poll, or delete this one."), typed="Er I klar til pausen?",
                   meanwhile=lambda: ok(hx(phone, f"/courses/{s.course}/polls/{poll}/vote",
                                           choice="1")))


def _poll_edit(s: Setting, *, htmx: bool | None = None) -> Attempt:
    poll = _open_poll(s)
    return Attempt(s.facilitator(), s.console(), f"/courses/{s.course}/polls/{poll}/edit",
                   {"question": "Hvilken dag passer jer?", "options": "Mandag"}, "#polls",
                   da("A poll needs at least two options, one per line."),
                   typed="Hvilken dag passer jer?", htmx=htmx)


def polls_edit(s: Setting) -> Attempt:
    return _poll_edit(s)


def polls_edit_without_javascript(s: Setting) -> Attempt:
    return _poll_edit(s, htmx=False)
def _wall(s: Setting, *, answers: tuple[str, ...] = (), voting: int = 0,
          running: bool = True) -> int:
    """An idea wall on the spot (the day running, unless not ``running``), open for answers,
    with ``answers`` from the phones 1, 2, …; ``voting``: dot-voting open with that many."""
    from course.ideas import services as ideas
    from course.ideas.models import IdeaWall
    from course.people.models import Staff

    if running:
        s.write(lambda: live_day.start_day(db.session.get(Course, s.course), Day.KICKOFF))

    def make() -> int:
        wall = ideas.create(db.session.get(Course, s.course),
                            db.session.get(Staff, s.world.facilitator_id),
                            "Hvad drømmer du om at arbejde med?")
        if running:
            ideas.open_answers(wall)
        return wall.id
    wall_id = s.write(make)
    for n, text in enumerate(answers):
        s.write(lambda n=n, text=text: ideas.answer(
            db.session.get(IdeaWall, wall_id), db.session.get(Citizen, s.world.citizens[n + 1][0]),
            text))
    if voting:
        s.write(lambda: ideas.open_voting(db.session.get(IdeaWall, wall_id), voting))
    return wall_id


def _idea_answer(s: Setting, text: str, message: str, **extra: Any) -> Attempt:
    wall = _wall(s)
    return Attempt(s.phone(0), "/me", f"/courses/{s.course}/ideas/{wall}/answer", {"text": text},
                   "#idea-wall", message, typed=text, **extra)


def ideas_answer_too_long(s: Setting) -> Attempt:
    return _idea_answer(s, "Natur " * 1700, da("An answer can be at most %(n)d characters: a "
                                               "few words that can be read on the wall.", n=60))


def ideas_answer_empty(s: Setting) -> Attempt:
    return _idea_answer(s, "   ", da("Write your answer first."))


def ideas_answer_without_javascript(s: Setting) -> Attempt:
    return _idea_answer(s, "x" * 61, da("An answer can be at most %(n)d characters: a few words "
                                        "that can be read on the wall.", n=60), htmx=False)


def ideas_answer_after_close(s: Setting) -> Attempt:
    wall = _wall(s)
    fac = s.facilitator()
    return Attempt(s.phone(0), "/me", f"/courses/{s.course}/ideas/{wall}/answer",
                   {"text": "Natur"}, "#idea-wall", da("The wall is closed for answers."),
                   meanwhile=lambda: ok(hx(fac, f"/courses/{s.course}/ideas/{wall}/close")))


def ideas_answer_too_many(s: Setting) -> Attempt:
    from course.ideas import services as ideas
    from course.ideas.models import IdeaWall

    wall = _wall(s)

    def send(n: int) -> None:
        s.write(lambda: ideas.answer(db.session.get(IdeaWall, wall),
                                     db.session.get(Citizen, s.world.citizens[0][0]), f"Idé {n}"))
    for n in range(ideas.ANSWERS_PER_PHONE - 1):
        send(n)
    # the page was loaded before the fifth answer went in (from the same person's other tab)
    return Attempt(s.phone(0), "/me", f"/courses/{s.course}/ideas/{wall}/answer",
                   {"text": "Én til"}, "#idea-wall",
                   da("You have sent %(n)d answers, as many as a phone can send to this wall.",
                      n=ideas.ANSWERS_PER_PHONE), typed="Én til",
                   meanwhile=lambda: send(ideas.ANSWERS_PER_PHONE))


def ideas_dot_none_left(s: Setting) -> Attempt:
    wall = _wall(s, answers=("Natur",), voting=1)
    from course.ideas import services as ideas
    from course.ideas.models import IdeaWall

    key = ideas.normalise("Natur")
    s.write(lambda: ideas.place_dot(db.session.get(IdeaWall, wall),
                                    db.session.get(Citizen, s.world.citizens[0][0]), key, 1))
    return Attempt(s.phone(0), "/me", f"/courses/{s.course}/ideas/{wall}/dot",
                   {"key": key, "step": "1"}, "#idea-wall",
                   da("You have placed all your dots. Take one back to place it elsewhere."))


def ideas_dot_after_close(s: Setting) -> Attempt:
    from course.ideas import services as ideas

    wall = _wall(s, answers=("Natur",), voting=3)
    fac = s.facilitator()
    return Attempt(s.phone(0), "/me", f"/courses/{s.course}/ideas/{wall}/dot",
                   {"key": ideas.normalise("Natur"), "step": "1"}, "#idea-wall",
                   da("The dot-vote on this wall is closed."),
                   meanwhile=lambda: ok(hx(fac, f"/courses/{s.course}/ideas/{wall}/voting/close")))


def ideas_create_empty(s: Setting) -> Attempt:
    return Attempt(s.facilitator(), s.console(), f"/courses/{s.course}/ideas", {"prompt": " "},
                   "#ideas", da("Write the wall's question first."))


def ideas_create_too_long(s: Setting) -> Attempt:
    typed = "Hvad drømmer du om? " * 20
    return Attempt(s.facilitator(), s.console(), f"/courses/{s.course}/ideas", {"prompt": typed},
                   "#ideas", da("The question can be at most %(n)d characters.", n=200),
                   typed=typed.strip(), htmx=None)


def ideas_create_without_javascript(s: Setting) -> Attempt:
    return Attempt(s.facilitator(), s.console(), f"/courses/{s.course}/ideas", {"prompt": ""},
                   "#ideas", da("Write the wall's question first."), htmx=False)


def ideas_open_without_a_day(s: Setting) -> Attempt:
    wall = _wall(s, running=False)
    return Attempt(s.facilitator(), s.console(), f"/courses/{s.course}/ideas/{wall}/open", {},
                   "#ideas", da("The wall can be opened while its item is on (a wall made on "
                                "the spot: while the day runs)."))


def ideas_voting_no_dots(s: Setting) -> Attempt:
    wall = _wall(s)
    return Attempt(s.facilitator(), s.console(), f"/courses/{s.course}/ideas/{wall}/voting",
                   {"dots": "0"}, "#ideas", da("Each phone can have from 1 to %(n)d dots.", n=10))


def ideas_create_for_item(s: Setting) -> Attempt:
    live(s)
    item = s.items["Velkommen"]
    return Attempt(s.facilitator(), f"/courses/{s.course}/items/{item}/ideas/new",
                   f"/courses/{s.course}/items/{item}/ideas", {"prompt": "x" * 201}, None,
                   da("The question can be at most %(n)d characters.", n=200), typed="x" * 201)


def ideas_merge_one_group(s: Setting) -> Attempt:
    from course.ideas import services as ideas

    wall = _wall(s, answers=("Natur", "Børn"))
    key = ideas.normalise("Natur")
    return Attempt(s.facilitator(), s.console(), f"/courses/{s.course}/ideas/{wall}/merge",
                   {"from": key, "into": key}, "#ideas",
                   da("Choose two different entries to merge."))


def reactions_react(s: Setting) -> Attempt:
    return Attempt(s.phone(0), "/me", f"/courses/{s.course}/reactions", {"emoji": "😂"},
                   "#reactions", da("A laughing face can read as mockery in the room: choose "
                                    "another reaction."))


def reactions_react_over_the_limit(s: Setting) -> Attempt:
    from course.reactions import services as reactions

    phone = s.phone(0)
    for _ in range(reactions.LIMIT):
        ok(hx(phone, f"/courses/{s.course}/reactions", emoji="👍"))
    return Attempt(phone, "/me", f"/courses/{s.course}/reactions", {"emoji": "👍"},
                   "#reactions", da("You have sent %(n)d reactions this minute. Wait a "
                                    "moment.", n=reactions.LIMIT))


def _reaction_set(s: Setting, emojis: list[str], message: str, *,
                  htmx: bool | None = None) -> Attempt:
    return Attempt(s.facilitator(), f"/courses/{s.course}/edit",
                   f"/courses/{s.course}/reactions/set", {"emoji": emojis}, "#reactions",
                   da(message), htmx=htmx)


def reactions_choose_set(s: Setting) -> Attempt:
    return _reaction_set(s, ["👍", "😂"], "A laughing face can read as mockery in the room: "
                         "choose another reaction.")


def reactions_choose_set_empty(s: Setting) -> Attempt:
    return _reaction_set(s, [], "Choose at least one reaction.")


def reactions_choose_set_without_javascript(s: Setting) -> Attempt:
    return _reaction_set(s, [], "Choose at least one reaction.", htmx=False)


def live_show_question(s: Setting) -> Attempt:
    live(s)
    fac = s.facilitator()
    start_day(fac, s, at="Mit forløb")
    ok(hx(s.phone(0), f"/courses/{s.course}/questions", text="Hvordan kom du i gang?"))
    question = s.read(lambda: db.session.scalars(sa.select(Question.id)).one())
    base = f"/courses/{s.course}/questions/{question}"
    lead = s.lead()
    # the show button became "show to the phones again" once the question was hidden
    return Attempt(fac, s.console(), f"{base}/show", {}, "#questions",
                   da("A hidden question cannot be shown."), same_form=False,
                   meanwhile=lambda: ok(hx(lead, f"{base}/hide")))


def _question_on_console(s: Setting, *, held: bool) -> tuple[Client, str]:
    """A question sent during the talk (waiting for a facilitator when ``held``): the console
    that moderates it, and the question's base URL."""
    live(s)
    if held:
        s.write(lambda: setattr(db.session.get(Course, s.course), "hold_questions", True))
    fac = s.facilitator()
    start_day(fac, s, at="Mit forløb")
    ok(hx(s.phone(0), f"/courses/{s.course}/questions", text="Hvordan kom du i gang?"))
    question = s.read(lambda: db.session.scalars(sa.select(Question.id)).one())
    return fac, f"/courses/{s.course}/questions/{question}"


def live_release_question(s: Setting) -> Attempt:
    fac, base = _question_on_console(s, held=True)
    lead = s.lead()
    # "let through" became "show to the phones again" once the question was hidden
    return Attempt(fac, s.console(), f"{base}/release", {}, "#questions",
                   da("The question was hidden meanwhile. Show it to the phones again if it "
                      "should be seen."), same_form=False,
                   meanwhile=lambda: ok(hx(lead, f"{base}/hide")))


def live_answer_question(s: Setting) -> Attempt:
    fac, base = _question_on_console(s, held=False)
    lead = s.lead()
    return Attempt(fac, s.console(), f"{base}/answer", {}, "#questions",
                   da("A hidden question cannot be marked answered."), same_form=False,
                   meanwhile=lambda: ok(hx(lead, f"{base}/hide")))


def rounds_release(s: Setting) -> Attempt:
    fac, phones, round_id = sparring(s)
    s.write(lambda: setattr(db.session.get(Course, s.course), "hold_comments", True))
    feedback_id = feedback_given(s, phones[0], round_id)
    base = f"/courses/{s.course}/rounds/{round_id}/feedback/{feedback_id}"
    lead = s.lead()
    return Attempt(fac, s.console(), f"{base}/release", {}, "#round-board",
                   da("The comment was hidden meanwhile, so it is not let through."),
                   meanwhile=lambda: ok(hx(lead, f"{base}/hide")))


def approvals_submit(s: Setting) -> Attempt:
    phone, _draft, _lines = editor(s)
    return Attempt(phone, "/me/budget", "/me/plan/submit", {}, None,
                   da("Your plan has already been submitted."),
                   meanwhile=submit_elsewhere(phone))


def approvals_sign_declaration(s: Setting) -> Attempt:
    con, case_id = case(s, "green")
    ok(hx(con, f"/cases/{case_id}/approve", version=str(case_version(s, case_id)),
          length_months="9", follow_up="Møde hver måned", follow_up_dates="",
          **payments(s, case_id)))
    phone = s.phone(0)
    return Attempt(phone, "/me/plan", "/me/plan/declaration", {}, None,
                   da("Tick the box to sign the declaration."))


def for_finance(s: Setting) -> tuple[Client, int, dict[str, Any]]:
    """A green case approved by its consultant (every line by invoice), and the team's finance
    account signed in; returns the client, the case and its first line."""
    con, case_id = case(s, "green")
    ok(hx(con, f"/cases/{case_id}/approve", version=str(case_version(s, case_id)),
          length_months="9", follow_up="Møde hver måned", follow_up_dates="",
          **payments(s, case_id)))
    s.write(lambda: people_services.create_staff(
        db.session.get(Team, s.world.team_id), "Finn Finans", "fin@teama.dk", Role.FINANCE,
        PASSWORD, must_change_password=False))
    line = s.read(lambda: db.session.get(Case, case_id).current.content["lines"][0])
    return s.staff("fin@teama.dk"), case_id, line


def _over_the_line(s: Setting, htmx: bool) -> Attempt:
    fin, case_id, line = for_finance(s)
    today = date.today().isoformat()
    return Attempt(fin, f"/payouts/cases/{case_id}",
                   f"/payouts/cases/{case_id}/lines/{line['id']}",
                   {"supplier": "Leverandør Nord", "invoice_number": "F-1", "received_on": today,
                    "paid_on": today, "amount": str(line["amount"] + 1)}, "#payouts-case",
                   # the plan's one line is all of its total: the total's rule says it first
                   da("That is more than is left of the approved total (%(left)s).",
                      left=format_amount(line["amount"])), typed="Leverandør Nord", htmx=htmx)


def payouts_record(s: Setting) -> Attempt:
    return _over_the_line(s, True)


def payouts_record_without_javascript(s: Setting) -> Attempt:
    return _over_the_line(s, False)


def payouts_reverse(s: Setting) -> Attempt:
    fin, case_id, line = for_finance(s)
    today = date.today().isoformat()
    ok(hx(fin, f"/payouts/cases/{case_id}/lines/{line['id']}", supplier="Leverandør Nord",
          invoice_number="F-1", received_on=today, paid_on=today, amount="100"))
    payout_id = s.read(lambda: db.session.scalar(sa.select(Payout.id)))
    return Attempt(fin, f"/payouts/cases/{case_id}",
                   f"/payouts/cases/{case_id}/payouts/{payout_id}/reverse", {"reason": " "},
                   "#payouts-case", da("Write why the payout is reversed."))


def _meeting_today(s: Setting) -> tuple[Client, int, int]:
    """An approved case with a follow-up meeting today, planned by its job consultant:
    (consultant, case, meeting)."""
    con, case_id = approved_case(s)
    ok(hx(con, f"/cases/{case_id}/meetings", on=date.today().isoformat(), at=""))
    meeting_id = s.read(lambda: db.session.scalar(sa.select(Meeting.id)))
    return con, case_id, meeting_id


def followup_add_meeting(s: Setting) -> Attempt:
    con, case_id = approved_case(s)
    return Attempt(con, f"/cases/{case_id}", f"/cases/{case_id}/meetings",
                   {"on": (date.today() - timedelta(days=1)).isoformat(), "at": "10:00"},
                   "#case-followup", da("The meeting cannot be in the past."))


def followup_add_meeting_without_javascript(s: Setting) -> Attempt:
    attempt = followup_add_meeting(s)
    attempt.htmx = False  # the error page, with the reason
    return attempt


def followup_move_meeting(s: Setting) -> Attempt:
    con, case_id, meeting_id = _meeting_today(s)
    return Attempt(con, f"/cases/{case_id}", f"/cases/{case_id}/meetings/{meeting_id}/move",
                   {"on": "", "at": "10:00"}, "#case-followup",
                   da("Write the meeting's date as dd-mm-yyyy."))


def followup_cancel_meeting(s: Setting) -> Attempt:
    con, case_id, meeting_id = _meeting_today(s)
    lead = s.lead()
    return Attempt(con, f"/cases/{case_id}", f"/cases/{case_id}/meetings/{meeting_id}/cancel",
                   {}, "#case-followup", da("The meeting has been cancelled."),
                   meanwhile=lambda: ok(hx(lead, f"/cases/{case_id}/meetings/{meeting_id}"
                                                 "/cancel")))


def followup_note_meeting(s: Setting) -> Attempt:
    con, case_id, meeting_id = _meeting_today(s)
    lead = s.lead()
    tomorrow = date.today() + timedelta(days=1)
    return Attempt(con, f"/cases/{case_id}", f"/cases/{case_id}/meetings/{meeting_id}/note",
                   {"note": "Vi talte om truckkortet"}, "#case-followup",
                   da("The note is written after the meeting: it is on %(date)s.",
                      date="").split(":")[0],
                   # the team lead moved the meeting to tomorrow while the note was written
                   meanwhile=lambda: ok(hx(lead, f"/cases/{case_id}/meetings/{meeting_id}/move",
                                           on=tomorrow.isoformat(), at="")))


def followup_report_change(s: Setting) -> Attempt:
    approved_case(s)
    phone = s.phone(0)
    other_tab = s.phone(0)
    return Attempt(phone, "/me/plan", "/me/plan/changes", {"text": "Jeg er flyttet"},
                   "#my-followup",
                   da("You have already told your job consultant today. They will contact "
                      "you."),
                   meanwhile=lambda: ok(hx(other_tab, "/me/plan/changes", text="Nyt job")))
def for_receipts(s: Setting, *, overdue: bool = False) -> tuple[Client, int, int]:
    """A green case approved with its one line to the citizen's own account, and a transfer
    recorded by the team's finance account (``overdue``: 20 days ago): (finance, case, the
    receipt expected)."""
    con, case_id = case(s, "green")
    ok(hx(con, f"/cases/{case_id}/approve", version=str(case_version(s, case_id)),
          length_months="9", follow_up="Møde hver måned", follow_up_dates="",
          **{k: "own_account" for k in payments(s, case_id)}))
    s.write(lambda: people_services.create_staff(
        db.session.get(Team, s.world.team_id), "Finn Finans", "fin@teama.dk", Role.FINANCE,
        PASSWORD, must_change_password=False))
    fin = s.staff("fin@teama.dk")
    line = s.read(lambda: db.session.get(Case, case_id).current.content["lines"][0])
    paid_on = date.today() - timedelta(days=20 if overdue else 0)
    ok(hx(fin, f"/payouts/cases/{case_id}/lines/{line['id']}", amount="100",
          paid_on=paid_on.isoformat()))
    receipt_id = s.read(lambda: db.session.scalar(sa.select(Receipt.id)))
    return fin, case_id, receipt_id


def _receipt_of_text(s: Setting, htmx: bool) -> Attempt:
    _fin, _case_id, receipt_id = for_receipts(s)
    return Attempt(s.phone(0), "/me/plan", f"/me/receipts/{receipt_id}",
                   {"file": (io.BytesIO(b"Kvittering: 100 kr."), "kvittering.txt")},
                   f"#receipt-{receipt_id}", da(
                       "Only PDF, JPEG and PNG files can be attached, and this file is none of "
                       "them — whatever its name says. Save it as a PDF or take a picture of "
                       "it."), htmx=htmx)


def receipts_upload(s: Setting) -> Attempt:
    return _receipt_of_text(s, True)


def receipts_upload_without_javascript(s: Setting) -> Attempt:
    return _receipt_of_text(s, False)


def receipts_review(s: Setting) -> Attempt:
    fin, case_id, receipt_id = for_receipts(s)
    ok(s.phone(0).post(f"/me/receipts/{receipt_id}", data={"file": _pdf("bon.pdf")}), 303)
    upload_id = s.read(lambda: db.session.scalar(sa.select(ReceiptUpload.id)))
    return Attempt(fin, f"/payouts/cases/{case_id}",
                   f"/cases/{case_id}/receipts/{receipt_id}/review",
                   {"upload_id": str(upload_id), "verdict": "asked_again", "reason": " "},
                   f"#receipts-{case_id}", da("Write why the receipt must be handed in again."))


def receipts_claim(s: Setting) -> Attempt:
    _fin, case_id, receipt_id = for_receipts(s, overdue=True)
    return Attempt(s.consultant(), f"/cases/{case_id}",
                   f"/cases/{case_id}/receipts/{receipt_id}/claim",
                   {"amount": "101", "reason": "Ingen kvittering"}, f"#receipts-{case_id}",
                   da("That is more than was paid (%(paid)s).", paid=format_amount(100)))


def receipts_save_days(s: Setting) -> Attempt:
    return Attempt(s.lead(), "/settings", "/settings/receipt-days", {"days": "365"}, None,
                   da("Choose between %(min)d and %(max_days)d days.", min=1, max_days=90),
                   typed="365")


def approvals_save_complaint_guidance(s: Setting) -> Attempt:
    typed = "Klag til jobcentret inden fire uger. " * 90  # over the 3000 characters
    return Attempt(s.lead(), "/settings", "/settings/complaint-guidance",
                   {"complaint_guidance": typed}, None, da("At most %(n)d characters.", n=3000),
                   typed=typed.strip())


def privacy_save_texts(s: Setting) -> Attempt:
    typed = "Aarhus Kommune, Rådhuspladsen 2. " * 10  # over the 300 characters
    return Attempt(s.lead(), "/settings", "/settings/privacy",
                   {"privacy_controller": typed, "privacy_contact": "jobcenter@aarhus.dk"},
                   None, da("%(field)s is too long: at most %(n)d characters.") % {
                       "field": da("Data controller"), "n": 300},
                   typed=typed.strip())


def privacy_save_periods(s: Setting) -> Attempt:
    return Attempt(s.lead(), "/settings", "/settings/retention",
                   {"retention_declined_months": "6", "retention_ended_months": "6"}, None,
                   da("%(field)s: choose between %(least)d and %(most)d months.") % {
                       "field": da("Ended courses"), "least": 12, "most": 120})


def approvals_rate(s: Setting) -> Attempt:
    con, case_id = case(s)
    return Attempt(con, f"/cases/{case_id}", f"/cases/{case_id}/ratings",
                   {"version": str(case_version(s, case_id)),
                    "substantial_change-value": "yes", "substantial_change-note": "Godt mål",
                    "realistic-value": "måske", "realistic-note": ""}, "#case",
                   da("Choose yes, uncertain or no for the criterion."))


def approvals_triage(s: Setting) -> Attempt:
    con, case_id = case(s)
    seen = case_version(s, case_id)
    return Attempt(con, f"/cases/{case_id}", f"/cases/{case_id}/triage",
                   {"colour": "green", "version": str(seen)}, "#case",
                   da("Someone else acted on this case at the same time. Reload the page to see "
                      "what they did."),
                   meanwhile=lambda: ok(rate(s.consultant(), s, case_id)))


def approvals_ask_colleagues(s: Setting) -> Attempt:
    con, case_id = case(s, "yellow")
    return Attempt(con, f"/cases/{case_id}", f"/cases/{case_id}/colleagues",
                   {"version": str(case_version(s, case_id))}, "#case",
                   da("Choose one or more colleagues from the team."))


def approvals_assign(s: Setting) -> Attempt:
    another_consultant(s)
    _con, case_id = case(s)
    return Attempt(s.lead(), f"/cases/{case_id}", f"/cases/{case_id}/consultant",
                   {"version": str(case_version(s, case_id)), "consultant_id": ""}, "#case",
                   da("Choose one of the team's job consultants."))


def approvals_comment(s: Setting) -> Attempt:
    con, case_id = case(s, "yellow")
    return Attempt(con, f"/cases/{case_id}", f"/cases/{case_id}/comments", {"text": "   "},
                   "#case", da("Write your comment first."))


def approvals_approve(s: Setting) -> Attempt:
    con, case_id = case(s, "green")
    return Attempt(con, f"/cases/{case_id}", f"/cases/{case_id}/approve",
                   {"version": str(case_version(s, case_id)), "length_months": "9",
                    "follow_up": "Møde hver måned", "follow_up_dates": "31-02-2027",
                    **payments(s, case_id)}, "#case",
                   da("Write dates as dd-mm-yyyy, one per line."))


def approvals_approve_without_javascript(s: Setting) -> Attempt:
    attempt = approvals_approve(s)
    attempt.htmx = False  # the error page, with the reason (the browser's back keeps the text)
    return attempt


def approvals_send_back(s: Setting) -> Attempt:
    con, case_id = case(s)
    return Attempt(con, f"/cases/{case_id}", f"/cases/{case_id}/send-back",
                   {"version": str(case_version(s, case_id)), "note": ""}, "#case",
                   da("Write what the citizen should change."))


def approvals_reject(s: Setting) -> Attempt:
    con, case_id = case(s)
    return Attempt(con, f"/cases/{case_id}", f"/cases/{case_id}/reject",
                   {"version": str(case_version(s, case_id)), "reason": "",
                    "note": "Borgeren er flyttet"}, "#case",
                   da("Choose one of the ending reasons."))


def approved_case(s: Setting) -> tuple[Client, int]:
    """Citizen 0's plan, approved green by their consultant for nine months."""
    con, case_id = case(s, "green")
    ok(hx(con, f"/cases/{case_id}/approve", version=str(case_version(s, case_id)),
          length_months="9", follow_up="Møde hver måned", **payments(s, case_id)))
    return con, case_id


def approvals_end(s: Setting) -> Attempt:
    con, case_id = approved_case(s)
    return Attempt(con, f"/cases/{case_id}", f"/cases/{case_id}/end",
                   {"version": str(case_version(s, case_id)), "reason": "job",
                    "ended_on": "24-12-2999", "note": "Fastansat hos Skejby Logistik"},
                   "#case", da("The date cannot be in the future."))


def approvals_progress(s: Setting) -> Attempt:
    con, case_id = approved_case(s)
    return Attempt(con, f"/cases/{case_id}", f"/cases/{case_id}/progress",
                   {"version": str(case_version(s, case_id)), "kind": "",
                    "note": "Deltid i Netto"}, "#case",
                   da("Choose: the citizen has got a job, or a substantial change."))


def _changing(s: Setting) -> tuple[Client, int, list[int]]:
    """Citizen 0's plan approved; the citizen signed in: (phone, case, approved line ids)."""
    _con, case_id = approved_case(s)
    ids = s.read(lambda: [line["id"] for line in db.session.get(Case, case_id)
                          .current.content["lines"]])
    return s.phone(0), case_id, ids


def _over_the_cap(s: Setting, htmx: bool) -> Attempt:
    phone, case_id, [line_id] = _changing(s)
    cap = s.read(lambda: db.session.get(Case, case_id).current.content["cap"])
    return Attempt(phone, "/me/plan/change", "/me/plan/change",
                   {f"amount-{line_id}": str(cap + 1), "new_count": "1",
                    "reason": "Kurset blev dyrere"}, "#change-form",
                   da("The plan would be %(total)s, over the cap of %(cap)s. Move money "
                      "between the lines instead.", total=format_amount(cap + 1),
                      cap=format_amount(cap)), typed="Kurset blev dyrere", htmx=htmx)


def changes_propose(s: Setting) -> Attempt:
    return _over_the_cap(s, True)


def changes_propose_without_javascript(s: Setting) -> Attempt:
    return _over_the_cap(s, False)


def _proposed(s: Setting) -> tuple[Client, int, int]:
    """Citizen 0 proposed moving 100 kr. out of their approved plan's line: (phone, case,
    the proposal's id)."""
    from course.changes.models import ChangeRequest

    phone, case_id, [line_id] = _changing(s)
    ok(hx(phone, "/me/plan/change", **{f"amount-{line_id}": "4.800", "new_count": "1",
                                       "reason": "Lidt billigere"}), 204)
    return phone, case_id, s.read(lambda: db.session.scalar(sa.select(ChangeRequest.id)))


def changes_withdraw(s: Setting) -> Attempt:
    phone, case_id, request_id = _proposed(s)
    con = s.consultant()
    return Attempt(phone, "/me/plan/change", "/me/plan/change/withdraw", {}, None,
                   da("There is no proposed change to take back."),
                   meanwhile=lambda: ok(hx(con, f"/cases/{case_id}/changes/{request_id}/approve")))


def changes_approve(s: Setting) -> Attempt:
    phone, case_id, request_id = _proposed(s)
    return Attempt(s.consultant(), f"/cases/{case_id}",
                   f"/cases/{case_id}/changes/{request_id}/approve", {}, "#case",
                   da("The change has been decided already."),
                   meanwhile=lambda: ok(phone.post("/me/plan/change/withdraw"), 303))


def changes_refuse(s: Setting) -> Attempt:
    _phone, case_id, request_id = _proposed(s)
    return Attempt(s.consultant(), f"/cases/{case_id}",
                   f"/cases/{case_id}/changes/{request_id}/refuse", {"reason": " "}, "#case",
                   da("Write why the change is refused."))


def budgets_save_field(s: Setting) -> Attempt:
    phone, draft_id, [line] = editor(s)
    return Attempt(phone, "/me/budget", f"/drafts/{draft_id}/fields",
                   {"field": f"line:{line}:amount", "value": "tolv kroner", "version": "0"},
                   f"#s-line-{line}-amount", da("Write the amount in digits, e.g. 12.500."))


def budgets_save_field_locked(s: Setting) -> Attempt:
    phone, draft_id, _lines = editor(s)
    return Attempt(phone, "/me/budget", f"/drafts/{draft_id}/fields",
                   {"field": f"draft:{draft_id}:goal", "value": "Lastbilchauffør",
                    "version": "0"}, f"#s-draft-{draft_id}-goal", da(LOCKED),
                   meanwhile=submit_elsewhere(phone))


def budgets_add_line_locked(s: Setting) -> Attempt:
    phone, draft_id, _lines = editor(s)
    return Attempt(phone, "/me/budget", f"/drafts/{draft_id}/lines", {}, "#budget-lines",
                   da(LOCKED), meanwhile=submit_elsewhere(phone))


def budgets_delete_line_locked(s: Setting) -> Attempt:
    phone, draft_id, [line] = editor(s)
    return Attempt(phone, "/me/budget", f"/drafts/{draft_id}/lines/{line}/delete", {},
                   f"#line-{line}", da(LOCKED), meanwhile=submit_elsewhere(phone))


def budgets_move_line_locked(s: Setting) -> Attempt:
    phone, draft_id, [first, _second] = editor(s, lines=2)
    return Attempt(phone, "/me/budget", f"/drafts/{draft_id}/lines/{first}/move",
                   {"direction": "down"}, None, da(LOCKED), htmx=True,
                   meanwhile=submit_elsewhere(phone))


def budgets_add_strategy_item(s: Setting) -> Attempt:
    phone, draft_id, _lines = editor(s)
    return Attempt(phone, "/me/budget", f"/drafts/{draft_id}/strategy/start", {"text": "   "},
                   "#strategy-list-start", da("Write something first."))


def budgets_add_strategy_item_locked(s: Setting) -> Attempt:
    phone, draft_id, _lines = editor(s)
    return Attempt(phone, "/me/budget", f"/drafts/{draft_id}/strategy/start",
                   {"text": "Møde til tiden"}, "#strategy-list-start", da(LOCKED),
                   meanwhile=submit_elsewhere(phone))


def budgets_delete_strategy_item_locked(s: Setting) -> Attempt:
    phone, draft_id, _lines = editor(s)
    item = s.read(lambda: db.session.get(Draft, draft_id).strategy[0].id)
    return Attempt(phone, "/me/budget", f"/drafts/{draft_id}/strategy/items/{item}/delete", {},
                   f"#strategy-item-{item}", da(LOCKED), meanwhile=submit_elsewhere(phone))


PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _pdf(name: str = "tilbud.pdf") -> tuple[io.BytesIO, str, str]:
    return io.BytesIO(PDF), name, "application/pdf"


def budgets_upload_attachment(s: Setting) -> Attempt:
    phone, draft_id, [line] = editor(s)
    return Attempt(phone, "/me/budget", f"/drafts/{draft_id}/lines/{line}/attachments", {},
                   f"#attachments-{line}", da("Choose a file first."))


def budgets_upload_attachment_too_large(s: Setting) -> Attempt:
    phone, draft_id, [line] = editor(s)
    s.app.config["ATTACHMENT_MAX_BYTES"] = 40
    return Attempt(phone, "/me/budget", f"/drafts/{draft_id}/lines/{line}/attachments",
                   {"file": _pdf()}, f"#attachments-{line}",
                   da("The file is too large: at most %(size)s.", size="").rstrip(". "))


def budgets_upload_attachment_locked(s: Setting) -> Attempt:
    phone, draft_id, [line] = editor(s)
    return Attempt(phone, "/me/budget", f"/drafts/{draft_id}/lines/{line}/attachments",
                   {"file": _pdf()}, f"#attachments-{line}", da(LOCKED),
                   meanwhile=submit_elsewhere(phone))


def budgets_delete_attachment_locked(s: Setting) -> Attempt:
    phone, draft_id, [line] = editor(s)
    ok(phone.post(f"/drafts/{draft_id}/lines/{line}/attachments", data={"file": _pdf()},
                  headers=HX))
    attachment = s.read(lambda: db.session.scalars(sa.select(Attachment.id)).one())
    return Attempt(phone, "/me/budget", f"/attachments/{attachment}/delete", {},
                   f"#attachments-{line}", da(LOCKED), meanwhile=submit_elsewhere(phone))


def budgets_add_draft_comment(s: Setting) -> Attempt:
    draft_id = complete_draft(s)
    text = "Hvad koster teoriprøven, og hvornår kan du tage den? " * 40  # over 2000 characters
    return Attempt(s.consultant(), f"/drafts/{draft_id}", f"/drafts/{draft_id}/comments",
                   {"text": text, "line_id": ""}, f"#draft-thread-{draft_id}",
                   da("The comment is too long: at most %(max)d characters.", max=2000),
                   typed=text.strip())


def schedule_add_item(s: Setting) -> Attempt:
    with_template(s)
    typed = "Husk kaffe og kage til alle"
    return Attempt(s.facilitator(), f"/courses/{s.course}/agenda",
                   f"/courses/{s.course}/agenda/kickoff/items",
                   item_data("new-kickoff", title="", description=typed),
                   "closest .agenda-add", da("Write a title."), typed=typed)


def schedule_add_item_without_javascript(s: Setting) -> Attempt:
    attempt = schedule_add_item(s)
    attempt.htmx = False
    return attempt


def schedule_update_item(s: Setting) -> Attempt:
    with_template(s)
    item = first_item(s)
    base = f"/courses/{s.course}/agenda/items/{item.id}"
    return Attempt(s.facilitator(), f"{base}/edit", base,
                   item_data(f"item-{item.id}", item, title="Velkommen og kaffe",
                             starts_at="14:00", ends_at="13:00"),
                   "closest .agenda-item", da("The end must be after the start."),
                   typed="Velkommen og kaffe")


def schedule_update_item_stale(s: Setting) -> Attempt:
    with_template(s)
    item = first_item(s)
    base = f"/courses/{s.course}/agenda/items/{item.id}"
    lead = s.lead()
    return Attempt(s.facilitator(), f"{base}/edit", base,
                   item_data(f"item-{item.id}", item, title="Velkommen og kaffe"),
                   "closest .agenda-item",
                   da("Someone else saved this item while you were editing it. Nothing is lost: "
                      "their version is saved, and yours is in the form below."),
                   typed="Velkommen og kaffe",
                   meanwhile=lambda: ok(lead.post(base, data=item_data(
                       f"item-{item.id}", item, title="Velkommen, alle sammen"), headers=HX)))


def schedule_delete_item(s: Setting) -> Attempt:
    with_template(s)
    item = first_item(s)
    base = f"/courses/{s.course}/agenda/items/{item.id}"
    lead = s.lead()
    return Attempt(s.facilitator(), f"{base}/delete", f"{base}/delete",
                   {"version": str(item.version)}, "closest .agenda-item",
                   da("This item was changed after you chose to delete it. This is how it looks "
                      "now. Delete it anyway?"),
                   meanwhile=lambda: ok(lead.post(base, data=item_data(
                       f"item-{item.id}", item, title="Velkommen, alle sammen"), headers=HX)))


def schedule_apply_template(s: Setting) -> Attempt:
    lead = s.lead()
    agenda = f"/courses/{s.course}/agenda"
    return Attempt(s.facilitator(), agenda, f"{agenda}/template", {}, None,
                   da("The course already has an agenda."),
                   meanwhile=lambda: ok(lead.post(f"{agenda}/template"), 303))


def schedule_create_course(s: Setting) -> Attempt:
    return Attempt(s.facilitator(), "/courses/new", "/courses/new",
                   course_data(s, name="", venue="Jobcentret, lokale 4"), None,
                   da("Write a name for the course."), typed="Jobcentret, lokale 4")


def schedule_update_course(s: Setting) -> Attempt:
    base = f"/courses/{s.course}/edit"
    return Attempt(s.facilitator(), base, base,
                   course_data(s, capacity="0", venue="Lokale 7 på 2. sal"), None,
                   da("The capacity must be from %(min)d to %(max)d places.",
                      min=schedule_services.CAPACITY_MIN, max=schedule_services.CAPACITY_MAX),
                   typed="Lokale 7 på 2. sal")


def schedule_enrol(s: Setting) -> Attempt:
    return Attempt(s.consultant(), f"/courses/{s.course}", f"/courses/{s.course}/citizens",
                   {"name": "Bodil Ibsen", "job_consultant": str(s.world.consultant_id),
                    "info_meeting_on": (date.today() - timedelta(days=1)).isoformat(),
                    "criteria": list(people_services.REQUIRED_ELIGIBILITY)[:4], "phone": "",
                    "email": ""}, None,
                   da("All five criteria must be met and confirmed before the citizen can be "
                      "enrolled."), typed="Bodil Ibsen")


def schedule_record_decision(s: Setting) -> Attempt:
    page = citizen_page(s)
    return Attempt(s.consultant(), page, f"{page}/decision",
                   {"decision": "yes", "decided_on": "2999-01-01"}, None,
                   da("The date cannot be in the future."), typed="2999-01-01")


def schedule_opt_out(s: Setting) -> Attempt:
    said_yes(s)
    page = citizen_page(s)
    lead = s.lead()
    return Attempt(s.consultant(), page, f"{page}/opt-out", {}, None,
                   da("Only a citizen who has said yes and still takes part can opt out."),
                   meanwhile=lambda: ok(lead.post(f"{page}/opt-out"), 303))


def schedule_reissue_code(s: Setting) -> Attempt:
    said_yes(s)
    page = citizen_page(s)
    lead = s.lead()
    return Attempt(s.consultant(), page, f"{page}/code", {}, None,
                   da("%(name)s no longer takes part, so no new code is issued.",
                      name="Citizen Team A 0"),
                   meanwhile=lambda: ok(lead.post(f"{page}/opt-out"), 303))


def people_login(s: Setting) -> Attempt:
    assert s.world  # the staff to sign in as
    return Attempt(s.app.test_client(), "/login", "/login",
                   {"email": "fac@teama.dk", "password": "forkert kodeord"}, None,
                   da("The e-mail or the password is not right."), typed="fac@teama.dk",
                   also_written=frozenset({"throttle_buckets"}))


def people_login_throttled(s: Setting) -> Attempt:
    attempt = people_login(s)
    s.app.config["LOGIN_MAX_FAILURES_DEVICE"] = 2
    ok(attempt.client.get("/login"))  # the browser's device cookie: what is counted
    for _ in range(2):
        ok(attempt.client.post("/login", data=attempt.data), 422)
    attempt.message, attempt.typed = da("Too many attempts. Wait a little and try again."), ""
    return attempt


def _two_factor_on(s: Setting) -> None:
    """The second factor required, and the app's clock set (the codes are the test's)."""
    from course.people import twofactor

    s.app.config["STAFF_TWO_FACTOR"] = True
    s.monkeypatch.setattr(twofactor, "clock", lambda: 1_800_000_000.0)


def people_enrol_two_factor(s: Setting) -> Attempt:
    _two_factor_on(s)
    client = s.app.test_client()
    assert s.world
    ok(client.post("/login", data={"email": "fac@teama.dk", "password": PASSWORD}), 302)
    return Attempt(client, "/login/two-factor", "/login/two-factor", {"code": "12345"}, None,
                   da("The code is not right. Write the 6 digits your app shows now for Teten."),
                   also_written=frozenset({"throttle_buckets"}))


def people_login_code(s: Setting) -> Attempt:
    import pyotp

    from course.people import twofactor
    from course.people.models import Staff

    _two_factor_on(s)
    assert s.world
    secret = pyotp.random_base32()
    now = twofactor.clock()

    def enrol():
        staff = db.session.scalar(sa.select(Staff).where(Staff.email == "con@teama.dk"))
        twofactor.confirm_enrolment(staff, secret, pyotp.TOTP(secret).at(now))

    s.write(enrol)
    client = s.app.test_client()
    ok(client.post("/login", data={"email": "con@teama.dk", "password": PASSWORD}), 302)
    # The code just used to set the app up: good once, so refused now.
    return Attempt(client, "/login/code", "/login/code", {"code": pyotp.TOTP(secret).at(now)},
                   None, da("The code is not right. Write the 6 digits your app shows now, or "
                            "one of your recovery codes."),
                   also_written=frozenset({"throttle_buckets"}))


def people_join(s: Setting) -> Attempt:
    return Attempt(s.app.test_client(), "/", "/join",
                   {"course_code": s.world.course_code, "personal_code": "FORKERT1"}, None,
                   da("The course code or your personal code is not right. Check the card and "
                      "try again."), typed=s.world.course_code,
                   also_written=frozenset({"throttle_buckets"}))


def people_change_password(s: Setting) -> Attempt:
    return Attempt(s.facilitator(), "/password", "/password",
                   {"current": "ikke mit kodeord", "new": "et nyt langt kodeord",
                    "confirm": "et nyt langt kodeord"}, None,
                   da("The current password is not right."))


def people_staff_accounts(s: Setting) -> Attempt:
    return Attempt(s.lead(), "/staff", "/staff",
                   {"name": "Ny Kollega", "email": "con@teama.dk", "role": "job_consultant"},
                   None, da("There is already an account with this e-mail."), typed="Ny Kollega")


#: (endpoint, what is refused, the scenario); each is a test of its own (``param_id``).
REFUSALS: list[tuple[str, str, Callable[[Setting], Attempt]]] = [
    ("rounds.start", "minutes not a number", rounds_start),
    ("rounds.begin_closing", "stale round version", rounds_begin_closing),
    ("rounds.reopen", "stale round version", rounds_reopen),
    ("rounds.close", "below the minimum without a reason", rounds_close),
    ("rounds.give_feedback", "no criterion", rounds_give_feedback),
    ("rounds.give_feedback", "no criterion, without JavaScript",
     rounds_give_feedback_without_javascript),
    ("rounds.pin", "hidden meanwhile", rounds_pin),
    ("rounds.release", "hidden meanwhile", rounds_release),
    ("rounds.mark", "hidden meanwhile", rounds_mark),
    ("live.start_day", "another console was faster", live_start_day),
    ("live.end_day", "ended meanwhile", live_end_day),
    ("live.next_item", "at the last item", live_next_item),
    ("live.previous_item", "at the first item", live_previous_item),
    ("live.go_to_item", "another day started meanwhile", live_go_to_item),
    ("live.next_workshop_step", "moved on meanwhile", live_next_workshop_step),
    ("live.previous_workshop_step", "at the first step", live_previous_workshop_step),
    ("live.start_timer", "a day without items", live_start_timer),
    ("live.pause_timer", "ended meanwhile", live_pause_timer),
    ("live.extend_timer", "a day without items", live_extend_timer),
    ("live.show_join_qr", "ended meanwhile", live_show_join_qr),
    ("live.announce", "too long", live_announce),
    ("live.ask", "rate limit", live_ask),
    ("live.ask", "the talk ended meanwhile", live_ask_after_the_talk),
    ("live.show_question", "hidden meanwhile", live_show_question),
    ("live.release_question", "hidden meanwhile", live_release_question),
    ("live.answer_question", "hidden meanwhile", live_answer_question),
    ("polls.create", "one option", polls_create),
    ("polls.create", "500 options", polls_create_many),
    ("polls.create", "no question", polls_create_empty),
    ("polls.create", "one option, without JavaScript", polls_create_without_javascript),
    ("polls.create_for_item", "one option (a plain form)", polls_create_for_item),
    ("polls.vote", "voting after close", polls_vote),
    ("polls.edit", "a vote came in meanwhile", polls_edit_after_a_vote),
    ("polls.edit", "one option", polls_edit),
    ("polls.edit", "one option, without JavaScript", polls_edit_without_javascript),
    ("polls.vote", "no answer chosen", polls_vote_no_choice),
    ("material.upload", "not a PDF (a plain form)", material_upload_not_a_pdf),
    ("material.upload", "a PDF locked with a password", material_upload_locked),
    ("material.turn", "taken down meanwhile", material_turn),
    ("material.show", "its item over meanwhile", material_show),
    ("material.speaker_turn", "taken down meanwhile", material_speaker_turn),
    ("ideas.answer", "a 10 kB answer", ideas_answer_too_long),
    ("ideas.answer", "an empty answer", ideas_answer_empty),
    ("ideas.answer", "too long, without JavaScript", ideas_answer_without_javascript),
    ("ideas.answer", "answering after close", ideas_answer_after_close),
    ("ideas.answer", "a sixth answer", ideas_answer_too_many),
    ("ideas.dot", "no dots left", ideas_dot_none_left),
    ("ideas.dot", "a dot after the vote closed", ideas_dot_after_close),
    ("ideas.create", "no question", ideas_create_empty),
    ("ideas.create", "a question too long", ideas_create_too_long),
    ("ideas.create", "no question, without JavaScript", ideas_create_without_javascript),
    ("ideas.open_answers", "no day running", ideas_open_without_a_day),
    ("ideas.open_voting", "zero dots", ideas_voting_no_dots),
    ("ideas.merge", "a group with itself", ideas_merge_one_group),
    ("ideas.create_for_item", "a question too long (a plain form)", ideas_create_for_item),
    ("reactions.react", "a laughing face", reactions_react),
    ("reactions.react", "over the limit per minute", reactions_react_over_the_limit),
    ("reactions.choose_set", "a laughing face", reactions_choose_set),
    ("reactions.choose_set", "nothing chosen", reactions_choose_set_empty),
    ("reactions.choose_set", "nothing chosen, without JavaScript",
     reactions_choose_set_without_javascript),
    ("approvals.submit", "submitted in another tab", approvals_submit),
    ("approvals.sign_declaration", "box not ticked", approvals_sign_declaration),
    ("payouts.record", "more than is left on the line", payouts_record),
    ("payouts.record", "more than is left on the line, without JavaScript",
     payouts_record_without_javascript),
    ("payouts.reverse", "no reason", payouts_reverse),
    ("changes.propose", "over the cap", changes_propose),
    ("changes.propose", "over the cap, without JavaScript", changes_propose_without_javascript),
    ("changes.withdraw", "decided meanwhile", changes_withdraw),
    ("changes.approve", "withdrawn meanwhile", changes_approve),
    ("changes.refuse", "no reason", changes_refuse),
    ("followup.add_meeting", "a day in the past", followup_add_meeting),
    ("followup.add_meeting", "a day in the past, without JavaScript",
     followup_add_meeting_without_javascript),
    ("followup.move_meeting", "no date", followup_move_meeting),
    ("followup.cancel_meeting", "cancelled meanwhile", followup_cancel_meeting),
    ("followup.note_meeting", "moved to tomorrow meanwhile", followup_note_meeting),
    ("followup.report_change", "told in another tab today", followup_report_change),
    ("receipts.upload", "a text file", receipts_upload),
    ("receipts.upload", "a text file, without JavaScript", receipts_upload_without_javascript),
    ("receipts.review", "asked again without a reason", receipts_review),
    ("receipts.claim", "more than was paid", receipts_claim),
    ("receipts.save_days", "out of range", receipts_save_days),
    ("privacy.save_texts", "too long", privacy_save_texts),
    ("privacy.save_periods", "out of range", privacy_save_periods),
    ("approvals.save_complaint_guidance", "guidance too long",
     approvals_save_complaint_guidance),
    ("approvals.rate", "unknown rating", approvals_rate),
    ("approvals.triage", "stale case version", approvals_triage),
    ("approvals.ask_colleagues", "nobody chosen", approvals_ask_colleagues),
    ("approvals.assign", "nobody chosen", approvals_assign),
    ("approvals.comment", "empty", approvals_comment),
    ("approvals.approve", "impossible date", approvals_approve),
    ("approvals.approve", "impossible date, without JavaScript",
     approvals_approve_without_javascript),
    ("approvals.send_back", "no note", approvals_send_back),
    ("approvals.reject", "no reason", approvals_reject),
    ("approvals.end", "a date in the future", approvals_end),
    ("approvals.progress", "no kind", approvals_progress),
    ("budgets.save_field", "not an amount", budgets_save_field),
    ("budgets.save_field", "submitted meanwhile", budgets_save_field_locked),
    ("budgets.add_line", "submitted meanwhile", budgets_add_line_locked),
    ("budgets.delete_line", "submitted meanwhile", budgets_delete_line_locked),
    ("budgets.move_line", "submitted meanwhile", budgets_move_line_locked),
    ("budgets.add_strategy_item", "empty", budgets_add_strategy_item),
    ("budgets.add_strategy_item", "submitted meanwhile", budgets_add_strategy_item_locked),
    ("budgets.delete_strategy_item", "submitted meanwhile", budgets_delete_strategy_item_locked),
    ("budgets.upload_attachment", "no file", budgets_upload_attachment),
    ("budgets.upload_attachment", "too large", budgets_upload_attachment_too_large),
    ("budgets.upload_attachment", "submitted meanwhile", budgets_upload_attachment_locked),
    ("budgets.delete_attachment", "submitted meanwhile", budgets_delete_attachment_locked),
    ("budgets.add_draft_comment", "too long", budgets_add_draft_comment),
    ("schedule.add_item", "no title", schedule_add_item),
    ("schedule.add_item", "no title, without JavaScript", schedule_add_item_without_javascript),
    ("schedule.update_item", "end before start", schedule_update_item),
    ("schedule.update_item", "changed meanwhile", schedule_update_item_stale),
    ("schedule.delete_item", "changed meanwhile", schedule_delete_item),
    ("schedule.apply_template", "an agenda made meanwhile", schedule_apply_template),
    ("schedule.create_course", "no name", schedule_create_course),
    ("schedule.update_course", "capacity 0", schedule_update_course),
    ("schedule.enrol", "a criterion not confirmed", schedule_enrol),
    ("schedule.record_decision", "a date in the future", schedule_record_decision),
    ("schedule.opt_out", "opted out meanwhile", schedule_opt_out),
    ("schedule.reissue_code", "opted out meanwhile", schedule_reissue_code),
    ("people.login", "wrong password", people_login),
    ("people.login", "too many attempts", people_login_throttled),
    ("people.join", "wrong personal code", people_join),
    ("people.enrol_two_factor", "a wrong confirmation code", people_enrol_two_factor),
    ("people.login_code", "a code used already", people_login_code),
    ("people.change_password", "wrong current password", people_change_password),
    ("people.staff_accounts", "e-mail taken", people_staff_accounts),
]

#: POST endpoints that refuse nothing beyond sign-in, access (403/404) and CSRF, and why.
CANNOT_REFUSE: dict[str, str] = {
    "people.logout": "ends the session, whatever state it is in",
    "privacy.seen": "reading the notice again only records the time again",
    "approvals.read_notice": "reading a notice read already is a no-op (404 for anyone else's)",
    "people.keepalive": "answers 204 to anyone signed in (loading the session touched it)",
    "people.language": "an unknown language is ignored; it always redirects back",
    "people.reactivate": "reactivating an active account changes nothing",
    "people.reset_password": "always issues a new temporary password",
    "people.reset_two_factor": "its button is only offered for other accounts with an app set "
                               "up; resetting twice is a no-op; a forged request to reset "
                               "oneself is refused with a flash on the staff page",
    "people.new_recovery_codes": "always makes new codes; offered only with an app set up "
                                 "(else 404: there is nothing to replace)",
    "people.deactivate": "its button is only offered for other accounts; a forged request to "
                         "deactivate oneself is refused with a flash on the staff page",
    "followup.new_calendar_link": "always makes a new calendar address (the old one stops)",
    "live.clear_announcement": "clearing when nothing is shown is a no-op",
    "live.create_display_link": "always makes a new link",
    "live.open_projector": "always makes a new link and redirects to it (a new window)",
    "live.revoke_display_link": "revoking a revoked link is a no-op (404 for another course's)",
    "live.lift_join_lock": "lifting a lock that is not there is a no-op",
    "live.set_attendance": "checking in or marking left twice is a no-op",
    "live.upvote": "a second vote (or taking back a vote not given) is ignored, as is a vote "
                   "on one's own question or on one that is not open",
    "live.unanswer_question": "marking an open question as not answered is a no-op",
    "live.unshow_question": "taking nothing off the projector is a no-op",
    "live.hide_question": "hiding a hidden question is a no-op",
    "live.unhide_question": "showing a shown question again is a no-op",
    "material.delete": "removing a removed material is a 404, like another course's",
    "material.open_speaker_view": "always makes a new speaker link and redirects to it",
    "material.revoke_speaker_link": "revoking a revoked link is a no-op (404 for another "
                                    "course's)",
    "polls.open_voting": "opening an open poll is a no-op (another open poll closes)",
    "polls.close_voting": "closing a poll that is not open is a no-op",
    "polls.show_results": "showing shown results, or hiding hidden ones, is a no-op",
    "polls.delete": "deleting asks first on the console (a second, real button); a poll "
                    "deleted already is a 404",
    "ideas.close_answers": "closing a wall that is not open is a no-op",
    "ideas.close_voting": "closing a dot-vote that is not open is a no-op",
    "ideas.show": "showing a shown wall, or taking off one that is not shown, is a no-op",
    "ideas.hide_group": "hiding a group not on the wall hides nothing (a no-op)",
    "ideas.unhide_group": "showing a group with nothing hidden is a no-op",
    "ideas.let_through": "letting through an answer not held is a no-op (404 for another wall's)",
    "ideas.reject": "hiding a hidden answer is a no-op (404 for another wall's)",
    "ideas.undo_merge": "undoing an undone merge is a no-op (404 for another wall's)",
    "rounds.hide": "hiding is idempotent in every state of the round",
    "rounds.unpin": "unpinning is idempotent in every state of the round",
    "schedule.move_item": "a move past the end answers 200 with the day and a 'cannot move "
                          "further' status (a no-op); an unreadable direction is a 400",
}

#: Refusals that are not in place yet: bugs for the routes, not for this test. ``strict``: once
#: a route is fixed the test passes, and the entry must go.
NOT_IN_PLACE: dict[str, str] = {}


def param_id(endpoint: str, what: str) -> str:
    """``rounds.close:below-the-minimum-without-a-reason``."""
    return f"{endpoint}:{re.sub(r'[^a-z0-9]+', '-', what.lower()).strip('-')}"


def _param(endpoint: str, what: str, scenario: Callable[[Setting], Attempt]):
    id_ = param_id(endpoint, what)
    marks = ([pytest.mark.xfail(strict=True, reason=NOT_IN_PLACE[id_])]
             if id_ in NOT_IN_PLACE else [])
    return pytest.param(endpoint, scenario, id=id_, marks=marks)


@pytest.fixture
def setting(app, make_world, make_draft, monkeypatch) -> Setting:
    return Setting(app, make_world, make_draft, monkeypatch)


# -- the tests ----------------------------------------------------------------------------------


def post_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}


def test_every_post_endpoint_is_classified(app):
    refusing = {endpoint for endpoint, _what, _scenario in REFUSALS}
    endpoints = post_endpoints(app)
    assert not refusing & set(CANNOT_REFUSE), "an endpoint is both refusing and not"
    unclassified = endpoints - refusing - set(CANNOT_REFUSE)
    assert not unclassified, (
        f"POST endpoints nobody made refuse: {sorted(unclassified)}. Add a scenario to "
        "REFUSALS, or say in CANNOT_REFUSE why it refuses nothing but access and CSRF.")
    gone = (refusing | set(CANNOT_REFUSE)) - endpoints
    assert not gone, f"classified but no longer POST endpoints: {sorted(gone)}"
    assert set(NOT_IN_PLACE) <= {param_id(e, w) for e, w, _s in REFUSALS}


PAGE = ('<li class="agenda-item"><form action="/a" hx-post="/a" hx-target="closest .agenda-item">'
        '<input name="title" value=""></form><p id="a-message"></p></li>')
REASON = "Skriv en titel."
FORM_AGAIN = '<form action="/a" hx-post="/a"><input name="title" value="Kaffe"></form>' + REASON


def _answer(body: str, status: int = 422, mimetype: str = "text/html", **headers: str):
    return Response(body, status, {k.replace("_", "-"): v for k, v in headers.items()},
                    mimetype=mimetype)


@pytest.mark.parametrize("answer", [
    pytest.param(_answer(REASON, mimetype="text/plain"), id="bare text over the form"),
    pytest.param(_answer(f"<p class='errors'>{REASON}</p>", 409), id="bare html over the form"),
    pytest.param(_answer(REASON, HX_Retarget="#main", HX_Reswap="innerHTML"),
                 id="retargeted over the page"),
    pytest.param(_answer(REASON, HX_Retarget="#b-message", HX_Reswap="innerHTML"),
                 id="a slot the page lacks"),
    pytest.param(_answer(FORM_AGAIN, HX_Retarget="#a-message", HX_Reswap="innerHTML"),
                 id="a form into the slot"),
    pytest.param(_answer(FORM_AGAIN.replace("Kaffe", "")), id="the form without the text"),
    pytest.param(_answer("Noget gik galt.", 500, "text/plain"), id="a server error"),
    pytest.param(_answer(REASON, 200), id="not refused"),
])
def test_the_check_rejects_a_bare_message_in_place_of_the_form(answer):
    attempt = Attempt(None, "/agenda", "/a", {}, "closest .agenda-item", REASON,  # type: ignore[arg-type]
                      typed="Kaffe")
    with pytest.raises(AssertionError):
        assert_in_place(answer, PAGE, attempt)


@pytest.mark.parametrize("answer, kind", [
    (_answer(REASON, HX_Retarget="#a-message", HX_Reswap="innerHTML"), "slot"),
    (_answer(REASON, mimetype="text/plain", HX_Reswap="none",
             HX_Trigger=json.dumps({"teten:refused": {"message": REASON}})), "toast"),
    (_answer(REASON, 413, "text/plain"), "toast"),
    (_answer(FORM_AGAIN), "form"),
])
def test_the_check_accepts_the_answers_in_place(answer, kind):
    attempt = Attempt(None, "/agenda", "/a", {}, "closest .agenda-item", REASON,  # type: ignore[arg-type]
                      typed="Kaffe")
    assert assert_in_place(answer, PAGE, attempt) == kind


@pytest.mark.parametrize("endpoint, scenario", [_param(*row) for row in REFUSALS])
def test_a_refusal_answers_in_place(setting, endpoint, scenario):
    app = setting.app
    attempt = scenario(setting)
    page = ok(attempt.client.get(attempt.page)).get_data(as_text=True)
    form = form_for(page, attempt.action, attempt.page, attempt.target)
    assert form is not None, f"no form posting to {attempt.action} on {attempt.page}"
    htmx_form = attempt.target is not None or attempt.by_htmx
    assert form.get("hx-post") == (attempt.action if htmx_form else None), form
    assert form.get("hx-target") == attempt.target, form
    matched, _args = app.url_map.bind("teten.test").match(attempt.action, method="POST")
    assert matched == endpoint, f"{attempt.action} is {matched}"
    if attempt.meanwhile is not None:
        attempt.meanwhile()
    skip = VOLATILE | attempt.also_written
    before = rows(app, skip)
    response = attempt.client.post(attempt.action, data=attempt.data,
                                   headers=HX if attempt.by_htmx else {})
    assert rows(app, skip) == before, "a refusal wrote something"
    if attempt.by_htmx:
        assert_in_place(response, page, attempt)
    else:
        assert_whole_page(response, attempt)



# -- a refusable GET form: the outcome figures' filter ----------------------------------------

@pytest.mark.parametrize("by_htmx", [True, False], ids=["htmx", "without JavaScript"])
def test_the_outcome_filter_refuses_a_reversed_period_in_place(setting, by_htmx):
    """A GET form that refuses what was typed (it writes nothing, so it is not in REFUSALS):
    its message in the slot beside the filter, the dates kept, like the POST forms."""
    app = setting.app
    typed = {"from": "2026-03-01", "to": "2026-02-01"}
    attempt = Attempt(setting.lead(), "/outcomes", "/outcomes", typed, "#outcome-figures",
                      da("The period's first day is after its last day. Swap the dates."),
                      typed="2026-03-01", htmx=by_htmx)
    page = ok(attempt.client.get(attempt.page)).get_data(as_text=True)
    form = form_for(page, attempt.action, attempt.page, attempt.target)
    assert form is not None and form.get("hx-get") == "/outcomes" and form.get("method") == "get"
    matched, _args = app.url_map.bind("teten.test").match(attempt.action, method="GET")
    assert matched == "outcomes.page"
    before = rows(app, VOLATILE)
    response = attempt.client.get(attempt.action, query_string=typed,
                                  headers=HX if by_htmx else {})
    assert rows(app, VOLATILE) == before, "a refusal wrote something"
    if by_htmx:
        assert assert_in_place(response, page, attempt) == "slot"
    else:
        assert assert_whole_page(response, attempt) == "page"
        assert 'value="2026-02-01"' in response.get_data(as_text=True)
