"""Receipts for own-account transfers (issue 17, point 3): the due date from the setting, the
citizen handing one in from the phone through the one upload path (type by content, EXIF
gone), accepting and asking again, repayment claims, overdue flags and reminders once each,
the audit trail, and who may see what (finance: the receipts, never the plan's texts)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import ExifTags, Image
from sqlalchemy.exc import DatabaseError

from course.approvals import services as approvals
from course.approvals.models import AuditEvent, Case, Notification
from course.budgets import files
from course.extensions import db
from course.payouts import services as payouts
from course.payouts.models import Payout
from course.people import services as people
from course.people.models import Citizen, Role, Staff, Team
from course.receipts import services
from course.receipts.models import Receipt, ReceiptUpload, RepaymentClaim
from course.types import local_today
from tests.approvals.plans import PlanLine, approved_plan
from tests.conftest import (
    CONSULTANT_A,
    LEAD_A,
    PASSWORD,
    signed_in_citizen,
    signed_in_staff,
    smtp_inbox,
)

HX = {"HX-Request": "true"}
TODAY = local_today()
MOTIVATION = "Motivationen-er-hemmelig"
CHANGE = "Forandringsteorien-om-sko"
RATING_NOTE = "Vurderingsnoten-er-intern"
FINANCE_A = "fin@teama.dk"
SHOES, COURSE_FEE = 3_000, 8_000  # line 0: own account; line 1: invoice
PAID = 1_200  # what a transfer pays on line 0 unless said otherwise


def jpeg_with_gps() -> bytes:
    """A phone's photo of a receipt: camera make and a GPS position in its EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (56.0, 9.0, 46.0)
    out = io.BytesIO()
    Image.new("RGB", (60, 90), (250, 250, 240)).save(out, "JPEG", exif=exif)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def team_a(make_world):
    return make_world(citizens=2)


def _plan(app, world, index: int = 0) -> int:
    """Citizen ``index``'s plan, approved: line 0 to their own account, line 1 by invoice."""
    return approved_plan(app, world, index, motivation=MOTIVATION, strategy="Strategi",
                         rating_note=RATING_NOTE, lines=[
                             PlanLine("Arbejdssko", SHOES, "own_account", CHANGE,
                                      "Kan stå på lageret", "Butik", "Butikkens side"),
                             PlanLine("Truckkursus", COURSE_FEE, "invoice", CHANGE,
                                      "Kan køre truck", "AMU", "AMU's side")])


def _finance(app, team_id: int, email: str = FINANCE_A) -> int:
    with app.app_context():
        staff = people.create_staff(db.session.get(Team, team_id), "Finn Finans", email,
                                    Role.FINANCE, PASSWORD, must_change_password=False)
        db.session.commit()
        return staff.id


def _pay(app, case_id: int, staff_id: int, line: int = 0, amount: int = PAID,
         paid_on=TODAY) -> int:
    """Record a payout on ``line`` through the service; its id."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        line_id = case.current.content["lines"][line]["id"]
        entry = payouts.Entry(amount=str(amount), paid_on=paid_on.isoformat(),
                              received_on=paid_on.isoformat(), supplier="AMU Nord",
                              invoice_number="F-1")
        payout = payouts.record(case, db.session.get(Staff, staff_id), line_id, entry)
        db.session.commit()
        return payout.id


def _receipt(app, payout_id: int) -> Receipt | None:
    with app.app_context():
        receipt = db.session.scalar(sa.select(Receipt).where(Receipt.payout_id == payout_id))
        if receipt is not None:
            db.session.expunge(receipt)
        return receipt


def _state(app, case_id: int) -> list[tuple[str, bool]]:
    with app.app_context():
        return [(v.state, v.overdue) for v in services.views_of(db.session.get(Case, case_id))]


@pytest.fixture
def case_id(app, team_a) -> int:
    return _plan(app, team_a)


@pytest.fixture
def finance_id(app, team_a) -> int:
    return _finance(app, team_a.team_id)


@pytest.fixture
def paid(app, case_id, finance_id) -> int:
    """An own-account transfer of today: its receipt's id."""
    return _receipt(app, _pay(app, case_id, finance_id)).id


