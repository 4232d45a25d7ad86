"""What the running day tells the features above it (blinker; receivers connect in their
feature's ``init_app``). Receivers flush and queue pushes; the route commits and pushes."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent (sender: the course) when a citizen is checked in or marked as left, with ``citizen``
#: and ``present``; a running feedback round follows it (:mod:`course.rounds`).
presence_changed = _signals.signal("presence-changed")

#: Sent (sender: the course) when the running day moves on from an agenda item (forward, back
#: or to another item), with ``item_id``: what belonged to that item ends with it (its polls'
#: voting closes, :mod:`course.polls`).
item_left = _signals.signal("item-left")

#: Sent (sender: the course) when a running day ends (ended, or another day of the course
#: started): nothing of the day stays open (a poll made on the spot closes).
day_ended = _signals.signal("day-ended")

#: Sent (sender: the course) after the now region was queued for every screen, with
#: ``item_changed`` (the item on now may have moved); the speaker material follows it
#: (:mod:`course.material`).
now_pushed = _signals.signal("now-pushed")

#: Sent (sender: the course) after a change to the questions was queued; the speaker's view
#: follows it (:mod:`course.material`).
questions_pushed = _signals.signal("questions-pushed")
