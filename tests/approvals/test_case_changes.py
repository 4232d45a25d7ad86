"""'What changed since version 1' in the UI's words: each changed field of a line by the name
the editor gives it, amounts in kroner, dates in words, categories and payment methods by
name, lines added and removed, documentation attached and removed."""

from __future__ import annotations

import copy
from types import SimpleNamespace

from course.approvals.labels import change_label, change_values
from course.approvals.services import changes

LINE = {"id": 7, "title": "Truckcertifikat", "category": "education", "amount": 5999,
        "need_date": "2027-01-04", "price_source": "", "payment_method": "invoice",
        "private": False, "change": "Jeg får certifikatet", "job_effect": "", "assumptions": "",
        "attachments": [{"id": 1, "name": "tilbud.pdf"}]}
PLAN = {"goal": "Job på lager", "motivation": "", "lines": [LINE],
        "strategy": {"continue": [], "stop": [], "start": []}, "total": 5999, "cap": 50000}


def _version(content):
    return SimpleNamespace(content=content)


def _shown(app, old, new) -> list[str]:
    with app.test_request_context():
        out = []
        for change in changes(_version(old), _version(new)):
            before, after = change_values(change)
            out.append(f"{change_label(change)} | {before} -> {after}")
        return out


def test_each_changed_field_is_named_and_shown_as_the_editor_shows_it(app):
    new = copy.deepcopy(PLAN)
    line = new["lines"][0]
    line.update(amount=4499, price_source="Tilbud fra AMU Syd", category="tools",
                payment_method="own_account", need_date="2027-02-01", private=True)
    shown = _shown(app, PLAN, new)
    assert "Truckcertifikat: Pris | 5.999 kr. -> 4.499 kr." in shown
    assert "Truckcertifikat: Hvor prisen kommer fra |  -> Tilbud fra AMU Syd" in shown
    assert any(s.startswith("Truckcertifikat: Kategori | Uddannelse") for s in shown), shown
    assert any(s.startswith("Truckcertifikat: Foreslået betaling | Faktura") for s in shown)
    assert "Truckcertifikat: Forventet behovsdato | 4. januar 2027 -> 1. februar 2027" in shown
    assert "Truckcertifikat: Privat | Nej -> Ja" in shown
    text = "\n".join(shown)
    for code in ("price_source", "amount", "5999", "payment_method", "own_account", "2027-01-04"):
        assert code not in text, code


def test_lines_and_documentation_added_and_removed_are_listed(app):
    new = copy.deepcopy(PLAN)
    new["lines"][0]["attachments"] = [{"id": 2, "name": "skærmbillede.png"}]
    new["lines"].append({**copy.deepcopy(LINE), "id": 8, "title": "Arbejdssko", "amount": 800,
                         "attachments": []})
    shown = _shown(app, PLAN, new)
    assert "Dokumentation vedhæftet Truckcertifikat |  -> skærmbillede.png" in shown
    assert "Dokumentation fjernet fra Truckcertifikat | tilbud.pdf -> " in shown
    assert "Ny budgetpost: Arbejdssko |  -> Arbejdssko · 800 kr." in shown
    back = _shown(app, new, PLAN)
    assert "Budgetpost fjernet: Arbejdssko | Arbejdssko · 800 kr. -> " in back


def test_nothing_changed_is_no_change(app):
    assert _shown(app, PLAN, copy.deepcopy(PLAN)) == []
