"""Coaching sessions: who may see and run them, starting one from a template, the scorecard
snapshot frozen when shared, agenda, action items that carry forward until closed once,
private notes only their author sees, obstacles, and the log of who read a rep's sessions.

Coaching is a conversation, not surveillance: a session is seen by its rep (once shared), its
coach, and the managers of a team the rep is in or under. Executives and admins see no session
by their role alone, only as managers of a team above the rep.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select

from models import (
    ActionItem,
    ActionItemReminder,
    AgendaItem,
    CoachingSession,
    CoachingSessionSection,
    Obstacle,
    Organization,
    PrivateNote,
    SessionRead,
    Team,
    User,
)
from models.coaching import OBSTACLE_CATEGORIES
from periods import PERIOD_KINDS, local_date, period_at, period_containing
from services import notifications, scorecards, visibility

# How long since their last session a rep counts as not coached lately.
LATELY = timedelta(days=28)
# The longest text anyone types into a session: notes, answers, agenda and action items.
LONGEST_TEXT = 10_000
LONGEST_LINE = 500


class CoachingError(ValueError):
    """Something a session cannot take; `reason` names it for the message shown."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


# Who may see what


def led_team_ids(session, viewer):
    """The active teams the viewer manages and every team beneath them: whom they coach.

    Unlike scorecards, an executive's or admin's role opens nothing here: only the teams they
    lead do."""
    tree = visibility.team_tree(session, viewer.organization_id)
    children = {}
    for team in tree:
        children.setdefault(team.parent_id, []).append(team.id)
    found, stack = set(), [team.id for team in viewer.managed_teams]
    while stack:
        team_id = stack.pop()
        if team_id not in found:
            found.add(team_id)
            stack.extend(children.get(team_id, []))
    return found & {team.id for team in tree if team.active}


def leads(session, viewer, rep):
    """Whether the viewer manages a team the rep is in or under."""
    if rep.organization_id != viewer.organization_id or rep.id == viewer.id:
        return False
    return rep.team_id is not None and rep.team_id in led_team_ids(session, viewer)


def can_coach(session, viewer, rep):
    """Whether the viewer may start a session with the rep: they lead the rep's team."""
    return rep.active and leads(session, viewer, rep)


def can_see_session(session, viewer, coaching_session):
    """The rep once shared, the coach, and managers of a team the rep is in or under."""
    if viewer is None or coaching_session.organization_id != viewer.organization_id:
        return False
    if viewer.id == coaching_session.rep_id:
        return coaching_session.is_shared
    if viewer.id == coaching_session.coach_id:
        return True
    return leads(session, viewer, coaching_session.rep)


def can_run(viewer, coaching_session):
    """Only the coach fills in, shares and closes a session; other managers read it."""
    return viewer.id == coaching_session.coach_id


def can_add_agenda(session, viewer, coaching_session):
    """Either side adds talking points before the meeting: the rep also to a draft, whose
    content they do not see yet, once it is planned."""
    if viewer.id == coaching_session.rep_id:
        return coaching_session.is_shared or coaching_session.scheduled_for is not None
    return can_run(viewer, coaching_session)


def can_close_item(viewer, item):
    """The coach of the item's session closes any of it; a rep ticks their own once shared."""
    if viewer.id == item.session.coach_id:
        return True
    return (viewer.id == item.owner_id == item.rep_id) and item.session.is_shared


# Starting and sharing


def start_session(session, *, coach, rep, template=None, metric=None, period_kind="week",
                  period_start=None, series=None, scheduled_for=None, title=None, now):
    """A draft session between coach and rep, its sections copied from the template (so later
    edits of the template never change it). Nothing reaches the rep until it is shared."""
    organization_id = rep.organization_id
    if coach.organization_id != organization_id:
        raise CoachingError("foreign_coach")
    if template is not None and template.organization_id != organization_id:
        raise CoachingError("foreign_template")
    if metric is not None and metric.organization_id != organization_id:
        raise CoachingError("foreign_metric")
    if period_kind not in PERIOD_KINDS:
        raise CoachingError("period")
    calendar = rep.organization.calendar
    try:
        if period_start is None:
            period = period_at(period_kind, now, calendar)
        else:
            period = period_containing(period_kind, period_start, calendar)
    except ValueError as error:  # a day Pacer shows no periods for
        raise CoachingError("period") from error
    coaching_session = CoachingSession(
        organization_id=organization_id, rep=rep, coach=coach, template=template,
        series=series, metric=metric, period_kind=period.kind, period_start=period.start,
        scheduled_for=scheduled_for, status="draft",
        title=(title or (template.name if template else "") or "")[:160],
        created_at=now, updated_at=now,
    )
    for position, source in enumerate(template.sections if template else ()):
        coaching_session.sections.append(CoachingSessionSection(
            position=position, kind=source.kind, title=source.title, prompt=source.prompt,
            options=dict(source.options or {}), rep_answers=source.rep_answers,
        ))
    session.add(coaching_session)
    session.flush()
    return coaching_session


