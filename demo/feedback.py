"""Seed data: the demo organisation's values, and a few weeks of feedback in Milan Field.

Idempotent: values are found by name; the feedback is written once, when the organisation has
none, dated back from `now` so that it always reads as recent. It goes through the service a
person's clicks go through, so the inbox has its entries: marked as emailed (nobody is mailed
about the past) and, but for the last day's, as read.
"""

from datetime import timedelta

from sqlalchemy import select

from demo.organization import ORGANIZATION
from models import Feedback, Notification, Organization, User
from services import feedback, values

VALUES = (
    ("Customer first", "We win when our customers do.",
     "Follows up within 24 hours\nKnows the customer's goals before the visit\n"
     "Says no when a product is not the right fit"),
    ("Own the outcome", "We do what we said, and say so when we cannot.",
     "Logs activities the same day\nCloses the loop on every action item\n"
     "Raises a problem early, with a proposal"),
    ("Win together", "Nobody hits target alone.",
     "Shares what worked with the team\nCovers a colleague's visit when needed\n"
     "Gives feedback in both directions"),
    ("Keep learning", "Every week a little better.",
     "Asks for coaching on a metric that is behind\nTries one new approach a month"),
)

# (days ago, giver, receiver, kind, value or None, what was said, [(reply author, text)])
FEEDBACK = (
    (1, "rep@example.com", "manager@example.com", "suggestion", "Win together",
     "Could we do the pipeline review on Monday instead of Friday? By Friday the week is "
     "gone and there is nothing left to change.",
     [("manager@example.com", "Good point. Let's try Mondays from next week."),
      ("rep@example.com", "Thanks!")]),
    (2, "manager@example.com", "rep@example.com", "praise", "Customer first",
     "The follow-up you sent Verdi Logistica the same evening won us the second meeting. "
     "Exactly what we want to see.",
     [("rep@example.com", "Thank you, they were happy to get the price list so quickly.")]),
    (3, "alessandro.galli@example.com", "rep@example.com", "praise", "Win together",
     "Thanks for covering my Bergamo visit on Tuesday, the customer mentioned you twice.",
     []),
    (5, "manager@example.com", "pietro.fontana@example.com", "suggestion", "Keep learning",
     "Your calls are short: most end before two minutes. Try opening with the question "
     "about their delivery times, and let's listen to two calls together on Thursday.",
     [("pietro.fontana@example.com", "OK, I'll book 30 minutes on Thursday.")]),
    (6, "newhire@example.com", "rep@example.com", "praise", None,
     "Thank you for taking me along to your visits this week, I learned a lot.", []),
    (8, "elena.colombo@example.com", "manager@example.com", "praise", "Own the outcome",
     "Milan Field's coaching is on schedule every week. It shows in the demos.", []),
    (10, "francesca.longo@example.com", "matteo.barbieri@example.com", "suggestion", None,
     "When you send a proposal, copy me if the customer is in my area: I can help with the "
     "follow-up.", [("matteo.barbieri@example.com", "Will do.")]),
    (12, "manager@example.com", "alessandro.galli@example.com", "praise", "Customer first",
     "Third month above target on deals won, and the customers keep coming back.", []),
)


def seed(session, now):
    """Create the demo values and feedback where they are missing; a line saying what was done."""
    organization = session.scalar(select(Organization).where(
        Organization.name == ORGANIZATION["name"]))
    if organization is None:
        return "Feedback: no demo organisation."
    by_name = {value.name: value for value in values.values(session, organization.id)}
    added_values = 0
    for name, description, behaviours in VALUES:
        if name not in by_name:
            by_name[name] = values.save_value(session, organization, None, name=name,
                                              description=description,
                                              behaviours=behaviours, active=True)
            added_values += 1
    added = 0
    if session.scalar(select(Feedback.id).where(
            Feedback.organization_id == organization.id).limit(1)) is None:
        people = {user.email: user for user in session.scalars(
            select(User).where(User.organization_id == organization.id))}
        for days, giver, receiver, kind, value, body, replies in FEEDBACK:
            if giver not in people or receiver not in people:
                continue
            when = now - timedelta(days=days, hours=3)
            given = feedback.give(session, people[giver], people[receiver], kind=kind,
                                  body=body, value=by_name.get(value), now=when)
            for step, (author, text) in enumerate(replies, start=1):
                feedback.reply(session, given, people[author], text,
                               now=when + timedelta(hours=2 * step))
            added += 1
        session.flush()
        _quiet_inbox(session, organization, now)
    session.flush()
    return f"Feedback: {added_values} values and {added} conversations added."


def _quiet_inbox(session, organization, now):
    entries = session.scalars(
        select(Notification).join(User, User.id == Notification.recipient_id)
        .where(User.organization_id == organization.id,
               Notification.kind.in_(("feedback_received", "feedback_replied")),
               Notification.emailed_at.is_(None))).all()
    for entry in entries:
        entry.emailed_at, entry.email_wanted = entry.created_at, False
        if entry.created_at < now - timedelta(days=1):
            entry.read_at = entry.created_at + timedelta(hours=2)
