"""The demo's coaching: the starter templates, and a believable history in Milan Field."""

from datetime import UTC, datetime

from sqlalchemy import func, select

import demo.coaching
import demo.organization
import demo.scorecards
from extensions import db
from models import (
    ActionItem,
    CoachingRequest,
    CoachingSeries,
    CoachingSession,
    CoachingTemplate,
    Notification,
    Obstacle,
    Organization,
    User,
)
from periods import local_date
from services import coaching

NOW = datetime(2026, 11, 4, 14, 30, tzinfo=UTC)  # a Wednesday


def seed(now=NOW):
    demo.organization.seed(db.session, now, "pbkdf2:sha256:1000", days=1)
    demo.scorecards.seed(db.session, now, days=1)
    line = demo.coaching.seed(db.session, now)
    db.session.commit()
    return line


def person(email):
    return db.session.scalar(select(User).where(User.email == email))


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_team_has_a_coaching_history(app):
    seed()

    rep, manager = person("rep@example.com"), person("manager@example.com")
    assert {t.name for t in db.session.scalars(select(CoachingTemplate))} == {
        "Weekly 1:1", "Pipeline review", "Ride-along visit", "New-hire check-in"}
    shared = coaching.sessions_of_rep(db.session, rep, rep)
    assert len(shared) == 3
    assert all(each.snapshot and each.snapshot["rows"] for each in shared)
    assert all(each.coach_id == manager.id and each.scheduled_for < NOW for each in shared)
    assert [each.acknowledged_at is not None for each in shared] == [False, True, True]
    assert any(section.rep_answer for each in shared for section in each.sections)
    ride_along = next(each for each in shared if each.title == "Ride-along visit")
    assert sum(section.kind == "rating" and section.value is not None
               for section in ride_along.sections) == 6


def test_a_draft_waits_for_next_monday_from_a_weekly_series(app):
    seed()

    rep = person("rep@example.com")
    series = db.session.scalar(select(CoachingSeries).where(CoachingSeries.rep_id == rep.id))
    draft = db.session.scalar(select(CoachingSession).where(
        CoachingSession.series_id == series.id))
    calendar = rep.organization.calendar
    meeting = local_date(draft.scheduled_for, calendar)
    assert draft.status == "draft" and meeting.weekday() == 0 and draft.scheduled_for > NOW
    assert (meeting - local_date(NOW, calendar)).days <= 7
    assert series.next_on > meeting and series.active
    assert [item.text for item in draft.agenda] == ["Pricing for the Brianza shelving bundle"]
    carried = coaching.carried_items(db.session, draft)
    assert carried and all(item.is_open for item in carried)
    assert any(item.session_id != carried[-1].session_id for item in carried)  # from two


def test_action_items_are_open_closed_and_carried_forward(app):
    seed()

    items = db.session.scalars(select(ActionItem)).all()
    assert any(item.closed_at is None for item in items)
    assert any(item.closed_in_session_id not in (None, item.session_id) for item in items)
    assert any(item.closed_at is not None and item.closed_in_session_id is None
               for item in items)  # ticked by the rep


def test_obstacles_span_categories_and_teams(app):
    seed()

    obstacles = db.session.scalars(select(Obstacle)).all()
    assert len({obstacle.category for obstacle in obstacles}) == 5
    assert len({obstacle.team_id for obstacle in obstacles}) == 4


def test_a_rep_waits_for_an_answer_and_nobody_is_emailed_about_the_past(app):
    seed()

    (request,) = db.session.scalars(select(CoachingRequest)).all()
    assert (request.rep.email, request.status, request.metric.key) == (
        "pietro.fontana@example.com", "open", "calls")
    entries = db.session.scalars(select(Notification).where(
        Notification.kind.like("coaching%"))).all()
    assert entries and all(entry.emailed_at is not None for entry in entries)
    assert any(entry.read_at is None for entry in entries)


def test_seeding_again_adds_no_second_history(app):
    seed()
    before = {model: count(model) for model in (CoachingSession, CoachingTemplate, Obstacle,
                                                 CoachingRequest, CoachingSeries)}

    line = seed()

    assert {model: count(model) for model in before} == before
    assert "was there already" in line


def test_the_seed_demo_command_seeds_coaching(runner):
    result = runner.invoke(args=["seed-demo", "--days", "3"])

    assert result.exit_code == 0, result.output
    assert "Coaching: 4 templates, 8 past sessions" in result.output
    db.session.remove()
    organization = db.session.scalar(select(Organization))
    assert count(CoachingSession) == 9 and organization is not None
