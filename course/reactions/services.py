"""Reactions: the set a course offers (chosen from a short list of respectful ones, never a
laughing face), sending one from a phone (within the course's set, at most :data:`LIMIT` a
minute per phone), and the burst the projector shows (counts only, never who).

Storage: one row per reaction in the database (:class:`course.reactions.models.Reaction`),
keyed by an HMAC of the citizen and the minute — not an in-process counter, because several
processes may serve one course (docs/deploy.md): a phone's limit and the room's counts must
be the same whichever process a request reaches, and the projector's burst must count every
process's reactions.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from course.extensions import db
from course.people.codes import keyed_hash
from course.people.models import Citizen
from course.reactions.models import Reaction, ReactionSet
from course.schedule.models import Course
from course.types import utcnow

#: The reactions a course may offer, in the order the settings list them: respectful ones,
#: each with a name a screen reader reads (course.reactions.labels.NAMES).
ALLOWED = ("👍", "❤️", "💡", "👏", "🙌", "🎉", "💪", "🙏", "✅", "🤔", "🌱", "⭐")
#: A course's set unless its facilitators choose another.
DEFAULT = ("👍", "❤️", "💡", "👏")
#: Laughing faces read as mockery in a public room (issue 20; ClaperCo/Claper #246).
LAUGHING = ("😂", "🤣", "😆", "😅", "😄", "😁", "😹", "🙃")
#: More than this many buttons do not fit a phone's row.
SET_MAX = 6
#: Reactions per phone per minute.
LIMIT = 10
#: The projector's burst counts the reactions of this many seconds.
BURST_SECONDS = 10
#: Reactions are deleted after this long (only the burst and the limit read them).
KEEP = timedelta(minutes=5)


class ReactionError(Exception):
    """A refused reaction or set; ``code`` names the reason for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def canonical(emoji: str) -> str:
    """``emoji`` as the lists spell it (a heart sent without its emoji presentation
    selector is the heart)."""
    emoji = emoji.strip()
    if emoji not in ALLOWED and emoji + "\ufe0f" in ALLOWED:
        return emoji + "\ufe0f"
    return emoji


def course_set(course_id: int) -> list[str]:
    """The reactions ``course_id`` offers, in order."""
    chosen = db.session.get(ReactionSet, course_id)
    return list(chosen.emojis) if chosen is not None else list(DEFAULT)


def choose_set(course: Course, emojis: list[str]) -> list[str]:
    """Save the course's set: one to :data:`SET_MAX` of :data:`ALLOWED`, each once, kept in
    the list's order. Refused: none, too many, a laughing face, anything else."""
    chosen = [canonical(e) for e in emojis]
    if any(e in LAUGHING for e in chosen):
        raise ReactionError("laughing")
    if any(e not in ALLOWED for e in chosen):
        raise ReactionError("not_allowed")
    ordered = [e for e in ALLOWED if e in chosen]
    if not ordered:
        raise ReactionError("empty")
    if len(ordered) > SET_MAX:
        raise ReactionError("too_many")
    row = db.session.get(ReactionSet, course.id)
    if row is None:
        db.session.add(ReactionSet(course_id=course.id, emojis=ordered))
    else:
        row.emojis = ordered
    db.session.flush()
    return ordered


def sender_key(citizen_id: int, minute: int) -> str:
    """A phone's mark for one minute: HMAC of the citizen's id and the minute under the
    server's secret (another minute, another mark)."""
    key = f"reaction-sender:{current_app.config['SECRET_KEY']}"
    return keyed_hash(key, f"{citizen_id}:{minute}")


def react(course: Course, citizen: Citizen, emoji: str) -> Reaction:
    """Record one reaction of ``citizen``'s phone. Refused: a laughing face, anything not in
    the course's set, more than :data:`LIMIT` this minute."""
    if citizen.course_id != course.id or not citizen.active:
        raise ReactionError("not_found")
    emoji = canonical(emoji)
    if emoji in LAUGHING:
        raise ReactionError("laughing")
    if emoji not in course_set(course.id):
        raise ReactionError("not_in_set")
    # One phone's reactions are counted one request at a time: its citizen's row is held until
    # the commit (PostgreSQL; SQLite writes one at a time anyway), so two at the same instant
    # cannot both read nine and make eleven.
    db.session.execute(sa.select(Citizen.id).where(Citizen.id == citizen.id).with_for_update())
    now = utcnow()
    key = sender_key(citizen.id, int(now.timestamp() // 60))
    sent = db.session.scalar(sa.select(sa.func.count()).select_from(Reaction)
                             .where(Reaction.sender_key == key))
    if sent >= LIMIT:
        raise ReactionError("limit")
    db.session.execute(sa.delete(Reaction).where(Reaction.course_id == course.id,
                                                 Reaction.sent_at < now - KEEP))
    reaction = Reaction(course_id=course.id, emoji=emoji, sender_key=key, sent_at=now)
    db.session.add(reaction)
    db.session.flush()
    return reaction


def burst(course_id: int) -> list[tuple[str, int]]:
    """The reactions of the last :data:`BURST_SECONDS`, counted per emoji, most first (ties
    in the course's order): what the projector shows."""
    since = utcnow() - timedelta(seconds=BURST_SECONDS)
    rows = db.session.execute(
        sa.select(Reaction.emoji, sa.func.count()).where(
            Reaction.course_id == course_id, Reaction.sent_at >= since)
        .group_by(Reaction.emoji)).all()
    order = {e: i for i, e in enumerate([*course_set(course_id), *ALLOWED])}
    return sorted(((e, n) for e, n in rows), key=lambda r: (-r[1], order.get(r[0], 99)))
