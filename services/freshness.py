"""Stamps that change whenever a screen's numbers might: what lets a page be served again.

- A person's `numbers_version` is bumped in the same transaction as every change to their
  activities or to what their devices report as pending (`person_changed`): a rep's own
  numbers reflect their own write on their next request. It is the only row an activity
  write updates besides the activity and its roll-up, and it is the writer's own: no row is
  updated by every write of an organisation, so writers never queue behind one another, and
  an activity write locks nothing a settings change locks first (no deadlock between them).
- Team and company numbers are made of many people's writes. Their stamp is the clock,
  in steps of `SHARED_LAG`: such a page is worked out again at most once a step, and may lag
  a write by at most that much; it says "as of" the time it was worked out.
- The organisation's `settings_version` is bumped whenever anything the targets and the
  layout of the numbers come from changes: people, teams, roles, metrics, templates, goals,
  time off, the organisation's calendar. `watch` catches those changes in one place, however
  they are written (the unit of work or a bulk statement), so no service has to remember.

A screen's stamp is the settings version with its numbers' stamp. Both are read from rows the
request has loaded anyway (the signed-in person comes with their organisation), so checking
costs no query. A change of who is in which team is a settings change.
"""

from datetime import timedelta

from sqlalchemy import bindparam, event, exists, inspect, update
from sqlalchemy.orm import Session

from models import (
    Goal,
    Metric,
    Organization,
    ScorecardItem,
    ScorecardTemplate,
    Team,
    TimeOff,
    User,
    UserRole,
    scorecard_template_teams,
    team_managers,
)

# What targets, rules and the shape of the numbers are made of.
SETTINGS_MODELS = (Organization, Team, User, UserRole, Metric, ScorecardTemplate,
                   ScorecardItem, Goal, TimeOff)
SETTINGS_TABLES = frozenset(
    [model.__tablename__ for model in SETTINGS_MODELS]
    + [team_managers.name, scorecard_template_teams.name]
)

# The stamps' own statements, which the watcher must not take for settings changes.
_STAMP = {"pacer_stamp": True}


def person_changed(session, user_id):
    """The person's numbers changed (an activity logged or removed, a device's report).

    Returns the team their days count in as of now (None: no team, not an active rep), read
    with the lock on their row: an admin's change that committed while the write waited for
    that lock is seen, and one that comes later waits for the write.
    """
    row = session.execute(_PERSON_CHANGED, {"user_id": user_id}).first()
    if row is None:
        return None
    team_id, active, rep = row
    return team_id if active and rep else None


_PERSON_CHANGED = (
    update(User).where(User.id == bindparam("user_id"))
    .values(numbers_version=User.numbers_version + 1)
    .returning(User.team_id, User.active,
               exists().where(UserRole.user_id == User.id, UserRole.role == "rep"))
    .execution_options(synchronize_session=False, **_STAMP)
)

# How far team and company numbers may lag a write.
SHARED_LAG = timedelta(seconds=5)


def shared_step(now):
    """The step of the clock team and company pages are worked out in."""
    return int(now.timestamp() // SHARED_LAG.total_seconds())


def settings_changed(session):
    """Something every screen may depend on changed: no page shown before stays valid.

    Pacer runs one organisation a deployment, so every organisation's counter moves: a change
    can then never be charged to the wrong one.
    """
    session.execute(
        update(Organization)
        .values(settings_version=Organization.settings_version + 1)
        .execution_options(synchronize_session=False, **_STAMP)
    )


def person_stamp(person):
    """The stamp of one person's numbers, from the rows loaded for this request."""
    return (person.organization.settings_version, person.numbers_version)


def team_stamp(team, now):
    """The stamp of the numbers of a team's people, at any depth beneath it."""
    return (team.organization.settings_version, shared_step(now))


def organization_stamp(organization, now):
    """The stamp of the numbers of everyone in the organisation."""
    return (organization.settings_version, shared_step(now))


def watch(session_class=Session):
    """Bump the settings stamp on every change to what targets are made of, in one place."""
    for name, listener in (("before_flush", _before_flush), ("do_orm_execute", _on_execute)):
        if not event.contains(session_class, name, listener):  # create_app may run again
            event.listen(session_class, name, listener)


# What of a person is theirs alone: no page but their own shows it, and their own pages are
# kept under their language and timezone already. Changing it leaves everyone's pages be.
PRIVATE_TO_A_PERSON = frozenset({"password_hash", "locale", "timezone", "numbers_version"})


def _before_flush(session, _context, _instances):
    changed = (
        any(isinstance(each, SETTINGS_MODELS) for each in session.new)
        or any(isinstance(each, SETTINGS_MODELS) for each in session.deleted)
        or any(isinstance(each, SETTINGS_MODELS) and _modified(session, each)
               for each in session.dirty)
    )
    if changed:
        settings_changed(session)


def _modified(session, row):
    if not isinstance(row, User):
        return session.is_modified(row)
    state = inspect(row)
    return any(attribute.history.has_changes() for attribute in state.attrs
               if attribute.key not in PRIVATE_TO_A_PERSON)


def _on_execute(state):
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get("pacer_stamp"):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in SETTINGS_TABLES:
        settings_changed(state.session)


