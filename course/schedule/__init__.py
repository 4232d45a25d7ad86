"""Courses (cohorts), their three meetings and the agenda built from the best-practice template."""

from flask import Blueprint

from course.schedule.labels import FILTERS

bp = Blueprint("schedule", __name__)

for _name, _filter in FILTERS.items():
    bp.add_app_template_filter(_filter, _name)
