"""The budget tool's domain: field saves with compare-and-set versions, money, completeness."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from course.budgets import services
from course.budgets.models import (
    BudgetLine,
    Category,
    Draft,
    FieldVersion,
    PaymentMethod,
    StrategyKind,
)
from course.budgets.services import FieldConflict, FieldInvalid, UnknownField
from course.extensions import db
from course.people.models import Citizen


@pytest.fixture
def citizen_draft(app, team_a):
    """Citizen 0's new draft, inside an app context: yields (team_a, the draft)."""
    with app.app_context():
        citizen = db.session.get(Citizen, team_a.citizens[0][0])
        draft, created = services.draft_for(citizen)
        assert created
        db.session.commit()
        yield team_a, draft


def _version(key: str) -> int:
    return services.current_version(key)


# -- the draft ----------------------------------------------------------------------------------


def test_one_draft_per_citizen(citizen_draft):
    world, draft = citizen_draft
    again, created = services.draft_for(draft.citizen)
    assert again.id == draft.id and not created
    assert db.session.scalar(sa.select(sa.func.count(Draft.id))) == 1
    assert services.draft_of(draft.citizen) is draft


# -- saving a field ---------------------------------------------------------------------------


def test_first_save_creates_version_one_and_next_save_bumps(citizen_draft):
    _, draft = citizen_draft
    key = f"draft:{draft.id}:goal"
    result = services.save_field(draft, key, "Lastbilchauffør", 0)
    db.session.commit()
    assert result.version == 1 and draft.goal == "Lastbilchauffør"
    result = services.save_field(draft, key, "Lastbilchauffør hos en vognmand", 1)
    db.session.commit()
    assert result.version == 2 and _version(key) == 2


def test_stale_save_of_the_same_field_is_a_conflict_with_their_text(citizen_draft):
    _, draft = citizen_draft
    key = f"draft:{draft.id}:goal"
    services.save_field(draft, key, "Tab A's goal", 0)
    db.session.commit()
    with pytest.raises(FieldConflict) as conflict:
        services.save_field(draft, key, "Tab B's goal", 0)
    db.session.rollback()
    assert conflict.value.theirs == "Tab A's goal"
    assert conflict.value.version == 1
    db.session.refresh(draft)
    assert draft.goal == "Tab A's goal"
    # Keeping mine knowingly: save again based on the server's version.
    result = services.save_field(draft, key, "Tab B's goal", conflict.value.version)
    db.session.commit()
    assert result.version == 2 and draft.goal == "Tab B's goal"


def test_stale_save_of_the_text_already_stored_is_no_conflict(citizen_draft):
    _, draft = citizen_draft
    key = f"draft:{draft.id}:goal"
    services.save_field(draft, key, "Same", 0)
    services.save_field(draft, key, "Same", 1)
    db.session.commit()
    result = services.save_field(draft, key, "Same", 1)
    assert result.version == 2


def test_different_fields_from_two_tabs_both_stand(citizen_draft):
    _, draft = citizen_draft
    line = services.add_line(draft)
    db.session.commit()
    services.save_field(draft, f"draft:{draft.id}:goal", "Goal from tab A", 0)
    services.save_field(draft, f"line:{line.id}:title", "Title from tab B", 0)
    services.save_field(draft, f"line:{line.id}:change", "Change from tab B", 0)
    db.session.commit()
    db.session.expire_all()
    assert draft.goal == "Goal from tab A"
    assert line.title == "Title from tab B" and line.change == "Change from tab B"


def test_a_version_from_the_future_or_garbage_is_stale(citizen_draft):
    _, draft = citizen_draft
    key = f"draft:{draft.id}:goal"
    services.save_field(draft, key, "Real", 0)
    db.session.commit()
    for version in (7, -3, None):
        with pytest.raises(FieldConflict):
            services.save_field(draft, key, "Forged", version)
        db.session.rollback()
    assert draft.goal == "Real"


