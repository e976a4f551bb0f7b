"""Setting targets: goals, scorecard templates and time off, written and listed for the forms."""

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from models import Goal, ScorecardItem, ScorecardTemplate, TimeOff, scorecard_template_teams


def set_goal(session, organization, *, level, metric, kind, value, subject_id=None,
             period_start=None, by=None):
    """Type in (or, with value None, take away) a goal: standing, or for the named period."""
    match = [
        Goal.organization_id == organization.id,
        Goal.level == level,
        Goal.metric_id == metric.id,
        Goal.period_kind == kind,
        Goal.period_start.is_(None) if period_start is None else Goal.period_start == period_start,
        Goal.team_id.is_(None) if level != "team" else Goal.team_id == subject_id,
        Goal.user_id.is_(None) if level != "person" else Goal.user_id == subject_id,
    ]
    if value is None:
        session.execute(delete(Goal).where(*match))
        return None
    goal = session.scalars(select(Goal).where(*match).order_by(Goal.id.desc())).first()
    if goal is None:
        goal = Goal(
            organization_id=organization.id, level=level, metric_id=metric.id, period_kind=kind,
            period_start=period_start,
            team_id=subject_id if level == "team" else None,
            user_id=subject_id if level == "person" else None,
        )
        session.add(goal)
    goal.value, goal.updated_by_id = value, (by.id if by is not None else None)
    return goal


def save_template(session, organization, template, *, name, role, teams, items):
    """Create (template=None) or update a template; `items` are dicts per metric included.

    A team uses one template: giving it to this one takes it from any other.
    """
    if template is None:
        template = ScorecardTemplate(organization_id=organization.id, name=name)
        session.add(template)
        session.flush()  # its id, to take its teams from other templates
    team_ids = [team.id for team in teams]
    if team_ids:
        session.execute(
            delete(scorecard_template_teams).where(
                scorecard_template_teams.c.team_id.in_(team_ids),
                scorecard_template_teams.c.template_id != template.id,
            )
        )
    template.name, template.role, template.teams = name, role or None, list(teams)
    existing = {item.metric_id: item for item in template.items}
    kept = []
    for position, values in enumerate(items):
        item = existing.get(values["metric_id"]) or ScorecardItem(metric_id=values["metric_id"])
        item.weight, item.cap_percent = values["weight"], values["cap_percent"]
        item.period_kind, item.target = values["period_kind"], values["target"]
        item.position = position
        kept.append(item)
    template.items = kept
    return template


def add_time_off(session, person, first_day, last_day, note=None, by=None):
    entry = TimeOff(user_id=person.id, first_day=first_day, last_day=last_day,
                    note=note or None, created_by_id=by.id if by is not None else None)
    session.add(entry)
    return entry


def time_off(session, person, since):
    """The person's time off ending on or after `since`, soonest first."""
    return session.scalars(
        select(TimeOff)
        .where(TimeOff.user_id == person.id, TimeOff.last_day >= since)
        .order_by(TimeOff.first_day, TimeOff.id)
    ).all()


def templates(session, organization):
    return session.scalars(
        select(ScorecardTemplate)
        .where(ScorecardTemplate.organization_id == organization.id)
        .options(selectinload(ScorecardTemplate.items), selectinload(ScorecardTemplate.teams))
        .order_by(ScorecardTemplate.name, ScorecardTemplate.id)
    ).all()
