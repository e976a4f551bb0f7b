"""The weekly digest: on Monday morning, each rep's last week against target, and each
manager's teams: who is behind, and who asked for coaching.

The job runs every hour (jobs/digest.py) and picks the organisations where it is Monday
morning; a person gets one digest per week whatever the job does, since each sent digest is
recorded (DigestSent, unique per person and week).
"""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from models import CoachingRequest, Organization, User
from models.notifications import DigestSent
from periods import period_at, shift
from services import notifications, scorecards
from services.lines import reps

SEND_WEEKDAY, SEND_HOUR = 0, 7  # Monday, 07:00 local time: from then on that day


@dataclass(frozen=True)
class MetricWeek:
    label: str
    unit: str
    actual: float
    target: float | None
    status: str


@dataclass(frozen=True)
class PersonWeek:
    person: User
    metrics: list  # MetricWeek, in the scorecard's order
    score: float | None

    @property
    def behind(self):
        return [each for each in self.metrics if each.status == "behind"]


@dataclass(frozen=True)
class TeamWeek:
    name: str
    people: list  # PersonWeek, behind first
    requests: list  # open CoachingRequests of the team's people, oldest first


@dataclass(frozen=True)
class Digest:
    person: User
    period: object  # the week it is about
    own: PersonWeek | None  # a rep's own numbers
    teams: list  # TeamWeek, for managers


def is_due(organization, now):
    """Whether it is Monday morning, from 07:00, where the organisation is."""
    local = now.astimezone(ZoneInfo(organization.timezone))
    return local.weekday() == SEND_WEEKDAY and local.hour >= SEND_HOUR


def last_week(organization, now):
    """The week that ended before the current one, on the organisation's calendar."""
    calendar = organization.calendar
    return shift(period_at("week", now, calendar), -1, calendar)


def due_organizations(session, now):
    return [each for each in session.scalars(select(Organization).order_by(Organization.id))
            if is_due(each, now)]


def recipients(session, organization, week_start):
    """Active reps and managers of the organisation who want the digest and have not had this
    week's yet."""
    sent = select(DigestSent.user_id).where(DigestSent.week_start == week_start)
    people = session.scalars(
        select(User).where(User.organization_id == organization.id, User.active.is_(True),
                           User.id.not_in(sent)).order_by(User.id)
    ).all()
    return [person for person in people if person.has_role("rep", "manager")
            and notifications.wants_email(session, person, "weekly_digest")]


def already_sent(session, person, week_start):
    return session.scalar(select(DigestSent.id).where(
        DigestSent.user_id == person.id, DigestSent.week_start == week_start)) is not None


def record_sent(session, person, week_start, now):
    session.add(DigestSent(user_id=person.id, week_start=week_start, sent_at=now))


def digest_for(session, person, now):
    """What the person's digest says about last week."""
    period = last_week(person.organization, now)
    own = _person_week(session, person, period, now) if person.has_role("rep") else None
    teams = [_team_week(session, team, period, now) for team in person.managed_teams
             if team.active] if person.has_role("manager") else []
    return Digest(person=person, period=period, own=own, teams=teams)


def _person_week(session, person, period, now):
    card = scorecards.rep_scorecard(session, person, period, now)
    metrics = []
    for metric in card.metrics:
        cell = card.line.cell(metric)
        if cell.target is None and not cell.actual:
            continue  # nothing asked of them and nothing done: not worth a line
        metrics.append(MetricWeek(label=metric.label, unit=metric.unit_label or "",
                                  actual=cell.actual, target=cell.target, status=cell.status))
    return PersonWeek(person=person, metrics=metrics, score=card.line.score)


def _team_week(session, team, period, now):
    people = [_person_week(session, each, period, now)
              for each in reps(session, team.organization_id, [team.id])]
    people.sort(key=lambda each: (-len(each.behind), each.person.name))
    requests = session.scalars(
        select(CoachingRequest).where(
            CoachingRequest.rep_id.in_([each.person.id for each in people]),
            CoachingRequest.status == "open",
        ).order_by(CoachingRequest.created_at)
    ).all() if people else []
    return TeamWeek(name=team.name, people=people, requests=list(requests))


def week_start_of(period):
    start = period.start
    return start if isinstance(start, date) else start.date()
