"""People: sign-in for staff and citizens, sessions, and the team lead's staff accounts."""

from flask import Blueprint

bp = Blueprint("people", __name__)