def test_concurrent_saves_of_one_field_never_both_win(app, citizen_draft):
    """Two requests based on the same version, at the same moment: exactly one is stored."""
    world, draft = citizen_draft
    key = f"draft:{draft.id}:motivation"
    services.save_field(draft, key, "start", 0)
    db.session.commit()
    draft_id = draft.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def writer(text: str) -> None:
        with app.app_context():
            mine = db.session.get(Draft, draft_id)
            barrier.wait()
            try:
                services.save_field(mine, key, text, 1)
                db.session.commit()
                outcomes.append("saved")
            except FieldConflict as err:
                db.session.rollback()
                outcomes.append(f"conflict:{err.theirs}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "saved"]
    db.session.expire_all()
    stored = db.session.get(Draft, draft_id).motivation
    loser = next(o for o in outcomes if o.startswith("conflict"))
    assert loser == f"conflict:{stored}"  # the loser was shown exactly what won
    assert _version(key) == 2


def test_concurrent_first_saves_never_both_win(app, citizen_draft):
    world, draft = citizen_draft
    key = f"draft:{draft.id}:goal"
    draft_id = draft.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def writer(text: str) -> None:
        with app.app_context():
            mine = db.session.get(Draft, draft_id)
            barrier.wait()
            try:
                services.save_field(mine, key, text, 0)
                db.session.commit()
                outcomes.append("saved")
            except FieldConflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("A", "B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    assert _version(key) == 1


# -- what can be named, and what values are accepted ---------------------------------------------


def test_only_editable_fields_of_this_draft_can_be_named(app, citizen_draft, make_world):
    world, draft = citizen_draft
    other = db.session.get(Citizen, world.citizens[1][0])
    other_draft, _ = services.draft_for(other)
    other_line = services.add_line(other_draft)
    db.session.commit()
    for key in [
        f"draft:{other_draft.id}:goal",  # another draft
        f"line:{other_line.id}:title",  # a line of another draft
        f"draft:{draft.id}:citizen_id",  # not an editable attribute
        f"draft:{draft.id}:course_id",
        f"line:{other_line.id}:draft_id",
        "line:999999:title",
        "drafts:1:goal", "", "draft:1:goal; DROP TABLE drafts", f"draft:{draft.id}:__class__",
    ]:
        with pytest.raises(UnknownField):
            services.save_field(draft, key, "x", 0)
        db.session.rollback()
    db.session.refresh(other_line)
    assert other_line.title == ""


@pytest.mark.parametrize("raw, code", [
    ("-500", "negative"),
    ("1.234,50", "ore"),
    ("12,5", "ore"),
    ("femhundrede", "not_a_number"),
    ("1e309", "not_a_number"),
    ("NaN", "not_a_number"),
    ("99999999999999999999999", "too_large"),
    ("2.000.000", "too_large"),
    ("0", "not_positive"),
])
def test_bad_amounts_are_refused_and_nothing_is_stored(citizen_draft, raw, code):
    _, draft = citizen_draft
    line = services.add_line(draft)
    services.save_field(draft, f"line:{line.id}:amount", "4.000", 0)
    db.session.commit()
    with pytest.raises(FieldInvalid) as refused:
        services.save_field(draft, f"line:{line.id}:amount", raw, 1)
    db.session.rollback()
    assert refused.value.code == code
    db.session.refresh(line)
    assert line.amount == 4000
    assert _version(f"line:{line.id}:amount") == 1


@pytest.mark.parametrize("raw, amount", [
    ("12.500", 12500), ("12500", 12500), ("12.500 kr.", 12500), ("12.500,-", 12500),
    ("12.500,00", 12500), (" 800 ", 800), ("", None),
])
def test_danish_amounts_are_read_as_whole_kroner(citizen_draft, raw, amount):
    _, draft = citizen_draft
    line = services.add_line(draft)
    services.save_field(draft, f"line:{line.id}:amount", raw, 0)
    assert line.amount == amount


def test_dates_choices_switches_and_lengths(citizen_draft):
    _, draft = citizen_draft
    line = services.add_line(draft)
    lid = line.id
    services.save_field(draft, f"line:{lid}:need_date", "2027-02-01", 0)
    assert line.need_date == date(2027, 2, 1)
    services.save_field(draft, f"line:{lid}:need_date", "15.03.2027", 1)
    assert line.need_date == date(2027, 3, 15)
    for bad in ("31.02.2027", "0024-01-01", "soon"):
        with pytest.raises(FieldInvalid) as refused:
            services.save_field(draft, f"line:{lid}:need_date", bad, 2)
        assert refused.value.code == "date"
    services.save_field(draft, f"line:{lid}:category", "driving_licence", 0)
    assert line.category == Category.DRIVING_LICENCE
    with pytest.raises(FieldInvalid):
        services.save_field(draft, f"line:{lid}:category", "yacht", 1)
    services.save_field(draft, f"line:{lid}:payment_method", "own_account", 0)
    assert line.payment_method == PaymentMethod.OWN_ACCOUNT
    services.save_field(draft, f"line:{lid}:private", "1", 0)
    assert line.private is True
    services.save_field(draft, f"line:{lid}:private", "", 1)
    assert line.private is False
    with pytest.raises(FieldInvalid) as refused:
        services.save_field(draft, f"line:{lid}:title", "x" * 161, 0)
    assert refused.value.code == "too_long" and refused.value.params["max"] == 160
    services.save_field(draft, f"line:{lid}:change", "a\r\nb\x00c", 0)
    assert line.change == "a\nbc"


def test_cpr_shaped_text_is_saved_with_a_warning(citizen_draft):
    _, draft = citizen_draft
    result = services.save_field(draft, f"draft:{draft.id}:motivation",
                                 "Mit cpr er 010190-1234, spørg bare", 0)
    assert result.cpr_warning and draft.motivation.startswith("Mit cpr")
    result = services.save_field(draft, f"draft:{draft.id}:goal", "Ring på +4512345678", 0)
    assert not result.cpr_warning
    added = services.add_strategy_item(draft, StrategyKind.START, "0101901234 er mit nummer")
    assert added.cpr_warning


# -- lines and strategy ----------------------------------------------------------------------


def test_lines_are_added_moved_and_removed_with_their_versions(citizen_draft):
    _, draft = citizen_draft
    a, b, c = (services.add_line(draft) for _ in range(3))
    services.save_field(draft, f"line:{b.id}:title", "B", 0)
    assert [x.id for x in draft.lines] == [a.id, b.id, c.id]
    assert services.move_line(draft, c, "up")
    db.session.commit()
    db.session.expire_all()
    assert [x.id for x in draft.lines] == [a.id, c.id, b.id]
    assert not services.move_line(draft, a, "up")
    assert not services.move_line(draft, b, "down")
    assert not services.move_line(draft, b, "sideways")
    services.delete_line(draft, b)
    db.session.commit()
    db.session.expire_all()
    assert [x.id for x in draft.lines] == [a.id, c.id]
    assert db.session.get(BudgetLine, b.id) is None
    assert db.session.scalar(sa.select(FieldVersion).where(
        FieldVersion.key.like(f"line:{b.id}:%"))) is None


def test_strategy_lists_keep_the_methods_order(citizen_draft):
    _, draft = citizen_draft
    services.add_strategy_item(draft, StrategyKind.START, "Stå op kl. 7")
    services.add_strategy_item(draft, StrategyKind.CONTINUE, "Gå ture")
    services.add_strategy_item(draft, StrategyKind.START, "Søge 3 job om ugen")
    lists = services.strategy_lists(draft)
    assert list(lists) == [StrategyKind.CONTINUE, StrategyKind.STOP, StrategyKind.START]
    assert [i.text for i in lists[StrategyKind.START]] == ["Stå op kl. 7", "Søge 3 job om ugen"]
    with pytest.raises(FieldInvalid):
        services.add_strategy_item(draft, StrategyKind.STOP, "   ")
    with pytest.raises(FieldInvalid):
        services.add_strategy_item(draft, StrategyKind.STOP, "x" * 501)
    item = lists[StrategyKind.CONTINUE][0]
    services.delete_strategy_item(draft, item)
    assert services.strategy_lists(draft)[StrategyKind.CONTINUE] == []


# -- money and completeness ------------------------------------------------------------------


def _complete(draft: Draft, amounts: tuple[int, ...] = (20_000, 15_000)) -> None:
    draft.goal = "Lastbilchauffør"
    draft.motivation = "Jeg vil køre lastbil."
    for amount in amounts:
        line = services.add_line(draft)
        line.title, line.amount = "Kørekort", amount
        line.change, line.job_effect = "Jeg får C-kørekort", "Vognmænd mangler chauffører"
        line.price_source = "Køreskolens prisliste"
        line.no_documentation = "Prislisten hænger i køreskolen"
    for kind in StrategyKind:
        services.add_strategy_item(draft, kind, "Noget")
    db.session.flush()


def test_a_complete_draft_within_the_cap_can_be_submitted(citizen_draft):
    _, draft = citizen_draft
    assert not services.can_submit(draft)
    _complete(draft)
    check = services.completeness(draft)
    assert check.complete and check.missing == []
    assert services.can_submit(draft)
    assert services.totals(draft).total == 35_000
    assert services.totals(draft).remaining == 15_000


def test_an_over_cap_draft_is_saved_flagged_and_cannot_be_submitted(citizen_draft):
    _, draft = citizen_draft
    _complete(draft, (30_000, 25_000))
    budget = services.totals(draft)
    assert budget.over_cap and budget.excess == 5_000 and budget.remaining == 0
    assert services.completeness(draft).missing == ["within_cap"]
    assert not services.can_submit(draft)
    draft.course.budget_cap = 60_000  # a course may set its own cap
    assert services.can_submit(draft)


def test_the_checklist_names_what_is_missing(citizen_draft):
    _, draft = citizen_draft
    check = services.completeness(draft)
    assert check.missing == ["goal", "motivation", "lines", "line_details", "price_sources",
                             "documentation", "change_theories", "strategy_continue",
                             "strategy_stop", "strategy_start"]
    _complete(draft)
    bare = services.add_line(draft)
    bare.title, bare.amount, bare.change = "Laptop", 4_000, "Jeg kan skrive ansøgninger"
    check = services.completeness(draft)
    # a change without the job effect is half; the laptop's price has no source or document
    assert check.missing == ["price_sources", "documentation", "change_theories"]
    for code in check.missing:
        assert next(c for c in check.checks if c.code == code).lines == (bare,)
    bare.price_source = "Elgiganten.dk"
    bare.no_documentation = "Skærmbillede følger"  # a reason stands for an attachment
    bare.job_effect = "Jeg kan søge job hjemmefra"
    assert services.completeness(draft).missing == []


def test_the_deadline_and_a_late_plan(citizen_draft):
    _, draft = citizen_draft
    citizen = draft.citizen
    assert services.completeness(draft).deadline is None  # no yes yet: no budget deadline
    citizen.decision, citizen.decided_on = "yes", date(2026, 1, 1)
    check = services.completeness(draft, today=date(2026, 1, 20))
    assert check.deadline == date(2026, 1, 29) and check.days_left == 9 and not check.late
    check = services.completeness(draft, today=date(2026, 1, 29) + timedelta(days=1))
    assert check.late and check.days_left == -1


def test_an_attachment_documents_a_line_and_need_dates_are_warned_of_not_refused(citizen_draft):
    from datetime import date, timedelta

    from course.budgets.models import Attachment

    _, draft = citizen_draft
    _complete(draft, (4_000,))
    [line] = draft.lines
    line.no_documentation = ""
    assert services.completeness(draft).missing == ["documentation"]
    line.attachments.append(Attachment(storage_name="x", original_name="tilbud.pdf",
                                       content_type="application/pdf", size=10))
    assert services.completeness(draft).missing == []
    line.need_date = date.today() - timedelta(days=1)
    check = services.completeness(draft)
    assert check.complete and [w.code for w in check.warnings] == ["need_date_past"]
    line.need_date = date.today() + timedelta(days=400)
    assert [w.code for w in services.completeness(draft).warnings] == ["need_date_late"]
    line.need_date = date.today() + timedelta(days=30)
    assert services.completeness(draft).warnings == []


def test_saving_a_need_date_in_the_past_warns_and_keeps_it(citizen_draft):
    _, draft = citizen_draft
    line = services.add_line(draft)
    db.session.flush()
    result = services.save_field(draft, f"line:{line.id}:need_date", "01.01.2020", None)
    assert result.warning == "need_date_past" and line.need_date.year == 2020
    later = services.save_field(draft, f"line:{line.id}:need_date", "01.01.2090",
                                result.version)
    assert later.warning == "need_date_late"
