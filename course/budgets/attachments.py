"""Budget tool views (attachments): being written."""

from course.budgets import bp  # noqa: F401
