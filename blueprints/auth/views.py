"""Signing in and out, and changing one's password."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from blueprints.access import public
from blueprints.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    SetPasswordForm,
    SignInForm,
)
from blueprints.auth.links import email_reset_link, link_lifetime
from blueprints.rendering import render
from extensions import begin_write, db, takes_write_lock_itself
from models.types import utcnow
from services import accounts, invitations

bp = Blueprint("auth", __name__)


def _safe_next(target):
    """Only a path on this site: never send a person somewhere else after signing in."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not (target or "").startswith("/"):
        return None
    if "\\" in target or target.startswith("//"):  # browsers read /\host as //host
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


# Links sent by email: an invitation, a password reset. Good once, before they expire.


@bp.route("/invitation/<invitation_token>", methods=["GET", "POST"])
@public
@takes_write_lock_itself
def accept_invitation(invitation_token):
    return _set_password(invitation_token, invitations.INVITATION)


@bp.route("/password-reset/<reset_token>", methods=["GET", "POST"])
@public
@takes_write_lock_itself
def reset_password(reset_token):
    return _set_password(reset_token, invitations.PASSWORD_RESET)


def _refused(link, purpose):
    return render("auth/link_refused.html", purpose=purpose, status=404 if link is None else 410)


def _set_password(token, purpose):
    link, now = invitations.find(db.session, token, purpose), utcnow()
    if not invitations.is_good(link, now):
        return _refused(link, purpose)
    form, person = SetPasswordForm(), link.user
    if form.validate_on_submit():
        db.session.rollback()  # the hash takes a while: hold no lock, no snapshot meanwhile
        password_hash = invitations.hash_password(
            form.new_password.data, current_app.config["PASSWORD_HASH_METHOD"])
        begin_write(db.session)
        db.session.refresh(link)  # another request may have used it meanwhile
        if not invitations.is_good(link, now):
            return _refused(link, purpose)
        invitations.redeem(db.session, link, password_hash, now, request.user_agent.string)
        db.session.commit()
        login_user(person)  # held here: it carries the new session's token
        flash(_("Your password is set. Welcome to Pacer!") if purpose == invitations.INVITATION
              else _("Your password is changed. Your other devices are signed out."), "success")
        return redirect(url_for("core.index"))
    return render("auth/set_password.html", form=form, purpose=purpose, person=person,
                  status=422 if form.errors else 200)


@bp.route("/password-reset", methods=["GET", "POST"])
@public
def forgot_password():
    """Email a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        ip, now, config = request.remote_addr or "unknown", utcnow(), current_app.config
        window = config.get("PASSWORD_RESET_WINDOW_SECONDS", 3600)
        if invitations.reset_is_throttled(
                db.session, form.email.data, ip, now, window_seconds=window,
                per_email=config.get("PASSWORD_RESET_MAX_PER_EMAIL", 3),
                per_ip=config.get("PASSWORD_RESET_MAX_PER_IP", 20)):
            abort(429)
        invitations.record_reset_request(db.session, form.email.data, ip, now, window)
        person = invitations.person_to_reset(db.session, form.email.data)
        if person is not None:
            email_reset_link(person, invitations.issue(
                db.session, person, invitations.PASSWORD_RESET,
                lifetime=link_lifetime(invitations.PASSWORD_RESET), now=now))
        db.session.commit()
        flash(_("If %(email)s has an account, a link to choose a new password is on its way. "
                "It works once, within an hour.", email=form.email.data[:254]), "info")
        return redirect(url_for("auth.sign_in"))
    return render("auth/forgot_password.html", form=form, status=422 if form.errors else 200)
