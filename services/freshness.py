"""Stamps that change whenever a screen's numbers might: what lets a page be served again.

Two kinds of counter stand for everything a scorecard is computed from:

- `numbers_version`, of each person, of their team and every team above it, and of the
  organisation, bumped in the same transaction as every change to the person's activities or
  to what their devices report as pending (`person_changed`);
- the organisation's `settings_version`, bumped whenever anything the targets and the
  layout of the numbers come from changes: people, teams, roles, metrics, templates, goals,
  time off, the organisation's calendar. `watch` catches those changes in one place, however
  they are written (the unit of work or a bulk statement), so no service has to remember.

A screen's stamp is the settings version with the numbers version of whom it shows: a person,
a team or the organisation. Both are read from rows the request has loaded anyway (the
signed-in person comes with their organisation and led teams), so checking costs no query.
A change of who is in which team is a settings change.
"""

from sqlalchemy import bindparam, event, select, update
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
    """The person's numbers changed (an activity logged or removed, a device's report): so did
    those of their team, every team above it and the organisation."""
    for statement in _NUMBERS_CHANGED:
        session.execute(statement, {"user_id": user_id})


def _numbers_changed():
    """The statements person_changed runs, built once."""
    person = select(User.team_id).where(User.id == bindparam("user_id")).scalar_subquery()
    above = select(Team.id, Team.parent_id).where(Team.id == person).cte("above", recursive=True)
    parent = aliased(Team)
    above = above.union(  # not UNION ALL: a loop in the teams' parents must not run forever
        select(parent.id, parent.parent_id).join(above, parent.id == above.c.parent_id))
    organization = (select(User.organization_id).where(User.id == bindparam("user_id"))
                    .scalar_subquery())
    return [
        update(table).where(where).values(numbers_version=table.numbers_version + 1)
        .execution_options(synchronize_session=False, **_STAMP)
        for table, where in (
            (User, User.id == bindparam("user_id")),
            (Team, Team.id.in_(select(above.c.id))),
            (Organization, Organization.id == organization),
        )
    ]


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


def team_stamp(team):
    """The stamp of the numbers of a team's people, at any depth beneath it."""
    return (team.organization.settings_version, team.numbers_version)


def organization_stamp(organization):
    """The stamp of the numbers of everyone in the organisation."""
    return (organization.settings_version, organization.numbers_version)


# The same stamps from a signed-in identity (services.accounts.Identity), for pages served
# before anyone is loaded (blueprints/page_cache.py); None when the identity does not carry it.


def kept_person_stamp(who, person_id=None):
    """The stamp of the signed-in person's own numbers (of nobody else's)."""
    if person_id is not None and person_id != who.user_id:
        return None
    return (who.settings_version, who.numbers_version)


def kept_team_stamp(who, team_id):
    """The stamp of a team the signed-in person leads."""
    version = who.led_teams.get(team_id)
    return None if version is None else (who.settings_version, version)


def kept_organization_stamp(who, **_view_args):
    return (who.settings_version, who.organization_numbers_version)


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


_NUMBERS_CHANGED = _numbers_changed()
