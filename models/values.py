"""The organisation's values, each with the behaviours that show it."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.types import UTCDateTime, utcnow


class Value(db.Model):
    """A company value ("Customer first") and the behaviours that show it, one per line
    ("Follows up within 24 hours"). Feedback, recognition and reviews link to it."""

    __tablename__ = "company_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    behaviours: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def behaviour_list(self):
        """The behaviours, one per non-blank line."""
        return [line.strip() for line in self.behaviours.splitlines() if line.strip()]

    def __repr__(self):
        return f"<Value {self.name}>"
