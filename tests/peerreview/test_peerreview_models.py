"""Tables, constraints, frozen snapshots, prompt sets and the peer view."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from peerreview import InvalidInput
from peerreview.models import Base, Feedback, Round, RoundParticipant, Snapshot, utcnow
from peerreview.prompts import DEFAULT_PROMPT_SET, default_prompt_set, validate_prompt_set
from peerreview.snapshots import freeze_content, peer_view, public_line_ids


def test_tables_are_prefixed_and_constraints_follow_the_naming_convention(engine):
    assert set(Base.metadata.tables) == {
        "pr_round",
        "pr_round_participant",
        "pr_snapshot",
        "pr_assignment",
        "pr_feedback",
    }
    inspector = inspect(engine)
    assert inspector.get_pk_constraint("pr_round")["name"] == "pk_pr_round"
    assert {c["name"] for c in inspector.get_check_constraints("pr_round")} >= {
        "ck_pr_round_state",
        "ck_pr_round_grouping",
        "ck_pr_round_group_size",
    }
    assert [u["name"] for u in inspector.get_unique_constraints("pr_round_participant")] == [
        "uq_pr_round_participant_round_id"
    ]
    assert {f["name"] for f in inspector.get_foreign_keys("pr_feedback")} == {
        "fk_pr_feedback_round_id_pr_round",
        "fk_pr_feedback_snapshot_id_pr_snapshot",
    }
    assert "ix_pr_feedback_round_snapshot" in {
        i["name"] for i in inspector.get_indexes("pr_feedback")
    }


def test_no_foreign_key_leaves_the_package():
    for table in Base.metadata.tables.values():
        for fk in table.foreign_keys:
            assert fk.column.table.name.startswith("pr_")


def test_round_defaults(session: Session, make_round):
    round_ = make_round()
    assert round_.state == "planned"
    assert round_.grouping == "groups"
    assert (round_.group_size, round_.min_feedback, round_.anonymous) == (4, 2, False)
    assert round_.prompt_set == DEFAULT_PROMPT_SET
    assert round_.version == 1
    assert round_.ends_at is None
    assert round_.created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("column", "value"),
    [("state", "paused"), ("grouping", "pairs"), ("group_size", 5), ("min_feedback", 0)],
)
def test_check_constraints_refuse_bad_rounds(session: Session, column, value):
    values = {"course_ref": 1, "title": "x", column: value}
    session.add(Round(**values))
    with pytest.raises(IntegrityError):
        session.flush()


def test_one_participant_row_per_person_and_round(session: Session, make_round):
    round_ = make_round()
    session.add_all([RoundParticipant(round_id=round_.id, person_ref=5) for _ in range(2)])
    with pytest.raises(IntegrityError):
        session.flush()


def test_feedback_text_length_is_checked_by_the_database_too(session: Session, open_room):
    round_ = open_room(3)
    snapshot = round_.snapshots[0]
    session.add(
        Feedback(
            round_id=round_.id,
            snapshot_id=snapshot.id,
            reviewer_ref=2,
            criterion="effect",
            stem="like",
            text="x" * 1001,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_times_come_back_timezone_aware_utc(session: Session, open_room):
    round_ = open_room(3)
    round_id = round_.id
    session.expire_all()
    reloaded = session.get(Round, round_id)
    assert reloaded.opened_at.tzinfo is not None
    assert reloaded.opened_at.utcoffset().total_seconds() == 0
    taken = session.scalars(select(Snapshot.taken_at)).first()
    assert taken.tzinfo is not None


def test_naive_datetimes_are_refused(session: Session, make_round):
    round_ = make_round()
    round_.opened_at = datetime(2026, 1, 1)  # naive
    with pytest.raises(StatementError, match="naive"):
        session.flush()


def test_version_counter_increases_on_every_update(session: Session, make_round):
    round_ = make_round()
    round_.title = "Ny titel"
    session.flush()
    assert round_.version == 2


# ----------------------------------------------------------------------------- snapshots


def test_freeze_keeps_only_known_fields_and_copies(draft_content):
    raw = draft_content(1)
    raw["lines"][0]["supplier_quote"] = "tilbud fra firma"
    frozen = freeze_content(raw)
    assert "attachments" not in frozen
    assert "supplier_quote" not in frozen["lines"][0]
    assert set(frozen) == {"goal", "lines", "strategy", "motivation", "motivation_shared"}
    raw["lines"][0]["title"] = "ændret bagefter"
    raw["lines"][1]["change_theory"]["activity"] = "ændret bagefter"
    assert frozen["lines"][0]["title"] == "Truckcertifikat"
    assert frozen["lines"][1]["change_theory"]["activity"] == "Købe sko"
    assert frozen["lines"][1]["private"] is False


def test_freeze_accepts_an_empty_draft():
    assert freeze_content({}) == {
        "goal": "",
        "lines": [],
        "strategy": "",
        "motivation": "",
        "motivation_shared": False,
    }


@pytest.mark.parametrize(
    "raw",
    [
        "not a dict",
        {"lines": "x"},
        {"lines": [{"title": "no id"}]},
        {"lines": [{"id": True}]},
        {"lines": [{"id": 1, "amount": 10.5}]},
        {"lines": [{"id": 1, "amount": -1}]},
        {"lines": [{"id": 1}, {"id": 1}]},
        {"lines": [{"id": 1, "title": 5}]},
        {"lines": [{"id": 1, "change_theory": 5}]},
        {"lines": [{"id": 1, "change_theory": {"a": float("nan")}}]},
        {"goal": ["x"]},
        {"strategy": 3},
    ],
)
def test_freeze_refuses_malformed_content(raw):
    with pytest.raises(InvalidInput) as err:
        freeze_content(raw)
    assert err.value.code == "invalid_snapshot"


def test_peer_view_leaves_private_lines_and_unshared_motivation_behind(draft_content):
    content = freeze_content(draft_content(1))
    view = peer_view(content)
    assert set(view) == {"goal", "lines", "strategy"}
    assert [line["title"] for line in view["lines"]] == ["Truckcertifikat", "Sikkerhedssko"]
    assert all("private" not in line for line in view["lines"])
    assert "Tandbehandling" not in repr(view) and "12000" not in repr(view)
    assert "arbejde igen" not in repr(view)


def test_peer_view_shows_motivation_only_when_shared(draft_content):
    content = freeze_content(draft_content(1, motivation_shared=True))
    view = peer_view(content)
    assert view["motivation"] == "Jeg vil gerne have et arbejde igen."
    assert "motivation_shared" not in view


def test_peer_view_is_a_copy(session: Session, open_room):
    snapshot = open_room(3).snapshots[0]
    view = snapshot.peer_view()
    view["lines"][0]["title"] = "manipuleret"
    assert snapshot.content["lines"][0]["title"] == "Truckcertifikat"


def test_public_line_ids(draft_content):
    assert public_line_ids(freeze_content(draft_content(4))) == {41, 42}


# ----------------------------------------------------------------------------- prompts


def test_default_prompt_set_is_the_three_approval_criteria():
    criteria = DEFAULT_PROMPT_SET["criteria"]
    assert [(c["key"], c["label"]) for c in criteria] == [
        ("effect", "Planen kan ændre jobchancerne"),
        ("realistic", "Planen er realistisk at gennemføre"),
        ("coherence", "Posterne og målet hænger sammen"),
    ]
    for criterion in criteria:
        assert [(s["key"], s["label"]) for s in criterion["stems"]] == [
            ("like", "Jeg kan lide…"),
            ("wish", "Jeg ønsker…"),
            ("whatif", "Hvad nu hvis…"),
        ]


def test_default_prompt_set_copies_are_independent():
    copy = default_prompt_set()
    copy["criteria"][0]["stems"][0]["label"] = "x"
    assert DEFAULT_PROMPT_SET["criteria"][0]["stems"][0]["label"] == "Jeg kan lide…"


def test_validate_prompt_set_normalises():
    raw = {
        "criteria": [
            {"key": "goal", "label": " Målet ", "extra": 1, "stems": [{"key": "q", "label": "?"}]}
        ],
        "other": 2,
    }
    assert validate_prompt_set(raw) == {
        "criteria": [{"key": "goal", "label": "Målet", "stems": [{"key": "q", "label": "?"}]}]
    }


@pytest.mark.parametrize(
    "raw",
    [
        None,
        {},
        {"criteria": []},
        {"criteria": [{"key": "a", "label": "A"}]},
        {"criteria": [{"key": "a", "label": "A", "stems": []}]},
        {"criteria": [{"key": "A b", "label": "A", "stems": [{"key": "s", "label": "S"}]}]},
        {"criteria": [{"key": "a", "label": " ", "stems": [{"key": "s", "label": "S"}]}]},
        {
            "criteria": [
                {"key": "a", "label": "A", "stems": [{"key": "s", "label": "S"}]},
                {"key": "a", "label": "B", "stems": [{"key": "s", "label": "S"}]},
            ]
        },
        {"criteria": [{"key": "a", "label": "A", "stems": [{"key": "s", "label": "x" * 201}]}]},
        {"criteria": ["a"]},
    ],
)
def test_validate_prompt_set_refuses_bad_sets(raw):
    with pytest.raises(InvalidInput) as err:
        validate_prompt_set(raw)
    assert err.value.code == "invalid_prompt_set"


def test_created_at_defaults_to_now():
    before = datetime.now(UTC)
    assert utcnow() >= before