def hand_in(client, receipt_id: int, data: bytes, name: str, **kwargs):
    return client.post(f"/me/receipts/{receipt_id}",
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", **kwargs)


def _latest_upload(app, receipt_id: int) -> int:
    with app.app_context():
        return db.session.scalars(sa.select(ReceiptUpload.id).where(
            ReceiptUpload.receipt_id == receipt_id).order_by(ReceiptUpload.id.desc())).first()


# -- expected, and when ---------------------------------------------------------------------------


def test_an_own_account_transfer_expects_a_receipt_in_14_days_an_invoice_none(
        app, case_id, finance_id):
    transfer = _pay(app, case_id, finance_id, paid_on=TODAY - timedelta(days=2))
    invoice = _pay(app, case_id, finance_id, line=1, amount=COURSE_FEE)
    assert _receipt(app, transfer).due_on == TODAY - timedelta(days=2) + timedelta(days=14)
    assert _receipt(app, invoice) is None
    assert _state(app, case_id) == [("due", False)]


def test_the_team_lead_changes_the_days_for_transfers_recorded_from_then_on(
        app, case_id, finance_id):
    first = _pay(app, case_id, finance_id, amount=200)
    lead = signed_in_staff(app, LEAD_A)
    page = lead.get("/settings").get_data(as_text=True)
    assert 'name="days"' in page and 'value="14"' in page
    response = lead.post("/settings/receipt-days", data={"days": "7"})
    assert response.status_code == 303
    assert 'value="7"' in lead.get("/settings").get_data(as_text=True)
    second = _pay(app, case_id, finance_id, amount=300)
    assert _receipt(app, second).due_on == TODAY + timedelta(days=7)
    assert _receipt(app, first).due_on == TODAY + timedelta(days=14)  # a date given stays
    refused = lead.post("/settings/receipt-days", data={"days": "0"}, headers=HX)
    assert refused.status_code == 422 and refused.headers["HX-Retarget"] == "#receipt-days-message"
    assert "Vælg mellem 1 og 90 dage." in refused.get_data(as_text=True)
    assert signed_in_staff(app, CONSULTANT_A).post(
        "/settings/receipt-days", data={"days": "5"}).status_code == 403


def test_a_reversed_payout_s_receipt_is_no_longer_due(app, case_id, finance_id, paid):
    with app.app_context():
        case = db.session.get(Case, case_id)
        payout_id = db.session.get(Receipt, paid).payout_id
        payouts.reverse(case, db.session.get(Staff, finance_id), payout_id, "Forkert beløb")
        db.session.commit()
    assert _state(app, case_id) == [("cancelled", False)]
    with app.app_context():  # the reversal itself expects nothing
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)) == 1


# -- the citizen hands it in ------------------------------------------------------------------


