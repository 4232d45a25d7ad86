"""Fixtures of the round-domain tests: a fresh in-memory database per test, factories and a
clock. No Flask anywhere: ``peerreview`` must work on its own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from peerreview import services
from peerreview.models import Assignment, Base, Round

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def make_engine() -> Engine:
    """An in-memory SQLite database with the ``pr_`` tables and foreign keys enforced."""
    engine = create_engine("sqlite://")

    @event.listens_for(engine, "connect")
    def _foreign_keys(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    Base.metadata.create_all(engine)
    return engine


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = make_engine()
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@dataclass
class Clock:
    """A test clock: ``clock.now`` is fixed until ``clock.tick(seconds)``."""

    now: datetime = T0

    def tick(self, seconds: float = 1) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def draft_content(owner_ref: int, **overrides: Any) -> dict[str, Any]:
    """A realistic budget draft: two public lines and one private (dental) line."""
    content: dict[str, Any] = {
        "goal": f"Job som lagerarbejder ({owner_ref})",
        "lines": [
            {
                "id": owner_ref * 10 + 1,
                "title": "Truckcertifikat",
                "category": "kursus",
                "amount": 6500,
                "need_date": "2026-12-01",
                "change_theory": "Certifikat → kan søge lagerjob → job",
                "private": False,
            },
            {
                "id": owner_ref * 10 + 2,
                "title": "Sikkerhedssko",
                "category": "udstyr",
                "amount": 900,
                "change_theory": {"activity": "Købe sko", "change": "Klar til start"},
            },
            {
                "id": owner_ref * 10 + 3,
                "title": "Tandbehandling",
                "category": "sundhed",
                "amount": 12000,
                "change_theory": "Tør smile til samtalen",
                "private": True,
            },
        ],
        "strategy": {"continue": "Gå ture", "stop": "Sove længe", "start": "Søge 5 job om ugen"},
        "motivation": "Jeg vil gerne have et arbejde igen.",
        "motivation_shared": False,
        "attachments": ["tilbud.pdf"],  # never travels into a round
    }
    content.update(overrides)
    return content


def snapshot_input(owner_ref: int, **overrides: Any) -> services.SnapshotInput:
    return {
        "owner_ref": owner_ref,
        "draft_ref": 1000 + owner_ref,
        "draft_version": 3,
        "content": draft_content(owner_ref, **overrides),
    }


@pytest.fixture(name="draft_content")
def draft_content_fixture() -> Callable[..., dict[str, Any]]:
    """The :func:`draft_content` factory."""
    return draft_content


@pytest.fixture(name="snapshot_input")
def snapshot_input_fixture() -> Callable[..., services.SnapshotInput]:
    """The :func:`snapshot_input` factory."""
    return snapshot_input


@pytest.fixture
def make_round(session: Session) -> Callable[..., Round]:
    """Plan a round with sensible defaults; keyword arguments override them."""

    def make(**overrides: Any) -> Round:
        values: dict[str, Any] = {"course_ref": 7, "title": "Sparringsrunde 1"}
        values.update(overrides)
        return services.create_round(session, **values)

    return make


@pytest.fixture
def open_room(session: Session, make_round: Callable[..., Round], clock: Clock):
    """Open a round with ``owners`` (each with a draft) and optional ``reviewers`` (without)."""

    def open_(
        owners: list[int] | int = 6,
        reviewers: tuple[int, ...] = (),
        seed: int | None = 1,
        **settings: Any,
    ) -> Round:
        people = list(range(1, owners + 1)) if isinstance(owners, int) else owners
        round_ = make_round(**settings)
        return services.open_round(
            session,
            round_.id,
            [snapshot_input(p) for p in people],
            participant_refs=reviewers,
            seed=seed,
            now=clock.now,
        )

    return open_


@pytest.fixture
def review(session: Session, clock: Clock):
    """Ask for the reviewer's next assignment and post one comment on it; return the feedback
    (or ``None`` when there was nothing to review). The clock moves on a little per comment."""

    def review_(round_id: int, reviewer_ref: int, text: str = "Godt tænkt", **kwargs: Any):
        assignment = services.next_assignment(session, round_id, reviewer_ref, now=clock.now)
        if assignment is None:
            return None
        values: dict[str, Any] = {"criterion": "effect", "stem": "like", "text": text}
        values.update(kwargs)
        return services.add_feedback(
            session, round_id, reviewer_ref, assignment.snapshot_id, now=clock.tick(15), **values
        )

    return review_


@pytest.fixture
def assign(session: Session, clock: Clock):
    """Send a reviewer to an owner's draft directly (bypassing the allocation) for set-ups that
    need exact counts. The reviewer must not hold another open assignment."""

    def assign_(round_: Round, reviewer_ref: int, owner_ref: int) -> Assignment:
        snapshot = next(s for s in round_.snapshots if s.owner_ref == owner_ref)
        assignment = Assignment(
            round_id=round_.id,
            reviewer_ref=reviewer_ref,
            snapshot_id=snapshot.id,
            created_at=clock.now,
        )
        session.add(assignment)
        session.flush()
        return assignment

    return assign_
