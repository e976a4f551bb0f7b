"""Targets: which applies to a person, team or company in a period, and how much of it.

A person's target for a metric is their override (a person-level Goal) if they have one, else
their scorecard template's default. Either is set for one kind of period (calls a day, revenue
a month) and spread evenly over that period's working days; the person gets the share of the
days they are there for, so days off and a start date mid-period shrink it. A team's or the
company's explicit goal is spread the same way over the organisation's working days. What a
team is expected to do without a goal of its own is the sum of what is beneath it: see
services.scorecards, which rolls it up when read.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from models import Goal, ScorecardTemplate, Team, TimeOff, scorecard_template_teams
from periods import PERIOD_KINDS, period_containing, shift
from services import rollups

# The roles whose templates a person falls back on, the most specific first.
ROLE_PREFERENCE = ("rep", "manager", "executive", "admin")


@dataclass(frozen=True)
class Rule:
    """One metric of the template that applies to someone."""

    metric_id: int
    weight: float
    cap_percent: float
    period_kind: str
    target: float | None

    @classmethod
    def of(cls, item):
        return cls(item.metric_id, item.weight, item.cap_percent, item.period_kind, item.target)


@dataclass(frozen=True)
class Cascade:
    """A team's or the company's target: the goal typed in for it, and the sum beneath it."""

    explicit: float | None
    rollup: float | None

    @property
    def effective(self):
        """What the level is judged against: its own goal, else what its parts add up to."""
        return self.explicit if self.explicit is not None else self.rollup

    @property
    def coverage(self):
        """How much of the goal the targets beneath it cover (1.0 = all of it)."""
        if not self.explicit or self.rollup is None:
            return None
        return self.rollup / self.explicit


def add_up(values):
    """The sum of the values that exist; None when none does."""
    present = [value for value in values if value is not None]
    return sum(present) if present else None


@dataclass(frozen=True)
class _Slice:
    """A period of a goal's kind, cut to the days being looked at."""

    start: object
    end: object
    working_days: int  # in the whole period: its target is spread over these
    days: tuple  # its working days within the days looked at


