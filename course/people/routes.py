"""Sign-in, sign-out, language, and the team lead's staff administration."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.exceptions import TooManyRequests

from course import money, realtime, web
from course.access import CITIZEN, FINANCE, PUBLIC, STAFF, TEAM_LEAD, allow
from course.extensions import db
from course.people import pushes, services, signals
from course.people.forms import JoinForm, PasswordForm, StaffForm, StaffLoginForm
from course.people.models import Citizen, Role, Staff

bp = Blueprint("people", __name__)

DEVICE_COOKIE = "teten_device"


def _device_key() -> str:
    """Who is knocking: the device cookie, or (cookies cleared) the address and browser."""
    device = request.cookies.get(DEVICE_COOKIE, "")
    if 16 <= len(device) <= 64 and device.isalnum():
        return f"device:{device}"
    browser = hashlib.sha256(request.user_agent.string.encode()).hexdigest()[:12]
    return f"addr:{request.remote_addr}:{browser}"


def _give_device_cookie(response):
    """A long-lived random id per browser, so throttling does not punish a whole room's router."""
    if DEVICE_COOKIE not in request.cookies:
        response.set_cookie(DEVICE_COOKIE, secrets.token_hex(16), max_age=400 * 24 * 3600,
                            httponly=True, samesite="Lax",
                            secure=current_app.config["SECURE_COOKIES"])
    return response


def _refuse_if_locked(keys: list[str]) -> None:
    retry = services.throttle_retry_after(keys)
    if retry is not None:
        raise TooManyRequests(retry_after=retry)


# -- devices a person signed in on before -----------------------------------------------------
#
# Wrong guesses count per device and per target (a course code, a staff e-mail). The target's
# count is what rotating device cookies cannot escape — but locking the target alone would lock
# the room out: thirty wrong codes from a co-participant's rotating cookies, and the citizens
# with the right codes would get 429 too. So a locked target still lets in the people who
# signed in *on this device* before, as themselves: the device carries a signed list of them
# (``KNOWN_COOKIE``, bound to its device id). Only their own code or password admits them; any
# other guess from that device is refused and counted against the device. An attacker's own
# phone is known only for the attacker: while the target is locked their guesses admit no one,
# and devices that signed in as no one cannot try at all. The arithmetic is in SECURITY.md.

KNOWN_COOKIE = "teten_known"
#: How many people one device remembers (a shared office PC, a family's tablet).
KNOWN_MAX = 6


def _known_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="teten-known-device")


def _known_people() -> set[str]:
    """Whom this device signed in as before (``"c12"``, ``"s3"``), if its cookie is ours and
    was given to this very device."""
    device = request.cookies.get(DEVICE_COOKIE, "")
    try:
        known = _known_serializer().loads(request.cookies.get(KNOWN_COOKIE, ""))
    except BadSignature:
        return set()
    if not device or not isinstance(known, dict) or known.get("d") != device:
        return set()
    return {str(p) for p in known.get("p", [])[:KNOWN_MAX]}


def _person_key(person: Staff | Citizen) -> str:
    return f"{'c' if isinstance(person, Citizen) else 's'}{person.id}"


def _remember_on_this_device(response, person: Staff | Citizen):
    """Add ``person`` to the device's known people (the latest first)."""
    device = request.cookies.get(DEVICE_COOKIE, "")
    if not (16 <= len(device) <= 64 and device.isalnum()):
        return response  # no device id yet: nothing to bind the list to
    key = _person_key(person)
    people = [key, *[p for p in _known_people() if p != key]][:KNOWN_MAX]
    response.set_cookie(KNOWN_COOKIE, _known_serializer().dumps({"d": device, "p": people}),
                        max_age=400 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=current_app.config["SECURE_COOKIES"])
    return response


def _locked_out(device: str, target: str) -> None:
    """A guess while ``target`` is locked that does not admit a person this device knows:
    counted against the device, refused with the target's wait."""
    services.record_failure({device: current_app.config["LOGIN_MAX_FAILURES_DEVICE"]})
    db.session.commit()
    raise TooManyRequests(retry_after=services.throttle_retry_after([target]) or 1)


def _target_locked(target: str) -> tuple[bool, set[str]]:
    """Is the shared ``target`` key locked, and whom may this device still sign in as?"""
    if services.throttle_retry_after([target]) is None:
        return False, set()
    known = _known_people()
    if not known:
        _refuse_if_locked([target])
    return True, known


