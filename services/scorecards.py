"""Scorecards: every person, team and the company against target and pace, from the roll-ups.

A screen costs a handful of grouped queries: the people it shows one by one, the templates and
goals (services.targets.load), one sum per row and metric over the period, one bucketed sum
for the trend and one for what waits on devices. Everything else is worked out here, in Python,
over those rows. Teams and the company add up what is beneath them: a team's number is always
the sum of the rows beneath it, and its target is its own goal or, without one, the sum of
theirs.

What a screen costs follows what it shows, not what lies beneath: a person's scorecard reads
their own days; a team grid works out its own people one by one and the teams beneath from
the team roll-up (models.TeamRollup); the executive view reads only the team roll-up, and
the targets of a team's reps by what they depend on (template, start, time off, overrides),
so it costs what the number of teams does. A team's reps show one by one when it is opened.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select

from models import DeviceOutbox, Metric, Team, User, UserRole
from periods import bounds_utc, elapsed_fraction, recent
from services import pending, rollups, scoring, targets
from services.pace import Pace, due, judge
from services.pace import pace as pace_of

TREND_PERIODS = 8
SORT_ORDERS = ("asc", "desc")
NO_TARGET = Pace(None, None, None, "no_target")
_NOTHING = rollups.Total()


class UnknownSort(ValueError):
    """A team grid asked to sort by something it does not show."""


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
class Trend:
    """A metric's last periods, oldest first, and where each point sits in a 100 x 24 box."""

    periods: tuple
    values: tuple
    points: tuple  # (x, y) per value

    WIDTH = 100
    HEIGHT = 24

    @classmethod
    def of(cls, periods, values, pad=2.0):
        top = max(values, default=0) or 1.0
        step = (cls.WIDTH - 2 * pad) / (len(values) - 1) if len(values) > 1 else 0.0
        points = tuple(
            (round(pad + index * step, 1),
             round(cls.HEIGHT - pad - value / top * (cls.HEIGHT - 2 * pad), 1))
            for index, value in enumerate(values)
        )
        return cls(tuple(periods), tuple(values), points)

    @property
    def polyline(self):
        return " ".join(f"{x},{y}" for x, y in self.points)


@dataclass(frozen=True)
class Timing:
    """Where `now` stands in the period."""

    period: object
    as_of: datetime
    state: str  # "upcoming", "running" or "ended"
    fraction: float  # of the organisation's working time elapsed

    @classmethod
    def of(cls, period, now, calendar):
        start, end = bounds_utc(period, calendar)
        state = "upcoming" if now < start else "ended" if now >= end else "running"
        return cls(period, now, state, elapsed_fraction(period, now, calendar))


@dataclass(frozen=True)
class Scorecard:
    person: User
    template: object
    metrics: list
    line: Line
    trends: dict  # metric id -> Trend
    timing: Timing
    days_off: int  # working days the person is away in the period


@dataclass(frozen=True)
class TeamGrid:
    team: Team
    parent: Team | None
    metrics: list
    rows: list  # Lines: the teams directly beneath, then the team's own people
    total: Line
    trends: dict
    timing: Timing
    sort: str
    order: str


@dataclass(frozen=True)
class CompanyView:
    organization: object
    metrics: list
    company: Line
    tree: list  # Lines: the teams in order, and anyone in no team; team's people on demand
    metric: Metric
    trends: dict
    timing: Timing

    def share(self, line):
        """The line's part of the company's actual for the chosen metric."""
        whole = self.company.cell(self.metric).actual
        return line.cell(self.metric).actual / whole if whole else None


@dataclass(frozen=True)
class CompanyTeam:
    """One team's own people in the executive view, fetched when the team is opened."""

    team: Team
    metric: Metric
    people: list  # Lines, by name
    depth: int  # of the people's rows in the cascade
    company_actual: float  # the company's actual for the metric, for each person's share
    timing: Timing

    def share(self, line):
        whole = self.company_actual
        return line.cell(self.metric).actual / whole if whole else None


def active_metrics(session, organization_id):
    """The metrics scorecards show, in the administrator's order."""
    return session.scalars(
        select(Metric)
        .where(Metric.organization_id == organization_id, Metric.active.is_(True))
        .order_by(Metric.position, Metric.name, Metric.id)
    ).all()


