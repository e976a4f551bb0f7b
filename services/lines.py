"""The rows of the scorecard screens: a person's, a team's, the company's, and how they add up.

`Assembly` works out the rows of one period. A person shown one by one is a line of cells
(actual, target, pace, achievement) and a score; a team, or the company, is the sum of the
lines beneath it, against its own goal or, without one, the sum of theirs. A team whose people
are not shown is one "people" line read from the team roll-up (models.TeamRollup), its
targets worked out by kind of rep (template, start date), with the targets people have of
their own swapped in metric by metric and those with time off worked out alone: such a line
costs what the team's overrides and time off do, not what its headcount does.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from models import DeviceOutbox, Metric, Team, User, UserRole
from periods import bounds_utc, elapsed_fraction
from services import pending, rollups, scoring, targets
from services.pace import Pace, due, judge
from services.pace import pace as pace_of

NO_TARGET = Pace(None, None, None, "no_target")
_NOTHING = rollups.Total()


@dataclass(frozen=True)
class Cell:
    """One number: a metric's actual for a person, team or the company, against its target."""

    metric: Metric
    actual: float
    crm: float  # the part of `actual` that came from the CRM
    pace: Pace
    rule: targets.Rule | None = None  # weight and cap, when the metric is on the scorecard
    achievement: float | None = None
    cascade: targets.Cascade | None = None  # teams and the company: own goal and roll-up

    @property
    def target(self):
        return self.pace.target

    @property
    def status(self):
        return self.pace.status

    @property
    def crm_share(self):
        return self.crm / self.actual if self.actual else None


@dataclass
class Line:
    """A row: one person, one team (all its people, at any depth) or the whole company."""

    kind: str  # "person", "team", "company", or "people": a team's own reps added up
    subject: object  # the User, the Team (also of "people"), or the Organization
    cells: dict
    score: float | None
    pending: int
    children: list = field(default_factory=list)
    depth: int = 0
    headcount: int = 1  # how many people the line's own numbers are of ("people" lines)
    # Why a person's targets are reduced in the period: their start, when it falls inside it
    # (nothing is due before), and the working days they have off after it.
    started_on: object = None
    days_off: int = 0

    @property
    def name(self):
        return self.subject.name

    def cell(self, metric):
        return self.cells[metric.id]

    @property
    def own_people(self):
        """How many people are directly in this line, not in a team beneath it."""
        return sum(child.headcount for child in self.children
                   if child.kind in ("person", "people"))


@dataclass(frozen=True)
class Timing:
    """Where `now` stands in the period, on the calendar of a screen's subject.

    `fraction` is of the subject's working time (a person's or a team's hours, else the
    organisation's), before anyone's days off: a person's own pace is services.pace.elapsed.
    """

    period: object
    as_of: datetime
    state: str  # "upcoming", "running" or "ended"
    fraction: float

    @classmethod
    def of(cls, period, now, calendar):
        start, end = bounds_utc(period, calendar)
        state = "upcoming" if now < start else "ended" if now >= end else "running"
        return cls(period, now, state, elapsed_fraction(period, now, calendar))


def active_metrics(session, organization_id):
    """The metrics scorecards show, in the administrator's order."""
    return session.scalars(
        select(Metric)
        .where(Metric.organization_id == organization_id, Metric.active.is_(True))
        .order_by(Metric.position, Metric.name, Metric.id)
    ).all()


def reps(session, organization_id, team_ids=None):
    """The active people with the rep role, by name: whose numbers scorecards add up."""
    query = reps_query(select(User), organization_id).order_by(User.name, User.id)
    if team_ids is not None:
        query = query.where(User.team_id.in_(list(team_ids)))
    return session.scalars(query).all()


def reps_query(query, organization_id):
    return (
        query.join(UserRole, UserRole.user_id == User.id)
        .where(User.organization_id == organization_id, User.active.is_(True),
               UserRole.role == "rep")
    )


