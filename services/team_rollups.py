"""Keeping the team roll-up (models.TeamRollup) exactly the sum of its people's counted days.

A team's row for a metric and day is the sum, over the team's own active reps, of their
capped day totals (services.capping). Three things change it:

- an activity written or removed: the write path passes what the person's day was and is
  (`add`), in the same transaction, after the person's own roll-up; a row is a team's, so
  writers of different teams never meet on one, and the change is added to what is there
  (never written over), so two writers of one team's day both count under any isolation;
- who counts in a team: someone joins or leaves it, gains or loses the rep role, is
  deactivated or comes back. `watch` notices it on the flush that writes it, however the
  change was made through the unit of work, and recounts those teams after the flush;
- a metric's gate or daily cap, or a whole recount of the person roll-up: `recount`.

A recount first holds the rows of the people whose writes it could meet (`hold_writers`):
one lock order for every path (the organisation's row, then people's rows, then roll-ups),
so on PostgreSQL a recount and an activity write cannot deadlock.
"""

from collections import defaultdict

from sqlalchemy import delete, event, func, insert, inspect, select
from sqlalchemy.orm import Session

from extensions import on_conflict
from models import DailyRollup, Metric, TeamRollup, User, UserRole
from services.capping import capped, capped_crm, capped_crm_total, capped_total

_STALE = "pacer_stale_team_rollups"


def add(session, team_id, changes, caps):
    """Add to a team's days what its person's days changed by (team_id None: the person's
    days count in no team; freshness.person_changed says which, under the person's row).

    changes: (metric id, day, the person's day total before, after, its CRM part before,
    after), as the person's roll-up had them; caps: {metric id: daily cap or None}.
    """
    if team_id is None:
        return
    deltas = defaultdict(lambda: [0.0, 0.0])
    for metric_id, day, before, after, crm_before, crm_after in changes:
        cap = caps.get(metric_id)
        delta = deltas[(metric_id, day)]
        delta[0] += float(capped(after, cap)) - float(capped(before, cap))
        delta[1] += capped_crm(after, crm_after, cap) - capped_crm(before, crm_before, cap)
    rows = [
        {"team_id": team_id, "metric_id": metric_id, "day": day,
         "total": round(total, 2), "crm_total": crm}
        for (metric_id, day), (total, crm) in sorted(deltas.items())
        if total or crm
    ]
    if rows:
        session.execute(_UPSERT, rows)


# Run with a list of rows: one compiled statement for any number (see on_conflict).
_UPSERT = on_conflict(
    insert(TeamRollup.__table__),
    "ON CONFLICT (team_id, metric_id, day) DO UPDATE SET"
    " total = team_rollups.total + excluded.total,"
    " crm_total = team_rollups.crm_total + excluded.crm_total",
)


def hold_writers(session, team_ids=None):
    """Wait for the activity writes of the people of some teams (or of everyone) to finish,
    and keep new ones waiting until this transaction ends.

    Every activity write takes its person's row first and keeps it to the end; a recount
    takes the same rows, in id order, before it reads or deletes a roll-up row. So a recount
    never meets a write half done (no deadlock, no row inserted behind its back), and a write
    that waited reads its person's team and the metrics' gates after the recount. SQLite has
    one writer at a time and needs none of it.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    people = select(User.id).order_by(User.id).with_for_update()
    if team_ids is not None:
        people = people.where(User.team_id.in_(sorted(team_ids)))
    session.execute(people).all()


def recount(session, team_ids=None, metric_ids=None):
    """Work the team roll-up out again from the person roll-up, for some teams or metrics (or
    all): after a change of who counts in a team, or of how a metric counts."""
    if team_ids is not None and not team_ids:
        return
    hold_writers(session, team_ids)
    scope = []
    if team_ids is not None:
        scope.append(TeamRollup.team_id.in_(sorted(team_ids)))
    if metric_ids is not None:
        scope.append(TeamRollup.metric_id.in_(sorted(metric_ids)))
    session.execute(delete(TeamRollup).where(*scope))
    reps = select(UserRole.user_id).where(UserRole.role == "rep")
    source = (
        select(User.team_id, DailyRollup.metric_id, DailyRollup.day,
               func.sum(capped_total()), func.sum(capped_crm_total()))
        .join(User, User.id == DailyRollup.user_id)
        .join(Metric, Metric.id == DailyRollup.metric_id)
        .where(User.team_id.is_not(None), User.active.is_(True), User.id.in_(reps))
        .group_by(User.team_id, DailyRollup.metric_id, DailyRollup.day)
    )
    if team_ids is not None:
        source = source.where(User.team_id.in_(sorted(team_ids)))
    if metric_ids is not None:
        source = source.where(DailyRollup.metric_id.in_(sorted(metric_ids)))
    session.execute(
        insert(TeamRollup).from_select(
            ["team_id", "metric_id", "day", "total", "crm_total"], source
        )
    )


def watch(session_class=Session):
    """Recount a team's roll-up whenever who counts in it changes, in one place."""
    for name, listener in (("before_flush", _before_flush),
                           ("after_flush_postexec", _after_flush)):
        if not event.contains(session_class, name, listener):  # create_app may run again
            event.listen(session_class, name, listener)


def _before_flush(session, _context, _instances):
    stale = set()
    for each in session.dirty:
        if isinstance(each, User):
            stale |= _membership_change(each)
    for each in session.deleted:
        if isinstance(each, UserRole) and each.role == "rep":
            user = session.get(User, each.user_id)
            if user is not None and user.team_id is not None:
                stale.add(user.team_id)
    stale.discard(None)
    if stale:
        session.info.setdefault(_STALE, set()).update(stale)


def _membership_change(user):
    """The teams a flush of this person changes the members of: before and after."""
    state = inspect(user)
    changed = False
    teams = {user.team_id}
    for name in ("team_id", "team", "active", "role_rows"):
        history = state.attrs[name].history
        if not history.has_changes():
            continue
        changed = True
        if name == "team_id":
            teams.update(history.deleted)
        elif name == "team":
            teams.update(each.id for each in history.deleted if each is not None)
            teams.update(each.id for each in history.added if each is not None)
    return teams if changed else set()


def _after_flush(session, _context):
    stale = session.info.pop(_STALE, None)
    if stale:
        recount(session, team_ids=stale - {None})
