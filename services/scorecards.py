"""Scorecards: the screens of every person, team and the company against target and pace.

A screen costs a handful of grouped queries: the people it shows one by one, the templates and
goals (services.targets.load), one sum per row and metric over the period, one bucketed sum
for the trend and one for what waits on devices. Its rows are worked out in Python over those
(services.lines): a team's number is always the sum of the rows beneath it, and its target is
its own goal or, without one, the sum of theirs.

What a screen costs follows what it shows, not what lies beneath: a person's scorecard reads
their own days; a team grid works out its own people one by one and the teams beneath from
the team roll-up (models.TeamRollup); the executive view reads only the team roll-up, and
the targets of a team's reps by what they depend on (template, start, time off, overrides),
so it costs what the number of teams does. A team's reps show one by one when it is opened.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select

from models import Metric, Team, User
from periods import recent
from services import lines, rollups
from services.lines import Line, Timing, org_teams, reps, subtree

TREND_PERIODS = 8
SORT_ORDERS = ("asc", "desc")


class UnknownSort(ValueError):
    """A team grid asked to sort by something it does not show."""


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
class Scorecard:
    person: User
    template: object
    metrics: list
    line: Line
    trends: dict  # metric id -> Trend
    timing: Timing
    days_off: int  # working days in the period the person has time off
    started_on: object = None  # their start, when it falls inside the period (nothing before)


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
    assembly = lines.Assembly(session, organization, period, now, (), [person])
    line = assembly.people[person.id]
    return Scorecard(
        person=person,
        template=assembly.book.template_for(person),
        metrics=assembly.metrics,
        line=line,
        trends=_trends(session, assembly.metrics, period, organization.calendar, [person.id]),
        timing=Timing.of(period, now, person.calendar),
        days_off=line.days_off,
        started_on=line.started_on,
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
    assembly = lines.Assembly(session, organization, period, now, teams, people,
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
        timing=Timing.of(period, now, team.calendar), sort=sort, order=order,
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
    assembly = lines.Assembly(session, organization, period, now, teams,
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
        lines.reps_query(select(User), organization_id)
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
    assembly = lines.Assembly(session, organization, period, now, teams, people)
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
    in_no_team = lines.reps_query(select(User.id), organization.id).where(User.team_id.is_(None))
    return (sum(total.value for (_team, metric_id), total in by_team.items()
                if metric_id == metric.id)
            + rollups.total(session, in_no_team, metric.id, period.start, last_day))
