"""The demo's scorecards: templates, company and team goals, a few overrides and time off.

Run after demo.organization.seed, like it idempotent: what exists is found by name (templates),
scope (goals) or first day (time off) and left as it is, so changes made while exploring the
demo survive a re-run. Targets are set near what a middle performer of each team style does
in the generated activity, so the screens show people ahead, on pace and behind.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from demo.organization import DEFAULT_DAYS, ORGANIZATION, PEOPLE
from models import Goal, Metric, Organization, ScorecardTemplate, Team, TimeOff, User
from periods import local_date
from services import target_settings


@dataclass(frozen=True)
class Item:
    metric: str
    weight: float
    cap_percent: float
    period_kind: str
    target: float


# The field template is every rep's default; the inside teams have their own.
FIELD = ("Field sales", "rep", (), (
    Item("calls", 10, 120, "day", 10),
    Item("visits", 20, 150, "week", 20),
    Item("demos", 15, 150, "week", 6),
    Item("proposals", 10, 150, "month", 12),
    Item("meetings_booked", 10, 150, "week", 8),
    Item("deals_won", 10, 150, "month", 3),
    Item("revenue", 20, 150, "month", 60000),
    Item("pipeline_added", 5, 150, "month", 260000),
))
INSIDE = ("Inside sales", None, ("Turin Inside", "Naples Inside"), (
    Item("calls", 20, 120, "day", 32),
    Item("demos", 20, 150, "week", 10),
    Item("proposals", 10, 150, "month", 18),
    Item("meetings_booked", 10, 150, "week", 14),
    Item("deals_won", 10, 150, "month", 5),
    Item("revenue", 25, 150, "month", 35000),
    Item("pipeline_added", 5, 150, "month", 140000),
))

# Monthly goals. The company's sits above what the teams add up to, so the executive view
# shows a gap to close; two teams have their own, the others roll up from their people.
COMPANY_GOALS = {"revenue": 1_600_000, "deals_won": 130, "pipeline_added": 6_500_000}
TEAM_GOALS = {
    "Milan Field": {"revenue": 500_000, "deals_won": 26},
    "Rome Field": {"revenue": 400_000},
    "Turin Inside": {"revenue": 300_000, "demos": 90},
}
# Standing overrides: the new hire starts lower, two top performers are stretched.
OVERRIDES = {
    "newhire@example.com": {("calls", "day"): 6, ("visits", "week"): 10,
                            ("deals_won", "month"): 1, ("revenue", "month"): 15_000},
    "alessandro.galli@example.com": {("revenue", "month"): 90_000},
    "giulia.rossi@example.com": {("revenue", "month"): 50_000},
}


def seed(session, now, days=DEFAULT_DAYS):
    """Add what is missing of the demo's scorecards as of `now`; a summary line."""
    organization = session.scalar(
        select(Organization).where(Organization.name == ORGANIZATION["name"])
    )
    if organization is None:
        return "No demo organisation: nothing to add."
    metrics = {m.key: m for m in session.scalars(
        select(Metric).where(Metric.organization_id == organization.id))}
    teams = {t.name: t for t in session.scalars(
        select(Team).where(Team.organization_id == organization.id))}
    people = {u.email: u for u in session.scalars(
        select(User).where(User.organization_id == organization.id))}
    made = dict(templates=0, goals=0, time_off=0)
    for name, role, team_names, items in (FIELD, INSIDE):
        made["templates"] += _template(session, organization, metrics, teams, name, role,
                                       team_names, items)
    for key, value in COMPANY_GOALS.items():
        made["goals"] += _goal(session, organization, "company", None, metrics[key], "month",
                               value)
    for team_name, goals in TEAM_GOALS.items():
        for key, value in goals.items():
            made["goals"] += _goal(session, organization, "team", teams[team_name].id,
                                   metrics[key], "month", value)
    for email, overrides in OVERRIDES.items():
        for (key, kind), value in overrides.items():
            made["goals"] += _goal(session, organization, "person", people[email].id,
                                   metrics[key], kind, value)
    made["time_off"] = _time_off(session, organization, people, now, days)
    session.flush()
    return (f"Scorecards: added {made['templates']} templates, {made['goals']} goals and "
            f"{made['time_off']} spells of time off.")


def _template(session, organization, metrics, teams, name, role, team_names, items):
    exists = session.scalar(select(ScorecardTemplate.id).where(
        ScorecardTemplate.organization_id == organization.id, ScorecardTemplate.name == name))
    if exists:
        return 0
    target_settings.save_template(
        session, organization, None, name=name, role=role,
        teams=[teams[team] for team in team_names],
        items=[dict(metric_id=metrics[item.metric].id, weight=item.weight,
                    cap_percent=item.cap_percent, period_kind=item.period_kind,
                    target=item.target) for item in items],
    )
    return 1


def _goal(session, organization, level, subject_id, metric, kind, value):
    column = {"team": Goal.team_id, "person": Goal.user_id}.get(level)
    query = select(Goal.id).where(
        Goal.organization_id == organization.id, Goal.level == level,
        Goal.metric_id == metric.id, Goal.period_kind == kind, Goal.period_start.is_(None))
    if column is not None:
        query = query.where(column == subject_id)
    if session.scalar(query):
        return 0
    target_settings.set_goal(session, organization, level=level, metric=metric, kind=kind,
                             value=value, subject_id=subject_id)
    return 1


def _time_off(session, organization, people, now, days):
    """The weeks off the activity generator gives reps, recorded as time off (and one ahead).

    demo.organization leaves a rep idle for a week when this draw falls under 5% and they have
    been there over a month; recording those weeks lets their targets shrink to match.
    """
    today = local_date(now, organization.calendar)
    this_monday = today - timedelta(days=today.weekday())
    first_monday = this_monday - timedelta(weeks=days // 7 + 1)
    existing = set(session.execute(select(TimeOff.user_id, TimeOff.first_day)).all())
    added = 0
    for person in PEOPLE:
        user = people.get(person.address)
        if person.tier is None or user is None:
            continue
        monday = first_monday
        while monday <= this_monday + timedelta(weeks=4):
            tenure = (monday - user.started_on).days if user.started_on else 10_000
            leave = random.Random(f"{person.address}|leave|{monday}").random() < 0.05
            if tenure > 30 and leave and (user.id, monday) not in existing:
                target_settings.add_time_off(session, user, monday,
                                             monday + timedelta(days=4), "Holiday")
                added += 1
            monday += timedelta(weeks=1)
    rep = people.get("rep@example.com")
    friday = this_monday + timedelta(days=11)
    if rep is not None and (rep.id, friday) not in existing:
        target_settings.add_time_off(session, rep, friday, friday, "Training day")
        added += 1
    return added
