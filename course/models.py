"""Every model of the app, imported in one place for metadata and migrations."""

from course.live.models import Announcement, DisplayLink, LiveConnection, LiveStream
from course.people.models import Citizen, LoginSession, Staff, Team, ThrottleBucket
from course.schedule.models import Course, course_facilitators

__all__ = [
    "Announcement", "Citizen", "Course", "DisplayLink", "LiveConnection", "LiveStream",
    "LoginSession", "Staff", "Team", "ThrottleBucket", "course_facilitators",
]
