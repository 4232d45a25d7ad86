"""Who may see and run which course, and follow which of its citizens (object-level rules; the
kinds of principal an endpoint admits are declared with :func:`course.access.allow`)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask_login import current_user

from course.extensions import db
from course.people.models import Citizen, Role, Staff
from course.schedule.models import Course


def can_see_course(course: Course) -> bool:
    """Staff see their team's courses; a citizen sees their own course."""
    if isinstance(current_user, Staff):
        return course.team_id == current_user.team_id
    if isinstance(current_user, Citizen):
        return course.id == current_user.course_id
    return False


def can_facilitate(course: Course) -> bool:
    """Run the console: the course's facilitators and the team's team lead."""
    if not isinstance(current_user, Staff) or course.team_id != current_user.team_id:
        return False
    return current_user.role == Role.TEAM_LEAD or current_user in course.facilitators


def can_manage_participants(course: Course) -> bool:
    """Enrol citizens and re-issue codes: any staff of the course's team."""
    return isinstance(current_user, Staff) and course.team_id == current_user.team_id


def can_follow(citizen: Citizen) -> bool:
    """Follow a citizen's work in progress (their draft): their own job consultant, the course's
    facilitators and the team's team lead. Other staff of the team see it once submitted."""
    if not isinstance(current_user, Staff) or citizen.course.team_id != current_user.team_id:
        return False
    return (citizen.job_consultant_id == current_user.id
            or current_user.role == Role.TEAM_LEAD
            or current_user in citizen.course.facilitators)


def course_or_404(course_id: int, rule: Callable[[Course], bool] = can_see_course) -> Course:
    """The course, if ``rule`` lets the current principal at it; 404 otherwise."""
    course = db.session.get(Course, course_id)
    if course is None or not rule(course):
        abort(404)
    return course
