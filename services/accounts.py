"""Accounts: passwords, sign-in sessions and sign-in throttling."""

import secrets
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from models import LoginSession, SignInFailure, User
from services.notifications import unread_count_of

MIN_PASSWORD_LENGTH = 10

def normalise_email(email):
    return (email or "").strip().lower()


def set_password(user, password, method):
    user.password_hash = generate_password_hash(password, method=method)


def authenticate(session, email, password, method):
    """The active user with this email and password, or None, whatever the reason."""
    user_id = verify_password(credentials_for(session, email), password, method)
    return session.get(User, user_id) if user_id is not None else None


def credentials_for(session, email):
    """What checking a password needs, as plain values (id, password_hash, active), or None.

    Plain values, so that the caller may end its transaction before the slow hash: a sign-in
    then holds no lock and no snapshot while it works.
    """
    return session.execute(
        select(User.id, User.password_hash, User.active)
        .where(User.email == normalise_email(email))
    ).first()


def verify_password(credentials, password, method):
    """The id of the active person whose credentials these are, if the password is theirs.

    Exactly one password hash whatever the outcome: for an unknown email the password is
    hashed once and thrown away, so it takes as long as a wrong password and the two cannot
    be told apart.
    """
    if credentials is None:
        generate_password_hash(password or "", method=method)
        return None
    if not check_password_hash(credentials.password_hash, password or ""):
        return None
    return credentials.id if credentials.active else None


def active_user(session, user_id):
    """The person by id if they are still active (they may have been deactivated meanwhile)."""
    user = session.get(User, user_id) if user_id is not None else None
    return user if user is not None and user.active else None


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
    user, user.session_token, user.unread_notifications = row
    return user


# What makes a session token good: its row, and its person active.
_users, _sessions = User.__table__, LoginSession.__table__
_SESSION_OF_AN_ACTIVE_PERSON = (_sessions.c.token == bindparam("token"),
                                _users.c.active.is_(True))

# Every request of a signed-in person runs this, so it is built once (building it cost more
# than running it), and it brings the organisation, roles and led teams along: the common
# access checks then need no other statement. The count of unread notifications comes along
# too, for the layout's badge.
_SIGNED_IN = (
    select(User, LoginSession.token, unread_count_of(User.id))
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(*_SESSION_OF_AN_ACTIVE_PERSON)
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
