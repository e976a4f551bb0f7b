"""Recurring coaching: a coach meets a rep every N weeks on a weekday, and a draft session is
made ahead of each meeting (by the periodic job in jobs/coaching.py), once.

Dates are the organisation's local dates. A draft is made DAYS_AHEAD days before the meeting,
so either side can add to its agenda first. A job that runs twice makes nothing twice, and one
that ran late, or not at all for weeks, catches up with one draft (the latest due meeting),
never a pile of them.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from models import CoachingSeries, CoachingSession
from periods import local_date, to_utc
from services import coaching, notifications

DAYS_AHEAD = 3
MAX_EVERY_WEEKS = 8


class SeriesError(ValueError):
    """What a series cannot be; `reason` names it for the message shown."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def first_on_or_after(day, weekday):
    """The first date from `day` on that falls on `weekday` (0 = Monday)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def of_rep(session, rep):
    """The rep's active series, by next date."""
    return session.scalars(
        select(CoachingSeries)
        .where(CoachingSeries.rep_id == rep.id, CoachingSeries.active.is_(True))
        .order_by(CoachingSeries.next_on, CoachingSeries.id)
    ).all()


def suggested_template(session, rep, templates):
    """The template to offer first: that of the rep's latest session, if still offered."""
    latest = session.scalar(
        select(CoachingSession.template_id).where(CoachingSession.rep_id == rep.id)
        .order_by(CoachingSession.created_at.desc(), CoachingSession.id.desc()).limit(1))
    return next((template for template in templates if template.id == latest),
                templates[0] if templates else None)


def _check(coach, rep, template, weekday, every_weeks):
    if not 0 <= weekday <= 6:
        raise SeriesError("weekday")
    if not 1 <= every_weeks <= MAX_EVERY_WEEKS:
        raise SeriesError("every_weeks")
    if coach.organization_id != rep.organization_id:
        raise SeriesError("foreign_coach")
    if template is not None and (template.organization_id != rep.organization_id
                                 or not template.active):
        raise SeriesError("template")


def start(session, *, coach, rep, template, weekday, every_weeks=1, now):
    """A new series; its first meeting is the next such weekday from today on."""
    _check(coach, rep, template, weekday, every_weeks)
    today = local_date(now, rep.organization.calendar)
    series = CoachingSeries(
        organization_id=rep.organization_id, rep=rep, coach=coach, template=template,
        weekday=weekday, every_weeks=every_weeks, next_on=first_on_or_after(today, weekday),
        active=True, created_at=now)
    session.add(series)
    session.flush()
    return series


def change(series, *, template, weekday, every_weeks, now):
    """New day, rhythm or template: the next meeting moves to the new weekday, from today."""
    _check(series.coach, series.rep, template, weekday, every_weeks)
    today = local_date(now, series.rep.organization.calendar)
    if weekday != series.weekday:
        series.next_on = first_on_or_after(max(today, series.next_on - timedelta(days=6)),
                                           weekday)
    series.template, series.weekday, series.every_weeks = template, weekday, every_weeks


def stop(series):
    """No more drafts; those already made stay."""
    series.active = False


def _step(series):
    return timedelta(weeks=series.every_weeks)


def due_meeting(series, today):
    """The meeting a draft is due for today: the latest one whose draft day has come (so a late
    job makes one, not one per missed meeting); None when the next is not due yet."""
    meeting = series.next_on
    if meeting - timedelta(days=DAYS_AHEAD) > today:
        return None
    while meeting + _step(series) - timedelta(days=DAYS_AHEAD) <= today:
        meeting += _step(series)
    return meeting


def make_draft(session, series, meeting, *, now):
    """The draft for the meeting on `meeting` (a local date), once: an existing draft of the
    series for that day is returned as it is. Tells the coach."""
    calendar = series.rep.calendar
    scheduled_for = to_utc(datetime.combine(meeting, calendar.workday_start), calendar)
    existing = session.scalar(select(CoachingSession).where(
        CoachingSession.series_id == series.id,
        CoachingSession.scheduled_for == scheduled_for))
    if existing is not None:
        return existing, False
    draft = coaching.start_session(
        session, coach=series.coach, rep=series.rep, template=series.template, series=series,
        scheduled_for=scheduled_for, period_kind=snapshot_period(series.template),
        # The period up to the day before: a Monday meeting looks back on last week.
        period_start=meeting - timedelta(days=1), now=now,
        # Without a template, "1:1" reads the same in every language the coach may use.
        title=series.template.name if series.template else "1:1")
    notifications.notify(
        session, series.coach, "coaching_draft_ready",
        link=("coaching.detail", {"session_id": draft.id}), now=now,
        params={"rep": series.rep.name})
    return draft, True


def snapshot_period(template):
    """The period the template's scorecard snapshot shows (a week when it has none)."""
    for section in template.sections if template is not None else ():
        if section.kind == "snapshot":
            return (section.options or {}).get("period", "week")
    return "week"


def make_due_drafts(session, now):
    """For every active series whose draft day has come: make the draft and move the series on.
    The drafts made."""
    made = []
    series_list = session.scalars(
        select(CoachingSeries).where(CoachingSeries.active.is_(True))
        .order_by(CoachingSeries.id)).all()
    for series in series_list:
        if not (series.rep.active and series.coach.active
                and coaching.can_coach(session, series.coach, series.rep)):
            continue  # left the team, or deactivated: nothing until someone changes it
        today = local_date(now, series.rep.organization.calendar)
        meeting = due_meeting(series, today)
        if meeting is None:
            continue
        draft, new = make_draft(session, series, meeting, now=now)
        series.next_on = meeting + _step(series)
        if new:
            made.append(draft)
    session.flush()
    return made
