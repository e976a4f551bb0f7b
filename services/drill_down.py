"""Drill-down: the counted activities behind one number, and whose activities make it up."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from models import Activity, Team, User
from services import rollups, scorecards


@dataclass(frozen=True)
class Behind:
    rows: list
    count: int
    raw_total: float  # the activities' sum, before daily caps
    total: float  # what counts: the number on the scorecard
    below_gate: int  # activities kept but not counted (quality gate)
    page: int
    pages: int

    @property
    def left_out(self):
        """What daily caps kept out of the number."""
        return max(0.0, self.raw_total - self.total)


def activities_behind(session, user_ids, metric, period, page=1, per_page=50):
    """The counted activities behind one number, newest first, a page at a time."""
    scope = (
        Activity.user_id.in_(list(user_ids)),
        Activity.metric_id == metric.id,
        Activity.local_day >= period.start,
        Activity.local_day < period.end,
        Activity.deleted_at.is_(None),
    )
    count, raw_total = session.execute(
        select(func.count(Activity.id), func.sum(Activity.quantity))
        .where(*scope, Activity.counted.is_(True))
    ).one()
    below_gate = session.scalar(
        select(func.count(Activity.id)).where(*scope, Activity.counted.is_(False))
    )
    pages = max(1, -(-count // per_page))
    page = min(max(1, page), pages)
    rows = session.scalars(
        select(Activity)
        .where(*scope, Activity.counted.is_(True))
        .options(selectinload(Activity.user))
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    totals = rollups.totals(session, list(user_ids), period.start,
                            period.end - timedelta(days=1))
    total = sum(each.value for (_user, metric_id), each in totals.items()
                if metric_id == metric.id)
    return Behind(rows, count, float(raw_total or 0), total, below_gate, page, pages)


def people_of(session, subject):
    """The people whose activities make up a person's, team's or the company's numbers."""
    if isinstance(subject, User):
        return [subject]
    if isinstance(subject, Team):
        teams = scorecards.org_teams(session, subject.organization_id)
        return scorecards.reps(session, subject.organization_id,
                               scorecards.subtree(teams, subject.id))
    return scorecards.reps(session, subject.id)
