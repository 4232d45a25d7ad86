"""What the speaker material says when it refuses (translated when shown)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from course.i18n import message
from course.material import services

ERRORS = {
    "missing": _l("Choose a PDF or pictures to upload first."),
    "empty": _l("The file is empty."),
    "too_large": _l("The material is too large: at most %(mb)d MB in all."),
    "too_many_files": _l("At most %(n)d files at a time."),
    "type": _l("Only a PDF, or pictures as JPEG or PNG, can be uploaded as material, and this "
               "file is none of them."),
    "unreadable_image": _l("A picture could not be read. Save it again as JPEG or PNG."),
    "too_many_pixels": _l("A picture is too large in pixels. Make it smaller and try again."),
    "encrypted": _l("The PDF is locked with a password. Save it again without a password."),
    "broken": _l("The PDF could not be read. Export it again from the program it was made in."),
    "too_many_pages": _l("The material can have at most %(n)d pages."),
    "not_now": _l("The material can be put up only while its agenda item is on."),
    "not_shown": _l("No material is up on the projector."),
}
FALLBACK = _l("We could not find that page.")


def error_message(code: str) -> str:
    params: dict[str, Any] = {}
    if code == "too_large":
        params = {"mb": services.MAX_BYTES // (1024 * 1024)}
    elif code == "too_many_files":
        params = {"n": services.MAX_FILES}
    elif code == "too_many_pages":
        params = {"n": services.MAX_PAGES}
    return message(ERRORS, code, FALLBACK, **params)
