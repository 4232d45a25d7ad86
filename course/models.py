"""Every model of the app, imported in one place for metadata and migrations."""

from course.budgets.models import (
    Attachment,
    BudgetLine,
    Draft,
    DraftComment,
    FieldVersion,
    StrategyItem,
)
from course.live.models import (
    Announcement,
    Attendance,
    DisplayLink,
    Question,
    QuestionVote,
    RunningDay,
)
from course.people.models import Citizen, LoginSession, Staff, Team, ThrottleBucket
from course.realtime.models import LiveConnection, LiveStream
from course.schedule.models import AgendaItem, Course, course_facilitators

__all__ = [
    "Attachment", "BudgetLine", "Draft", "DraftComment", "FieldVersion", "StrategyItem",
    "AgendaItem", "Attendance", "RunningDay", "Question", "QuestionVote",
    "Announcement", "Citizen", "Course", "DisplayLink", "LiveConnection", "LiveStream",
    "LoginSession", "Staff", "Team", "ThrottleBucket", "course_facilitators",
]