def share(session, coaching_session, *, now):
    """Send the session to the rep: its snapshot is frozen from now on. Sharing twice changes
    nothing."""
    if coaching_session.is_shared:
        return False
    coaching_session.snapshot = live_snapshot(session, coaching_session, now)
    coaching_session.status = "shared"
    coaching_session.shared_at = now
    session.flush()
    _notify(session, coaching_session, coaching_session.rep, "coaching_shared",
            actor=coaching_session.coach, now=now)
    return True


def acknowledge(session, coaching_session, *, rep, now):
    """The rep says they read it; once."""
    if rep.id != coaching_session.rep_id or not coaching_session.is_shared:
        raise CoachingError("not_yours")
    if coaching_session.acknowledged_at is not None:
        return False
    coaching_session.acknowledged_at = now
    session.flush()
    _notify(session, coaching_session, coaching_session.coach, "coaching_acknowledged",
            actor=rep, now=now)
    return True


def _notify(session, coaching_session, recipient, kind, *, actor, now, **params):
    """Tell the other side; the params hold only what both sides see (never a private note)."""
    notifications.notify(
        session, recipient, kind, link=("coaching.detail", {"session_id": coaching_session.id}),
        actor=actor, now=now,
        params={"title": coaching_session.title, **params},
    )


# The scorecard snapshot


def period_of(coaching_session):
    calendar = coaching_session.rep.organization.calendar
    start = coaching_session.period_start
    if start is None:
        start = local_date(coaching_session.created_at, calendar)
    return period_containing(coaching_session.period_kind, start, calendar)


def live_snapshot(session, coaching_session, now):
    """The rep's scorecard numbers for the session's period, as plain data (what is frozen)."""
    period = period_of(coaching_session)
    card = scorecards.rep_scorecard(session, coaching_session.rep, period, now)
    rows = []
    for metric in card.metrics:
        cell = card.line.cell(metric)
        rows.append({
            "metric_id": metric.id, "key": metric.key, "name": metric.name,
            "actual": cell.actual, "target": cell.target, "expected": cell.pace.expected,
            "status": cell.status, "achievement": cell.achievement,
        })
    return {
        "period": period.key, "kind": period.kind, "start": period.start.isoformat(),
        "end": period.end.isoformat(), "as_of": now.isoformat(), "state": card.timing.state,
        "score": card.line.score, "rows": rows,
    }


def snapshot(session, coaching_session, now):
    """The frozen snapshot once shared, else the live numbers."""
    if coaching_session.is_shared and coaching_session.snapshot is not None:
        return coaching_session.snapshot
    return live_snapshot(session, coaching_session, now)


# Filling it in


def _text(value, longest=LONGEST_TEXT):
    value = (value or "").strip()
    if len(value) > longest:
        raise CoachingError("too_long")
    return value


def update(session, coaching_session, *, title=None, scheduled_for=None, shared_notes=None,
           now):
    """The coach's changes to the session's title, time and shared notes."""
    if title is not None:
        title = _text(title, 160)
        if title:
            coaching_session.title = title
    if shared_notes is not None:
        coaching_session.shared_notes = _text(shared_notes)
    coaching_session.scheduled_for = scheduled_for
    coaching_session.updated_at = now
    session.flush()


def fill_section(section, raw):
    """The coach's entry for a section from what the form sent (a string, or a list of
    ticked checklist items)."""
    kind = section.kind
    if kind == "rating":
        allowed = {str(point.get("value")): point.get("value")
                   for point in (section.options or {}).get("points", [])}
        if raw in (None, ""):
            section.value = None
        elif str(raw) in allowed:
            section.value = allowed[str(raw)]
        else:
            raise CoachingError("rating")
    elif kind == "checklist":
        items = list((section.options or {}).get("items", []))
        ticked = [item for item in (raw or []) if item in items]
        if len(ticked) != len(set(raw or [])):
            raise CoachingError("checklist")
        section.value = [item for item in items if item in ticked]
    elif kind in ("text", "talking_points"):
        section.value = _text(raw if isinstance(raw, str) else "") or None


def answer(session, section, *, rep, text, now):
    """The rep's answer to a section that asks for one, once the session is shared."""
    coaching_session = section.session
    if rep.id != coaching_session.rep_id or not coaching_session.is_shared:
        raise CoachingError("not_yours")
    if not section.rep_answers:
        raise CoachingError("no_answer")
    section.rep_answer = _text(text) or None
    section.rep_answered_at = now if section.rep_answer else None
    session.flush()
    if section.rep_answer:
        _notify(session, coaching_session, coaching_session.coach, "coaching_answered",
                actor=rep, now=now, section=section.title)


