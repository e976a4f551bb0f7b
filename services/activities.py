"""Recording activities idempotently, and keeping the daily roll-ups in step with them.

Every activity write, from any source (the Today form, the phone's outbox, imports), goes
through `record_many` (`record` is its one-item case) and every removal through `remove`. A
write takes its rows in one order, so two writers never wait on each other in a circle: the
person's users row (services.freshness), then activities, then the person's daily_rollups
rows, then their team's team_rollups rows, each group in key order. A batch costs the same
handful of statements whatever its size.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from extensions import on_conflict
from models import Activity, DailyRollup, Metric, User
from models.metrics import passes
from models.types import utcnow
from periods import local_date
from services import freshness, team_rollups
from services.capping import capped_total

_activities, _daily = Activity.__table__, DailyRollup.__table__


@dataclass(frozen=True)
class Entry:
    """One activity to record, as the person logged it."""

    metric: Metric
    occurred_at: datetime  # aware
    quantity: float = 1
    value: float | None = None
    client_id: uuid.UUID | None = None  # made here when the source has none
    note: str | None = None
    account: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class Recorded:
    activity_id: int
    user_id: int  # whose the activity is: for a client id someone else used, theirs
    created: bool  # False when an activity with this client id was already there
    session: Session = field(repr=False, compare=False)

    @property
    def activity(self):
        """The stored row (loaded only when asked for: a batch needs none of them)."""
        return self.session.get(Activity, self.activity_id)


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
    """Store one activity and count it, unless its client id is already stored (then nothing).

    The one-item case of record_many; a database error goes to the caller.
    """
    entry = Entry(metric, occurred_at, quantity, value, client_id, note, account, external_id)
    return record_many(session, user, [entry], calendar=calendar, source=source, now=now,
                       isolate=False)[0]


def record_many(session, user, entries, *, calendar, source="web", now=None, isolate=True):
    """Store the user's new activities and count them; one Recorded per entry, in order.

    An entry whose client id (or source and external id) is already stored changes nothing
    (created=False, with the owner of that activity, who may be someone else); so does a
    repeat of a client id within the batch. With `isolate`, an entry the database refuses
    (a value out of its range) is None and the others are stored all the same; without it,
    the error goes to the caller.
    """
    if not entries:
        return []
    if any(entry.occurred_at.tzinfo is None for entry in entries):
        raise ValueError("occurred_at must be timezone-aware")
    created_at = now or utcnow()
    rows = [
        dict(
            client_id=entry.client_id or uuid.uuid4(),
            user_id=user.id,
            metric_id=entry.metric.id,
            quantity=entry.quantity,
            value=entry.value,
            occurred_at=entry.occurred_at,
            local_day=local_date(entry.occurred_at, calendar),
            created_at=created_at,
            source=source,
            note=entry.note or None,
            account=entry.account or None,
            external_id=entry.external_id,
        )
        for entry in entries
    ]
    # The person's row first, on every write path: one lock order, so a settings change (which
    # takes the organisation's row, then the person's) and a write never wait on each other
    # in a circle (see services.freshness). What counts, and where, is read after it: the
    # team the person is in and the metrics' gates and caps as they are now, not as they were
    # when the request began (a recount holds the same rows: team_rollups.hold_writers).
    team_id = freshness.person_changed(session, user.id)
    rules = {metric_id: (gate, cap) for metric_id, gate, cap in session.execute(
        _RULES, {"ids": sorted({row["metric_id"] for row in rows})})}
    caps = {metric_id: cap for metric_id, (_gate, cap) in rules.items()}
    for row in rows:
        row["counted"] = passes(rules[row["metric_id"]][0], row["value"])
    if not isolate:
        return _store(session, user, rows, caps, team_id)
    try:
        with session.begin_nested():
            return _store(session, user, rows, caps, team_id)
    except (IntegrityError, DataError):
        pass
    # Something in the batch the database refuses: each entry on its own, to find which.
    results = []
    for row in rows:
        try:
            with session.begin_nested():
                results.extend(_store(session, user, [row], caps, team_id))
        except (IntegrityError, DataError):
            results.append(None)
    return results


_RULES = select(Metric.id, Metric.quality_min, Metric.daily_cap).where(
    Metric.id.in_(bindparam("ids", expanding=True))
)


def _store(session, user, rows, caps, team_id):
    # INSERT .. ON CONFLICT DO NOTHING settles a race between two writers of the same client id
    # inside the database: exactly one of them gets the id back.
    inserted = dict(session.execute(_INSERT_ACTIVITIES, rows).all())
    existing = _existing(session, [row for row in rows if row["client_id"] not in inserted])
    results, deltas = [], {}
    for row in rows:
        client_id = row["client_id"]
        activity_id = inserted.pop(client_id, None)
        if activity_id is None:  # stored before, or earlier in this batch
            activity_id, owner = (existing.get(client_id)
                                  or existing[(row["source"], row["external_id"])])
            results.append(Recorded(activity_id, owner, False, session))
            continue
        existing[client_id] = (activity_id, user.id)
        if row["external_id"] is not None:
            existing[(row["source"], row["external_id"])] = (activity_id, user.id)
        results.append(Recorded(activity_id, user.id, True, session))
        if row["counted"]:
            delta = deltas.setdefault((row["metric_id"], row["local_day"]), [0, 0.0, 0.0])
            delta[0] += 1
            delta[1] += row["quantity"]
            delta[2] += row["quantity"] if row["source"] == "crm" else 0
    _add_to_rollups(session, user.id, deltas, caps, team_id)
    return results


def _existing(session, rows):
    """{client id or (source, external id): (activity id, owner id)} of the rows' activities
    already stored."""
    if not rows:
        return {}
    columns = (_activities.c.id, _activities.c.user_id)
    found = {
        client_id: (activity_id, owner)
        for activity_id, owner, client_id in session.execute(
            select(*columns, _activities.c.client_id)
            .where(_activities.c.client_id.in_([row["client_id"] for row in rows]))
        )
    }
    by_external = [(row["source"], row["external_id"]) for row in rows
                   if row["client_id"] not in found and row["external_id"] is not None]
    if by_external:  # the conflict was on (source, external id)
        for activity_id, owner, source, external_id in session.execute(
            select(*columns, _activities.c.source, _activities.c.external_id)
            .where(tuple_(_activities.c.source, _activities.c.external_id).in_(by_external))
        ):
            found[(source, external_id)] = (activity_id, owner)
    return found


def _add_to_rollups(session, user_id, deltas, caps, team_id):
    """Add to the person's days, and their team's (None: their days count in none), what
    their counted activities changed: deltas {(metric id, day): [entries, total, CRM part]}
    (negative for a removal)."""
    if not deltas:
        return
    rows = [
        {"user_id": user_id, "metric_id": metric_id, "day": day, "entries": entries,
         "total": round(total, 2), "crm_total": round(crm, 2)}
        for (metric_id, day), (entries, total, crm) in sorted(deltas.items())
    ]
    # One upsert for all the days, so concurrent writers of one day never lose an update; it
    # returns each day as it now is, and the team's day changes by what its capped value did.
    changes = []
    for metric_id, day, after, crm_after in session.execute(_UPSERT_DAILY, rows):
        _entries, total, crm = deltas[(metric_id, day)]
        changes.append((metric_id, day, after - round(total, 2), after,
                        crm_after - round(crm, 2), crm_after))
    team_rollups.add(session, team_id, changes, caps)


# Each is run with a list of rows (an executemany, which SQLAlchemy sends as one multi-row
# VALUES): one compiled form serves every batch size.
_INSERT_ACTIVITIES = on_conflict(
    insert(_activities).returning(_activities.c.client_id, _activities.c.id),
    "ON CONFLICT DO NOTHING",
)
_UPSERT_DAILY = on_conflict(
    insert(_daily).returning(_daily.c.metric_id, _daily.c.day, _daily.c.total,
                             _daily.c.crm_total),
    "ON CONFLICT (user_id, metric_id, day) DO UPDATE SET"
    " entries = daily_rollups.entries + excluded.entries,"
    " total = daily_rollups.total + excluded.total,"
    " crm_total = daily_rollups.crm_total + excluded.crm_total",
)


def remove(session, activity, by_user, now=None):
    """Soft-delete an activity and take it out of the roll-ups; removing twice does nothing."""
    if activity.is_deleted:
        return False
    # The person's row first, as on every write path: one lock order (see services.freshness).
    team_id = freshness.person_changed(session, activity.user_id)
    session.refresh(activity)  # as it is now that nobody else can be changing it
    if activity.is_deleted:
        return False
    activity.deleted_at = now or utcnow()
    activity.deleted_by_id = by_user.id
    session.flush()
    if activity.counted:
        crm = activity.quantity if activity.source == "crm" else 0
        cap = session.execute(select(Metric.daily_cap).where(Metric.id == activity.metric_id))
        _add_to_rollups(session, activity.user_id,
                        {(activity.metric_id, activity.local_day): [-1, -activity.quantity, -crm]},
                        {activity.metric_id: cap.scalar()}, team_id)
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
    """The person's latest activities that are still standing, by when they happened (the
    time shown beside them), newest first."""
    return session.scalars(
        select(Activity)
        .where(Activity.user_id == user.id, Activity.deleted_at.is_(None))
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
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
    # Their writes finish first, and new ones wait: see team_rollups.hold_writers.
    team_rollups.hold_writers(session)
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
