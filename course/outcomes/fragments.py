"""The outcome page's context: the filter as chosen (or as typed, when refused), the figures,
their charts and the latest downloads."""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal, format_percent, ngettext
from flask_babel import gettext as _

from course.approvals.labels import ending_label
from course.approvals.models import EndingReason
from course.i18n import kroner
from course.outcomes import charts, labels, services
from course.outcomes.services import DAY_BINS, Figures, Period, Spread
from course.types import local_today

PAGE = "outcomes/page.html"
FIGURES = "outcomes/_figures.html"


def _bin_label(low: int, high: int | None) -> str:
    if high is None:
        return _("%(low)d days or more", low=low)
    return _("%(low)d–%(high)d days", low=low, high=high)


def _citizens(n: int) -> str:
    return ngettext("%(num)d citizen", "%(num)d citizens", n)


def _days(value: float | None) -> str:
    """``12,5 dage``; a dash when there is nothing to count."""
    if value is None:
        return "–"
    return _("%(n)s days", n=format_decimal(value, format="#,##0.#"))


def _percent(share: float) -> str:
    return format_percent(share, format="#,##0 %")


def _days_chart(chart_id: str, title: str, spread: Spread) -> Any:
    return charts.bar_chart(chart_id, title, [
        charts.Bar(_bin_label(low, high), n, str(n))
        for (low, high), n in zip(DAY_BINS, spread.bins, strict=True)])


def chart_set(f: Figures) -> dict[str, Any]:
    """The charts where people would rather look than read."""
    return {
        "funnel": charts.bar_chart("chart-funnel", _("From enrolled to approved"), [
            charts.Bar(_("Enrolled"), f.enrolled, str(f.enrolled)),
            charts.Bar(_("Said yes"), f.said_yes, str(f.said_yes)),
            charts.Bar(_("Handed in a plan"), f.handed_in, str(f.handed_in)),
            charts.Bar(_("Approved"), f.approved, str(f.approved))]),
        "paths": charts.bar_chart("chart-paths", _("Approved plans by colour path"), [
            charts.Bar(labels.path_label(path), n, str(n), tone=path)
            for path, n in f.paths.items()]),
        "reasons": charts.bar_chart("chart-reasons", _("Ended courses by ending reason"), [
            charts.Bar(ending_label(reason), f.reasons.get(reason, 0),
                       str(f.reasons.get(reason, 0)),
                       tone="green" if reason == EndingReason.JOB else "grey")
            for reason in EndingReason]),
        "hand_in_days": _days_chart("chart-hand-in-days",
                                    _("Days from yes to the first hand-in"), f.yes_to_hand_in),
        "approval_days": _days_chart("chart-approval-days",
                                     _("Days from yes to the approval"), f.yes_to_approval),
    }


def page_context(team_id: int, *, course_id: int | None, period: Period | None,
                 typed: dict[str, str] | None = None, error: str = "") -> dict[str, Any]:
    """The page: the filter and the figures of it; a refused filter (``period`` None) keeps
    what was typed and says why, and shows no figures (none were asked for that can be read)."""
    f = services.outcome_figures(team_id, course_id, period) if period is not None else None
    courses = services.team_courses(team_id)
    since = period.since.isoformat() if period and period.since else ""
    until = period.until.isoformat() if period and period.until else ""
    return {
        "figures": f, "charts": chart_set(f) if f is not None else {}, "courses": courses,
        "chosen_course": next((c for c in courses if c.id == course_id), None),
        "period": period, "error": error,
        "typed": typed if typed is not None else {"from": since, "to": until},
        "filter_args": {k: v for k, v in {"course": course_id, "from": since,
                                          "to": until}.items() if v},
        "exports": services.recent_exports(team_id),
        "average_paid": kroner(f.average_paid) if f and f.average_paid is not None else "",
        "citizens": _citizens, "days": _days, "percent": _percent,
        "path_label": labels.path_label, "printed_on": local_today(),
        "team_name": services.team_name(team_id),
    }
