"""Who may see and run which course, and follow which of its citizens (object-level rules; the
kinds of principal an endpoint admits are declared with :func:`course.access.allow`).

The method advises facilitators from *another* department, so the citizens and they do not
know each other beforehand: a team lead may add facilitators of another team to a course
(*guests*). A guest runs that course — console, projector, agenda, attendance, rounds, and the
participants' drafts while the course runs — and sees nothing else of the team: not its other
courses, the enrolment and participants' pages, the approval queue or the cases."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask_login import current_user

from course.extensions import db
from course.people.models import Citizen, Role, Staff
from course.schedule.models import Course
from course.types import local_today


def can_see_course(course: Course) -> bool:
    """Staff see their team's courses and the courses they facilitate as guests; a citizen
    sees their own course."""
    if isinstance(current_user, Staff):
        return course.team_id == current_user.team_id or current_user in course.facilitators
    if isinstance(current_user, Citizen):
        return course.id == current_user.course_id
    return False


def can_facilitate(course: Course) -> bool:
    """Run the console: the course's facilitators (guests from another team too) and the
    team's team lead."""
    if not isinstance(current_user, Staff):
        return False
    if current_user in course.facilitators:
        return True
    return current_user.role == Role.TEAM_LEAD and course.team_id == current_user.team_id


def is_guest(course: Course) -> bool:
    """Is the signed-in person one of the course's facilitators from another team?"""
    return isinstance(current_user, Staff) and course.team_id != current_user.team_id


def can_edit_course(course: Course) -> bool:
    """Change the course's details and facilitators: those who run it from its own team."""
    return can_facilitate(course) and not is_guest(course)


def can_manage_participants(course: Course) -> bool:
    """Enrol citizens and re-issue codes: any staff of the course's team."""
    return isinstance(current_user, Staff) and course.team_id == current_user.team_id


def can_follow(citizen: Citizen) -> bool:
    """Follow a citizen's work in progress (their draft): their own job consultant, the course's
    facilitators and the team's team lead — a guest facilitator only while the course runs
    (from its kickoff to its second day). Other staff of the team see it once submitted."""
    if not isinstance(current_user, Staff):
        return False
    course = citizen.course
    if course.team_id != current_user.team_id:
        return (current_user in course.facilitators
                and course.kickoff_on <= local_today() <= course.day2_on)
    return (citizen.job_consultant_id == current_user.id
            or current_user.role == Role.TEAM_LEAD
            or current_user in course.facilitators)


def course_or_404(course_id: int, rule: Callable[[Course], bool] = can_see_course) -> Course:
    """The course, if ``rule`` lets the current principal at it; 404 otherwise."""
    course = db.session.get(Course, course_id)
    if course is None or not rule(course):
        abort(404)
    return course
