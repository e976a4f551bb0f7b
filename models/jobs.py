"""Background jobs that failed for good: kept for the organisation's admins to see and retry."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.types import UTCDateTime, utcnow


class JobFailure(db.Model):
    """A job whose every attempt failed (jobs/__init__.py records it after the last one).

    `arguments` is what is needed to enqueue it again, `summary` what an admin may read: the
    task's own description of its arguments, never a secret (an email's body can carry a
    sign-in link). A job that names no organisation is the deployment's, not an
    organisation's: no admin page lists it (`flask jobs failures` does).
    """

    __tablename__ = "job_failures"
    __table_args__ = (Index("ix_job_failures_organization_failed", "organization_id", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    task: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    # The arguments as JSON, to enqueue the job again (never shown); None when they are not
    # JSON, and then the job cannot be retried from the admin page.
    arguments: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str] = mapped_column(String(1000))
    attempts: Mapped[int] = mapped_column(default=1)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
