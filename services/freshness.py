"""Stamps that change whenever a screen's numbers might: what lets a page be served again.

Two counters stand for everything a scorecard is computed from:

- each person's `numbers_version`, bumped in the same transaction as every change to their
  activities or to what their devices report as pending (`person_changed`);
- the organisation's `settings_version`, bumped whenever anything the targets and the
  layout of the numbers come from changes: people, teams, roles, metrics, templates, goals,
  time off, the organisation's calendar. `watch` catches those changes in one place, however
  they are written (the unit of work or a bulk statement), so no service has to remember.

A screen's stamp is the organisation's counter with the sum of its people's counters: the sum
of counters that only grow changes whenever one of them does, and a change of who is in a
team is a settings change.
"""

from sqlalchemy import bindparam, event, func, select, update
from sqlalchemy.orm import Session, aliased

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
    """The person's numbers changed (an activity logged or removed, a device's report)."""
    session.execute(
        update(User).where(User.id == user_id)
        .values(numbers_version=User.numbers_version + 1)
        .execution_options(synchronize_session=False, **_STAMP)
    )


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


def team_stamp(session, organization, team):
    """The stamp of the numbers of everyone in a team and the active teams beneath it."""
    return (organization.settings_version,
            *session.execute(_TEAM_NUMBERS, {"team_id": team.id}).one())


def organization_stamp(session, organization):
    """The stamp of the numbers of everyone in the organisation."""
    return (organization.settings_version,
            *session.execute(_ORGANIZATION_NUMBERS, {"organization_id": organization.id}).one())


# Built once: they run on every team and company page.
_NUMBERS = (func.coalesce(func.sum(User.numbers_version), 0), func.count(User.id))
_SUBTREE = select(Team.id).where(Team.id == bindparam("team_id")).cte("subtree", recursive=True)
_BELOW = aliased(Team)
_SUBTREE = _SUBTREE.union(  # not UNION ALL: a loop in the teams' parents must not run forever
    select(_BELOW.id).join(_SUBTREE, _BELOW.parent_id == _SUBTREE.c.id)
    .where(_BELOW.active.is_(True)))
_TEAM_NUMBERS = select(*_NUMBERS).where(User.team_id.in_(select(_SUBTREE.c.id)))
_ORGANIZATION_NUMBERS = select(*_NUMBERS).where(
    User.organization_id == bindparam("organization_id"))


def watch(session_class=Session):
    """Bump the settings stamp on every change to what targets are made of, in one place."""
    for name, listener in (("before_flush", _before_flush), ("do_orm_execute", _on_execute)):
        if not event.contains(session_class, name, listener):  # create_app may run again
            event.listen(session_class, name, listener)


def _before_flush(session, _context, _instances):
    changed = (
        any(isinstance(each, SETTINGS_MODELS) for each in session.new)
        or any(isinstance(each, SETTINGS_MODELS) for each in session.deleted)
        or any(isinstance(each, SETTINGS_MODELS) and session.is_modified(each)
               for each in session.dirty)
    )
    if changed:
        settings_changed(session)


def _on_execute(state):
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get("pacer_stamp"):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in SETTINGS_TABLES:
        settings_changed(state.session)