class Book:
    """Every template, goal and day off bearing on some days, read in a handful of queries.

    Targets are then worked out in Python for any person, team or metric over those days.
    """

    def __init__(self, calendar, first_day, last_day, teams, templates, assignments, goals,
                 time_off):
        self.calendar = calendar
        self.first_day, self.last_day = first_day, last_day
        self._parents = {team.id: team.parent_id for team in teams}
        self._templates = {template.id: template for template in templates}
        self._team_templates = dict(assignments)
        self._role_templates = {}
        for template in sorted(templates, key=lambda each: each.id):
            if template.role:
                self._role_templates.setdefault(template.role, template)
        self._goals = {}
        for level, team_id, user_id, metric_id, kind, start, value in goals:
            subject = {"company": None, "team": team_id, "person": user_id}[level]
            by_kind = self._goals.setdefault((level, subject, metric_id), {})
            by_kind.setdefault(kind, {})[start] = value  # rows come oldest first: newest wins
        self._days_off = {}
        for user_id, first, last in time_off:
            days = self._days_off.setdefault(user_id, set())
            day = max(first, first_day)
            while day <= min(last, last_day):
                days.add(day)
                day += timedelta(days=1)
        self._slices_cache, self._weights_cache, self._days_off_cache = {}, {}, {}
        # Per template and per team, not per person: a screen asks for a thousand people.
        self._rules_cache, self._team_template_cache, self._targets_cache = {}, {}, {}

    # Templates

    def team_template(self, team_id):
        """The template of the team or, failing that, of the nearest team above it."""
        if team_id not in self._team_template_cache:
            self._team_template_cache[team_id] = self._find_team_template(team_id)
        return self._team_template_cache[team_id]

    def _find_team_template(self, team_id):
        seen = set()
        while team_id is not None and team_id not in seen:
            seen.add(team_id)
            template_id = self._team_templates.get(team_id)
            if template_id is not None:
                return self._templates[template_id]
            team_id = self._parents.get(team_id)
        return None

    def role_template(self, roles=ROLE_PREFERENCE):
        return next(
            (self._role_templates[role] for role in ROLE_PREFERENCE
             if role in roles and role in self._role_templates),
            None,
        )

    def template_for(self, person):
        """A person's template: their team's (or the nearest above), else their role's."""
        return self.team_template(person.team_id) or self.role_template(person.roles)

    def template_for_team(self, team_id):
        """The template a team's own score uses: its own or inherited, else the reps'."""
        return self.team_template(team_id) or self.role_template(("rep",))

    def rules(self, template):
        """{metric id: Rule} of a template (empty for none)."""
        if template is None:
            return {}
        if template.id not in self._rules_cache:
            self._rules_cache[template.id] = {item.metric_id: Rule.of(item)
                                              for item in template.items}
        return self._rules_cache[template.id]

    # Days

    @property
    def away(self):
        """The ids of the people with time off within the book's days."""
        return frozenset(self._days_off)

    @property
    def overrides(self):
        """{person id: the ids of the metrics they have a target of their own for}."""
        found = {}
        for level, subject, metric_id in self._goals:
            if level == "person":
                found.setdefault(subject, set()).add(metric_id)
        return found

    def days_off(self, person):
        """The person's days away within the book's days: time off, and before they started."""
        key = (person.id, person.started_on)
        if key not in self._days_off_cache:
            days = set(self._days_off.get(person.id, ()))
            day = self.first_day
            while person.started_on is not None and day < person.started_on \
                    and day <= self.last_day:
                days.add(day)
                day += timedelta(days=1)
            self._days_off_cache[key] = frozenset(days)
        return self._days_off_cache[key]

    def _slices(self, kind, start, end):
        key = (kind, start, end)
        if key not in self._slices_cache:
            working = self.calendar.working_weekdays
            slices, period = [], period_containing(kind, start, self.calendar)
            while period.start < end:
                days = period.days
                slices.append(_Slice(
                    period.start,
                    period.end,
                    sum(1 for day in days if day.weekday() in working),
                    tuple(day for day in days
                          if start <= day < end and day.weekday() in working),
                ))
                period = shift(period, 1, self.calendar)
            self._slices_cache[key] = slices
        return self._slices_cache[key]

    def _weights(self, kind, start, end, days_off=frozenset()):
        """[(slice, share)]: how much of each period of `kind` falls on the days and is worked."""
        key = (kind, start, end, days_off)
        if key not in self._weights_cache:
            self._weights_cache[key] = [
                (piece, (len([d for d in piece.days if d not in days_off]) / piece.working_days)
                 if piece.working_days else 0.0)
                for piece in self._slices(kind, start, end)
            ]
        return self._weights_cache[key]

    def _spread(self, sources, start, end, days_off):
        """(total, complete) of the first source with a value for each stretch of the days.

        A source is (kind, {period start or None for standing: value}). `complete` says no
        stretch was left without a value; the total is None when none had any.
        """
        if not sources:
            return None, False
        (kind, values), rest = sources[0], sources[1:]
        weights = self._weights(kind, start, end, days_off)
        if set(values) == {None}:  # standing only: the common case, no need to walk
            return values[None] * sum(share for _piece, share in weights), True
        total, found, complete = 0.0, False, True
        for piece, share in weights:
            value = values.get(piece.start, values.get(None))
            if value is not None:
                total, found = total + value * share, True
                continue
            part, part_complete = self._spread(
                rest, max(piece.start, start), min(piece.end, end), days_off
            )
            complete = complete and part_complete
            if part is not None:
                total, found = total + part, True
        return (total if found else None), complete

    @staticmethod
    def _ordered(by_kind, prefer):
        """A subject's goals by kind, the most fitting first: the kind viewed, then finest."""
        order = [kind for kind in prefer if kind in by_kind]
        order += [kind for kind in PERIOD_KINDS if kind in by_kind and kind not in order]
        return [(kind, by_kind[kind]) for kind in order]

    # Targets

    def person_target(self, person, metric_id, period, rule=None, days_off=None):
        """The person's target over the period: override, else template default; prorated.

        Pass the person's days_off when already at hand: a screen asks for every metric.
        """
        rule = rule if rule is not None else self.rules(self.template_for(person)).get(metric_id)
        own = self._goals.get(("person", person.id, metric_id), {})
        days_off = days_off if days_off is not None else self.days_off(person)
        # Without an override the target depends only on the rule and the days away, which
        # most people share: work it out once for them all.
        # (What it depends on, as plain values: they hash faster than the dataclasses.)
        key = None if own else (
            rule.period_kind if rule else None, rule.target if rule else None,
            period.kind, period.start, period.end, days_off,
        )
        if key is not None and key in self._targets_cache:
            return self._targets_cache[key]
        prefer = [period.kind] + ([rule.period_kind] if rule else [])
        sources = self._ordered(own, prefer)
        if rule is not None and rule.target is not None:
            sources.append((rule.period_kind, {None: rule.target}))
        total, _complete = self._spread(sources, period.start, period.end, days_off)
        if key is not None:
            self._targets_cache[key] = total
        return total

    def goal(self, level, subject_id, metric_id, period):
        """A team's or the company's own goal over the period; None unless it covers all of it."""
        by_kind = self._goals.get((level, subject_id, metric_id))
        if not by_kind:
            return None
        total, complete = self._spread(
            self._ordered(by_kind, [period.kind]), period.start, period.end, frozenset()
        )
        return total if complete else None


def load(session, organization, first_day, last_day, user_ids=(), teams=None):
    """The Book for an organisation's targets over first_day..last_day (inclusive).

    Pass the organisation's teams if they are already loaded.
    """
    if teams is None:
        teams = session.scalars(
            select(Team).where(Team.organization_id == organization.id)
        ).all()
    templates = session.scalars(
        select(ScorecardTemplate)
        .where(ScorecardTemplate.organization_id == organization.id)
        .options(selectinload(ScorecardTemplate.items))
    ).all()
    assignments = session.execute(
        select(scorecard_template_teams.c.team_id, scorecard_template_teams.c.template_id)
        .join(ScorecardTemplate)
        .where(ScorecardTemplate.organization_id == organization.id)
    ).all()
    # A goal for one named period can bear on these days only if it starts within a year
    # before them (a year is the longest period).
    goals = session.execute(
        select(Goal.level, Goal.team_id, Goal.user_id, Goal.metric_id, Goal.period_kind,
               Goal.period_start, Goal.value)
        .where(
            Goal.organization_id == organization.id,
            # People's own goals: of the people asked about only.
            or_(Goal.level != "person", Goal.user_id.in_(rollups.ids_in(user_ids)))
            if not rollups.nobody(user_ids) else Goal.level != "person",
            or_(
                Goal.period_start.is_(None),
                and_(Goal.period_start > first_day - timedelta(days=367),
                     Goal.period_start <= last_day),
            ),
        )
        .order_by(Goal.id)
    ).all()
    time_off = session.execute(
        select(TimeOff.user_id, TimeOff.first_day, TimeOff.last_day).where(
            TimeOff.user_id.in_(rollups.ids_in(user_ids)),
            TimeOff.first_day <= last_day,
            TimeOff.last_day >= first_day,
        )
    ).all() if not rollups.nobody(user_ids) else []
    return Book(organization.calendar, first_day, last_day, teams, templates, assignments,
                goals, time_off)