def org_teams(session, organization_id):
    return session.scalars(
        select(Team).where(Team.organization_id == organization_id).order_by(Team.name, Team.id)
    ).all()


def subtree(teams, team_id):
    """The ids of a team and every active team beneath it."""
    children = children_of(teams)
    found, stack = [], [team_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.append(current)
        stack.extend(team.id for team in children.get(current, []))
    return found


def children_of(teams):
    found = {}
    for team in teams:
        if team.active:
            found.setdefault(team.parent_id, []).append(team)
    return found


@dataclass(frozen=True)
class _Someone:
    """Any of a team's reps who share what their targets depend on: no target of their own,
    no time off in the period, the same start within it (or none), and their team's working
    hours (in `calendar`)."""

    team_id: int
    started_on: object
    calendar: object
    id: None = None
    roles: frozenset = frozenset({"rep"})


class Assembly:
    """The rows of one period, and the sums above them.

    Some people are shown one by one (`people`: a team grid's own people, the company's people
    in no team); the reps of the other teams (`crowds`: team ids) are added up a team at a
    time, from the team roll-up and from what their targets depend on, so a screen of teams
    costs the same however many people are in them.
    """

    def __init__(self, session, organization, period, now, teams, people=(), crowds=()):
        self.organization, self.period, self.now = organization, period, now
        self.calendar = organization.calendar
        self.metrics = active_metrics(session, organization.id)
        last_day = period.end - timedelta(days=1)
        ids = [person.id for person in people]
        # Own goals and time off: of the people shown, and of every rep when teams are added
        # up (a few rows: most people have neither).
        self.book = targets.load(
            session, organization, period.start, last_day,
            reps_query(select(User.id), organization.id) if crowds else ids,
            teams=teams or None,
        )
        self.totals = rollups.totals(session, ids, period.start, last_day)
        self.pending = pending.pending_by_user(session, ids)
        self.timing = Timing.of(period, now, self.calendar)
        # Read once: every person's row needs them for every metric.
        self._facts = [(metric, metric.id, metric.direction, metric.is_count)
                       for metric in self.metrics]
        self._by_id = {facts[1]: facts for facts in self._facts}
        self._kinds = {}  # (template id, start, calendar) -> the targets of reps of that kind
        self.teams, self.children = teams, children_of(teams)
        # (calendar, days off) -> elapsed fraction: most people share one. The calendar
        # carries the working hours, which may be a team's own.
        self._fractions = {}
        self._calendars = {}  # team id -> the calendar of its people
        self.people = {person.id: self.person(person) for person in people}
        self.members = {}
        for line in self.people.values():
            self.members.setdefault(line.subject.team_id, []).append(line)
        self.crowds = self._crowds(session, organization.id, crowds) if crowds else {}

    def fraction(self, calendar, days_off=frozenset()):
        """The share of the period elapsed on a calendar (a person's: their team's working
        hours) for someone away on `days_off`: services.pace.elapsed, kept per screen."""
        key = (calendar, days_off)
        if key not in self._fractions:
            self._fractions[key] = elapsed_fraction(self.period, self.now, calendar, days_off)
        return self._fractions[key]

    def _team_calendar(self, team_id):
        """The calendar of a team's people (its working hours), from the teams loaded."""
        if team_id not in self._calendars:
            team = next((team for team in self.teams if team.id == team_id), None)
            self._calendars[team_id] = team.calendar if team is not None else self.calendar
        return self._calendars[team_id]

    def person(self, person):
        person_id, book, period = person.id, self.book, self.period
        rules = book.rules(book.template_for(person))
        days_off = book.days_off(person)
        fraction = self.fraction(person.calendar, days_off)
        cells = {}
        for metric, metric_id, direction, whole_units in self._facts:
            rule = rules.get(metric_id)
            total = self.totals.get((person_id, metric_id), _NOTHING)
            target = book.person_target(person, metric_id, period, rule, days_off)
            pace = pace_of(total.value, target, fraction, direction, whole_units)
            achievement = scoring.achievement(pace, rule.cap_percent) if rule else None
            cells[metric_id] = Cell(metric, total.value, total.crm, pace, rule, achievement)
        started = person.started_on if person.started_on and \
            period.start < person.started_on < period.end else None
        working = person.calendar.working_weekdays
        away = sum(1 for day in days_off
                   if day.weekday() in working and period.start <= day < period.end
                   and (person.started_on is None or day >= person.started_on))
        return Line("person", person, cells, score_of(cells), self.pending.get(person_id, 0),
                    started_on=started, days_off=away)

    def _crowds(self, session, organization_id, team_ids):
        """{team id: the "people" line of its own reps}, for the teams in `team_ids`.

        A team's reps are counted by what their targets depend on (their team's template and
        when they started), a handful of kinds a team; someone with a target of their own has
        what it changes added for that metric alone; someone with time off in the period is
        worked out alone. So the work grows with teams, overrides and time off, not people.
        """
        team_ids, book, period = sorted(team_ids), self.book, self.period
        last_day = period.end - timedelta(days=1)
        start = case((User.started_on > period.start, User.started_on), else_=None)
        away, overrides = book.away, book.overrides
        # team id -> [target, due by now, how many people have a target] by metric id
        sums, headcount = {}, {}

        def add(team_id, values, times=1):
            if team_id not in sums:
                sums[team_id] = {metric_id: [0.0, 0.0, 0] for metric_id in self._by_id}
            for metric_id, (target, expected) in values.items():
                row = sums[team_id][metric_id]
                row[0] += times * target
                row[1] += times * expected
                row[2] += times

        calendars = {team_id: self._team_calendar(team_id) for team_id in team_ids}
        for team_id, started_on, count in session.execute(
            reps_query(select(User.team_id, start, func.count(User.id)), organization_id)
            .where(User.team_id.in_(team_ids), User.id.not_in(sorted(away)))
            .group_by(User.team_id, start)
        ):
            add(team_id, self._kind(team_id, started_on), count)
            headcount[team_id] = headcount.get(team_id, 0) + count
        apart = sorted(away | set(overrides))
        for person_id, team_id, started_on in session.execute(
            reps_query(select(User.id, User.team_id, start), organization_id)
            .where(User.team_id.in_(team_ids), User.id.in_(apart))
        ) if apart else ():
            own = _Someone(team_id, started_on, calendars[team_id], person_id)
            if person_id in away:
                add(team_id, self._targets_of(own))
                headcount[team_id] = headcount.get(team_id, 0) + 1
                continue
            # Counted with their kind above: swap the kind's target for their own.
            kind = self._kind(team_id, started_on)
            for metric_id in sorted(overrides[person_id] & self._by_id.keys()):
                add(team_id, self._targets_of(own, metric_id))
                add(team_id, {metric_id: kind[metric_id]} if metric_id in kind else {}, -1)
        totals = rollups.team_totals(session, team_ids, period.start, last_day)
        waiting = pending_by_team(session, organization_id, team_ids)
        return {team_id: self._people_line(team_id, sums[team_id], totals, waiting, count)
                for team_id, count in headcount.items()}

    def _kind(self, team_id, started_on):
        """_targets_of any rep of the team who started then and has nothing of their own."""
        someone = _Someone(team_id, started_on, self._team_calendar(team_id))
        template = self.book.template_for(someone)
        key = (template.id if template is not None else None, started_on, someone.calendar)
        if key not in self._kinds:
            self._kinds[key] = self._targets_of(someone)
        return self._kinds[key]

    def _targets_of(self, person, only=None):
        """{metric id: (target, due by now)} of a person, for every metric or `only` one; a
        metric without a target is left out."""
        book, period = self.book, self.period
        rules = book.rules(book.template_for(person))
        days_off = book.days_off(person)
        fraction = self.fraction(person.calendar, days_off)
        found = {}
        for _metric, metric_id, direction, whole_units in (
            self._facts if only is None else [self._by_id[only]]
        ):
            target = book.person_target(person, metric_id, period, rules.get(metric_id),
                                        days_off)
            if target is not None:
                found[metric_id] = (target, due(target, fraction, direction, whole_units))
        return found

    def _people_line(self, team_id, sums, totals, waiting, headcount):
        cells = {}
        for metric, metric_id, direction, _whole in self._facts:
            total = totals.get((team_id, metric_id), _NOTHING)
            target, expected, present = sums[metric_id]
            pace = judge(total.value, target, expected, direction) if present else NO_TARGET
            cells[metric_id] = Cell(metric, total.value, total.crm, pace)
        return Line("people", self._team(team_id), cells, None, waiting.get(team_id, 0),
                    headcount=headcount)

    def _team(self, team_id):
        return next(team for team in self.teams if team.id == team_id)

    def group(self, kind, subject, children, level, subject_id, rules):
        """A team or the company: the sum of its rows, against its own goal or theirs.

        Its own goal is due over its own working hours (a team's, or the organisation's).
        """
        cells, fraction = {}, self.fraction(subject.calendar)
        for metric in self.metrics:
            below = [child.cells[metric.id] for child in children]
            actual = sum(cell.actual for cell in below)
            cascade = targets.Cascade(
                self.book.goal(level, subject_id, metric.id, self.period),
                targets.add_up(cell.target for cell in below),
            )
            if cascade.explicit is not None:
                expected = due(cascade.explicit, fraction, metric.direction, metric.is_count)
            else:
                expected = targets.add_up(cell.pace.expected for cell in below)
            pace = (judge(actual, cascade.effective, expected, metric.direction)
                    if cascade.effective is not None else NO_TARGET)
            rule = rules.get(metric.id)
            achievement = scoring.achievement(pace, rule.cap_percent) if rule else None
            cells[metric.id] = Cell(metric, actual, sum(cell.crm for cell in below), pace, rule,
                                    achievement, cascade)
        return Line(kind, subject, cells, score_of(cells),
                    sum(child.pending for child in children), children, headcount=0)

    def team(self, team, depth=0):
        """A team's line, with the lines of the teams beneath it and of its own people (one
        by one, or added up when the team is one of the crowds)."""
        children = [self.team(child, depth + 1) for child in self.children.get(team.id, [])]
        if team.id in self.crowds:
            children.append(self.crowds[team.id])
        else:
            children += self.members.get(team.id, [])
        for child in children:
            child.depth = depth + 1
        line = self.group("team", team, children, "team", team.id,
                          self.book.rules(self.book.template_for_team(team.id)))
        line.depth = depth
        return line

    def company(self):
        """The company: its top active teams, and anyone in no active team."""
        active = {team.id for team in self.teams if team.active}
        # A team under an inactive one counts as a top team, so nobody drops out of the total.
        tops = [self.team(team, 1) for team in self.teams
                if team.active and team.parent_id not in active]
        loose = [line for line in self.people.values() if line.subject.team_id not in active]
        for line in loose:
            line.depth = 1
        return self.group("company", self.organization, tops + loose, "company", None,
                          self.book.rules(self.book.role_template(("rep",))))


def pending_by_team(session, organization_id, team_ids):
    """{team id: activities waiting on its own reps' devices}, for those with any."""
    rows = session.execute(
        reps_query(select(User.team_id, func.sum(DeviceOutbox.pending)), organization_id)
        .join(DeviceOutbox, DeviceOutbox.user_id == User.id)
        .where(User.team_id.in_(sorted(team_ids)), DeviceOutbox.pending > 0)
        .group_by(User.team_id)
    )
    return {team_id: int(total) for team_id, total in rows}


def score_of(cells):
    return scoring.score(
        (cell.rule.weight, cell.achievement) for cell in cells.values() if cell.rule is not None
    )
