"""Links sent by email that let their holder set a password: invitations and password resets.

A link carries a random token; only its SHA-256 is stored, so reading the table opens
nothing. A link is good once, before it expires, for an active person. Setting a password
through one uses every other link of that person and ends their other sign-in sessions.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from werkzeug.security import generate_password_hash

from models import PasswordResetRequest, SignInToken, User
from services import accounts

INVITATION, PASSWORD_RESET = "invitation", "password_reset"
PURPOSES = (INVITATION, PASSWORD_RESET)
# secrets.token_urlsafe(32) is 43 characters; anything much longer or not URL-safe base64 is
# no token of ours and never reaches the database.
_TOKEN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
MAX_TOKEN_LENGTH = 64


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def unusable_password(user, method):
    """A password nobody knows, until the invited person chooses theirs."""
    user.password_hash = generate_password_hash(secrets.token_urlsafe(32), method=method)


def issue(session, user, purpose, *, lifetime, now, created_by=None):
    """A new link for `user`; the earlier unused ones of the same purpose stop working (the
    latest email is the one that counts). Returns the token, to put in the email."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose: {purpose}")
    _use_up(session, user, now, purpose)
    token = secrets.token_urlsafe(32)
    session.add(SignInToken(
        purpose=purpose, user=user, token_hash=_digest(token), created_at=now,
        expires_at=now + lifetime, created_by=created_by,
    ))
    return token


def find(session, token, purpose):
    """The link this token is, whatever its state, or None when it is no link of ours."""
    if (not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH
            or not set(token) <= _TOKEN_CHARACTERS):
        return None
    return session.scalar(
        select(SignInToken).where(
            SignInToken.token_hash == _digest(token), SignInToken.purpose == purpose
        )
    )


def is_good(link, now):
    """Whether the link may still set a password: unused, unexpired, its person active."""
    return (link is not None and link.used_at is None and now < link.expires_at
            and link.user.active)


def hash_password(password, method):
    """The slow part of setting a password, done before the write (see the view)."""
    return generate_password_hash(password, method=method)


def redeem(session, link, password_hash, now, user_agent=None):
    """Give the person the password (already hashed) through the link, use up every link of
    theirs, end their other sessions, and start one here; returns its token (Flask-Login)."""
    user = link.user
    _use_up(session, user, now)
    link.used_at = now
    user.password_hash = password_hash
    accounts.end_all_sessions(session, user)
    return accounts.start_session(session, user, user_agent)


def _use_up(session, user, now, purpose=None):
    statement = update(SignInToken).where(
        SignInToken.user_id == user.id, SignInToken.used_at.is_(None)
    )
    if purpose is not None:
        statement = statement.where(SignInToken.purpose == purpose)
    session.execute(statement.values(used_at=now))


def has_pending_invitation(session, user, now):
    return session.scalar(
        select(func.count(SignInToken.id)).where(
            SignInToken.user_id == user.id, SignInToken.purpose == INVITATION,
            SignInToken.used_at.is_(None), SignInToken.expires_at > now,
        )
    ) > 0


# Asking for a reset link: the answer never says whether the address has an account.


def person_to_reset(session, email):
    """The active person with this email, or None."""
    return session.scalar(
        select(User).where(User.email == accounts.normalise_email(email), User.active.is_(True))
    )


def reset_is_throttled(session, email, ip, now, *, per_email, per_ip, window_seconds):
    """Whether another reset link is refused for now: too many asked for the address, or
    from the IP address, lately."""
    since = now - timedelta(seconds=window_seconds)
    recent = select(func.count(PasswordResetRequest.id)).where(
        PasswordResetRequest.requested_at > since
    )
    by_email = session.scalar(
        recent.where(PasswordResetRequest.email == accounts.normalise_email(email)[:254])
    )
    by_ip = session.scalar(recent.where(PasswordResetRequest.ip == ip[:45]))
    return by_email >= per_email or by_ip >= per_ip


def record_reset_request(session, email, ip, now, window_seconds):
    """Count a request for a reset link, forgetting those too old to matter."""
    session.execute(
        delete(PasswordResetRequest).where(
            PasswordResetRequest.requested_at <= now - timedelta(seconds=window_seconds * 10)
        )
    )
    session.add(PasswordResetRequest(
        email=accounts.normalise_email(email)[:254], ip=ip[:45], requested_at=now
    ))
