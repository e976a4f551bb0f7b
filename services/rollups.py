"""Reading the daily roll-up: totals per person and metric over periods, daily caps applied.

Every query here is one grouped aggregate over person x metric x day rows; none reads
activities, so a page costs the same however many activities lie behind its numbers.
"""

from dataclasses import dataclass

from sqlalchemy import Select, case, func, select

from models import DailyRollup, Metric, TeamRollup
from services.capping import capped_crm_total, capped_total


@dataclass(frozen=True)
class Total:
    """What counts for a person and metric over some days, and the part of it from the CRM."""

    value: float = 0.0
    crm: float = 0.0

    def __add__(self, other):
        return Total(self.value + other.value, self.crm + other.crm)


def nobody(user_ids):
    """Whether `user_ids`, a collection or a subquery of ids, is an empty collection.

    A whole company's screens pass a subquery: a thousand ids bound one by one cost more to
    send than the query takes.
    """
    return not isinstance(user_ids, Select) and not user_ids


def ids_in(user_ids):
    return user_ids if isinstance(user_ids, Select) else list(user_ids)


def totals(session, user_ids, first_day, last_day):
    """{(user id, metric id): Total} over first_day..last_day inclusive."""
    if nobody(user_ids):
        return {}
    rows = session.execute(
        select(
            DailyRollup.user_id,
            DailyRollup.metric_id,
            func.sum(capped_total()),
            func.sum(capped_crm_total()),
        )
        .join(Metric, Metric.id == DailyRollup.metric_id)
        .where(
            DailyRollup.user_id.in_(ids_in(user_ids)),
            DailyRollup.day >= first_day,
            DailyRollup.day <= last_day,
        )
        .group_by(DailyRollup.user_id, DailyRollup.metric_id)
    )
    return {
        (user_id, metric_id): Total(float(value or 0), float(crm or 0))
        for user_id, metric_id, value, crm in rows
    }


def total(session, user_ids, metric_id, first_day, last_day):
    """What counts for one metric over first_day..last_day, everyone in `user_ids` together.

    `user_ids` may be a list or a subquery of ids, so a company's total needs no list of people.
    """
    value = session.scalar(
        select(func.sum(capped_total()))
        .select_from(DailyRollup)
        .join(Metric, Metric.id == DailyRollup.metric_id)
        .where(
            DailyRollup.user_id.in_(ids_in(user_ids)),
            DailyRollup.metric_id == metric_id,
            DailyRollup.day >= first_day,
            DailyRollup.day <= last_day,
        )
    )
    return float(value or 0)


def totals_by_period(session, user_ids, periods, by_user=False):
    """{(user id or None, metric id, index of the period): total} for consecutive periods.

    The periods are bucketed inside the database, so it returns one row per bucket, not per
    day, whatever the periods' length.
    """
    if nobody(user_ids) or not periods:
        return {}
    bucket = _bucket(DailyRollup.day, periods)
    columns = [DailyRollup.metric_id, bucket, func.sum(capped_total())]
    group = [DailyRollup.metric_id, bucket]
    if by_user:
        columns.insert(0, DailyRollup.user_id)
        group.insert(0, DailyRollup.user_id)
    rows = session.execute(
        select(*columns)
        .join(Metric, Metric.id == DailyRollup.metric_id)
        .where(
            DailyRollup.user_id.in_(ids_in(user_ids)),
            DailyRollup.day >= periods[0].start,
            DailyRollup.day < periods[-1].end,
        )
        .group_by(*group)
    )
    found = {}
    for row in rows:
        user_id, metric_id, index, value = row if by_user else (None, *row)
        found[(user_id, metric_id, index)] = float(value or 0)
    return found


def team_totals(session, team_ids, first_day, last_day):
    """{(team id, metric id): Total} of the teams' own reps over first_day..last_day inclusive,
    from the team roll-up: one row per team, metric and day, however many people."""
    if nobody(team_ids):
        return {}
    rows = session.execute(
        select(TeamRollup.team_id, TeamRollup.metric_id, func.sum(TeamRollup.total),
               func.sum(TeamRollup.crm_total))
        .where(
            TeamRollup.team_id.in_(ids_in(team_ids)),
            TeamRollup.day >= first_day,
            TeamRollup.day <= last_day,
        )
        .group_by(TeamRollup.team_id, TeamRollup.metric_id)
    )
    return {
        (team_id, metric_id): Total(float(value or 0), float(crm or 0))
        for team_id, metric_id, value, crm in rows
    }


def team_totals_by_period(session, team_ids, periods):
    """{(None, metric id, index of the period): total} of the teams' reps together, as
    totals_by_period gives it for people, from the team roll-up."""
    if nobody(team_ids) or not periods:
        return {}
    bucket = _bucket(TeamRollup.day, periods)
    rows = session.execute(
        select(TeamRollup.metric_id, bucket, func.sum(TeamRollup.total))
        .where(
            TeamRollup.team_id.in_(ids_in(team_ids)),
            TeamRollup.day >= periods[0].start,
            TeamRollup.day < periods[-1].end,
        )
        .group_by(TeamRollup.metric_id, bucket)
    )
    return {(None, metric_id, index): float(value or 0) for metric_id, index, value in rows}


def _bucket(day, periods):
    """The index of the period (consecutive, oldest first) a day falls in, worked out in SQL."""
    return case(
        *[(day >= period.start, index) for index, period in reversed(list(enumerate(periods)))],
        else_=-1,
    ).label("bucket")
