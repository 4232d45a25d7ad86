"""Handover and the job consultants' approval queue: submitted plan versions, the assessment on
the three criteria, the green / yellow / red triage, decisions, and the append-only audit trail."""

from flask import Blueprint

bp = Blueprint("approvals", __name__)
