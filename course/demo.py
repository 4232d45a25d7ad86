"""The demo course `make run` starts with: a team, four staff, six citizens, an agenda — and an
earlier course whose citizens have handed in their plans, so the job consultants' queue has
cases in each colour to pick up.

Seeding is idempotent: running it again changes nothing and prints the same logins. The demo
codes are fixed so the README can list them; real codes are always random.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from course.approvals import services as approval_services
from course.approvals.models import Case
from course.budgets.models import BudgetLine, Category, Draft, StrategyItem, StrategyKind
from course.extensions import db
from course.payouts import services as payouts
from course.people import services
from course.people.models import Citizen, Role, Staff, Team
from course.schedule import services as schedule_services
from course.schedule.models import Course
from course.types import local_today

TEAM = "Jobcenter Demo, Team Nord"
COURSE_CODE = "TETEN2"
STAFF_PASSWORD = "teten-demo-2026"
STAFF = [
    ("Mette Facilitator", "facilitator@demo.teten.dk", Role.FACILITATOR),
    ("Jonas Jobkonsulent", "jobkonsulent1@demo.teten.dk", Role.JOB_CONSULTANT),
    ("Sara Jobkonsulent", "jobkonsulent2@demo.teten.dk", Role.JOB_CONSULTANT),
    ("Lene Afdelingsleder", "leder@demo.teten.dk", Role.TEAM_LEAD),
    ("Frida Økonomi", "okonomi@demo.teten.dk", Role.FINANCE),
]
CITIZENS = [
    ("Anna Holm", "DEMA2345"),
    ("Bilal Khan", "DEMB2345"),
    ("Carsten Nielsen", "DEMC2345"),
    ("Dorte Jensen", "DEMD2345"),
    ("Emil Sørensen", "DEME2345"),
    ("Fatima Ali", "DEMF2345"),
]


EARLIER_COURSE_CODE = "TETEN3"  # (codes use no 0, 1, I, L or O: see people/codes.py)
#: The earlier course's plans, handed in: (name, goal, motivation, lines (title, category,
#: amount, the change, how it helps towards a job), strategy (continue, stop, start), and how
#: their job consultant has got on with it: ratings of (substantial change, realistic,
#: coherence) and a colour, or nothing yet).
PLANS = [
    ("Gitte Hansen", "Job som lagermedarbejder med truckcertifikat",
     "Jeg vil gerne have et arbejde, hvor jeg bruger kroppen og har faste mødetider.",
     [("Truckcertifikat B", Category.DRIVING_LICENCE, 9800,
       "Jeg får certifikatet, som næsten alle lagerjob kræver.",
       "Jeg kan søge de lagerjob i Skejby, jeg ikke kan søge i dag."),
      ("Sikkerhedssko og arbejdstøj", Category.CLOTHING, 1400,
       "Jeg har det tøj, jeg skal bruge fra første dag.",
       "Jeg kan sige ja til en prøvetid med det samme.")],
     ("at gå ture hver morgen", "at sove til langt op ad dagen", "at træne fast to gange om ugen"),
     ("yes", "yes", "yes"), "green"),
    ("Hassan Omar", "Egen forretning som cykelsmed",
     "Jeg har repareret cykler for familie og naboer i mange år og vil gøre det til et arbejde.",
     [("Værktøj til cykelværksted", Category.TOOLS, 14500,
       "Jeg har det professionelle værktøj, et værksted kræver.",
       "Jeg kan tage imod betalende kunder i stedet for at låne værktøj."),
      ("Kursus i at starte egen virksomhed", Category.EDUCATION, 6000,
       "Jeg lærer moms, regnskab og prissætning.",
       "Jeg kan drive værkstedet lovligt og tjene penge på det.")],
     ("at hjælpe naboerne", "at sige ja til alt gratis arbejde", "at føre regnskab hver uge"),
     ("yes", "uncertain", "yes"), "yellow"),
    ("Inge Larsen", "Job som tandklinikassistent",
     "Jeg har altid gerne villet arbejde med mennesker i sundhedsvæsenet.",
     [("Tandbehandling", Category.HEALTH, 18000,
       "Jeg tør smile og tale med patienter uden at skamme mig.",
       "Jeg kan gå til jobsamtaler på klinikker med selvtillid."),
      ("Buskort i tre måneder", Category.TRANSPORT, 1200,
       "Jeg kan komme til praktik på klinikken i Viby.",
       "Praktikken kan føre til en elevplads.")],
     ("at læse om faget", "at aflyse aftaler i sidste øjeblik",
      "at søge to praktikpladser om ugen"),
     None, None),
    ("Jørgen Madsen", "Job som buschauffør",
     "Jeg har kørt lastbil i udlandet og vil gerne have et arbejde med faste ruter tæt på "
     "familien.",
     [("Kørekort til bus (kategori D)", Category.DRIVING_LICENCE, 32000,
       "Jeg får det kørekort, som busselskaberne kræver.",
       "Busselskabet i Aarhus mangler chauffører og har lovet mig en samtale."),
      ("Lægeattest og førstehjælpskursus", Category.HEALTH, 1900,
       "Jeg har de papirer, der skal til for at få kørekortet.",
       "Jeg kan starte på kørekortet uden at vente."),
      ("Arbejdstøj og sikkerhedssko", Category.CLOTHING, 1600,
       "Jeg møder klar til første vagt.",
       "Jeg kan sige ja til en prøvetid med det samme.")],
     ("at køre familien til fodbold", "at sidde oppe om natten", "at læse færdselsregler hver dag"),
     ("yes", "yes", "yes"), "approved"),
]
#: The approved plan's citizen, who can sign in on the earlier course to see their payouts, the
#: receipt they owe and their follow-up meetings.
APPROVED_CITIZEN_CODE = "DEMJ2345"


@dataclass
class Logins:
    staff: list[tuple[str, str, str]]
    citizens: list[tuple[str, str]]
    course_code: str


def seed(today: date | None = None) -> Logins:
    """Create the demo team, staff, course and citizens where missing (flushes, no commit)."""
    today = today or local_today()
    team = db.session.scalar(sa.select(Team).where(Team.name == TEAM))
    if team is None:
        team = Team(name=TEAM)
        db.session.add(team)
        db.session.flush()
    people: dict[str, Staff] = {}
    for name, email, role in STAFF:
        staff = db.session.scalar(sa.select(Staff).where(Staff.email == email))
        if staff is None:
            staff = services.create_staff(team, name, email, role, STAFF_PASSWORD,
                                          must_change_password=False)
        people[email] = staff
    course = db.session.scalar(sa.select(Course).where(Course.code == COURSE_CODE))
    if course is None:
        course = Course(team=team, name="Kollektivt forløb, demo", code=COURSE_CODE,
                        venue="Jobcentret, mødelokale 2", capacity=20, kickoff_on=today,
                        day1_on=today + timedelta(days=7), day2_on=today + timedelta(days=8))
        course.facilitators.append(people["facilitator@demo.teten.dk"])
        db.session.add(course)
        db.session.flush()
    if not schedule_services.has_agenda(course):
        schedule_services.apply_template(course)
    consultants = [people["jobkonsulent1@demo.teten.dk"], people["jobkonsulent2@demo.teten.dk"]]
    for i, (name, code) in enumerate(CITIZENS):
        citizen = db.session.scalar(
            sa.select(Citizen).where(Citizen.course_id == course.id, Citizen.name == name))
        if citizen is None:
            citizen, _ = services.enrol_citizen(
                course, name, consultants[i % 2], enrolled_by=consultants[i % 2],
                eligibility=services.REQUIRED_ELIGIBILITY,
                info_meeting_on=today - timedelta(days=2))
        services.set_citizen_code(citizen, code)
    db.session.flush()
    _earlier_course(team, consultants, people["okonomi@demo.teten.dk"], today)
    return Logins(
        staff=[(email, STAFF_PASSWORD, role.value) for _, email, role in STAFF],
        citizens=[(name, code) for name, code in CITIZENS],
        course_code=COURSE_CODE,
    )


def _earlier_course(team: Team, consultants: list[Staff], finance: Staff, today: date) -> None:
    """A course that ended a few weeks ago, whose citizens have handed in their plans: one
    rated and marked green, one yellow (colleagues are asked to spar), one not yet looked at."""
    course = db.session.scalar(sa.select(Course).where(Course.code == EARLIER_COURSE_CODE))
    if course is not None:
        return
    course = Course(team=team, name="Kollektivt forløb, efterår", code=EARLIER_COURSE_CODE,
                    venue="Jobcentret, mødelokale 2", capacity=20,
                    kickoff_on=today - timedelta(days=35), day1_on=today - timedelta(days=28),
                    day2_on=today - timedelta(days=27))
    db.session.add(course)
    db.session.flush()
    for i, (name, goal, motivation, lines, strategy, rated, colour) in enumerate(PLANS):
        consultant = consultants[i % 2]
        citizen, _ = services.enrol_citizen(
            course, name, consultant, enrolled_by=consultant,
            eligibility=services.REQUIRED_ELIGIBILITY,
            info_meeting_on=today - timedelta(days=40))
        # they said yes within the week, then wrote their plans
        services.record_decision(citizen, "yes", today - timedelta(days=37))
        draft = Draft(citizen=citizen, course=course, goal=goal, motivation=motivation)
        draft.lines = [BudgetLine(position=n, title=title, category=category, amount=amount,
                                  change=change, job_effect=effect,
                                  price_source="Leverandørens hjemmeside",
                                  no_documentation="Prisen står på leverandørens hjemmeside")
                       for n, (title, category, amount, change, effect) in enumerate(lines)]
        draft.strategy = [StrategyItem(kind=kind, position=0, text=text)
                          for kind, text in zip(StrategyKind, strategy, strict=True)]
        db.session.add(draft)
        db.session.flush()
        case = approval_services.submit(draft, citizen)
        # handed in over the weeks since the course: the queue shows how long each has waited
        handed_in = datetime.combine(today - timedelta(days=9 - 3 * i), time(10), tzinfo=UTC)
        case.submitted_at = case.current.submitted_at = handed_in
        if rated is not None:
            for criterion, value in zip(("substantial_change", "realistic", "coherence"), rated,
                                        strict=True):
                approval_services.rate(case, consultant, criterion, value, "")
            approval_services.triage(case, consultant, "green" if colour == "approved" else colour)
            if colour == "yellow":  # the other job consultant is asked to spar
                approval_services.ask_colleagues(case, consultant, [consultants[(i + 1) % 2].id])
        if colour == "approved":
            services.set_citizen_code(citizen, APPROVED_CITIZEN_CODE)
            _approved_and_paid(case, consultant, finance, today)
    db.session.flush()
    # (in the app, mailed after the commit; the demo mails nobody)
    approval_services.pending_notices()


def _approved_and_paid(case: Case, consultant: Staff, finance: Staff, today: date) -> None:
    """The plan approved three weeks ago for nine months: the driving licence paid by invoice
    to the driving school, the medical certificate transferred to the citizen's own account
    five days ago (the receipt is due), a follow-up meeting next week and one in two months."""
    lines = [line["id"] for line in case.current.content["lines"]]
    approval_services.approve(case, consultant, approval_services.Approval(
        length_months=9,
        follow_up="Vi mødes hver anden måned og taler om, hvordan kørekortet og jobsøgningen "
                  "går.",
        follow_up_dates=[today + timedelta(days=6), today + timedelta(days=62)],
        payments={lines[0]: "invoice", lines[1]: "own_account", lines[2]: "own_account"}))
    decided = datetime.combine(today - timedelta(days=21), time(13), tzinfo=UTC)
    case.decided_at = decided
    db.session.flush()  # (recording a payout reads the case afresh)
    payouts.record(case, finance, lines[0], payouts.Entry(
        amount="32.000", supplier="Aarhus Trafikskole ApS", invoice_number="2026-1142",
        received_on=(today - timedelta(days=14)).isoformat(),
        paid_on=(today - timedelta(days=10)).isoformat()), today=today)
    payouts.record(case, finance, lines[1], payouts.Entry(
        amount="1.900", paid_on=(today - timedelta(days=5)).isoformat()), today=today)


def describe(logins: Logins, base_url: str, *, two_factor: bool = False) -> str:
    """The text `make run` prints: where to go and how to sign in."""
    lines = [
        "",
        f"Teten demo is ready on {base_url}",
        "",
        f"  Staff sign-in:  {base_url}/login   (password for all: {STAFF_PASSWORD})",
        "  Two-factor sign-in for staff: "
        + ("ON (each account sets up an authenticator app at its first sign-in)" if two_factor
           else "off (COURSE_STAFF_TWO_FACTOR=false; production leaves it on)"),
    ]
    lines += [f"    {email:<32} {role}" for email, _, role in logins.staff]
    lines += [
        "",
        f"  Citizens join:  {base_url}/?c={logins.course_code}"
        f"   (course code {logins.course_code})",
    ]
    lines += [f"    {name:<20} personal code {code}" for name, code in logins.citizens]
    lines += [
        "",
        "  Projector: sign in as the facilitator, open the course console, 'Open the projector'.",
        "  Approval queue: sign in as a job consultant; an earlier course's plans are waiting.",
        "  After approval: Jørgen Madsen's plan is approved, partly paid (finance: "
        "okonomi@demo.teten.dk),",
        f"    a receipt is due and a follow-up meeting is next week; he signs in with course "
        f"code {EARLIER_COURSE_CODE} and personal code {APPROVED_CITIZEN_CODE}.",
        "",
    ]
    return "\n".join(lines)
