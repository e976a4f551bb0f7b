"""The team roll-up stays exactly the sum of its own active reps' capped days, whatever changes:
activities logged and removed, a daily cap or a quality gate changed, people moving between
teams, losing the rep role, leaving and coming back."""

from collections import defaultdict

import pytest
from sqlalchemy import select

from extensions import db
from models import Activity, Metric, TeamRollup, User
from services import activities, directory
from tests.conftest import at


def recount(session):
    """{(team id, metric id, day): (total, crm)} from the activity rows, the slow way."""
    people = {user.id: user for user in session.scalars(select(User))}
    caps = {metric.id: metric.daily_cap for metric in session.scalars(select(Metric))}
    days, crm = defaultdict(float), defaultdict(float)
    for row in session.scalars(select(Activity)):
        if row.counted and row.deleted_at is None:
            days[(row.user_id, row.metric_id, row.local_day)] += row.quantity
            if row.source == "crm":
                crm[(row.user_id, row.metric_id, row.local_day)] += row.quantity
    found = defaultdict(lambda: [0.0, 0.0])
    for (user_id, metric_id, day), total in days.items():
        person = people[user_id]
        if not person.active or person.team_id is None or "rep" not in person.roles:
            continue
        cap = caps[metric_id]
        capped = min(total, cap) if cap is not None else total
        row = found[(person.team_id, metric_id, day)]
        row[0] += capped
        row[1] += capped * crm[(user_id, metric_id, day)] / total
    return {key: (round(total, 2), round(crm_part, 6))
            for key, (total, crm_part) in found.items() if total or crm_part}


def kept(session):
    session.expire_all()
    return {(row.team_id, row.metric_id, row.day): (round(row.total, 2), round(row.crm_total, 6))
            for row in session.scalars(select(TeamRollup)) if row.total or row.crm_total}


@pytest.fixture
def floor(make):
    north, south = make.team("North"), make.team("South")
    people = {
        "ada": make.user("ada@example.com", team=north),
        "bo": make.user("bo@example.com", team=north),
        "cy": make.user("cy@example.com", team=south),
        "di": make.user("di@example.com", roles=("manager",), team=south),
    }
    calls = make.metric("calls", daily_cap=3)
    demos = make.metric("demos", quality_min=10)
    return make, north, south, people, calls, demos


def log(make, person, metric, day, quantity=1, value=None, source="web"):
    return activities.record(
        db.session, user=person, metric=metric, occurred_at=at(2026, 11, day, 10),
        calendar=make.organization.calendar, quantity=quantity, value=value, source=source,
    ).activity


def test_writes_and_removals_keep_each_teams_days_capped_and_exact(floor):
    make, north, _south, people, calls, demos = floor
    logged = [
        log(make, people["ada"], calls, 2, quantity=2),
        log(make, people["ada"], calls, 2, quantity=2, source="crm"),  # over the cap of 3
        log(make, people["bo"], calls, 2),
        log(make, people["cy"], calls, 3, quantity=5),
        log(make, people["di"], calls, 3),  # a manager: in no team's numbers
        log(make, people["ada"], demos, 2, value=12),
        log(make, people["ada"], demos, 2, value=3),  # below the gate: not counted
    ]
    db.session.commit()
    assert kept(db.session) == recount(db.session)
    assert kept(db.session)[(north.id, calls.id, logged[0].local_day)] == (4, 1.5)
    activities.remove(db.session, logged[0], people["ada"])
    activities.remove(db.session, logged[3], people["cy"])
    db.session.commit()
    assert kept(db.session) == recount(db.session)


def test_a_changed_cap_or_gate_recounts_the_teams(floor):
    make, _north, _south, people, calls, demos = floor
    log(make, people["ada"], calls, 2, quantity=5)
    log(make, people["ada"], demos, 2, value=5)
    db.session.commit()
    for metric, cap, gate in ((calls, 4, None), (calls, None, None), (demos, None, 1)):
        directory.save_metric(
            db.session, make.organization, metric, name=metric.name, kind=metric.kind,
            aggregation=metric.aggregation, unit=metric.unit, direction=metric.direction,
            quality_min=gate, quality_unit=None, daily_cap=cap, position=metric.position,
            active=True,
        )
        db.session.commit()
        assert kept(db.session) == recount(db.session)


@pytest.mark.parametrize("change", ["move", "no_longer_a_rep", "deactivated", "back", "loose"])
def test_who_counts_in_a_team_changing_recounts_both_teams(floor, change):
    make, north, south, people, calls, _demos = floor
    ada = people["ada"]
    for day in (2, 3, 4):
        log(make, ada, calls, day, quantity=2)
    log(make, people["bo"], calls, 2)
    db.session.commit()
    if change == "move":
        ada.team = south
    elif change == "no_longer_a_rep":
        ada.roles = ("manager",)
    elif change == "deactivated":
        ada.active = False
    elif change == "back":
        ada.active = False
        db.session.commit()
        assert kept(db.session) == recount(db.session)
        ada.active = True
    elif change == "loose":
        ada.team = None
    db.session.commit()
    assert kept(db.session) == recount(db.session)
    north_calls = sum(total for (team, metric, _day), (total, _crm) in kept(db.session).items()
                      if team == north.id and metric == calls.id)
    assert north_calls == (7 if change == "back" else 1)


def test_a_full_rebuild_gives_the_same_rows(floor):
    make, _north, _south, people, calls, demos = floor
    log(make, people["ada"], calls, 2, quantity=5, source="crm")
    log(make, people["cy"], demos, 3, value=20)
    db.session.commit()
    before = kept(db.session)
    activities.rebuild_rollups(db.session)
    db.session.commit()
    assert kept(db.session) == before == recount(db.session)