def test_the_citizen_photographs_the_receipt_exif_gone_stored_privately(
        app, team_a, case_id, paid):
    phone = signed_in_citizen(app, team_a)
    page = phone.get("/me/plan").get_data(as_text=True)
    assert f'id="receipt-{paid}"' in page
    assert 'accept="image/*,application/pdf" capture="environment"' in page
    response = hand_in(phone, paid, jpeg_with_gps(), "IMG_0042.jpg", headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f'id="receipt-{paid}"' in body and "Tak: kvitteringen er afleveret." in body
    with app.app_context():
        upload = db.session.scalars(sa.select(ReceiptUpload)).one()
        path = files.path_for(upload.storage_name)
        assert upload.original_name == "IMG_0042.jpg" and upload.content_type == "image/jpeg"
        assert upload.storage_name != "IMG_0042.jpg" and (path.stat().st_mode & 0o777) == 0o600
        with Image.open(path) as stored:
            assert not stored.getexif() and "exif" not in stored.info
        assert b"TestPhone" not in path.read_bytes()
        [event] = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "receipt_uploaded")).all()
        assert event.actor_citizen_id == team_a.citizens[0][0]
        assert event.details["kind"] == "image" and event.details["amount"] == PAID
        notice = db.session.scalars(sa.select(Notification).where(
            Notification.kind == "receipt_handed_in")).one()
        assert notice.staff_id == team_a.consultant_id and notice.link == f"/cases/{case_id}"
    assert _state(app, case_id) == [("handed_in", False)]
    served = phone.get(f"/receipts/files/{upload.id}", buffered=True)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("data, name", [
    (b"MZ\x90\x00\x03" + b"\x00" * 60, "kvittering.exe"),
    (b"Kvittering: 1.200 kr.", "kvittering.txt"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "kvittering.pdf"),
])
def test_a_file_that_is_no_photo_or_pdf_is_refused_in_place(app, team_a, case_id, paid, data,
                                                           name):
    phone = signed_in_citizen(app, team_a)
    response = hand_in(phone, paid, data, name, headers=HX)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == f"#receipt-{paid}-message"
    assert "Kun PDF-, JPEG- og PNG-filer" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReceiptUpload)) == 0
    # without JavaScript: the plan page again, saying why beside the receipt
    page = hand_in(phone, paid, data, name)
    assert page.status_code == 422 and "Kun PDF-, JPEG- og PNG-filer" in page.get_data(
        as_text=True) and f'id="receipt-{paid}-message"' in page.get_data(as_text=True)


def test_a_pdf_is_handed_in_and_served_as_a_download(app, team_a, case_id, paid):
    phone = signed_in_citizen(app, team_a)
    assert hand_in(phone, paid, PDF, "bon.pdf").status_code == 303
    upload = _latest_upload(app, paid)
    consultant = signed_in_staff(app, CONSULTANT_A)
    page = consultant.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'href="/receipts/files/{upload}"' in page and "bon.pdf" in page
    served = consultant.get(f"/receipts/files/{upload}", buffered=True)
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment")


# -- accepted, or asked again ---------------------------------------------------------------------


def test_the_consultant_asks_again_with_a_reason_then_accepts(app, team_a, case_id, paid):
    phone = signed_in_citizen(app, team_a)
    hand_in(phone, paid, jpeg_with_gps(), "bon.jpg")
    first = _latest_upload(app, paid)
    consultant = signed_in_staff(app, CONSULTANT_A)
    url = f"/cases/{case_id}/receipts/{paid}/review"
    page = consultant.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'<img src="/receipts/files/{first}"' in page
    no_reason = consultant.post(url, data={"upload_id": first, "verdict": "asked_again",
                                           "reason": " "}, headers=HX)
    assert no_reason.status_code == 422
    assert no_reason.headers["HX-Retarget"] == f"#receipt-{paid}-review-message"
    assert "Skriv hvorfor kvitteringen skal afleveres igen." in no_reason.get_data(as_text=True)
    asked = consultant.post(url, data={"upload_id": first, "verdict": "asked_again",
                                       "reason": "Beløbet kan ikke læses"}, headers=HX)
    assert asked.status_code == 200 and f'id="receipts-{case_id}"' in asked.get_data(
        as_text=True)
    assert _state(app, case_id) == [("asked_again", False)]
    mine = phone.get("/me/plan").get_data(as_text=True)
    assert "Beløbet kan ikke læses" in mine
    with app.app_context():
        assert db.session.scalars(sa.select(Notification.citizen_id).where(
            Notification.kind == "receipt_asked_again")).all() == [team_a.citizens[0][0]]
    hand_in(phone, paid, PDF, "bon-igen.pdf")
    second = _latest_upload(app, paid)
    # a verdict on the first upload, from a page loaded before the second: refused
    stale = consultant.post(url, data={"upload_id": first, "verdict": "accepted"}, headers=HX)
    assert stale.status_code == 422 and "Der er afleveret en ny kvittering" in stale.get_data(
        as_text=True)
    assert consultant.post(url, data={"upload_id": second, "verdict": "accepted"},
                           headers=HX).status_code == 200
    assert _state(app, case_id) == [("accepted", False)]
    again = hand_in(phone, paid, PDF, "en-til.pdf", headers=HX)
    assert again.status_code == 422 and "allerede godkendt" in again.get_data(as_text=True)
    twice = consultant.post(url, data={"upload_id": second, "verdict": "accepted"}, headers=HX)
    assert twice.status_code == 422
    with app.app_context():
        trail = [(e.action, e.reason) for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action.like("receipt_%"))
            .order_by(AuditEvent.id))]
    assert trail == [("receipt_uploaded", ""), ("receipt_asked_again", "Beløbet kan ikke læses"),
                     ("receipt_uploaded", ""), ("receipt_accepted", "")]


