"""Sign-in, sign-out, language, and the team lead's staff administration."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
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
from course.people import pushes, services, signals, twofactor
from course.people.forms import CodeForm, JoinForm, PasswordForm, StaffForm, StaffLoginForm
from course.people.models import Citizen, Role, Staff
from course.types import utcnow

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
        if staff is not None and twofactor.required():
            # Not signed in yet: the code (or setting up the app) comes first. The device's
            # count is cleared only when the code is right too.
            enrol = not twofactor.is_enrolled(staff)
            _begin_second_step(staff, enrol=enrol)
            db.session.commit()
            return redirect(url_for("people.enrol_two_factor" if enrol
                                    else "people.login_code"))
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


# -- the second step: a code from the authenticator app ----------------------------------------
#
# Between the password and the code the session holds only whom the password was right for,
# since when, and (while setting up the app) the new secret: nobody is signed in, no
# LoginSession exists, and every protected page still sends the person to sign in. The state
# lasts PENDING_MINUTES (ENROL_MINUTES while setting up); the final sign-in starts a new
# session id again. Wrong codes count against the device and against ``totp:<staff id>``,
# with the same known-device rule as the password.

PENDING_KEY = "two_factor"


def _begin_second_step(staff: Staff, *, enrol: bool) -> None:
    lang = session.get("lang")
    session.clear()
    session["lang"] = lang
    current_app.session_interface.regenerate(session)
    session[PENDING_KEY] = {
        "staff": staff.id, "since": utcnow().timestamp(), "enrol": enrol,
        "secret": twofactor.new_secret() if enrol else None,
        "next": _safe_next(request.args.get("next")),
    }


def _pending(enrol: bool) -> tuple[Staff, dict] | None:
    """Whom the password was right for, if that was recently enough (and for this step)."""
    state = session.get(PENDING_KEY)
    if not isinstance(state, dict) or bool(state.get("enrol")) != enrol:
        return None
    minutes = twofactor.ENROL_MINUTES if enrol else twofactor.PENDING_MINUTES
    since = state.get("since")
    staff = db.session.get(Staff, state.get("staff") or 0)
    if (not isinstance(since, float) or staff is None or not staff.active
            or utcnow().timestamp() - since > timedelta(minutes=minutes).total_seconds()):
        session.pop(PENDING_KEY, None)
        return None
    return staff, state


def _sign_in_again(started: bool):
    """Back to the password (saying why, when a sign-in had been started and ran out)."""
    if started:
        flash(_("Your sign-in took too long. Sign in again with your e-mail and password."),
              "info")
    return redirect(url_for("people.login"))


def _count_wrong_code(device: str, staff: Staff) -> None:
    limit = current_app.config["LOGIN_MAX_FAILURES_DEVICE"]
    services.record_failure({device: limit, f"totp:{staff.id}": limit * 2})
    db.session.commit()


def _refuse_locked_code(device: str, staff: Staff) -> bool:
    """The password's throttling for codes: a locked device waits; a locked ``totp:<id>``
    lets only a device that signed in as this person before go on, and only with the right
    code (returns whether the target is locked: a wrong code is then :func:`_locked_out`)."""
    _refuse_if_locked([device])
    target = f"totp:{staff.id}"
    locked, known = _target_locked(target)
    if locked and _person_key(staff) not in known:
        _locked_out(device, target)
    return locked


def _finish_sign_in(staff: Staff, device: str) -> None:
    services.clear_throttle([device])
    _sign_in(staff)


@bp.route("/login/code", methods=["GET", "POST"])
@allow(PUBLIC)
def login_code():
    """The second step of a staff sign-in: a code from the app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    started = PENDING_KEY in session
    pending = _pending(enrol=False)
    if pending is None:
        return _sign_in_again(started)
    staff, state = pending
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        device = _device_key()
        locked = _refuse_locked_code(device, staff)
        used = twofactor.check_code(staff, form.code.data)
        if used is None and locked:
            _locked_out(device, f"totp:{staff.id}")
        if used is not None:
            _finish_sign_in(staff, device)
            if used == "recovery":
                flash(_("You signed in with a recovery code; it cannot be used again. "
                        "%(count)s are left.", count=twofactor.recovery_codes_left(staff)),
                      "info")
            db.session.commit()
            return _remember_on_this_device(
                redirect(state.get("next") or _home_for(staff)), staff)
        _count_wrong_code(device, staff)
        form.code.errors.append(_("The code is not right. Write the 6 digits your app shows "
                                  "now, or one of your recovery codes."))
        status = 422
    elif form.errors:
        status = 422
    return _give_device_cookie(web.render("people/login_code.html", status=status, form=form))


