"""Who sees whom: the rules behind every access check on people and teams."""

from sqlalchemy import select

from models import Team, User


def visible_teams(session, viewer):
    """The teams a person may look into: all for executives and admins, else those they lead
    and every team beneath them."""
    if viewer.has_role("executive", "admin"):
        return session.scalars(
            select(Team)
            .where(Team.organization_id == viewer.organization_id, Team.active.is_(True))
            .order_by(Team.name)
        ).all()
    found = {}
    for team in viewer.managed_teams:
        for each in [team, *team.descendants()]:
            if each.active:
                found[each.id] = each
    return sorted(found.values(), key=lambda team: team.name)


def can_see_team(session, viewer, team):
    return any(each.id == team.id for each in visible_teams(session, viewer))


def can_see_person(session, viewer, person):
    """Oneself; anyone for executives and admins; the members of the teams a manager leads."""
    if person.organization_id != viewer.organization_id:
        return False
    if person.id == viewer.id or viewer.has_role("executive", "admin"):
        return True
    if person.team_id is None:
        return False
    return person.team_id in {team.id for team in visible_teams(session, viewer)}


def team_members(session, team):
    """The active people of one team, by name."""
    return session.scalars(
        select(User).where(User.team_id == team.id, User.active.is_(True)).order_by(User.name)
    ).all()
