"""Goal sheets: what a manager edits for the company, a team or a person, beside the numbers
it drives (the target in force, what the level beneath adds up to, a suggestion from history).
"""

from dataclasses import dataclass

from sqlalchemy import select

from models import Goal
from periods import period_at, period_containing
from services import lines, period_nav, scorecards, target_settings, target_suggestions


@dataclass(frozen=True)
class GoalRow:
    metric: object
    stored: float | None  # typed in for exactly this kind (and period, if one is named)
    cell: lines.Cell  # the numbers of the period shown: target in force, roll-up
    suggestion: float | None = None  # people only


@dataclass(frozen=True)
class GoalSheet:
    level: str
    subject: object
    kind: str
    specific: bool  # for one named period, not every period of the kind
    period: object  # the period whose numbers are shown beside the goals
    shown: period_nav.PeriodInfo  # the same, with what its label needs
    rows: list
    beneath: list  # Lines of the teams and people beneath (teams and the company)
    template: object = None  # people: their scorecard template


def sheet(session, organization, level, subject, kind, now, period_start=None):
    """The goals typed in for a level and scope, beside the numbers of the period they drive."""
    calendar = organization.calendar
    period = (period_containing(kind, period_start, calendar) if period_start
              else period_at(kind, now, calendar))
    template, suggestions = None, {}
    if level == "company":
        line = scorecards.company_view(session, organization, period, now).company
    elif level == "team":
        line = scorecards.team_grid(session, subject, period, now).total
    else:
        card = scorecards.rep_scorecard(session, subject, period, now)
        line, template = card.line, card.template
        suggestions = target_suggestions.suggestions(session, organization, [subject],
                                                     card.metrics, kind, now)
    stored = _stored(session, organization, level, subject, kind, period_start)
    metrics = [cell.metric for cell in line.cells.values()]
    rows = [
        GoalRow(metric, stored.get(metric.id), line.cell(metric),
                whole_suggestion(suggestions.get((subject.id, metric.id)), metric)
                if level == "person" else None)
        for metric in metrics
    ]
    return GoalSheet(level, subject, kind, period_start is not None, period,
                     period_nav.PeriodInfo.of(period, calendar), rows, line.children, template)


def whole_suggestion(value, metric):
    """A suggested target of a metric that counts things, in whole things: 2.4 demos a week
    is 2, and something done at all is at least 1 (a target of 0 asks nothing)."""
    if value is None or not metric.is_count:
        return value
    whole = float(round(value))
    return max(whole, 1.0) if value > 0 and metric.direction == "higher" else whole


def _stored(session, organization, level, subject, kind, period_start):
    query = select(Goal.metric_id, Goal.value).where(
        Goal.organization_id == organization.id,
        Goal.level == level,
        Goal.period_kind == kind,
        Goal.period_start.is_(None) if period_start is None else Goal.period_start == period_start,
    )
    if level == "team":
        query = query.where(Goal.team_id == subject.id)
    elif level == "person":
        query = query.where(Goal.user_id == subject.id)
    return dict(session.execute(query.order_by(Goal.id)).all())


def save(session, organization, level, subject, kind, values, period_start=None, by=None):
    """Store the goals of one scope: {metric: value, or None to take the goal away}."""
    for metric, value in values.items():
        target_settings.set_goal(
            session, organization, level=level, metric=metric, kind=kind, value=value,
            subject_id=None if level == "company" else subject.id,
            period_start=period_start, by=by,
        )
