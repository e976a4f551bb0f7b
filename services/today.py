"""What a rep's Today page shows: each metric's totals for today and this week."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from models import Metric
from periods import period_at
from services import activities


@dataclass(frozen=True)
class Tile:
    metric: Metric
    today: float
    week: float


@dataclass(frozen=True)
class Today:
    tiles: list[Tile]
    latest: list
    as_of: datetime
    day: object
    week: object
    calendar: object = None  # the organisation's, in which the page counts days and weeks


def active_metrics(session, organization_id):
    """The metrics people log, leading ones first, in the admin's order."""
    return session.scalars(
        select(Metric)
        .where(Metric.organization_id == organization_id, Metric.active.is_(True))
        .order_by(Metric.kind.desc(), Metric.position, Metric.name)
    ).all()


def summary(session, user, now):
    """Today's and this week's totals per metric for one person, as of now."""
    calendar = user.organization.calendar
    day = period_at("day", now, calendar)
    week = period_at("week", now, calendar)
    last_day = day.end - timedelta(days=1)
    today_totals = activities.totals_by_metric(session, [user.id], day.start, last_day)
    week_totals = activities.totals_by_metric(
        session, [user.id], week.start, week.end - timedelta(days=1)
    )
    tiles = [
        Tile(metric, today_totals.get(metric.id, 0), week_totals.get(metric.id, 0))
        for metric in active_metrics(session, user.organization_id)
    ]
    return Today(tiles, activities.latest(session, user), now, day, week, calendar)
