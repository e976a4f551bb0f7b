"""What holds people back, counted by category, team and month for those who lead.

Counts cover the teams a person may look into (those they lead and beneath; the whole
organisation for executives and admins). A note is shown only where the viewer may see the
coaching session it was recorded in: a count says how often, never what was said.
"""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import OBSTACLE_CATEGORIES, Obstacle, Team
from periods import bounds_utc, local_date, period_at, shift
from services import visibility
from services.coaching import can_see_session

# The periods the report offers, in months ending with the current one.
SPANS = (3, 6, 12)


@dataclass
class CategoryCounts:
    """One category's table: per team, per month, how many obstacles were recorded."""

    category: str
    cells: dict = field(default_factory=dict)  # (team id, month start) -> count

    def count(self, team, month):
        return self.cells.get((team.id, month.start), 0)

    def team_total(self, team):
        return sum(n for (team_id, _), n in self.cells.items() if team_id == team.id)

    def month_total(self, month):
        return sum(n for (_, start), n in self.cells.items() if start == month.start)

    @property
    def total(self):
        return sum(self.cells.values())

    @property
    def team_ids(self):
        """The teams with at least one obstacle of this category."""
        return {team_id for team_id, _ in self.cells}


@dataclass
class Report:
    months: list  # the month Periods covered, oldest first
    teams: list  # the teams counted, by name
    categories: list  # a CategoryCounts per category, in OBSTACLE_CATEGORIES order
    notes: list  # the obstacles whose note the viewer may read, newest first

    @property
    def total(self):
        return sum(each.total for each in self.categories)


def months(calendar, now, span):
    """The last `span` months of the organisation's calendar, ending with the current one."""
    current = period_at("month", now, calendar)
    return [shift(current, -back, calendar) for back in range(span - 1, -1, -1)]


def report(session, viewer, *, span, now, team=None):
    """Obstacles recorded in the last `span` months in the teams the viewer may look into (or
    in one of them, `team`)."""
    calendar = viewer.organization.calendar
    covered = months(calendar, now, span)
    start, _ = bounds_utc(covered[0], calendar)
    _, end = bounds_utc(covered[-1], calendar)
    team_ids = visibility.visible_team_ids(session, viewer)
    if team is not None:
        team_ids &= {team.id}
    found = session.scalars(
        select(Obstacle)
        .where(Obstacle.organization_id == viewer.organization_id,
               Obstacle.team_id.in_(team_ids),
               Obstacle.recorded_at >= start, Obstacle.recorded_at < end)
        .options(selectinload(Obstacle.session), selectinload(Obstacle.person))
        .order_by(Obstacle.recorded_at.desc(), Obstacle.id.desc())
    ).all() if team_ids else []
    by_category = {category: CategoryCounts(category) for category in OBSTACLE_CATEGORIES}
    month_of = {}
    for obstacle in found:
        day = local_date(obstacle.recorded_at, calendar)
        month = month_of.setdefault(day.replace(day=1), day.replace(day=1))
        cells = by_category[obstacle.category].cells
        cells[(obstacle.team_id, month)] = cells.get((obstacle.team_id, month), 0) + 1
    counted = {obstacle.team_id for obstacle in found}
    teams = session.scalars(select(Team).where(Team.id.in_(counted))
                            .order_by(Team.name, Team.id)).all() if counted else []
    notes = [obstacle for obstacle in found if obstacle.note and may_read_note(
        session, viewer, obstacle)]
    return Report(covered, teams, list(by_category.values()), notes)


def may_read_note(session, viewer, obstacle):
    """Where the session is one the viewer may see; an obstacle recorded outside a session,
    only by whoever recorded it."""
    if obstacle.session is None:
        return obstacle.recorded_by_id == viewer.id
    return can_see_session(session, viewer, obstacle.session)
