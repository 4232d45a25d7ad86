"""E-mail notices: a link only, never personal content (SECURITY.md).

Sent after the commit, when ``MAIL_SERVER`` is configured; a failing mail server is logged and
never undoes or blocks the step (the in-app notice is already there).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from email.message import EmailMessage

from flask import current_app, request
from flask_babel import gettext as _

from course.i18n import force_locale


def send_links(links: Iterable[tuple[str, str]]) -> int:
    """Mail each ``(address, link)`` a short notice with the link to Teten (a path, put after
    ``PUBLIC_URL``); returns how many were sent."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0
    messages = []
    for address, path in links:
        with force_locale("da"):
            message = EmailMessage()
            message["Subject"] = _("Teten: you have a new message")
            message["From"] = config["MAIL_FROM"]
            message["To"] = address
            base = config.get("PUBLIC_URL") or request.host_url
            link = base.rstrip("/") + path
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