def _sign_in(person: Staff | Citizen) -> None:
    """Start a fresh server-side session for ``person`` (new session id: no fixation)."""
    lang = session.get("lang")
    session.clear()
    session["lang"] = lang
    current_app.session_interface.regenerate(session)
    services.start_session(person)
    login_user(person)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in; a value with a control character or a
    backslash (a header split, or a path browsers read as another host) is dropped."""
    if not target or any(ch < " " or ch == "\x7f" or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _home_for(person: Staff | Citizen) -> str:
    if isinstance(person, Citizen):
        return url_for("live.phone")
    if person.must_change_password:
        return url_for("people.change_password")
    if person.role == Role.FINANCE:
        return url_for("payouts.overview")
    return url_for("schedule.office")


def _offer() -> dict[str, int]:
    """The offer's figures for citizens who ask on their own (the start page), from the rules
    that enforce them."""
    return {"offer_cap": money.DEFAULT_CAP, "offer_decision_days": services.DECISION_DAYS,
            "offer_plan_weeks": services.PLAN_DAYS // 7}


@bp.get("/")
@allow(PUBLIC)
def start():
    """The front door: citizens join with their codes here; staff find their sign-in link."""
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = JoinForm(course_code=request.args.get("c", ""))
    return _give_device_cookie(web.render("people/join.html", form=form, **_offer()))


@bp.route("/join", methods=["GET", "POST"])
@allow(PUBLIC)
def join():
    """A citizen signs in with the course code (from the projector) and their personal code."""
    form = JoinForm()
    if request.method == "GET":
        return redirect(url_for("people.start", c=request.args.get("c", "")))
    status = 200
    if form.validate_on_submit():
        course_id = services.course_id_by_code(form.course_code.data)
        device = _device_key()
        _refuse_if_locked([device])
        target = services.course_throttle_key(course_id) if course_id else ""
        locked, known = _target_locked(target) if course_id else (False, set())
        citizen = (services.authenticate_citizen(course_id, form.personal_code.data)
                   if course_id else None)
        if locked and (citizen is None or _person_key(citizen) not in known):
            _locked_out(device, target)
        if citizen is not None and not citizen.active:
            # The right codes of someone who said no or opted out: not a wrong code.
            form.personal_code.errors.append(_(
                "You no longer take part in this course, so you cannot sign in. If you want "
                "to take part again, talk to your job consultant."))
            return _give_device_cookie(web.render("people/join.html", status=422, form=form,
                                                       **_offer()))
        if citizen is not None:
            services.clear_throttle([device])
            _sign_in(citizen)
            signals.citizen_signed_in.send(citizen)
            realtime.commit_and_push()
            return _remember_on_this_device(redirect(url_for("live.phone")), citizen)
        cfg = current_app.config
        limits = {device: cfg["LOGIN_MAX_FAILURES_DEVICE"]}
        if course_id:
            limits[services.course_throttle_key(course_id)] = cfg["LOGIN_MAX_FAILURES_COURSE"]
        services.record_failure(limits)
        db.session.commit()
        form.personal_code.errors.append(
            _("The course code or your personal code is not right. Check the card and try again."))
        status = 422
    elif form.errors:
        status = 422
    return _give_device_cookie(web.render("people/join.html", status=status, form=form,
                                                   **_offer()))


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():
    """Staff sign in with e-mail and password."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_home_for(current_user))
    form = StaffLoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        device = _device_key()
        _refuse_if_locked([device])
        target = f"email:{email}"
        locked, known = _target_locked(target)
        staff = services.authenticate_staff(email, form.password.data)
        if locked and (staff is None or _person_key(staff) not in known):
            _locked_out(device, target)
        if staff is not None:
            # The device's count only: a success must not reset what an attacker has spent
            # against the e-mail.
            services.clear_throttle([device])
            _sign_in(staff)
            db.session.commit()
            return _remember_on_this_device(
                redirect(_safe_next(request.args.get("next")) or _home_for(staff)), staff)
        limit = current_app.config["LOGIN_MAX_FAILURES_DEVICE"]
        services.record_failure({device: limit, f"email:{email}": limit * 2})
        db.session.commit()
        form.password.errors.append(_("The e-mail or the password is not right."))
        status = 422
    elif form.errors:
        status = 422
    return _give_device_cookie(web.render("people/login.html", status=status, form=form))


