"""Notifications: the inbox, who wants which emails, digests sent, and sign-in links by email."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.people import User
from models.types import UTCDateTime, utcnow


class Notification(db.Model):
    """One inbox entry. Its words are not stored: `kind` and `params` are turned into text in
    the reader's language when shown (and the email's when it is sent), and `link_endpoint`
    with `link_values` into the URL of the page it is about."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
        Index("ix_notifications_recipient_read", "recipient_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link_endpoint: Mapped[str] = mapped_column(String(80))
    link_values: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Whether the recipient's preferences asked for an email, and when it went: a job retried
    # after sending does not send it twice.
    email_wanted: Mapped[bool] = mapped_column(default=False)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class EmailPreference(db.Model):
    """A person's choice of email for one kind of notification; no row: the kind's default."""

    __tablename__ = "email_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[bool] = mapped_column()


class DigestSent(db.Model):
    """A weekly digest that went to a person: one per person and week, whatever the job does."""

    __tablename__ = "digests_sent"
    __table_args__ = (UniqueConstraint("user_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date] = mapped_column()  # the first day of the week, local
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignInToken(db.Model):
    """A link sent by email that lets its holder set a password: an invitation or a reset.

    Only the SHA-256 of the token is kept, so the table read by someone else opens nothing.
    A token is good once, before it expires.
    """

    __tablename__ = "sign_in_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))  # "invitation" or "password_reset"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class PasswordResetRequest(db.Model):
    """A request for a reset link, kept for a while so that every process limits them alike."""

    __tablename__ = "password_reset_requests"
    __table_args__ = (
        Index("ix_password_reset_requests_email_at", "email", "requested_at"),
        Index("ix_password_reset_requests_ip_at", "ip", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(45))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
