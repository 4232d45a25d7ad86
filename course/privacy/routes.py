"""The privacy notice and the accessibility statement (public pages, linked from every page's
footer), the citizen's "I have read it", and the team lead's settings for both the notice's
texts and the retention periods."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from course import web
from course.access import CITIZEN, PUBLIC, TEAM_LEAD, allow
from course.approvals import fragments as approval_fragments
from course.extensions import db
from course.privacy import fragments, labels, services

bp = Blueprint("privacy", __name__)


@bp.get("/privacy")
@allow(PUBLIC)
def notice():
    """Who processes what about the citizen, why, for how long, and their rights."""
    return web.render("privacy/notice.html", **fragments.notice_context())


@bp.post("/me/privacy")
@allow(CITIZEN)
def seen():
    """The citizen has read the notice: its card leaves their phone until the notice changes."""
    services.mark_seen(current_user)
    db.session.commit()
    return redirect(_same_site(request.form.get("next")) or url_for("live.phone"), 303)


def _same_site(target: str | None) -> str | None:
    """The page the card was on: a same-site path only; one with a control character or a
    backslash (a header split, or a path browsers read as another host) is dropped (as
    people.routes does after sign-in)."""
    if not target or any(ch < " " or ch == "\x7f" or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/accessibility")
@allow(PUBLIC)
def accessibility():
    """The accessibility statement (tilgængelighedserklæring), with the axe results it rests
    on."""
    return web.render("privacy/accessibility.html", **fragments.accessibility_context())


def _refused(err: services.PrivacyError, which: str, typed: dict[str, str]):
    message = labels.error_message(err)
    return web.refuse(message, slot=f"privacy-{which}-message", page=lambda: web.render(
        "approvals/settings.html", status=422, **approval_fragments.settings_context(
            **fragments.settings_context(typed=typed, error=message, which=which))))


@bp.post("/settings/privacy")
@allow(TEAM_LEAD)
def save_texts():
    """The privacy notice's texts: the data controller, contact, data protection officer."""
    typed = {name: request.form.get(name, "") for name in services.TEXTS}
    try:
        services.set_texts(current_user, typed)
    except services.PrivacyError as err:
        return _refused(err, "texts", typed)
    db.session.commit()
    flash(_("The privacy notice is saved. Citizens are shown it again when they next sign in."),
          "success")
    return redirect(url_for("approvals.settings", _anchor="privacy-texts"), 303)


@bp.post("/settings/retention")
@allow(TEAM_LEAD)
def save_periods():
    """The retention periods ``flask purge`` applies."""
    typed = {name: request.form.get(name, "") for name in services.PERIODS}
    try:
        services.set_periods(current_user, typed)
    except services.PrivacyError as err:
        return _refused(err, "periods", typed)
    db.session.commit()
    flash(_("The retention periods are saved. The next purge applies them."), "success")
    return redirect(url_for("approvals.settings", _anchor="privacy-periods"), 303)