def test_finance_accepts_on_its_payout_page_without_javascript(app, team_a, case_id, paid):
    hand_in(signed_in_citizen(app, team_a), paid, jpeg_with_gps(), "bon.jpg")
    finance = signed_in_staff(app, FINANCE_A)
    response = finance.post(f"/cases/{case_id}/receipts/{paid}/review",
                            data={"upload_id": _latest_upload(app, paid), "verdict": "accepted"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/payouts/cases/{case_id}#receipts-{case_id}")
    assert _state(app, case_id) == [("accepted", False)]


# -- repayment claims -----------------------------------------------------------------------------


def test_a_missing_receipt_is_claimed_back_once_at_most_what_was_paid(app, case_id, finance_id):
    receipt = _receipt(app, _pay(app, case_id, finance_id,
                                 paid_on=TODAY - timedelta(days=20))).id
    fresh = _receipt(app, _pay(app, case_id, finance_id, amount=100)).id
    consultant = signed_in_staff(app, CONSULTANT_A)
    url = f"/cases/{case_id}/receipts/{receipt}/claim"
    not_yet = consultant.post(f"/cases/{case_id}/receipts/{fresh}/claim",
                              data={"amount": "100", "reason": "Ingen kvittering"}, headers=HX)
    assert not_yet.status_code == 422  # due, not overdue: nothing to claim yet
    too_much = consultant.post(url, data={"amount": str(PAID + 1), "reason": "Ingen"},
                               headers=HX)
    assert too_much.status_code == 422
    assert too_much.headers["HX-Retarget"] == f"#receipt-{receipt}-claim-message"
    assert "Det er mere end der blev udbetalt (1.200 kr.)." in too_much.get_data(as_text=True)
    no_reason = consultant.post(url, data={"amount": "500", "reason": ""}, headers=HX)
    assert no_reason.status_code == 422
    assert consultant.post(url, data={"amount": "1.200", "reason": "Ingen kvittering afleveret"},
                           headers=HX).status_code == 200
    assert consultant.post(url, data={"amount": "1", "reason": "Igen"},
                           headers=HX).status_code == 422
    with app.app_context():
        claim = db.session.scalars(sa.select(RepaymentClaim)).one()
        assert (claim.amount, claim.reason, claim.recorded_by_id) == (
            PAID, "Ingen kvittering afleveret", claim.recorded_by_id)
        event = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "repayment_claimed")).one()
        assert event.details["amount"] == PAID and event.reason == "Ingen kvittering afleveret"
    page = consultant.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Tilbagebetaling krævet: 1.200 kr., Ingen kvittering afleveret" in page


def test_the_records_are_append_only(app, paid):
    with app.app_context():
        with pytest.raises(DatabaseError):
            db.session.execute(sa.update(Receipt).values(due_on=TODAY))
            db.session.flush()
        db.session.rollback()
        with pytest.raises(DatabaseError):
            db.session.execute(sa.delete(Receipt))
            db.session.flush()


# -- overdue: flagged, reminded once ------------------------------------------------------------


