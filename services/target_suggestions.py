"""Target suggestions: what a person's recent weeks say they can reach, rounded as one types."""

import math
from dataclasses import dataclass
from datetime import timedelta

from periods import period_at, recent, shift
from services import rollups, targets

# The 80th percentile of a person's last 12 complete weeks (20th when lower is
# better): within reach, since they managed it one week in five, and still a stretch.
SUGGESTION_WEEKS = 12
SUGGESTION_PERCENTILE = 0.8
# Weeks per period kind, to turn a weekly rate into a target of another kind.
_WEEKS_PER = {"week": 1, "month": 52 / 12, "quarter": 13, "year": 52}


def percentile(values, share):
    """The value below which `share` of the values lie, interpolating between neighbours."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = share * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def round_target(value):
    """A target a person would type: whole hundreds, whole units, or one decimal when small."""
    if value is None:
        return None
    if value >= 1000:
        return float(round(value, -2))
    if value >= 10:
        return float(round(value))
    return round(value, 1)


@dataclass(frozen=True)
class History:
    """A person's recent weeks of one metric, per working day they were there."""

    rates: tuple  # per available working day, one per week they worked at all

    def suggest(self, kind, working_days_per_week, direction="higher"):
        share = SUGGESTION_PERCENTILE if direction == "higher" else 1 - SUGGESTION_PERCENTILE
        rate = percentile(self.rates, share)
        if rate is None:
            return None
        per_week = rate * working_days_per_week
        if kind == "day":
            return round_target(rate)
        return round_target(per_week * _WEEKS_PER[kind])


def suggestions(session, organization, people, metrics, kind, now):
    """{(person id, metric id): suggested target for a period of `kind`} from the roll-up."""
    calendar = organization.calendar
    weeks = recent(shift(period_at("week", now, calendar), -1, calendar), SUGGESTION_WEEKS,
                   calendar)
    ids = [person.id for person in people]
    totals = rollups.totals_by_period(session, ids, weeks, by_user=True)
    book = targets.load(session, organization, weeks[0].start,
                        weeks[-1].end - timedelta(days=1), ids)
    per_week = len(calendar.working_weekdays)
    found = {}
    for person in people:
        days_off = book.days_off(person)
        available = [
            sum(1 for day in week.days
                if day.weekday() in calendar.working_weekdays and day not in days_off)
            for week in weeks
        ]
        for metric in metrics:
            rates = tuple(
                totals.get((person.id, metric.id, index), 0.0) / days
                for index, days in enumerate(available) if days
            )
            found[(person.id, metric.id)] = History(rates).suggest(
                kind, per_week, metric.direction
            )
    return found
