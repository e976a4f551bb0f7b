"""Recording activities idempotently, and keeping the daily roll-up in step with them."""

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, case, delete, func, insert, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from models import Activity, DailyRollup, Metric, User
from models.types import utcnow
from periods import local_date
from services import freshness, team_rollups
from services.capping import capped_total


@dataclass(frozen=True)
class Recorded:
    activity: Activity
    created: bool  # False when an activity with this client id was already there


def _insert(session, table):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _bump_rollups(session, user, counted, sign):
    """Add (sign=1) or take away (sign=-1) counted activities of one person in their days'
    roll-ups, the person's and their team's."""
    if not counted:
        return
    deltas = {}
    for activity in counted:
        key = (activity.metric_id, activity.local_day)
        total, crm = deltas.get(key, (0, 0))
        quantity = sign * activity.quantity
        deltas[key] = (total + quantity, crm + (quantity if activity.source == "crm" else 0))
    changes = []
    for (metric_id, day), (total, crm) in sorted(deltas.items()):
        # One upsert, so concurrent writers of the same day never lose an update; it returns
        # the day as it now is, and the team's day changes by what its capped value did.
        statement = _insert(session, DailyRollup).values(
            user_id=user.id, metric_id=metric_id, day=day,
            entries=sign * sum(1 for each in counted
                               if (each.metric_id, each.local_day) == (metric_id, day)),
            total=total, crm_total=crm,
        )
        after, crm_after = session.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id", "metric_id", "day"],
                set_={
                    "entries": DailyRollup.entries + statement.excluded.entries,
                    "total": DailyRollup.total + statement.excluded.total,
                    "crm_total": DailyRollup.crm_total + statement.excluded.crm_total,
                },
            ).returning(DailyRollup.total, DailyRollup.crm_total)
        ).one()
        changes.append((metric_id, day, after - total, after, crm_after - crm, crm_after))
    caps = {activity.metric_id: activity.metric.daily_cap for activity in counted}
    team_rollups.add(session, team_rollups.counting_team(user), changes, caps)


def record(
    session,
    *,
    user,
    metric,
    occurred_at,
    calendar,
    quantity=1,
    value=None,
    source="web",
    client_id=None,
    note=None,
    account=None,
    external_id=None,
    now=None,
):
    """Store one activity and count it, unless its client id is already stored (then nothing)."""
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    client_id = client_id or uuid.uuid4()
    # The person's row first, on every write path: one lock order, so a settings change (which
    # takes the organisation's row, then the person's) and a write never wait on each other
    # in a circle (see services.freshness).
    freshness.person_changed(session, user.id)
    values = dict(
        client_id=client_id,
        user_id=user.id,
        metric_id=metric.id,
        quantity=quantity,
        value=value,
        occurred_at=occurred_at,
        local_day=local_date(occurred_at, calendar),
        created_at=now or utcnow(),
        source=source,
        counted=metric.qualifies(value),
        note=(note or None),
        account=(account or None),
        external_id=external_id,
    )
    # INSERT .. ON CONFLICT DO NOTHING settles a race between two writers of the same client id
    # inside the database: exactly one of them gets the id back.
    inserted = session.execute(
        _insert(session, Activity)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(Activity.id)
    ).scalar()
    if inserted is None:
        existing = session.scalar(select(Activity).where(Activity.client_id == client_id))
        if existing is None:  # the conflict was on (source, external_id)
            existing = session.scalar(
                select(Activity).where(
                    Activity.source == source, Activity.external_id == external_id
                )
            )
        return Recorded(existing, created=False)
    activity = session.get(Activity, inserted)
    if activity.counted:
        _bump_rollups(session, user, [activity], 1)
    return Recorded(activity, created=True)


def remove(session, activity, by_user, now=None):
    """Soft-delete an activity and take it out of the roll-up; removing twice does nothing."""
    if activity.is_deleted:
        return False
    # The person's row first, as on every write path: one lock order (see services.freshness).
    freshness.person_changed(session, activity.user_id)
    activity.deleted_at = now or utcnow()
    activity.deleted_by_id = by_user.id
    session.flush()
    if activity.counted:
        _bump_rollups(session, activity.user, [activity], -1)
    return True


