"""What the payouts tell the features above them (blinker; receivers connect in their
feature's ``init_app``). Receivers flush; the route commits."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent (sender: the new :class:`~course.payouts.models.Payout`; ``case``: its case) when a
#: payout — not a reversal — is recorded, after its flush and before the commit. The receipts
#: expect a receipt for a transfer to the citizen's own account.
payout_recorded = _signals.signal("payout-recorded")
