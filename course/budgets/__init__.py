"""The budget tool (budgetværktøj): the citizen's four-part budget plan, and the workshop."""

from flask import Blueprint

bp = Blueprint("budgets", __name__)