@bp.route("/login/two-factor", methods=["GET", "POST"])
@allow(PUBLIC)
def enrol_two_factor():
    """Setting up the authenticator app, required before anything else: the QR code (and
    the secret as text), confirmed with a code; then the recovery codes, shown once."""
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    started = PENDING_KEY in session
    pending = _pending(enrol=True)
    if pending is None:
        return _sign_in_again(started)
    staff, state = pending
    secret = state["secret"]
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        device = _device_key()
        locked = _refuse_locked_code(device, staff)
        recovery = twofactor.confirm_enrolment(staff, secret, form.code.data)
        if recovery is None and locked:
            _locked_out(device, f"totp:{staff.id}")
        if recovery is not None:
            _finish_sign_in(staff, device)
            db.session.commit()
            return _remember_on_this_device(web.render(
                "people/recovery_codes.html", codes=recovery, enrolled=True,
                next_url=state.get("next") or _home_for(staff)), staff)
        _count_wrong_code(device, staff)
        form.code.errors.append(_("The code is not right. Write the 6 digits your app shows "
                                  "now for Teten."))
        status = 422
    elif form.errors:
        status = 422
    return _give_device_cookie(web.render(
        "people/enrol_two_factor.html", status=status, form=form,
        qr=web.qr_svg(twofactor.provisioning_uri(staff, secret)),
        secret=twofactor.grouped(secret)))


@bp.get("/two-factor")
@allow(STAFF, FINANCE)
def two_factor():
    """The person's own second factor: whether it is set up, recovery codes left."""
    staff = current_user._get_current_object()
    return web.render("people/two_factor.html", required=twofactor.required(),
                      enrolled=twofactor.is_enrolled(staff),
                      left=twofactor.recovery_codes_left(staff))


@bp.post("/two-factor/recovery-codes")
@allow(STAFF, FINANCE)
def new_recovery_codes():
    """New recovery codes (the old ones stop working), shown once."""
    staff = current_user._get_current_object()
    if not twofactor.is_enrolled(staff):
        abort(404)  # no app set up (the setting is off): nothing to replace
    recovery = twofactor.new_recovery_codes(staff)
    db.session.commit()
    return web.render("people/recovery_codes.html", codes=recovery, enrolled=False,
                      next_url=url_for("people.two_factor"))


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
                      created=created, factors=twofactor.factors_of([m.id for m in members]))


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


@bp.post("/staff/<int:staff_id>/reset-two-factor")
@allow(TEAM_LEAD)
def reset_two_factor(staff_id: int):
    """A colleague lost their phone: their app and recovery codes stop working, their
    sessions end, and they set up an app again at their next sign-in."""
    staff = _team_member_or_404(staff_id)
    if staff.id == current_user.id:
        flash(_("You cannot reset your own second factor. Ask another team lead, or make new "
                "recovery codes on your own page."), "error")
        return redirect(url_for("people.staff_accounts"))
    ended = twofactor.reset(staff, by=current_user._get_current_object())
    db.session.commit()
    pushes.disconnect_sign_ins(ended)
    flash(_("The second factor of %(name)s is reset and all their sessions have ended. They "
            "set up an authenticator app again at their next sign-in.", name=staff.name), "info")
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
                      created=None, reset=(staff, password),
                      factors=twofactor.factors_of([m.id for m in members]))

