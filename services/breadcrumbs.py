"""Breadcrumbs: the way back up from a drill-down, through the levels the viewer may open.

Company › North › Milan Field › Luca Bianchi: the company for executives and administrators,
then the teams above the subject that the viewer may look into, then the subject. A level the
viewer cannot open is left out rather than shown as a dead end.
"""

from dataclasses import dataclass

from models import Team, User
from services import visibility


@dataclass(frozen=True)
class Crumb:
    kind: str  # "company", "team" or "person"
    subject: object  # the Organization, Team or User
    own: bool = False  # the viewer's own scorecard (/scorecard, for reps)


def trail(session, viewer, subject):
    """The levels from the top down to `subject` (an organisation, team or person) that
    `viewer` may open, `subject` last (when they may see it at all)."""
    crumbs = []
    if viewer.has_role("executive", "admin"):
        crumbs.append(Crumb("company", viewer.organization))
    team = subject if isinstance(subject, Team) else (
        subject.team if isinstance(subject, User) else None)
    if team is not None and viewer.has_role("manager", "executive", "admin"):
        visible = visibility.visible_team_ids(session, viewer)
        crumbs.extend(Crumb("team", each) for each in team.path if each.id in visible)
    if isinstance(subject, User):
        crumbs.append(Crumb("person", subject,
                            own=subject.id == viewer.id and viewer.has_role("rep")))
    return crumbs
