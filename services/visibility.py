"""Who sees whom: the rules behind every access check on people and teams."""

from sqlalchemy import bindparam, select

from models import Team, User


def visible_teams(session, viewer):
    """The teams a person may look into: all for executives and admins, else those they lead
    and every team beneath them."""
    ids = visible_team_ids(session, viewer)
    return session.scalars(select(Team).where(Team.id.in_(ids)).order_by(Team.name, Team.id)).all()


def visible_team_ids(session, viewer):
    """The ids of the active teams in visible_teams, from one small query of the team tree."""
    tree = team_tree(session, viewer.organization_id)
    if viewer.has_role("executive", "admin"):
        return {team.id for team in tree if team.active}
    children = {}
    for team in tree:
        children.setdefault(team.parent_id, []).append(team)
    found, stack = set(), [team.id for team in viewer.managed_teams]
    while stack:
        team_id = stack.pop()
        if team_id not in found:
            found.add(team_id)
            stack.extend(child.id for child in children.get(team_id, []))
    return found & {team.id for team in tree if team.active}


# Built once: access checks run it, and building a statement costs more than running one
# this small.
_TREE = (select(Team.id, Team.parent_id, Team.active)
         .where(Team.organization_id == bindparam("organization_id")))


def team_tree(session, organization_id):
    """(id, parent_id, active) of every team of the organisation."""
    return session.execute(_TREE, {"organization_id": organization_id}).all()


def can_see_team(session, viewer, team):
    if team.organization_id != viewer.organization_id or not team.active:
        return False
    # The common cases need no query: executives and admins, and a manager's own team.
    if viewer.has_role("executive", "admin") or team in viewer.managed_teams:
        return True
    return team.id in visible_team_ids(session, viewer)


def can_see_person(session, viewer, person):
    """Oneself; anyone for executives and admins; the members of the teams a manager leads."""
    if person.organization_id != viewer.organization_id:
        return False
    if person.id == viewer.id or viewer.has_role("executive", "admin"):
        return True
    if person.team_id is None:
        return False
    return person.team_id in visible_team_ids(session, viewer)


def team_members(session, team):
    """The active people of one team, by name."""
    return session.scalars(
        select(User).where(User.team_id == team.id, User.active.is_(True)).order_by(User.name)
    ).all()
