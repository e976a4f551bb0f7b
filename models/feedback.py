"""Continuous feedback between people, in any direction within reach, and its replies."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.people import User
from models.types import UTCDateTime, utcnow
from models.values import Value

FEEDBACK_KINDS = ("praise", "suggestion")


class Feedback(db.Model):
    """Praise or a suggestion from one person to another. Seen by the two of them and by the
    managers of the receiver's team and the teams above it; nobody else."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("kind IN ('praise', 'suggestion')", name="kind"),
        CheckConstraint("giver_id <> receiver_id", name="not_to_oneself"),
        Index("ix_feedback_receiver_id_created_at", "receiver_id", "created_at"),
        Index("ix_feedback_giver_id_created_at", "giver_id", "created_at"),
        Index("ix_feedback_organization_id_created_at", "organization_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    giver_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    receiver_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The receiver's and the giver's teams when it was given: the managers' feed follows them.
    receiver_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    giver_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value_id: Mapped[int | None] = mapped_column(
        ForeignKey("company_values.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    giver: Mapped[User] = relationship(foreign_keys=[giver_id])
    receiver: Mapped[User] = relationship(foreign_keys=[receiver_id])
    value: Mapped[Value | None] = relationship()
    replies: Mapped[list["FeedbackReply"]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan",
        order_by="FeedbackReply.created_at, FeedbackReply.id",
    )

    def __repr__(self):
        return f"<Feedback {self.kind} {self.giver_id}->{self.receiver_id}>"


class FeedbackReply(db.Model):
    """One message of the thread that follows a piece of feedback, by either of the two."""

    __tablename__ = "feedback_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    feedback: Mapped[Feedback] = relationship(back_populates="replies")
    author: Mapped[User] = relationship()
