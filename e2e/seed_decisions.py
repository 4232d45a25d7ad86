"""Decide two of the demo's earlier course's cases, as a job consultant and the team would, with
realistic notes: Hassan Omar's yellow plan is re-triaged green and approved (nine months, a
follow-up plan, his declaration on honour signed); Inge Larsen's is marked red and ended by the
team (the plan cannot be approved). For the documents' e2e (e2e/test_documents.py).

Run as a script with the server's ``COURSE_*`` environment (its SQLite file is shared; WAL lets
both write). Prints one JSON line: the two case ids, their references and the citizens' names.
"""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from course import create_app, demo
from course.approvals import services
from course.approvals.models import Case
from course.extensions import db
from course.people.models import Citizen, Staff
from course.types import local_today

NOTES = {
    "substantial_change": "Truckcertifikat og et værksted giver adgang til job, han i dag "
                          "sorteres fra.",
    "realistic": "Har vist vedholdenhed; regnskabsdelen er ny for ham, men kurset dækker den.",
    "coherence": "Budgetposterne peger direkte på målet om et cykelværksted.",
}


def _case_of(name: str) -> Case:
    return db.session.scalars(sa.select(Case).join(Citizen, Case.citizen_id == Citizen.id)
                              .where(Citizen.name == name)).one()


def seed() -> dict[str, object]:
    hassan, inge = _case_of(demo.PLANS[1][0]), _case_of(demo.PLANS[2][0])
    # Hassan: yellow (a colleague asked), re-rated after the sparring, green, approved
    own = hassan.consultant
    for criterion, note in NOTES.items():
        services.rate(hassan, own, criterion, "yes", note)
    services.triage(hassan, own, "green")
    today = local_today()
    services.approve(hassan, own, services.Approval(
        length_months=9,
        follow_up="Opfølgningssamtale hver måned på jobcentret; Hassan kontakter sin "
                  "jobkonsulent, hvis planen ændrer sig.",
        follow_up_dates=[today + timedelta(days=30), today + timedelta(days=60)],
        payments={line["id"]: ("invoice" if n == 0 else "own_account")
                  for n, line in enumerate(hassan.current.content["lines"])}))
    services.sign_declaration(hassan, hassan.citizen)
    # Inge: red after the ratings, ended by the team
    consultant = inge.consultant
    for criterion, value, note in (
            ("substantial_change", "uncertain", "Uklart om tandbehandlingen alene åbner for job."),
            ("realistic", "no", "Har aflyst de sidste tre aftaler."),
            ("coherence", "no", "Buskortet hænger ikke sammen med en praktikplads, der ikke "
                                "er aftalt.")):
        services.rate(inge, consultant, criterion, value, note)
    services.triage(inge, consultant, "red")
    team = [s.id for s in db.session.scalars(sa.select(Staff).where(
        Staff.team_id == inge.team_id, Staff.role.in_(("job_consultant", "team_lead"))))]
    services.reject(inge, consultant, "not_approvable",
                    "Planen kan ikke godkendes i sin nuværende form.", team)
    services.pending_notices()  # (in the app, mailed after the commit; this mails nobody)
    db.session.commit()
    return {"approved": hassan.id, "approved_reference": hassan.reference,
            "approved_citizen": hassan.citizen.name, "ended": inge.id,
            "ended_reference": inge.reference}


def main() -> None:
    app = create_app()
    with app.app_context():
        print(json.dumps(seed()))


if __name__ == "__main__":
    main()
