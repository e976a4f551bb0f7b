"""Coaching: templates, sessions with their sections, agenda, action items, private notes and
the log of who read them; recurring series, requests from reps, and obstacles."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.metrics import Metric
from models.people import User
from models.types import UTCDateTime, utcnow

# What a section of a template asks for.
#   rating:         options {"points": [{"value": 1, "label": "...", "definition": "..."}, ...]}
#   text:           free text; options {}
#   checklist:      options {"items": ["...", ...]}; a session's value is the list of ticked items
#   talking_points: options {"points": ["...", ...]}
#   snapshot:       the rep's scorecard numbers; options {"period": "week" | "month" | "quarter"}
SECTION_KINDS = ("rating", "text", "checklist", "talking_points", "snapshot")
_SECTION_KINDS_SQL = "('rating', 'text', 'checklist', 'talking_points', 'snapshot')"

# What holds a person back, in the five categories of the sources.
OBSTACLE_CATEGORIES = (
    "work_environment", "job_design", "policies", "personal", "external",
)
_OBSTACLE_CATEGORIES_SQL = (
    "('work_environment', 'job_design', 'policies', 'personal', 'external')"
)

SESSION_STATUSES = ("draft", "shared")


class CoachingTemplate(db.Model):
    """A prepared form for a coaching conversation, made of ordered sections."""

    __tablename__ = "coaching_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    sections: Mapped[list["CoachingTemplateSection"]] = relationship(
        back_populates="template", cascade="all, delete-orphan",
        order_by="CoachingTemplateSection.position",
    )

    def __repr__(self):
        return f"<CoachingTemplate {self.name}>"


class CoachingTemplateSection(db.Model):
    __tablename__ = "coaching_template_sections"
    __table_args__ = (CheckConstraint(f"kind IN {_SECTION_KINDS_SQL}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_templates.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(160))
    prompt: Mapped[str] = mapped_column(Text, default="")  # guidance shown under the title
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    # Whether the rep may answer this section once the session is shared.
    rep_answers: Mapped[bool] = mapped_column(default=False)

    template: Mapped[CoachingTemplate] = relationship(back_populates="sections")


class CoachingSeries(db.Model):
    """Recurring sessions between a coach and a rep: a draft is made on schedule."""

    __tablename__ = "coaching_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("coaching_templates.id", ondelete="SET NULL")
    )
    weekday: Mapped[int] = mapped_column(default=0)  # 0 = Monday
    every_weeks: Mapped[int] = mapped_column(default=1)
    # The next local date a draft is due for; the job makes it and moves this on.
    next_on: Mapped[date] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    template: Mapped[CoachingTemplate | None] = relationship()


class CoachingSession(db.Model):
    """One coaching conversation between a coach (a manager) and a rep.

    A draft is seen by the coach (and the rep's other managers); once shared, the rep sees it,
    acknowledges it and answers. The scorecard snapshot is live while a draft and frozen into
    `snapshot` when shared.
    """

    __tablename__ = "coaching_sessions"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'shared')", name="status"),
        Index("ix_coaching_sessions_rep_id_scheduled_for", "rep_id", "scheduled_for"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("coaching_templates.id", ondelete="SET NULL")
    )
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("coaching_series.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(8), default="draft")
    # When the conversation takes place (UTC); None until it is planned.
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The metric that is behind, when the session was started from it.
    metric_id: Mapped[int | None] = mapped_column(ForeignKey("metrics.id", ondelete="SET NULL"))
    # The scorecard period the snapshot shows: a kind ("week", "month", ...) and its first day.
    period_kind: Mapped[str] = mapped_column(String(8), default="week")
    period_start: Mapped[date | None] = mapped_column()
    # The rep's numbers frozen when shared (services.coaching); None while a draft.
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    shared_notes: Mapped[str] = mapped_column(Text, default="")
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    template: Mapped[CoachingTemplate | None] = relationship()
    series: Mapped[CoachingSeries | None] = relationship()
    metric: Mapped[Metric | None] = relationship()
    sections: Mapped[list["CoachingSessionSection"]] = relationship(
        back_populates="session", cascade="all, delete-orphan",
        order_by="CoachingSessionSection.position",
    )
    agenda: Mapped[list["AgendaItem"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="AgendaItem.id",
    )

    @property
    def is_shared(self):
        return self.status == "shared"

    def __repr__(self):
        return f"<CoachingSession {self.id} rep={self.rep_id}>"


class CoachingSessionSection(db.Model):
    """A template's section copied into a session, so later edits of the template never change
    what was discussed; with the coach's entry and the rep's answer."""

    __tablename__ = "coaching_session_sections"
    __table_args__ = (CheckConstraint(f"kind IN {_SECTION_KINDS_SQL}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(160))
    prompt: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    rep_answers: Mapped[bool] = mapped_column(default=False)
    # The coach's entry: a rating's value, a text, the ticked checklist items (shared with the
    # rep once the session is shared; private thoughts go in PrivateNote).
    value: Mapped[dict | list | str | int | None] = mapped_column(JSON)
    rep_answer: Mapped[str | None] = mapped_column(Text)
    rep_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[CoachingSession] = relationship(back_populates="sections")


class AgendaItem(db.Model):
    """A talking point either side adds before the meeting."""

    __tablename__ = "coaching_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    covered: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[CoachingSession] = relationship(back_populates="agenda")
    author: Mapped[User] = relationship()


class ActionItem(db.Model):
    """Something to do by a date, agreed in a session; while open it carries forward into every
    later session with the same rep, and it is closed once, wherever it is closed."""

    __tablename__ = "coaching_action_items"
    __table_args__ = (Index("ix_coaching_action_items_rep_id_closed_at", "rep_id", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The rep whose coaching it belongs to, whoever owns it.
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The session it was closed in (None: ticked outside a session, e.g. on the rep's phone).
    closed_in_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="SET NULL")
    )

    session: Mapped[CoachingSession] = relationship(foreign_keys=[session_id])
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])

    @property
    def is_open(self):
        return self.closed_at is None


class PrivateNote(db.Model):
    """A note on a session that only its author ever sees: not the rep, not other managers,
    not admins, not executives."""

    __tablename__ = "coaching_private_notes"
    __table_args__ = (UniqueConstraint("session_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SessionRead(db.Model):
    """Who other than the rep opened one of the rep's sessions, and when: shown to the rep."""

    __tablename__ = "coaching_session_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    reader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What was read: the page, a fragment, an export...
    what: Mapped[str] = mapped_column(String(24), default="page")

    reader: Mapped[User] = relationship()


class CoachingRequest(db.Model):
    """A rep asking for coaching on a metric, or for a 1:1."""

    __tablename__ = "coaching_requests"
    __table_args__ = (
        CheckConstraint("kind IN ('metric', 'one_on_one')", name="kind"),
        CheckConstraint("status IN ('open', 'answered', 'withdrawn')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    metric_id: Mapped[int | None] = mapped_column(ForeignKey("metrics.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="open")
    # The session that answered it.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rep: Mapped[User] = relationship()
    metric: Mapped[Metric | None] = relationship()


class Obstacle(db.Model):
    """What holds a person back, in one of the five categories, recorded in a coaching session
    (and, later, in a review). Counted by category, team and month; its note is seen only by
    those who may see where it was recorded."""

    __tablename__ = "obstacles"
    __table_args__ = (
        CheckConstraint(f"category IN {_OBSTACLE_CATEGORIES_SQL}", name="category"),
        Index("ix_obstacles_organization_id_recorded_at", "organization_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The person's team when it was recorded, so counts by team stay put when people move.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[User] = relationship(foreign_keys=[person_id])
    session: Mapped[CoachingSession | None] = relationship()


class ActionItemReminder(db.Model):
    """A reminder sent to an action item's owner, once per kind: due tomorrow, or overdue."""

    __tablename__ = "coaching_action_item_reminders"
    __table_args__ = (
        UniqueConstraint("action_item_id", "kind"),
        CheckConstraint("kind IN ('due', 'overdue')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(
        ForeignKey("coaching_action_items.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(8))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