def add_agenda_item(session, coaching_session, *, author, text, now):
    text = _text(text, LONGEST_LINE)
    if not text:
        raise CoachingError("empty")
    item = AgendaItem(session=coaching_session, author=author, text=text, created_at=now)
    session.add(item)
    session.flush()
    return item


def set_private_note(session, coaching_session, *, author, body, now):
    """The author's own note on the session; nobody else ever reads it."""
    note = private_note(session, coaching_session, author)
    body = _text(body)
    if note is None:
        if not body:
            return None
        note = PrivateNote(session_id=coaching_session.id, author_id=author.id)
        session.add(note)
    note.body = body
    note.updated_at = now
    session.flush()
    return note


def private_note(session, coaching_session, viewer):
    """The viewer's own private note on the session, or None: never anyone else's."""
    return session.scalar(select(PrivateNote).where(
        PrivateNote.session_id == coaching_session.id, PrivateNote.author_id == viewer.id))


def record_obstacle(session, coaching_session, *, category, note, by, now):
    if category not in OBSTACLE_CATEGORIES:
        raise CoachingError("category")
    obstacle = Obstacle(
        organization_id=coaching_session.organization_id, person_id=coaching_session.rep_id,
        team_id=coaching_session.rep.team_id, session_id=coaching_session.id,
        category=category, note=_text(note, LONGEST_LINE * 2), recorded_by_id=by.id,
        recorded_at=now,
    )
    session.add(obstacle)
    session.flush()
    return obstacle


def obstacles(session, coaching_session):
    return session.scalars(select(Obstacle).where(Obstacle.session_id == coaching_session.id)
                           .order_by(Obstacle.recorded_at, Obstacle.id)).all()


# Action items: added in a session, carried forward while open, closed once


def add_action_item(session, coaching_session, *, owner, text, due_on=None, now):
    if owner.id not in (coaching_session.rep_id, coaching_session.coach_id):
        raise CoachingError("owner")
    text = _text(text, LONGEST_LINE)
    if not text:
        raise CoachingError("empty")
    item = ActionItem(
        organization_id=coaching_session.organization_id, rep_id=coaching_session.rep_id,
        session=coaching_session, owner=owner, text=text, due_on=due_on, created_at=now,
    )
    session.add(item)
    session.flush()
    return item


def close_action_item(session, item, *, by, in_session=None, now):
    """Close the item: once, wherever it is closed (its own session, a later one, the rep's
    phone). Closing a closed item changes nothing, and nothing reopens it."""
    if item.closed_at is not None:
        return False
    item.closed_at = now
    item.closed_by_id = by.id
    item.closed_in_session_id = in_session.id if in_session is not None else None
    session.flush()
    return True


def session_items(session, coaching_session):
    """The items agreed in this session."""
    return session.scalars(select(ActionItem).where(ActionItem.session_id == coaching_session.id)
                           .order_by(ActionItem.created_at, ActionItem.id)).all()


def carried_items(session, coaching_session):
    """Items from the rep's earlier sessions still open, and those closed in this one."""
    return session.scalars(
        select(ActionItem).join(CoachingSession, CoachingSession.id == ActionItem.session_id)
        .where(ActionItem.rep_id == coaching_session.rep_id,
               CoachingSession.id < coaching_session.id,
               or_(ActionItem.closed_at.is_(None),
                   ActionItem.closed_in_session_id == coaching_session.id))
        .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
    ).all()


def open_items_for_rep(session, rep):
    """The rep's open items from shared sessions: what they tick on the phone."""
    return session.scalars(
        select(ActionItem).join(CoachingSession, CoachingSession.id == ActionItem.session_id)
        .where(ActionItem.rep_id == rep.id, ActionItem.closed_at.is_(None),
               CoachingSession.status == "shared")
        .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
    ).all()


# Reminders: an item's owner hears the day before it is due, and once when it is overdue

# From this hour of their organisation's morning; overdue items older than a week are left be
# (whoever has not seen them by then will in their next session, where they carry forward).
REMIND_FROM_HOUR = 8
OVERDUE_FOR = timedelta(days=7)


