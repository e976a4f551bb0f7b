"""Signing in and out, and changing one's password."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from blueprints.access import public
from blueprints.auth.forms import ChangePasswordForm, SignInForm
from blueprints.rendering import render
from extensions import begin_write, db, takes_write_lock_itself
from models.types import utcnow
from services import accounts

bp = Blueprint("auth", __name__)


def _safe_next(target):
    """Only a path on this site: never send a person somewhere else after signing in."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not (target or "").startswith("/"):
        return None
    return target


def _throttle_settings():
    config = current_app.config
    return dict(
        max_failures=config["SIGN_IN_MAX_FAILURES"],
        max_failures_per_ip=config["SIGN_IN_MAX_FAILURES_PER_IP"],
        window_seconds=config["SIGN_IN_WINDOW_SECONDS"],
    )


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@takes_write_lock_itself
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = SignInForm()
    if form.validate_on_submit():
        ip, now = request.remote_addr or "unknown", utcnow()
        settings = _throttle_settings()
        if accounts.is_throttled(db.session, form.email.data, ip, now, **settings):
            abort(429)
        credentials = accounts.credentials_for(db.session, form.email.data)
        db.session.rollback()  # the hash takes a while: hold no lock, no snapshot meanwhile
        user_id = accounts.verify_password(
            credentials, form.password.data, current_app.config["PASSWORD_HASH_METHOD"]
        )
        begin_write(db.session)  # a short transaction records what happened
        user = accounts.active_user(db.session, user_id)
        if user is None:
            accounts.record_failure(
                db.session, form.email.data, ip, now, settings["window_seconds"]
            )
            db.session.commit()
            flash(_("That email and password do not match an active account."), "error")
            return render("auth/sign_in.html", form=form, status=401)
        accounts.clear_failures(db.session, form.email.data)
        accounts.start_session(db.session, user, request.user_agent.string)
        db.session.commit()
        login_user(user, remember=form.remember.data)
        return redirect(_safe_next(request.args.get("next")) or url_for("core.index"))
    return render("auth/sign_in.html", form=form, status=422 if form.errors else 200)


@bp.post("/sign-out")
def sign_out():
    accounts.end_session(db.session, current_user.session_token)
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if accounts.authenticate(db.session, current_user.email,
                                 form.current_password.data, method) is None:
            form.current_password.errors.append(_("That is not your current password."))
        else:
            accounts.change_password(
                db.session, current_user, form.new_password.data, method,
                request.user_agent.string,
            )
            db.session.commit()
            login_user(current_user._get_current_object())
            flash(_("Password changed. Your other devices are signed out."), "success")
            return redirect(url_for("core.index"))
    return render("auth/password.html", form=form, status=422 if form.errors else 200)
