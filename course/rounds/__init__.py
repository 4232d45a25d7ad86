"""The web side of peer-review rounds: routes, templates and pushes around :mod:`peerreview`."""

from flask import Blueprint

bp = Blueprint("rounds", __name__)