def _overdue(app, case_id: int, finance_id: int) -> int:
    return _receipt(app, _pay(app, case_id, finance_id, paid_on=TODAY - timedelta(days=15))).id


def test_an_overdue_receipt_is_flagged_in_the_queue_and_on_the_case(app, case_id, finance_id):
    _overdue(app, case_id, finance_id)
    consultant = signed_in_staff(app, CONSULTANT_A)
    queue = consultant.get("/queue?view=team&state=approved").get_data(as_text=True)
    row = re.search(rf'<tr class="state-approved[^"]*">(?:(?!</tr>).)*TET-{case_id:05d}'
                    r'(?:(?!</tr>).)*</tr>', queue, re.S).group(0)
    assert "1 kvittering forsinket" in row
    assert "Fristen er overskredet" in consultant.get(f"/cases/{case_id}").get_data(as_text=True)


def test_flask_remind_reminds_citizen_and_consultant_once_per_receipt_by_link(
        app, team_a, case_id, finance_id):
    _overdue(app, case_id, finance_id)
    _pay(app, case_id, finance_id, amount=50)  # not overdue yet: nothing
    with app.app_context():
        db.session.get(Citizen, team_a.citizens[0][0]).email = "anna@example.dk"
        db.session.get(Staff, team_a.consultant_id).email = "con@teama.dk"
        db.session.commit()
    runner = app.test_cli_runner()
    with smtp_inbox() as (port, inbox):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="teten@kommune.dk")
        first = runner.invoke(args=["remind"])
        second = runner.invoke(args=["remind"])
    assert first.exit_code == 0 and "2 reminder(s)" in first.output
    assert "0 reminder(s)" in second.output
    with app.app_context():
        notes = db.session.scalars(sa.select(Notification).where(
            Notification.kind == "receipt_due")).all()
        assert sorted((n.citizen_id or 0, n.staff_id or 0, n.link) for n in notes) == [
            (0, team_a.consultant_id, f"/cases/{case_id}"),
            (team_a.citizens[0][0], 0, "/me/plan")]
        assert {n.about_day for n in notes} == {TODAY - timedelta(days=1)}  # the due date
    assert sorted(m.rcpt_tos[0] for m in inbox) == ["anna@example.dk", "con@teama.dk"]
    for mail in inbox:
        body = mail.content.decode()
        assert "/me/plan" in body or f"/cases/{case_id}" in body
        for private in ("Arbejdssko", "1.200", "Citizen", MOTIVATION, "kvittering"):
            assert private not in body


def test_no_reminder_for_an_ended_case_or_an_accepted_receipt(app, team_a, make_world,
                                                              finance_id):
    ended = _plan(app, team_a, 0)
    accepted = _plan(app, team_a, 1)
    _overdue(app, ended, finance_id)
    receipt = _overdue(app, accepted, finance_id)
    hand_in(signed_in_citizen(app, team_a, 1), receipt, PDF, "bon.pdf")
    with app.app_context():
        consultant = db.session.get(Staff, team_a.consultant_id)
        services.review(db.session.get(Case, accepted), consultant, receipt,
                        _latest_upload(app, receipt), "accepted")
        case = db.session.get(Case, ended)
        case.state = approvals.CaseState.REJECTED
        db.session.commit()
        assert services.remind_receipts() == []
        assert services.overdue_by_case([ended, accepted]) == {}


# -- who sees what --------------------------------------------------------------------------------


