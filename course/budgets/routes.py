"""Budget tool views (routes): being written."""

from course.budgets import bp  # noqa: F401
