"""Accounts: passwords, sign-in sessions and sign-in throttling."""

import secrets
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from models import LoginSession, SignInFailure, User

MIN_PASSWORD_LENGTH = 10

# Checked against when the email is unknown, so a wrong email costs as much time as a wrong
# password and the two cannot be told apart.
_DUMMY_HASHES = {}


def normalise_email(email):
    return (email or "").strip().lower()


def set_password(user, password, method):
    user.password_hash = generate_password_hash(password, method=method)


def authenticate(session, email, password, method):
    """The active user with this email and password, or None, whatever the reason."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        dummy = _DUMMY_HASHES.setdefault(method, generate_password_hash("x", method=method))
        check_password_hash(dummy, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user if user.active else None


def start_session(session, user, user_agent=None):
    """A new sign-in session for the user; returns its token (what Flask-Login stores)."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token=token, user=user, user_agent=(user_agent or "")[:255]))
    user.session_token = token
    return token


def user_for_token(session, token):
    """The active user a session token belongs to, or None if that session has ended."""
    if not token:
        return None
    row = session.execute(_SIGNED_IN, {"token": token}).unique().first()
    if row is None:
        return None
    user, user.session_token = row
    return user


# Every request of a signed-in person runs this, so it is built once (building it cost more
# than running it), and it brings the organisation, roles and led teams along: the common
# access checks then need no other statement.
_SIGNED_IN = (
    select(User, LoginSession.token)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(LoginSession.token == bindparam("token"), User.active.is_(True))
    .options(joinedload(User.organization), joinedload(User.role_rows),
             joinedload(User.managed_teams))
)


def end_session(session, token):
    session.execute(delete(LoginSession).where(LoginSession.token == token))


def end_all_sessions(session, user):
    """Sign the user out everywhere: every copied cookie stops working."""
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    user.session_token = None


def change_password(session, user, new_password, method, user_agent=None):
    """Set a new password, end every other session, and keep this device signed in."""
    set_password(user, new_password, method)
    end_all_sessions(session, user)
    return start_session(session, user, user_agent)


def deactivate(session, user):
    user.active = False
    end_all_sessions(session, user)


def is_throttled(session, email, ip, now, max_failures, max_failures_per_ip, window_seconds):
    """Whether sign-in is refused for now: too many recent failures for the email or the address."""
    since = now - timedelta(seconds=window_seconds)
    recent = select(func.count(SignInFailure.id)).where(SignInFailure.attempted_at > since)
    by_email = session.scalar(recent.where(SignInFailure.email == normalise_email(email)))
    by_ip = session.scalar(recent.where(SignInFailure.ip == ip))
    return by_email >= max_failures or by_ip >= max_failures_per_ip


def record_failure(session, email, ip, now, window_seconds):
    """Count a failed sign-in, forgetting the ones too old to matter."""
    session.execute(
        delete(SignInFailure).where(
            SignInFailure.attempted_at <= now - timedelta(seconds=window_seconds * 10)
        )
    )
    session.add(SignInFailure(email=normalise_email(email)[:254], ip=ip[:45], attempted_at=now))


def clear_failures(session, email):
    session.execute(
        delete(SignInFailure).where(
            SignInFailure.email == normalise_email(email)
        )
    )
