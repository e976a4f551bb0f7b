"""The organisation, its teams and its people."""

from datetime import date, datetime, time

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.types import UTCDateTime, utcnow
from periods import WORKDAY_END, WORKDAY_START, Calendar

ROLES = ("admin", "executive", "manager", "rep")


class Organization(db.Model):
    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint("workday_start < workday_end", name="workday_ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    week_start: Mapped[int] = mapped_column(default=0)  # 0 = Monday
    fiscal_year_start_month: Mapped[int] = mapped_column(default=1)
    # Digits of the working weekdays, 0 = Monday: "01234" is Monday to Friday.
    working_weekdays: Mapped[str] = mapped_column(String(7), default="01234")
    # Working hours, local wall-clock times: pace runs over them (ending after they start).
    workday_start: Mapped[time] = mapped_column(default=WORKDAY_START, server_default="09:00:00")
    workday_end: Mapped[time] = mapped_column(default=WORKDAY_END, server_default="18:00:00")
    # Bumped on every change to what targets are made of (services.freshness).
    settings_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def calendar(self):
        return Calendar(
            timezone=self.timezone,
            week_start=self.week_start,
            fiscal_year_start_month=self.fiscal_year_start_month,
            working_weekdays=frozenset(int(d) for d in self.working_weekdays),
            workday_start=self.workday_start,
            workday_end=self.workday_end,
        )


team_managers = Table(
    "team_managers",
    db.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Team(db.Model):
    __tablename__ = "teams"
    __table_args__ = (
        CheckConstraint(
            "(workday_start IS NULL AND workday_end IS NULL) OR (workday_start IS NOT NULL"
            " AND workday_end IS NOT NULL AND workday_start < workday_end)",
            name="workday_both_or_neither_and_ends_after_start",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    # The team's own working hours; both empty: those of the team it is part of, and so on up
    # to the organisation's.
    workday_start: Mapped[time | None] = mapped_column()
    workday_end: Mapped[time | None] = mapped_column()

    organization: Mapped[Organization] = relationship()
    parent: Mapped["Team | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Team"]] = relationship(back_populates="parent", order_by="Team.name")
    managers: Mapped[list["User"]] = relationship(
        secondary=team_managers, back_populates="managed_teams", order_by="User.name"
    )
    members: Mapped[list["User"]] = relationship(
        back_populates="team", order_by="User.name", foreign_keys="User.team_id"
    )

    @property
    def path(self):
        """The team's ancestors and itself, from the top."""
        chain, team = [], self
        while team is not None:
            chain.append(team)
            team = team.parent
        return list(reversed(chain))

    @property
    def own_hours(self):
        """(start, end) of the team's own working hours, or None when it has none."""
        if self.workday_start is None or self.workday_end is None:
            return None
        return self.workday_start, self.workday_end

    @property
    def calendar(self):
        """The organisation's calendar with the working hours of this team: its own, else the
        nearest team above it with its own, else the organisation's."""
        team, seen = self, set()
        while team is not None and team not in seen:  # a cycle made outside Pacer ends it
            if team.own_hours is not None:
                return self.organization.calendar.with_hours(*team.own_hours)
            seen.add(team)
            team = team.parent
        return self.organization.calendar

    def descendants(self):
        """Every team below this one."""
        found = []
        for child in self.children:
            found.append(child)
            found.extend(child.descendants())
        return found


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    started_on: Mapped[date | None] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped with every change to the person's activities (services.freshness).
    numbers_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()
    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])
    managed_teams: Mapped[list[Team]] = relationship(
        secondary=team_managers, back_populates="managers", order_by="Team.name"
    )
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    # The login session this request was authenticated by (see services.accounts).
    session_token = None

    @property
    def roles(self):
        return frozenset(row.role for row in self.role_rows)

    @roles.setter
    def roles(self, roles):
        wanted = set(roles)
        unknown = wanted - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {sorted(unknown)}")
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=role) for role in sorted(wanted - self.roles)
        ]

    def has_role(self, *roles):
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return self.session_token

    # UserMixin compares people by get_id(), which here is the sign-in token: any two people
    # not signed in would be "equal", and `person in team.managers` true for anyone. A session
    # holds one object per row, so the same person is the same object.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    @property
    def calendar(self):
        """The calendar the person's pace runs on: the organisation's, with the working hours
        of the team they are in (see Team.calendar)."""
        return self.team.calendar if self.team is not None else self.organization.calendar

    @property
    def display_timezone(self):
        """Where the person reads and types times; periods always follow the organisation."""
        return self.timezone or self.organization.timezone

    def __repr__(self):
        return f"<User {self.email}>"


def users_with_role(role):
    """A select of the users holding a role."""
    return select(User).join(UserRole).where(UserRole.role == role)