def test_another_citizen_and_another_team_get_404(app, team_a, make_world, case_id, paid):
    hand_in(signed_in_citizen(app, team_a), paid, jpeg_with_gps(), "bon.jpg")
    upload = _latest_upload(app, paid)
    other_citizen = signed_in_citizen(app, team_a, 1)
    assert other_citizen.get(f"/receipts/files/{upload}", buffered=True).status_code == 404
    assert hand_in(other_citizen, paid, PDF, "x.pdf").status_code == 404
    make_world("Team B")
    _finance(app, _team_b(app), "fin@teamb.dk")
    for email in ("con@teamb.dk", "lead@teamb.dk", "fin@teamb.dk"):
        other = signed_in_staff(app, email)
        assert other.get(f"/receipts/files/{upload}", buffered=True).status_code == 404, email
        assert other.post(f"/cases/{case_id}/receipts/{paid}/review",
                          data={"upload_id": upload, "verdict": "accepted"}
                          ).status_code == 404, email
        assert other.post(f"/cases/{case_id}/receipts/{paid}/claim",
                          data={"amount": "1", "reason": "x"}).status_code == 404, email
    facilitator = signed_in_staff(app, "fac@teama.dk")
    assert facilitator.get(f"/receipts/files/{upload}", buffered=True).status_code == 403
    assert _state(app, case_id) == [("handed_in", False)]


def _team_b(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Team.id).where(Team.name == "Team B"))


def test_finance_sees_the_receipt_but_none_of_the_plan_s_texts(app, team_a, case_id, paid):
    hand_in(signed_in_citizen(app, team_a), paid, jpeg_with_gps(), "bon.jpg")
    upload = _latest_upload(app, paid)
    finance = signed_in_staff(app, FINANCE_A)
    page = finance.get(f"/payouts/cases/{case_id}").get_data(as_text=True)
    assert f'id="receipts-{case_id}"' in page and f'src="/receipts/files/{upload}"' in page
    assert "Godkend kvitteringen" in page
    for private in (MOTIVATION, CHANGE, RATING_NOTE, "Kan stå på lageret"):
        assert private not in page
    answer = finance.post(f"/cases/{case_id}/receipts/{paid}/review",
                          data={"upload_id": upload, "verdict": "asked_again",
                                "reason": "Uskarpt"}, headers=HX).get_data(as_text=True)
    for private in (MOTIVATION, CHANGE, RATING_NOTE):
        assert private not in answer
    assert finance.get(f"/receipts/files/{upload}", buffered=True).status_code == 200
    assert finance.get(f"/cases/{case_id}").status_code == 403  # never the case page


def test_finance_loses_sight_of_an_ended_case_s_receipts(app, team_a, case_id, paid):
    hand_in(signed_in_citizen(app, team_a), paid, PDF, "bon.pdf")
    upload = _latest_upload(app, paid)
    with app.app_context():
        db.session.get(Case, case_id).state = approvals.CaseState.REJECTED
        db.session.commit()
    finance = signed_in_staff(app, FINANCE_A)
    assert finance.get(f"/receipts/files/{upload}", buffered=True).status_code == 404
    # the job consultant still sees them (a repayment claim may follow the ending)
    assert signed_in_staff(app, CONSULTANT_A).get(
        f"/receipts/files/{upload}", buffered=True).status_code == 200


def test_payout_services_still_refuse_on_their_own(app, case_id, finance_id):
    """The receipt is expected in the payout's transaction: a refused payout expects none."""
    with app.app_context():
        case = db.session.get(Case, case_id)
        line_id = case.current.content["lines"][0]["id"]
        with pytest.raises(payouts.PayoutError):
            payouts.record(case, db.session.get(Staff, finance_id), line_id,
                           payouts.Entry(amount=str(SHOES + 1), paid_on=TODAY.isoformat()))
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Payout)) == 0


def test_the_receipts_read_in_danish_and_in_english(app, team_a, case_id, paid):
    phone = signed_in_citizen(app, team_a)
    assert "Tag et billede af kvitteringen" in phone.get("/me/plan").get_data(as_text=True)
    phone.post("/language", data={"lang": "en", "next": "/me/plan"})
    page = phone.get("/me/plan").get_data(as_text=True)
    assert "Photograph the receipt" in page and "Not handed in" in page
    refused = hand_in(phone, paid, b"just text", "receipt.txt", headers=HX)
    assert "Only PDF, JPEG and PNG files" in refused.get_data(as_text=True)
