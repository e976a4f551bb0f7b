"""Background jobs that failed for good (models.JobFailure): what an organisation's admins see."""

from sqlalchemy import select

from models import JobFailure

PAGE = 100


def recent(session, organization_id, limit=PAGE):
    """The organisation's most recent failures first."""
    return session.scalars(
        select(JobFailure)
        .where(JobFailure.organization_id == organization_id)
        .order_by(JobFailure.failed_at.desc(), JobFailure.id.desc())
        .limit(limit)
    ).all()
