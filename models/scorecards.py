"""Scorecard templates, goals at company, team and person level, and time off."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.metrics import Metric
from models.people import Team, User
from models.types import Quantity, UTCDateTime, utcnow

LEVELS = ("company", "team", "person")
_KINDS_SQL = "('day', 'week', 'month', 'quarter', 'year')"

# Which template a team uses. A team has at most one; the template also applies to the teams
# beneath it that have none of their own.
scorecard_template_teams = Table(
    "scorecard_template_teams",
    db.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "template_id",
        ForeignKey("scorecard_templates.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
)


class ScorecardTemplate(db.Model):
    """The metrics a role or team is judged on, with their weights, caps and default targets."""

    __tablename__ = "scorecard_templates"
    __table_args__ = (
        CheckConstraint(
            "role IS NULL OR role IN ('admin', 'executive', 'manager', 'rep')", name="role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # The role whose people use it when no team template is nearer (None: teams only).
    role: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    teams: Mapped[list[Team]] = relationship(secondary=scorecard_template_teams,
                                             order_by="Team.name")
    items: Mapped[list["ScorecardItem"]] = relationship(
        back_populates="template", cascade="all, delete-orphan",
        order_by="ScorecardItem.position",
    )

    def item_for(self, metric_id):
        return next((item for item in self.items if item.metric_id == metric_id), None)

    def __repr__(self):
        return f"<ScorecardTemplate {self.name}>"


class ScorecardItem(db.Model):
    """One metric of a template: its weight in the score, its cap and its default target."""

    __tablename__ = "scorecard_items"
    __table_args__ = (
        UniqueConstraint("template_id", "metric_id"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
        CheckConstraint("cap_percent >= 100", name="cap_at_least_100"),
        CheckConstraint("target IS NULL OR target >= 0", name="target_not_negative"),
        CheckConstraint(f"period_kind IN {_KINDS_SQL}", name="period_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("scorecard_templates.id", ondelete="CASCADE"), index=True
    )
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"), index=True)
    weight: Mapped[float] = mapped_column(Quantity, default=1)
    # The most a metric can contribute to the score, in percent of its weight.
    cap_percent: Mapped[float] = mapped_column(Quantity, default=150)
    # The period the target is set for: calls a day, visits a week, revenue a month.
    period_kind: Mapped[str] = mapped_column(String(8), default="week")
    # Each person's target for one such period, unless they have an override.
    target: Mapped[float | None] = mapped_column(Quantity)
    position: Mapped[int] = mapped_column(default=0)

    template: Mapped[ScorecardTemplate] = relationship(back_populates="items")
    metric: Mapped[Metric] = relationship()


class Goal(db.Model):
    """A target typed in for the company, a team or one person (an override).

    Standing (period_start is None: every period of its kind) or for one named period. What
    a team or the company is expected to do without one is the sum of the targets beneath it,
    computed when read and never stored.
    """

    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint("level IN ('company', 'team', 'person')", name="level"),
        CheckConstraint(
            "(level = 'company' AND team_id IS NULL AND user_id IS NULL)"
            " OR (level = 'team' AND team_id IS NOT NULL AND user_id IS NULL)"
            " OR (level = 'person' AND user_id IS NOT NULL AND team_id IS NULL)",
            name="level_subject",
        ),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint(f"period_kind IN {_KINDS_SQL}", name="period_kind"),
        Index("ix_goals_organization_metric", "organization_id", "metric_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    level: Mapped[str] = mapped_column(String(8))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"))
    period_kind: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date | None] = mapped_column()
    value: Mapped[float] = mapped_column(Quantity)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    metric: Mapped[Metric] = relationship()


class TimeOff(db.Model):
    """Days a person does not work (holiday, leave, training): their targets shrink to match."""

    __tablename__ = "time_off"
    __table_args__ = (CheckConstraint("last_day >= first_day", name="ends_after_it_starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date] = mapped_column()
    last_day: Mapped[date] = mapped_column()  # inclusive
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
