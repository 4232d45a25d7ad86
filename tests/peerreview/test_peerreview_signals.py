"""Signals: documented, ids only, and usable the way the web side must use them (after commit)."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from peerreview import services, signals


def test_every_signal_is_named_and_documented():
    names = [s.name for s in signals.ALL_SIGNALS]
    assert len(set(names)) == len(names) == 7
    assert all(s.__doc__ for s in signals.ALL_SIGNALS)
    for name in names:
        assert signals.peerreview_signals.signal(name) in signals.ALL_SIGNALS


def test_a_whole_round_sends_ids_and_plain_values_only(
    session: Session, open_room, review, signal_log, snapshot_input
):
    round_ = open_room(4, min_feedback=1)
    services.join_round(session, round_.id, 5, snapshot=snapshot_input(5))
    feedback = review(round_.id, 1)
    services.pin_feedback(session, round_.id, feedback.id)
    services.mark_helpful(session, round_.id, feedback.id, feedback.snapshot.owner_ref)
    for reviewer in (2, 3, 4, 5):
        review(round_.id, reviewer)
    services.leave_round(session, round_.id, 5)
    services.begin_closing(session, round_.id)
    services.close_round(session, round_.id)
    assert set(signal_log.names()) >= {
        "round-opened",
        "round-state-changed",
        "participant-changed",
        "assignment-made",
        "feedback-added",
        "feedback-moderated",
        "feedback-marked",
    }
    for _name, sender, kwargs in signal_log.sent:
        assert sender == round_.id
        assert kwargs["course_ref"] == 7
        assert all(isinstance(v, int | str | bool) for v in kwargs.values()), kwargs
    texts = {f.text for f in services.list_feedback(session, round_.id)}
    assert not any(t in repr(signal_log.sent) for t in texts), "no comment text in signals"


def test_listeners_queue_until_commit_and_drop_on_rollback(engine, make_round):
    """The pattern the web side follows: record on signal, push after commit, forget on rollback."""
    pushed: list[tuple[str, int]] = []
    with Session(engine) as session:
        session.info["pending_pushes"] = []

        def record(sender, **kwargs):
            session.info["pending_pushes"].append(("state", kwargs["new_state"]))

        @event.listens_for(session, "after_commit")
        def push(_session):
            pushed.extend(session.info["pending_pushes"])
            session.info["pending_pushes"].clear()

        @event.listens_for(session, "after_rollback")
        def drop(_session):
            session.info["pending_pushes"].clear()

        signals.round_state_changed.connect(record)
        try:
            round_id = services.create_round(session, course_ref=7, title="r").id
            session.commit()
            services.open_round(session, round_id, [])
            assert pushed == [], "nothing is pushed before the commit"
            session.rollback()
            assert pushed == []
            services.open_round(session, round_id, [])
            session.commit()
            assert pushed == [("state", "open")]
        finally:
            signals.round_state_changed.disconnect(record)
