"""The weekly digest: Monday morning where the organisation is, once per person and week, in
their language; reps get their week against target, managers who is behind and who asked."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from jobs.digest import send_weekly_digests
from models import CoachingRequest, DigestSent
from services import activities, digest, notifications, target_settings

# Monday 9 March 2026, 07:10 in Rome (the factory's organisation), 06:10 UTC.
MONDAY_MORNING = datetime(2026, 3, 9, 6, 10, tzinfo=UTC)
LAST_WEEK = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # Tuesday of the week before


@pytest.fixture
def team(make, clock):
    clock.at(MONDAY_MORNING)
    calls = make.metric("calls", name="Calls")
    demos = make.metric("demos", name="Demos")
    manager = make.user("manager@example.com", roles=("manager",), name="Marta Manager")
    north = make.team("North", managers=[manager])
    rita = make.user("rita@example.com", team=north, name="Rita Rep", locale="en")
    bruno = make.user("bruno@example.com", team=north, name="Bruno Behind", locale="en")
    target_settings.save_template(
        db.session, make.organization, None, name="North", role=None, teams=[north],
        items=[dict(metric_id=calls.id, weight=1, cap_percent=150, period_kind="week",
                    target=10),
               dict(metric_id=demos.id, weight=1, cap_percent=150, period_kind="week",
                    target=2)])
    for _ in range(12):
        activities.record(db.session, user=rita, metric=calls, occurred_at=LAST_WEEK,
                          calendar=make.organization.calendar)
    for _ in range(2):
        activities.record(db.session, user=rita, metric=demos, occurred_at=LAST_WEEK,
                          calendar=make.organization.calendar)
    activities.record(db.session, user=bruno, metric=calls, occurred_at=LAST_WEEK,
                      calendar=make.organization.calendar)
    db.session.add(CoachingRequest(organization_id=make.organization.id, rep_id=bruno.id,
                                   kind="metric", metric_id=calls.id, status="open"))
    db.session.commit()
    return manager, rita, bruno


def _run():
    send_weekly_digests.func()
    db.session.commit()


def _to(outbox, email):
    return [message for message in outbox if message.recipients == [email]]


def test_a_rep_gets_their_week_against_target(team, outbox):
    _run()
    [message] = _to(outbox, "rita@example.com")
    assert message.subject == "Your week in Pacer"
    assert "Your week of Mar 2 in Pacer." in message.body
    assert "- Calls: 12 / 10\n" in message.body
    assert "- Demos: 2 / 2\n" in message.body
    assert "\nhttp://localhost/scorecard\n" in message.body
    [bruno] = _to(outbox, "bruno@example.com")
    assert "- Calls: 1 / 10 (behind)" in bruno.body


def test_a_manager_gets_who_is_behind_and_who_asked_for_coaching(team, outbox):
    _run()
    [message] = _to(outbox, "manager@example.com")
    assert "North" in message.body
    behind = message.body.split("Behind target, worth a talk:")[1].split("Asked you")[0]
    assert "Bruno Behind: Calls, Demos" in behind and "Rita Rep" not in behind
    assert "Asked you for coaching:\n- Bruno Behind: Calls" in message.body
    assert "Bruno Behind" in message.html
    assert "\nhttp://localhost/teams\n" in message.body


def test_it_goes_once_per_week_even_if_the_job_runs_again(team, outbox, clock):
    _run()
    assert len(outbox) == 3
    clock.at(MONDAY_MORNING + timedelta(hours=1))
    _run()
    assert len(outbox) == 3
    assert len(db.session.scalars(select(DigestSent)).all()) == 3

    clock.at(MONDAY_MORNING + timedelta(days=7))  # the next Monday: a new week
    _run()
    assert len(outbox) == 6


def test_not_before_seven_on_monday_where_the_organisation_is(team, outbox, clock):
    clock.at(MONDAY_MORNING - timedelta(minutes=20))  # 06:50 in Rome
    _run()
    assert outbox == []
    clock.at(MONDAY_MORNING + timedelta(days=1))  # Tuesday
    _run()
    assert outbox == []


def test_it_respects_the_persons_choice(team, outbox):
    manager, rita, _ = team
    notifications.set_email_choices(db.session, rita, {"weekly_digest": False})
    db.session.commit()
    _run()
    assert _to(outbox, "rita@example.com") == []
    assert len(outbox) == 2


def test_it_is_written_in_the_recipients_language(team, outbox):
    from flask_babel import force_locale, gettext

    _, rita, _ = team
    rita.locale = "ja"
    db.session.commit()
    _run()
    [message] = _to(outbox, "rita@example.com")
    with force_locale("ja"):
        assert message.subject == gettext("Your week in Pacer")
    assert "3月2日" in message.body  # the week's date, in Japanese whatever the catalogue


def test_the_week_is_the_one_that_just_ended(team):
    manager, *_ = team
    period = digest.last_week(manager.organization, MONDAY_MORNING)
    assert (str(period.start), str(period.end)) == ("2026-03-02", "2026-03-09")


def test_each_organisation_gets_it_on_its_own_monday_morning():
    from models import Organization

    tokyo = Organization(name="Tokyo", timezone="Asia/Tokyo")
    rome = Organization(name="Rome", timezone="Europe/Rome")
    sunday_night_utc = datetime(2026, 3, 8, 22, 10, tzinfo=UTC)  # Monday 07:10 in Tokyo
    assert digest.is_due(tokyo, sunday_night_utc) and not digest.is_due(rome, sunday_night_utc)
    assert digest.is_due(rome, MONDAY_MORNING) and digest.is_due(tokyo, MONDAY_MORNING)
    assert not digest.is_due(tokyo, sunday_night_utc + timedelta(days=1))  # Tuesday there
