"""What the privacy pages' refusals say, and the notice's default texts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from course.i18n import message
from course.privacy.services import (
    CONTACT,
    CONTROLLER,
    DECLINED_MONTHS,
    DPO,
    ENDED_MONTHS,
    EXTRA,
    PrivacyError,
)

#: The codes of :class:`course.privacy.services.PrivacyError`.
ERRORS = {
    "not_lead": _l("Only the team lead can change the settings."),
    "too_long": _l("%(field)s is too long: at most %(n)d characters."),
    "months_not_a_number": _l("%(field)s: write the number of months in digits."),
    "months_out_of_range": _l("%(field)s: choose between %(least)d and %(most)d months."),
}
FALLBACK = _l("That could not be done. Check the fields.")

#: The fields' names, as the settings form labels them.
FIELDS = {
    CONTROLLER: _l("Data controller"),
    CONTACT: _l("Contact"),
    DPO: _l("Data protection officer"),
    EXTRA: _l("More information"),
    DECLINED_MONTHS: _l("Citizens who said no or never answered"),
    ENDED_MONTHS: _l("Ended courses"),
}

#: The notice's texts when the municipality has not filled them in.
DEFAULTS = {
    CONTROLLER: _l("The municipality whose job centre offered you the course is responsible "
                   "for your data (the data controller)."),
    CONTACT: _l("Ask your job consultant, or write to the job centre through Digital Post."),
    DPO: _l("The municipality has a data protection officer. Ask the job centre for the "
            "contact details, or find them on the municipality's website."),
    EXTRA: "",
}


def error_message(err: PrivacyError) -> str:
    """What a refused step says, in plain words (naming the field)."""
    params = dict(err.params)
    params["field"] = str(FIELDS.get(str(params.get("field", "")), ""))
    params.setdefault("n", 0)
    params.setdefault("least", 0)
    params.setdefault("most", 0)
    return message(ERRORS, err.code, FALLBACK, **params)


#: The pages and sizes e2e/test_a11y.py checks, as the accessibility statement names them.
A11Y_PAGES = {
    "join": _l("The front page (joining a course)"),
    "staff-login": _l("Staff sign-in"),
    "phone-home": _l("The citizen's phone"),
    "office": _l("The facilitator's courses"),
    "console": _l("The facilitator's console"),
    "projector": _l("The big screen"),
    "staff-admin": _l("Staff accounts"),
    "privacy-notice": _l("Privacy notice"),
    "accessibility": _l("Accessibility statement"),
}
A11Y_DEVICES = {
    "phone": _l("Phone (390×844)"),
    "laptop": _l("Computer (1280×800)"),
    "projector": _l("Big screen (1920×1080)"),
}
