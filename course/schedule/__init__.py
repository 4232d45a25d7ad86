"""Courses (cohorts) and their days. Agenda editing arrives with the schedule issue."""

from flask import Blueprint

bp = Blueprint("schedule", __name__)
