"""Budget tool views (comments): being written."""

from course.budgets import bp  # noqa: F401
