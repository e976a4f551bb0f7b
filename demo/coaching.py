"""Seed data: the starter coaching templates, and a few weeks of coaching in Milan Field (with a
session or two elsewhere, so the obstacle counts cover several teams).

Idempotent: the templates are added when missing (by name); the coaching history is written once,
when the organisation has no session yet, dated back from `now` so that it always reads as
recent. Everything goes through the services a manager's clicks go through: sections copied
from the template, snapshots frozen when shared, action items carried forward and closed once.
The inbox entries this makes are marked as emailed (nobody is mailed about the past) and, but
for the latest, as read.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import select

from demo.organization import ORGANIZATION
from models import CoachingSession, Metric, Notification, Organization, User
from periods import local_date, to_utc
from services import coaching, coaching_requests, coaching_series, coaching_templates

COACHING_KINDS = ("coaching_shared", "coaching_acknowledged", "coaching_answered",
                  "coaching_requested", "coaching_draft_ready")


@dataclass(frozen=True)
class Item:
    text: str
    owner: str  # "rep" or "coach"
    due_in_days: int  # from the meeting
    closed: str | None = None  # None: open; "there": in its own session; "later": in the next one


@dataclass(frozen=True)
class Past:
    """A shared session, whose meeting was at 9:00 on the working day `days_ago` days back."""

    rep: str
    coach: str
    template: str
    days_ago: int
    values: dict = field(default_factory=dict)  # section title: the coach's entry
    answers: dict = field(default_factory=dict)  # section title: the rep's answer
    notes: str = ""
    items: tuple = ()
    obstacles: tuple = ()  # (category, note)
    acknowledged: bool = True
    metric: str | None = None


REP, MANAGER = "rep@example.com", "manager@example.com"
PIETRO = "pietro.fontana@example.com"

HISTORY = (
    Past(REP, MANAGER, "Weekly 1:1", 21,
         values={"Planning the week": 3,
                 "Before we close": ["One or two action items agreed, each with an owner and a "
                                     "date", "Next week's priorities are clear"]},
         answers={"Wins since last time": "Two new accounts in Monza after the trade fair, "
                                          "both booked a demo.",
                  "Your focus for next week": "Book the Brianza visits on Monday morning, not "
                                              "when there is a gap."},
         notes="Visits on pace, demos ahead. Proposals lag: two are waiting on pricing.",
         items=(Item("Book three visits in Brianza for next week", "rep", 4, closed="later"),
                Item("Send the Verdi Logistica proposal", "rep", 2, closed="there"))),
    Past(REP, MANAGER, "Ride-along visit", 14, metric="visits",
         values={"The visit": "Ferramenta Colombo, Monza: the owner and the buyer. Goal: a "
                              "trial order of the shelving range.",
                 "Preparation": 3, "Opening": 3, "Discovery": 2, "Presenting value": 3,
                 "Handling objections": 2, "Closing for a next step": 3,
                 "Strengths seen": "Checked the time and the agenda at the start; tied the "
                                   "shelving to the buyer's complaint about stock-outs.",
                 "One thing to practise": "When the buyer said delivery is too slow, ask what "
                                          "happened last time before answering."},
         answers={"Your view": "I rushed the delivery objection. Next time I'll ask first."},
         items=(Item("Practise the delivery-time objection with Chiara", "rep", 7),),
         obstacles=(("policies", "Discounts over 10% take three days to approve; the Colombo "
                                 "trial nearly cooled while we waited."),)),
    Past(REP, MANAGER, "Weekly 1:1", 7, acknowledged=False,
         values={"Planning the week": 3},
         notes="Good week on visits. Close dates in the CRM are out of date on four deals.",
         items=(Item("Update the close dates of the four stale deals in the CRM", "rep", 4),
                Item("Ask finance about faster discount approval", "coach", 7)),
         obstacles=(("work_environment", "The CRM app logs out on the road: visits get "
                                         "logged in the evening, from memory."),)),
    Past(PIETRO, MANAGER, "Pipeline review", 10,
         values={"Pipeline coverage": 1, "Deal qualification": 2},
         answers={"Commit for the period": "Two deals: Rossi Edilizia and the Lecco "
                                           "warehouse, about 30,000 together."},
         notes="Pipeline is thin: most calls end before two minutes.",
         items=(Item("Listen to two calls together on Thursday", "coach", 3, closed="there"),
                Item("Add five new opportunities from the trade-fair list", "rep", 7)),
         obstacles=(("job_design", "Half of Tuesday and Wednesday go on delivery problems for "
                                   "existing customers instead of selling."),)),
    Past("newhire@example.com", MANAGER, "New-hire check-in", 3,
         values={"Confidence with the pitch": 2,
                 "Onboarding this week": ["Access works (CRM, email, Pacer)",
                                          "Shadowed at least one experienced colleague"]},
         answers={"What has been hardest so far?": "Remembering the whole price list.",
                  "Help you need": "One more ride-along with Luca."},
         items=(Item("Join Luca on two visits", "rep", 5),)),
    # Other teams: their managers coach too, so the obstacle counts span the company.
    Past("riccardo.serra@example.com", "valentina.caruso@example.com", "Weekly 1:1", 12,
         values={"Planning the week": 2},
         obstacles=(("external", "Two large customers froze their budgets until January."),)),
    Past("simone.bruno@example.com", "paolo.ricci@example.com", "Weekly 1:1", 9,
         values={"Planning the week": 2},
         obstacles=(("personal", "Looking after a parent in hospital; asked for lighter "
                                 "afternoons this month."),
                    ("work_environment", "The headset drops calls after twenty minutes."))),
    Past("ciro.amato@example.com", "antonio.esposito@example.com", "Pipeline review", 16,
         values={"Pipeline coverage": 2},
         obstacles=(("policies", "New customers need a credit check that takes a week."),)),
)


def seed(session, now):
    """Add the starter templates and the coaching history where missing; a line saying what."""
    organization = session.scalar(select(Organization).where(
        Organization.name == ORGANIZATION["name"]))
    if organization is None:
        return "Coaching: no demo organisation."
    templates = coaching_templates.add_starters(session, organization, "en")
    if session.scalar(select(CoachingSession.id).where(
            CoachingSession.organization_id == organization.id).limit(1)) is not None:
        return f"Coaching: {len(templates)} templates added; the history was there already."
    people = {user.email: user for user in session.scalars(
        select(User).where(User.organization_id == organization.id))}
    by_name = {template.name: template
               for template in coaching_templates.templates(session, organization.id)}
    metrics = {metric.key: metric for metric in session.scalars(
        select(Metric).where(Metric.organization_id == organization.id))}
    calendar = organization.calendar
    made = [_past(session, past, people, by_name, metrics, calendar, now)
            for past in sorted(HISTORY, key=lambda past: -past.days_ago)
            if past.rep in people and past.coach in people]
    _recurring(session, people, by_name, now)
    if PIETRO in people and "calls" in metrics:
        coaching_requests.ask(
            session, people[PIETRO], kind="metric", metric=metrics["calls"],
            note="My calls end too soon. Can we listen to a few together?",
            now=now - timedelta(hours=20))
    _quiet_inbox(session, organization, now)
    session.flush()
    return (f"Coaching: {len(templates)} templates, {len(made)} past sessions, a weekly series "
            "and an open request added.")


def _at(days_ago, now, calendar, hour=9):
    """9:00 local on the working day `days_ago` days back (a weekend moves to the Friday)."""
    day = local_date(now, calendar) - timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return to_utc(datetime.combine(day, time(hour)), calendar)


def _past(session, past, people, templates, metrics, calendar, now):
    rep, coach = people[past.rep], people[past.coach]
    meeting = _at(past.days_ago, now, calendar)
    made = coaching.start_session(
        session, coach=coach, rep=rep, template=templates.get(past.template),
        metric=metrics.get(past.metric), scheduled_for=meeting,
        period_start=local_date(meeting, calendar) - timedelta(days=1),
        now=meeting - timedelta(days=1))
    for section in made.sections:
        if section.title in past.values:
            coaching.fill_section(section, past.values[section.title])
    coaching.update(session, made, shared_notes=past.notes, scheduled_for=meeting,
                    now=meeting + timedelta(minutes=40))
    for spec in past.items:
        coaching.add_action_item(
            session, made, owner=rep if spec.owner == "rep" else coach, text=spec.text,
            due_on=local_date(meeting, calendar) + timedelta(days=spec.due_in_days),
            now=meeting + timedelta(minutes=45))
    for category, note in past.obstacles:
        coaching.record_obstacle(session, made, category=category, note=note, by=coach,
                                 now=meeting + timedelta(minutes=50))
    shared_at = meeting + timedelta(hours=1)
    _close_carried(session, made, coach, shared_at)
    coaching.share(session, made, now=shared_at)
    if past.acknowledged:
        coaching.acknowledge(session, made, rep=rep, now=shared_at + timedelta(hours=5))
    for section in made.sections:
        if section.title in past.answers and section.rep_answers:
            coaching.answer(session, section, rep=rep, text=past.answers[section.title],
                            now=shared_at + timedelta(hours=5, minutes=10))
    for item, spec in zip(coaching.session_items(session, made), past.items, strict=True):
        if spec.closed == "there":
            by = rep if spec.owner == "rep" else coach
            in_session = made if by is coach else None
            coaching.close_action_item(session, item, by=by, in_session=in_session,
                                       now=shared_at + timedelta(days=1))
    return made


def _close_carried(session, made, coach, now):
    """In the next session with the rep, close the items marked to be closed there."""
    for item in coaching.carried_items(session, made):
        spec = next((spec for past in HISTORY for spec in past.items
                     if spec.text == item.text), None)
        if spec is not None and spec.closed == "later":
            coaching.close_action_item(session, item, by=coach, in_session=made, now=now)


def _recurring(session, people, templates, now):
    """The manager's weekly Monday 1:1 with the rep, and the draft of the next one."""
    if REP not in people or MANAGER not in people or "Weekly 1:1" not in templates:
        return
    rep = people[REP]
    series = coaching_series.start(session, coach=people[MANAGER], rep=rep,
                                   template=templates["Weekly 1:1"], weekday=0,
                                   now=now + timedelta(days=1))  # the next Monday, not today
    draft, _new = coaching_series.make_draft(session, series, series.next_on, now=now)
    series.next_on += timedelta(weeks=1)
    coaching.add_agenda_item(session, draft, author=rep,
                             text="Pricing for the Brianza shelving bundle", now=now)


def _quiet_inbox(session, organization, now):
    """Nobody is emailed about the demo's past; only the last day's entries are unread."""
    entries = session.scalars(
        select(Notification).join(User, User.id == Notification.recipient_id)
        .where(User.organization_id == organization.id, Notification.kind.in_(COACHING_KINDS),
               Notification.emailed_at.is_(None))).all()
    for entry in entries:
        entry.emailed_at = entry.created_at
        entry.email_wanted = False
        if entry.created_at < now - timedelta(days=1):
            entry.read_at = entry.created_at + timedelta(hours=2)