def remind_due_items(session, now):
    """Tell owners of open items of shared sessions due tomorrow, or overdue, once each."""
    sent = 0
    for organization in session.scalars(select(Organization)):
        calendar = organization.calendar
        local = now.astimezone(calendar.tz)
        if local.hour < REMIND_FROM_HOUR:
            continue
        today = local.date()
        items = session.scalars(
            select(ActionItem).join(CoachingSession, CoachingSession.id == ActionItem.session_id)
            .where(ActionItem.organization_id == organization.id,
                   ActionItem.closed_at.is_(None), CoachingSession.status == "shared",
                   ActionItem.due_on.between(today - OVERDUE_FOR, today + timedelta(days=1)),
                   ActionItem.due_on != today)
            .order_by(ActionItem.id)
        ).all()
        for item in items:
            kind = "overdue" if item.due_on < today else "due"
            if session.scalar(select(ActionItemReminder.id).where(
                    ActionItemReminder.action_item_id == item.id,
                    ActionItemReminder.kind == kind)) is not None:
                continue
            session.add(ActionItemReminder(action_item_id=item.id, kind=kind, sent_at=now))
            notifications.notify(
                session, item.owner, "action_item_due",
                link=("coaching.detail", {"session_id": item.session_id}), now=now,
                params={"title": item.text, "overdue": kind == "overdue"})
            sent += 1
    session.flush()
    return sent


# The access log


def record_read(session, coaching_session, viewer, what, now):
    """Log a read of the session by anyone but its rep, who sees the log."""
    if viewer.id == coaching_session.rep_id:
        return None
    read = SessionRead(session_id=coaching_session.id, reader_id=viewer.id, read_at=now,
                       what=what[:24])
    session.add(read)
    session.flush()
    return read


def reads_of(session, rep):
    """Every read of the rep's sessions by someone else, newest first: {session id: reads}."""
    found = {}
    rows = session.scalars(
        select(SessionRead).join(CoachingSession, CoachingSession.id == SessionRead.session_id)
        .where(CoachingSession.rep_id == rep.id)
        .order_by(SessionRead.read_at.desc(), SessionRead.id.desc())
    ).all()
    for read in rows:
        found.setdefault(read.session_id, []).append(read)
    return found


# Histories


def sessions_of_rep(session, rep, viewer):
    """The rep's sessions the viewer may see, newest first."""
    query = select(CoachingSession).where(CoachingSession.rep_id == rep.id)
    if viewer.id == rep.id:
        query = query.where(CoachingSession.status == "shared")
    found = session.scalars(query.order_by(CoachingSession.created_at.desc(),
                                           CoachingSession.id.desc())).all()
    return [each for each in found if can_see_session(session, viewer, each)]


def upcoming_for_rep(session, rep, now):
    """Planned sessions not shared yet, from today on: the rep sees when, and may add to the
    agenda."""
    return session.scalars(
        select(CoachingSession).where(
            CoachingSession.rep_id == rep.id, CoachingSession.status == "draft",
            CoachingSession.scheduled_for >= now - timedelta(hours=12))
        .order_by(CoachingSession.scheduled_for, CoachingSession.id)
    ).all()


@dataclass(frozen=True)
class CoachView:
    upcoming: list  # sessions they run with a time ahead, soonest first
    drafts: list  # their drafts
    recent: list  # their shared sessions, newest first
    quiet: list  # (rep, last session or None): reps they lead not coached lately


def coach_view(session, coach, now, limit=20):
    """A manager's coaching index: what is coming, what is unfinished, who was left out."""
    mine = session.scalars(
        select(CoachingSession).where(CoachingSession.coach_id == coach.id)
        .order_by(CoachingSession.created_at.desc(), CoachingSession.id.desc())
    ).all()
    upcoming = sorted((each for each in mine
                       if each.scheduled_for is not None and each.scheduled_for >= now),
                      key=lambda each: each.scheduled_for)
    drafts = [each for each in mine if not each.is_shared]
    recent = [each for each in mine if each.is_shared][:limit]
    return CoachView(upcoming[:limit], drafts[:limit], recent, quiet_reps(session, coach, now))


def quiet_reps(session, coach, now):
    """The reps of the teams the coach leads whose last session (by anyone) is older than
    LATELY, or who never had one."""
    team_ids = led_team_ids(session, coach)
    if not team_ids:
        return []
    people = session.scalars(
        select(User).join(Team, Team.id == User.team_id)
        .where(User.team_id.in_(team_ids), User.active.is_(True), User.id != coach.id)
        .order_by(User.name, User.id)
    ).all()
    reps = [person for person in people if person.has_role("rep")]
    last = {}
    for rep_id, created_at in session.execute(
        select(CoachingSession.rep_id, CoachingSession.created_at)
        .where(CoachingSession.rep_id.in_([rep.id for rep in reps]))
    ):
        if rep_id not in last or created_at > last[rep_id]:
            last[rep_id] = created_at
    return [(rep, last.get(rep.id)) for rep in reps
            if last.get(rep.id) is None or now - last[rep.id] > LATELY]