@bp.post("/logout")
@allow(STAFF, FINANCE, CITIZEN)
def logout():
    """End this session on the server (a copied cookie stops working) and on open sockets."""
    ended = services.end_session_by_token(current_user.login_token or "")
    db.session.commit()
    if ended is not None:
        pushes.disconnect_sign_ins([ended])
    logout_user()
    session.clear()
    current_app.session_interface.regenerate(session)
    flash(_("You are signed out."), "info")
    return redirect(url_for("people.start"))


@bp.post("/keepalive")
@allow(STAFF, FINANCE, CITIZEN)
def keepalive():
    """The idle warning's "stay signed in": loading the session already touched it."""
    return "", 204


@bp.post("/language")
@allow(PUBLIC)
def language():
    """Switch between Danish and English for this browser."""
    lang = request.form.get("lang", "")
    if lang in ("da", "en"):
        session["lang"] = lang
    return redirect(_safe_next(request.form.get("next")) or url_for("people.start"))


@bp.route("/password", methods=["GET", "POST"])
@allow(STAFF, FINANCE)
def change_password():
    """Staff change their own password (required after a new account or a reset)."""
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        staff = current_user._get_current_object()
        if services.authenticate_staff(staff.email, form.current.data) is None:
            form.current.errors.append(_("The current password is not right."))
            status = 422
        else:
            services.set_password(staff, form.new.data, must_change=False)
            ended = services.end_sessions(staff=staff, reason="password_changed",
                                          keep=g.login_session.id)
            db.session.commit()
            pushes.disconnect_sign_ins(ended)
            flash(_("Your password is changed."), "info")
            return redirect(_home_for(staff))
    elif form.errors:
        status = 422
    return web.render("people/password.html", status=status, form=form)


# -- the team lead's staff administration -------------------------------------------------


def _team_member_or_404(staff_id: int) -> Staff:
    staff = db.session.get(Staff, staff_id)
    if staff is None or staff.team_id != current_user.team_id:
        abort(404)
    return staff


@bp.route("/staff", methods=["GET", "POST"])
@allow(TEAM_LEAD)
def staff_accounts():
    """List the team's staff accounts and create new ones (a temporary password is shown once)."""
    form = StaffForm()
    created: tuple[Staff, str] | None = None
    status = 200
    if form.validate_on_submit():
        password = services.temporary_password()
        try:
            staff = services.create_staff(current_user.team, form.name.data, form.email.data,
                                          Role(form.role.data), password)
        except services.PeopleError:
            form.email.errors.append(_("There is already an account with this e-mail."))
            status = 422
        else:
            db.session.commit()
            created = (staff, password)
            form = StaffForm(formdata=None)
    elif form.errors:
        status = 422
    members = db.session.scalars(
        sa.select(Staff).where(Staff.team_id == current_user.team_id).order_by(Staff.name)
    ).all()
    return web.render("people/staff.html", status=status, form=form, members=members,
                      created=created)


@bp.post("/staff/<int:staff_id>/deactivate")
@allow(TEAM_LEAD)
def deactivate(staff_id: int):
    """Deactivate an account: its sessions end at once, on every device and socket."""
    staff = _team_member_or_404(staff_id)
    if staff.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("people.staff_accounts"))
    ended = services.deactivate_staff(staff)
    db.session.commit()
    pushes.disconnect_sign_ins(ended)
    flash(_("%(name)s is deactivated and signed out everywhere.", name=staff.name), "info")
    return redirect(url_for("people.staff_accounts"))


@bp.post("/staff/<int:staff_id>/reactivate")
@allow(TEAM_LEAD)
def reactivate(staff_id: int):
    """Let a deactivated account sign in again."""
    staff = _team_member_or_404(staff_id)
    services.reactivate_staff(staff)
    db.session.commit()
    flash(_("%(name)s can sign in again.", name=staff.name), "info")
    return redirect(url_for("people.staff_accounts"))


@bp.post("/staff/<int:staff_id>/reset")
@allow(TEAM_LEAD)
def reset_password(staff_id: int):
    """Give an account a new temporary password (shown once); its sessions end."""
    staff = _team_member_or_404(staff_id)
    password = services.temporary_password()
    services.set_password(staff, password, must_change=True)
    ended = services.end_sessions(staff=staff, reason="password_reset")
    db.session.commit()
    pushes.disconnect_sign_ins(ended)
    members = db.session.scalars(
        sa.select(Staff).where(Staff.team_id == current_user.team_id).order_by(Staff.name)
    ).all()
    return web.render("people/staff.html", form=StaffForm(formdata=None), members=members,
                      created=None, reset=(staff, password))

