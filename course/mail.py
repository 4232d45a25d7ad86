"""E-mail notices: a link only, never personal content (SECURITY.md).

Sent after the commit, when ``MAIL_SERVER`` is configured; a failing mail server is logged and
never undoes or blocks the step (the in-app notice is already there).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from email.message import EmailMessage
from typing import TYPE_CHECKING

from flask import current_app, request
from flask_babel import gettext as _

from course.extensions import db
from course.i18n import force_locale
from course.people.models import Citizen, Staff

if TYPE_CHECKING:
    from course.approvals.models import Notification


def send_notices(notices: Iterable[Notification]) -> int:
    """Mail each notice's recipient a link to Teten; returns how many were sent."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0
    messages = []
    for note in notices:
        person = (db.session.get(Staff, note.staff_id) if note.staff_id
                  else db.session.get(Citizen, note.citizen_id))
        if person is None or not person.email:
            continue
        with force_locale("da"):
            message = EmailMessage()
            message["Subject"] = _("Teten: you have a new message")
            message["From"] = config["MAIL_FROM"]
            message["To"] = person.email
            base = config.get("PUBLIC_URL") or request.host_url
            link = base.rstrip("/") + note.link
            message.set_content(_("There is a new message for you in Teten. Sign in to read "
                                  "it:\n\n%(link)s\n", link=link))
        messages.append(message)
    if not messages:
        return 0
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            for message in messages:
                smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("sending %d notice e-mail(s) failed", len(messages))
        return 0
    return len(messages)
