"""Continuous feedback: who may give it to whom, who may read it, and the thread that follows.

Within reach of a person: their team mates, the managers of their team and of every team above
it, and the people of the teams they lead and beneath (executives and admins: anyone of the
organisation). A piece of feedback is read by its giver, its receiver and whoever leads the
receiver's team (as it was when given) or a team above it; by nobody else, whatever their role.
"""

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from models import Feedback, FeedbackReply, Team, User, team_managers
from services import notifications, visibility

# The managers' feed and a person's own list show this many at most.
FEED_SIZE = 50


def led_team_ids(session, viewer):
    """The teams a person leads and every active team beneath them: for the feedback rules,
    not widened for executives or admins by their role."""
    tree = visibility.team_tree(session, viewer.organization_id)
    children = {}
    for team_id, parent_id, _active in tree:
        children.setdefault(parent_id, []).append(team_id)
    found, stack = set(), [team.id for team in viewer.managed_teams]
    while stack:
        team_id = stack.pop()
        if team_id not in found:
            found.add(team_id)
            stack.extend(children.get(team_id, []))
    return found & {team_id for team_id, _parent, active in tree if active}


def _teams_above(session, team_id, organization_id):
    """A team and every team above it, by id."""
    parents = {team_id: parent_id
               for team_id, parent_id, _active in visibility.team_tree(session, organization_id)}
    found = []
    while team_id is not None and team_id not in found:
        found.append(team_id)
        team_id = parents.get(team_id)
    return found


def _reach(session, giver):
    """A select of the active people `giver` may give feedback to (never themself), or None
    when there is nobody."""
    query = select(User).where(User.organization_id == giver.organization_id,
                               User.active.is_(True), User.id != giver.id)
    if giver.has_role("executive", "admin"):
        return query
    reach = []
    if giver.team_id is not None:
        above = _teams_above(session, giver.team_id, giver.organization_id)
        reach.append(User.team_id == giver.team_id)
        reach.append(User.id.in_(select(team_managers.c.user_id)
                                 .where(team_managers.c.team_id.in_(above))))
    led = led_team_ids(session, giver)
    if led:
        reach.append(User.team_id.in_(led))
    return query.where(or_(*reach)) if reach else None


def people_within_reach(session, giver, search=None):
    """The people `giver` may give feedback to, by name; with a search, those whose name holds
    every word of it, whatever the case."""
    query = _reach(session, giver)
    if query is None:
        return []
    people = session.scalars(query.order_by(User.name, User.id)).all()
    words = (search or "").casefold().split()
    return [person for person in people if all(word in person.name.casefold() for word in words)]


def within_reach(session, giver, receiver):
    """Whether `giver` may give feedback to `receiver`."""
    if receiver.organization_id != giver.organization_id:
        return False
    query = _reach(session, giver)
    return query is not None and session.scalar(
        query.with_only_columns(User.id).where(User.id == receiver.id)) is not None


def can_read(session, viewer, feedback):
    """The giver, the receiver, and whoever leads the receiver's team or a team above it."""
    if feedback.organization_id != viewer.organization_id:
        return False
    if viewer.id in (feedback.giver_id, feedback.receiver_id):
        return True
    return (feedback.receiver_team_id is not None
            and feedback.receiver_team_id in led_team_ids(session, viewer))


def can_reply(viewer, feedback):
    """The two people of the conversation, and nobody reading it as a manager."""
    return viewer.id in (feedback.giver_id, feedback.receiver_id)


def give(session, giver, receiver, *, kind, body, value=None, now):
    """Record feedback from `giver` to `receiver` (within reach: the caller checked), and tell
    the receiver."""
    feedback = Feedback(
        organization_id=giver.organization_id, giver=giver, receiver=receiver,
        giver_team_id=giver.team_id, receiver_team_id=receiver.team_id, kind=kind,
        value=value, body=body.strip(), created_at=now,
    )
    session.add(feedback)
    session.flush()
    notifications.notify(session, receiver, "feedback_received",
                         link=("feedback.detail", {"feedback_id": feedback.id}), actor=giver,
                         params={"praise": kind == "praise"}, now=now)
    return feedback


def reply(session, feedback, author, body, *, now):
    """Add a message to the thread, and tell the other person of the two."""
    message = FeedbackReply(feedback=feedback, author=author, body=body.strip(), created_at=now)
    session.add(message)
    session.flush()
    notifications.notify(session, other_party(feedback, author), "feedback_replied",
                         link=("feedback.detail", {"feedback_id": feedback.id}), actor=author,
                         now=now)
    return message


def other_party(feedback, person):
    return feedback.receiver if person.id == feedback.giver_id else feedback.giver


def _listing(query):
    return (query.options(selectinload(Feedback.giver), selectinload(Feedback.receiver),
                          selectinload(Feedback.value), selectinload(Feedback.replies))
            .order_by(Feedback.created_at.desc(), Feedback.id.desc()).limit(FEED_SIZE))


def received(session, person):
    """Feedback to a person, newest first."""
    return session.scalars(_listing(select(Feedback).where(Feedback.receiver_id == person.id))
                           ).all()


def given(session, person):
    """Feedback from a person, newest first."""
    return session.scalars(_listing(select(Feedback).where(Feedback.giver_id == person.id))
                           ).all()


def feed_teams(session, viewer):
    """The teams whose feed a person may read: those they lead and beneath, by name."""
    ids = led_team_ids(session, viewer)
    if not ids:
        return []
    return session.scalars(select(Team).where(Team.id.in_(ids)).order_by(Team.name, Team.id)
                           ).all()


def team_feed(session, viewer, *, team_ids, kind=None):
    """Recent feedback in the given teams (each one the viewer leads), newest first: what the
    people of those teams were told, by anyone, and what they told the viewer. What they told
    someone else is not the viewer's to read."""
    allowed = set(team_ids) & led_team_ids(session, viewer)
    if not allowed:
        return []
    query = select(Feedback).where(Feedback.organization_id == viewer.organization_id,
                                   or_(Feedback.receiver_team_id.in_(allowed),
                                       and_(Feedback.giver_team_id.in_(allowed),
                                            Feedback.receiver_id == viewer.id)))
    if kind is not None:
        query = query.where(Feedback.kind == kind)
    return session.scalars(_listing(query)).all()
