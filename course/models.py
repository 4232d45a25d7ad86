"""Every table of the app in one place: importing this module registers the models of each
feature and of the realtime core with the metadata that ``create_all`` and the migrations read
(``course.database`` does). The round domain's tables have a metadata of their own
(:class:`peerreview.models.Base`)."""

from course.approvals import models as approvals
from course.budgets import models as budgets
from course.changes import models as changes
from course.followup import models as followup
from course.ideas import models as ideas
from course.live import models as live
from course.material import models as material
from course.outcomes import models as outcomes
from course.payouts import models as payouts
from course.people import models as people
from course.polls import models as polls
from course.reactions import models as reactions
from course.realtime import models as realtime
from course.receipts import models as receipts
from course.schedule import models as schedule
from course.sessions import WebSession

__all__ = ["approvals", "budgets", "changes", "followup", "ideas", "live", "material", "outcomes",
           "payouts", "people", "polls", "reactions", "realtime", "receipts", "schedule",
           "WebSession"]