def totals_by_metric(session, user_ids, first_day, last_day):
    """{metric id: total} over the days first_day..last_day inclusive, daily caps applied."""
    rows = session.execute(
        select(DailyRollup.metric_id, func.sum(capped_total()))
        .join(Metric, Metric.id == DailyRollup.metric_id)
        .where(
            DailyRollup.user_id.in_(user_ids),
            DailyRollup.day >= first_day,
            DailyRollup.day <= last_day,
        )
        .group_by(DailyRollup.metric_id)
    )
    return {metric_id: total or 0 for metric_id, total in rows}


def latest(session, user, limit=10):
    """The person's most recently logged activities that are still standing."""
    return session.scalars(
        select(Activity)
        .where(Activity.user_id == user.id, Activity.deleted_at.is_(None))
        .order_by(Activity.created_at.desc(), Activity.id.desc())
        .limit(limit)
    ).all()


def parse_client_id(text):
    """A client id as a UUID, or None if it is not one."""
    try:
        return uuid.UUID(str(text))
    except (TypeError, ValueError, AttributeError):
        return None


def rebuild_rollups(session, metric_ids=None, user_ids=None):
    """Recount the roll-ups, the people's and their teams', from the activity rows (after a
    bulk import or a quality-gate change).

    Also re-applies each metric's quality gate to the activities' `counted` flag first.
    """
    freshness.settings_changed(session)  # many people's numbers at once
    metrics = session.scalars(
        select(Metric).where(Metric.id.in_(metric_ids)) if metric_ids else select(Metric)
    ).all()
    for metric in metrics:
        scope = [Activity.metric_id == metric.id]
        if user_ids is not None:
            scope.append(Activity.user_id.in_(user_ids))
        gate = (
            true()
            if metric.quality_min is None
            else and_(Activity.value.is_not(None), Activity.value >= metric.quality_min)
        )
        session.execute(update(Activity).where(*scope).values(counted=gate))
        rollup_scope = [DailyRollup.metric_id == metric.id]
        if user_ids is not None:
            rollup_scope.append(DailyRollup.user_id.in_(user_ids))
        session.execute(delete(DailyRollup).where(*rollup_scope))
        session.execute(
            insert(DailyRollup).from_select(
                ["user_id", "metric_id", "day", "entries", "total", "crm_total"],
                select(
                    Activity.user_id,
                    Activity.metric_id,
                    Activity.local_day,
                    func.count(Activity.id),
                    func.sum(Activity.quantity),
                    func.sum(case((Activity.source == "crm", Activity.quantity), else_=0)),
                )
                .where(*scope, Activity.counted.is_(True), Activity.deleted_at.is_(None))
                .group_by(Activity.user_id, Activity.metric_id, Activity.local_day),
            )
        )
    teams = None
    if user_ids is not None:
        teams = set(session.scalars(
            select(User.team_id).where(User.id.in_(user_ids), User.team_id.is_not(None))
        ))
    team_rollups.recount(session, team_ids=teams,
                         metric_ids=[metric.id for metric in metrics] if metric_ids else None)


def relocalise(session, organization):
    """After the organisation's timezone changed: put every activity on the local day it
    happened on in the new timezone, and recount the roll-up. Returns how many moved."""
    calendar = organization.calendar
    people = select(User.id).where(User.organization_id == organization.id)
    rows = session.execute(
        select(Activity.id, Activity.occurred_at, Activity.local_day)
        .where(Activity.user_id.in_(people))
        .execution_options(yield_per=10_000)
    )
    moves = [
        {"id": activity_id, "local_day": day}
        for activity_id, occurred_at, old_day in rows
        if (day := local_date(occurred_at, calendar)) != old_day
    ]
    if moves:
        session.execute(update(Activity), moves)
    metrics = session.scalars(
        select(Metric.id).where(Metric.organization_id == organization.id)
    ).all()
    if metrics:
        rebuild_rollups(session, metric_ids=metrics)
    return len(moves)