def reps(session, organization_id, team_ids=None):
    """The active people with the rep role, by name: whose numbers scorecards add up."""
    query = _reps_query(select(User), organization_id).order_by(User.name, User.id)
    if team_ids is not None:
        query = query.where(User.team_id.in_(list(team_ids)))
    return session.scalars(query).all()


def _reps_query(query, organization_id):
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
    children = _children(teams)
    found, stack = [], [team_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.append(current)
        stack.extend(team.id for team in children.get(current, []))
    return found


def _children(teams):
    found = {}
    for team in teams:
        if team.active:
            found.setdefault(team.parent_id, []).append(team)
    return found


@dataclass(frozen=True)
class _Someone:
    """Any of a team's reps who share what their targets depend on: no target of their own,
    no time off in the period, and the same start within it (or none)."""

    team_id: int
    started_on: object
    id: None = None
    roles: frozenset = frozenset({"rep"})


class _Assembly:
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
            _reps_query(select(User.id), organization.id) if crowds else ids,
            teams=teams or None,
        )
        self.totals = rollups.totals(session, ids, period.start, last_day)
        self.pending = pending.pending_by_user(session, ids)
        self.timing = Timing.of(period, now, self.calendar)
        # Read once: every person's row needs them for every metric.
        self._facts = [(metric, metric.id, metric.direction, metric.is_count)
                       for metric in self.metrics]
        self._by_id = {facts[1]: facts for facts in self._facts}
        self._kinds = {}  # (template id, start) -> the targets of reps of that kind
        self.teams, self.children = teams, _children(teams)
        self._fractions = {}  # days off -> elapsed fraction: most people share one
        self.people = {person.id: self.person(person) for person in people}
        self.members = {}
        for line in self.people.values():
            self.members.setdefault(line.subject.team_id, []).append(line)
        self.crowds = self._crowds(session, organization.id, crowds) if crowds else {}

    def fraction(self, days_off):
        if days_off not in self._fractions:
            self._fractions[days_off] = elapsed_fraction(self.period, self.now, self.calendar,
                                                          days_off)
        return self._fractions[days_off]

    def person(self, person):
        person_id, book, period = person.id, self.book, self.period
        rules = book.rules(book.template_for(person))
        days_off = book.days_off(person)
        fraction = self.fraction(days_off)
        cells = {}
        for metric, metric_id, direction, whole_units in self._facts:
            rule = rules.get(metric_id)
            total = self.totals.get((person_id, metric_id), _NOTHING)
            target = book.person_target(person, metric_id, period, rule, days_off)
            pace = pace_of(total.value, target, fraction, direction, whole_units)
            achievement = scoring.achievement(pace, rule.cap_percent) if rule else None
            cells[metric_id] = Cell(metric, total.value, total.crm, pace, rule, achievement)
        return Line("person", person, cells, _score(cells), self.pending.get(person_id, 0))

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

        for team_id, started_on, count in session.execute(
            _reps_query(select(User.team_id, start, func.count(User.id)), organization_id)
            .where(User.team_id.in_(team_ids), User.id.not_in(sorted(away)))
            .group_by(User.team_id, start)
        ):
            add(team_id, self._kind(team_id, started_on), count)
            headcount[team_id] = headcount.get(team_id, 0) + count
        apart = sorted(away | set(overrides))
        for person_id, team_id, started_on in session.execute(
            _reps_query(select(User.id, User.team_id, start), organization_id)
            .where(User.team_id.in_(team_ids), User.id.in_(apart))
        ) if apart else ():
            own = _Someone(team_id, started_on, person_id)
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
        waiting = _pending_by_team(session, organization_id, team_ids)
        return {team_id: self._people_line(team_id, sums[team_id], totals, waiting, count)
                for team_id, count in headcount.items()}

    def _kind(self, team_id, started_on):
        """_targets_of any rep of the team who started then and has nothing of their own."""
        someone = _Someone(team_id, started_on)
        template = self.book.template_for(someone)
        key = (template.id if template is not None else None, started_on)
        if key not in self._kinds:
            self._kinds[key] = self._targets_of(someone)
        return self._kinds[key]

    def _targets_of(self, person, only=None):
        """{metric id: (target, due by now)} of a person, for every metric or `only` one; a
        metric without a target is left out."""
        book, period = self.book, self.period
        rules = book.rules(book.template_for(person))
        days_off = book.days_off(person)
        fraction = self.fraction(days_off)
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
        """A team or the company: the sum of its rows, against its own goal or theirs."""
        cells = {}
        for metric in self.metrics:
            below = [child.cells[metric.id] for child in children]
            actual = sum(cell.actual for cell in below)
            cascade = targets.Cascade(
                self.book.goal(level, subject_id, metric.id, self.period),
                targets.add_up(cell.target for cell in below),
            )
            if cascade.explicit is not None:
                expected = due(cascade.explicit, self.timing.fraction, metric.direction,
                               metric.is_count)
            else:
                expected = targets.add_up(cell.pace.expected for cell in below)
            pace = (judge(actual, cascade.effective, expected, metric.direction)
                    if cascade.effective is not None else NO_TARGET)
            rule = rules.get(metric.id)
            achievement = scoring.achievement(pace, rule.cap_percent) if rule else None
            cells[metric.id] = Cell(metric, actual, sum(cell.crm for cell in below), pace, rule,
                                    achievement, cascade)
        return Line(kind, subject, cells, _score(cells),
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


def _pending_by_team(session, organization_id, team_ids):
    """{team id: activities waiting on its own reps' devices}, for those with any."""
    rows = session.execute(
        _reps_query(select(User.team_id, func.sum(DeviceOutbox.pending)), organization_id)
        .join(DeviceOutbox, DeviceOutbox.user_id == User.id)
        .where(User.team_id.in_(sorted(team_ids)), DeviceOutbox.pending > 0)
        .group_by(User.team_id)
    )
    return {team_id: int(total) for team_id, total in rows}


def _score(cells):
    return scoring.score(
        (cell.rule.weight, cell.achievement) for cell in cells.values() if cell.rule is not None
    )


def _trends(session, metrics, period, calendar, user_ids=(), team_ids=()):
    """The metrics' last periods for some people one by one and some teams' reps together."""
    periods = recent(period, TREND_PERIODS, calendar)
    found = rollups.totals_by_period(session, user_ids, periods)
    for key, value in rollups.team_totals_by_period(session, team_ids, periods).items():
        found[key] = found.get(key, 0.0) + value
    return {
        metric.id: Trend.of(
            periods, [found.get((None, metric.id, index), 0.0) for index in range(len(periods))]
        )
        for metric in metrics
    }


# Screens


def rep_scorecard(session, person, period, now):
    """One person's scorecard for a period."""
    organization = person.organization
    assembly = _Assembly(session, organization, period, now, (), [person])
    days_off = assembly.book.days_off(person)
    away = sum(1 for day in period.days
               if day in days_off and day.weekday() in organization.calendar.working_weekdays)
    return Scorecard(
        person=person,
        template=assembly.book.template_for(person),
        metrics=assembly.metrics,
        line=assembly.people[person.id],
        trends=_trends(session, assembly.metrics, period, organization.calendar, [person.id]),
        timing=assembly.timing,
        days_off=away,
    )


def team_grid(session, team, period, now, sort="name", order="asc"):
    """A team's own people and the teams directly beneath it by metric, with the team's total.

    Its own people are worked out one by one; the teams beneath, from the team roll-up: the
    grid costs what the team's own size does, not what everyone beneath it adds up to.
    """
    organization = team.organization
    teams = org_teams(session, organization.id)
    below = subtree(teams, team.id)
    people = reps(session, organization.id, [team.id])
    assembly = _Assembly(session, organization, period, now, teams, people,
                         crowds=[team_id for team_id in below if team_id != team.id])
    if sort not in sort_keys(assembly.metrics) or order not in SORT_ORDERS:
        raise UnknownSort(f"cannot sort by {sort!r} {order!r}")
    total = assembly.team(team)
    rows = _sorted(total.children, sort, order, assembly.metrics)
    return TeamGrid(
        team=team, parent=next((each for each in teams if each.id == team.parent_id), None),
        metrics=assembly.metrics, rows=rows, total=total,
        trends=_trends(session, assembly.metrics, period, organization.calendar,
                       team_ids=below),
        timing=assembly.timing, sort=sort, order=order,
    )


def sort_keys(metrics):
    return ("name", "score", *(metric.key for metric in metrics))


def _sorted(lines, sort, order, metrics):
    """Teams first, then people; each by name, score or one metric's actual."""
    by_key = {metric.key: metric for metric in metrics}
    reverse = order == "desc"

    def key(line):
        if sort == "score":
            value = line.score
        elif sort in by_key:
            value = line.cell(by_key[sort]).actual
        else:
            return (0, line.name.lower())
        # Rows with nothing to sort by go last, whichever the order.
        return (0, value if not reverse else -value) if value is not None else (1, 0)

    teams = sorted((line for line in lines if line.kind == "team"), key=key)
    people = sorted((line for line in lines if line.kind == "person"), key=key)
    if sort not in by_key and sort != "score" and reverse:
        teams.reverse()
        people.reverse()
    return teams + people


def company_view(session, organization, period, now, metric=None):
    """The company's goals, and how the chosen metric cascades to teams and their people.

    Teams' reps are added up from the team roll-up: the view costs what the number of teams
    does. Only people in no active team are worked out one by one (they show as rows).
    """
    teams = org_teams(session, organization.id)
    active = [team.id for team in teams if team.active]
    assembly = _Assembly(session, organization, period, now, teams,
                         _loose_reps(session, organization.id, active), crowds=active)
    company = assembly.company()
    metrics = assembly.metrics
    chosen = metric or next(
        (each for each in metrics if company.cell(each).cascade.explicit is not None),
        metrics[0] if metrics else None,
    )
    return CompanyView(
        organization=organization, metrics=metrics, company=company,
        tree=_teams_tree(company), metric=chosen,
        trends=_trends(session, metrics, period, organization.calendar,
                       user_ids=[line.subject.id for line in assembly.people.values()],
                       team_ids=active),
        timing=assembly.timing,
    )


def _loose_reps(session, organization_id, active_team_ids):
    """The reps in no active team, by name: the company's own rows."""
    return session.scalars(
        _reps_query(select(User), organization_id)
        .where(or_(User.team_id.is_(None), User.team_id.not_in(active_team_ids)))
        .order_by(User.name, User.id)
    ).all()


def _teams_tree(line):
    """The teams beneath, depth first, then the company's own people (those in no team).

    A team's people are left out: the executive view fetches them when a team is opened.
    """
    found = []
    for child in sorted(line.children, key=lambda each: (each.kind != "team", each.name.lower())):
        if child.kind == "team":
            found.append(child)
            found.extend(_teams_tree(child))
        elif line.kind == "company":
            found.append(child)
    return found


def company_team(session, organization, team, period, now, metric):
    """A team's own people with their numbers, for the executive view's cascade."""
    teams = org_teams(session, organization.id)
    people = reps(session, organization.id, [team.id])
    assembly = _Assembly(session, organization, period, now, teams, people)
    active = {each.id: each for each in teams if each.active}
    depth, parent = 1, team.parent_id
    while parent in active and depth <= len(active):  # as deep as in the company's tree
        depth, parent = depth + 1, active[parent].parent_id
    return CompanyTeam(
        team=team, metric=metric,
        people=sorted(assembly.people.values(), key=lambda each: each.name.lower()),
        depth=depth + 1,
        company_actual=_company_total(session, organization, teams, metric, period),
        timing=assembly.timing,
    )


def _company_total(session, organization, teams, metric, period):
    """What counts for one metric over the period, the whole company's reps together."""
    last_day = period.end - timedelta(days=1)
    by_team = rollups.team_totals(session, [team.id for team in teams], period.start, last_day)
    in_no_team = _reps_query(select(User.id), organization.id).where(User.team_id.is_(None))
    return (sum(total.value for (_team, metric_id), total in by_team.items()
                if metric_id == metric.id)
            + rollups.total(session, in_no_team, metric.id, period.start, last_day))
