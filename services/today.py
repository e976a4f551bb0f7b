"""What a rep's Today page shows: per metric, today's target, what is due by now and what it
takes to be on pace, most behind first; the totals for today and this week; the latest entries.

Targets and pace come from the scorecard (services.scorecards.rep_scorecard over the day), so
Today and the scorecard never disagree about what is due. A day's target of a metric that
counts things is the whole number it takes, as on the scorecard: 2.3 calls is 3 calls, and under
one thing a day (3 deals a month) is none, the tile then naming the period's target instead. What is
due by now is worked out from that whole target by services.pace, as the scorecard does.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from models import Metric
from periods import period_at
from services import activities, scorecards, targets
from services.pace import Pace, whole_target
from services.pace import pace as pace_of

# The order of the tiles: behind first, then the rest still to do, done, and no target last.
_ORDER = {"behind": 0, "not_started": 1, "on_pace": 1, "ahead": 2, "done": 3, "no_target": 4}


@dataclass(frozen=True)
class Pick:
    """One quick choice of a gated metric's measured value (a call's length): what is stored,
    the range it stands for, and whether it passes the gate."""

    value: float
    low: float | None  # None: "under `high`"
    high: float | None  # None: "`low` and more"
    counts: bool


@dataclass(frozen=True)
class Tile:
    metric: Metric
    today: float
    week: float
    target: float | None = None  # today's, whole for counted things
    pace: Pace = field(default_factory=lambda: Pace(None, None, None, "no_target"))
    # (kind, target) of the period the target is set for, when today's share of it rounds to
    # none (under half a counted thing a day): the tile names it instead.
    period_target: tuple | None = None

    @property
    def status(self):
        """The pace status, or "done" once today's target is reached."""
        if self.target and self.metric.direction == "higher" and self.today >= self.target:
            return "done"
        return self.pace.status

    @property
    def needed(self):
        """How many more are needed now to be on pace (0 when on pace or ahead)."""
        if self.pace.expected is None or self.metric.direction != "higher":
            return 0
        short = self.pace.expected - self.today
        return max(0, math.ceil(short - 1e-9) if self.metric.is_count else short)

    @property
    def left(self):
        """How many more to reach today's target."""
        if not self.target or self.metric.direction != "higher":
            return 0
        return max(0.0, self.target - self.today)

    @property
    def progress(self):
        """Share of today's target done, 0..1 (None without a target)."""
        if not self.target:
            return None
        return min(1.0, max(0.0, self.today / self.target))


    @property
    def picks(self):
        return quick_picks(self.metric.quality_min) if self.metric.quality_min is not None else []


@dataclass(frozen=True)
class Today:
    tiles: list[Tile]
    latest: list
    as_of: datetime
    day: object
    week: object
    calendar: object = None  # the organisation's, in which the page counts days and weeks
    starts_on: object = None  # the rep starts after today: nothing is due yet
    days_off: int = 0  # today is a day off
    rounded: bool = False  # some day target was rounded to a whole number

    def tile(self, metric_id):
        """The metric's tile; None for a metric the page does not show (no longer active)."""
        return next((tile for tile in self.tiles if tile.metric.id == metric_id), None)

    def count(self, *statuses):
        return sum(1 for tile in self.tiles if tile.status in statuses)


def active_metrics(session, organization_id):
    """The metrics people log, leading ones first, in the admin's order."""
    return session.scalars(
        select(Metric)
        .where(Metric.organization_id == organization_id, Metric.active.is_(True))
        .order_by(Metric.kind.desc(), Metric.position, Metric.name)
    ).all()


def quick_picks(gate):
    """Quick choices of a measured value around a gate: one below it (stored as half the gate;
    it does not count), and three from it up, e.g. for 2 minutes: <2, 2–5, 5–15, 15+."""
    middle, top = _nice(gate * 2.5), _nice(gate * 7.5)
    return [
        Pick(gate / 2, None, gate, False),
        Pick(gate, gate, middle, True),
        Pick(middle, middle, top, True),
        Pick(top, top, None, True),
    ]


def _nice(value):
    """A round number near `value`: two significant digits, whole from 10 up."""
    digits = max(0, 1 - math.floor(math.log10(abs(value)))) if value else 0
    rounded = round(value, digits)
    return float(round(rounded)) if rounded >= 10 else rounded


def day_target(target, metric):
    """Today's target as shown and judged: for counted things the whole number it takes, as on
    the scorecard (2.3 calls is 3), except under one thing a day (3 deals a month), which is
    none for the day: the tile names the period's target instead."""
    if target is not None and metric.is_count and metric.direction == "higher" and target < 1:
        return 0.0
    return whole_target(target, metric)


def summary(session, user, now):
    """Today's plan for one person, as of now: the tiles in the order that matters to them."""
    calendar = user.organization.calendar
    day = period_at("day", now, calendar)
    week = period_at("week", now, calendar)
    card = scorecards.rep_scorecard(session, user, day, now)
    week_totals = activities.totals_by_metric(
        session, [user.id], week.start, week.end - timedelta(days=1)
    )
    tiles, rounded = [], False
    for metric in active_metrics(session, user.organization_id):
        cell = card.line.cell(metric)
        target = day_target(cell.target, metric)
        rounded = rounded or (target is not None and target != cell.target)
        pace = pace_of(cell.actual, target, card.timing.fraction, metric.direction,
                       metric.is_count) if target else Pace(None, None, None, "no_target")
        tiles.append(Tile(metric, cell.actual, week_totals.get(metric.id, 0), target or None,
                          pace, _period_target(session, user, now, cell) if cell.target and
                          not target else None))
    tiles.sort(key=_urgency)
    return Today(tiles, activities.latest(session, user), now, day, week, calendar,
                 starts_on=user.started_on if user.started_on and user.started_on > day.start
                 else None,
                 days_off=card.days_off, rounded=rounded)


def _period_target(session, user, now, cell):
    """(kind, target) of the person's target over the period it is set for (a month), as the
    scorecard would show it: their own target if they have one, days off and start counted."""
    if cell.rule is None or cell.rule.period_kind == "day":
        return None
    period = period_at(cell.rule.period_kind, now, user.organization.calendar)
    book = targets.load(session, user.organization, period.start,
                        period.end - timedelta(days=1), [user.id])
    return period.kind, book.person_target(user, cell.metric.id, period, cell.rule)


def _urgency(tile):
    """The activities the rep does first (leading metrics), then their results; within each,
    most behind first (the largest share of today's target short of pace), done last."""
    status = tile.status
    short = tile.needed / tile.target if tile.target else 0
    left = tile.left / tile.target if tile.target else 0
    return (tile.metric.kind != "leading", _ORDER[status], -short, -left)
