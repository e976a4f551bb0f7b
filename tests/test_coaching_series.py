"""Recurring coaching sessions: set up by the coach, a draft made once ahead of each meeting
by the periodic job (in the organisation's timezone), caught up with one draft, stopped."""

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from extensions import db
from jobs.coaching import make_recurring_drafts
from models import CoachingSeries, CoachingSession, Notification
from services import coaching_series, coaching_templates
from tests.conftest import Auth, at

WEDNESDAY = at(2026, 11, 4, 9)  # in Rome, an hour later; summer time ended on 25 October
MONDAY = date(2026, 11, 9)


@pytest.fixture
def org(make):
    """Milan (Bruno: Rita); Turin (Otto: Tina)."""
    bruno = make.user("bruno@example.com", roles=("manager",))
    otto = make.user("otto@example.com", roles=("manager",))
    milan = make.team("Milan", managers=[bruno])
    turin = make.team("Turin", managers=[otto])
    rita = make.user("rita@example.com", team=milan)
    tina = make.user("tina@example.com", team=turin)
    template = coaching_templates.create_from(db.session, make.organization, {
        "name": "Weekly 1:1", "description": "", "sections": [
            {"kind": "snapshot", "title": "Numbers", "options": {"period": "week"}},
            {"kind": "text", "title": "Wins", "rep_answers": True}]})
    db.session.commit()
    return SimpleNamespace(bruno=bruno, otto=otto, rita=rita, tina=tina, milan=milan,
                           turin=turin, template=template)


def series_for(org, next_on=MONDAY, every_weeks=1, **fields):
    series = CoachingSeries(
        organization_id=org.rita.organization_id, rep=org.rita, coach=org.bruno,
        template=org.template, weekday=next_on.weekday(), every_weeks=every_weeks,
        next_on=next_on, **fields)
    db.session.add(series)
    db.session.commit()
    return series


def drafts():
    db.session.expire_all()
    return db.session.scalars(select(CoachingSession).order_by(CoachingSession.id)).all()


def signed_in(app, email):
    client = app.test_client()
    auth = Auth(client)
    auth.sign_in(email)
    return client, auth


# The rules


@pytest.mark.parametrize("now, next_on", [
    (WEDNESDAY, MONDAY),
    (at(2026, 11, 8, 23, 30), date(2026, 11, 9)),  # Monday 00:30 in Rome: today
    (at(2026, 11, 9, 23, 30), date(2026, 11, 16)),  # Tuesday in Rome, still Monday in UTC
])
def test_a_series_starts_on_the_next_such_day_in_the_organisations_timezone(org, now,
                                                                           next_on):
    series = coaching_series.start(db.session, coach=org.bruno, rep=org.rita,
                                   template=org.template, weekday=0, now=now)

    assert series.next_on == next_on


def test_no_draft_before_its_day_has_come(org):
    series_for(org)

    made = coaching_series.make_due_drafts(db.session, at(2026, 11, 5, 22, 30))  # Thu 23:30

    assert made == [] and drafts() == []


def test_the_draft_is_made_once_days_ahead_and_the_coach_is_told(org):
    series = series_for(org)
    friday = at(2026, 11, 5, 23, 30)  # 00:30 on Friday in Rome, three days ahead

    first = coaching_series.make_due_drafts(db.session, friday)
    again = coaching_series.make_due_drafts(db.session, at(2026, 11, 6, 10))
    db.session.commit()

    (draft,) = drafts()
    assert first == [draft] and again == []
    assert (draft.coach_id, draft.rep_id, draft.series_id, draft.status) == (
        org.bruno.id, org.rita.id, series.id, "draft")
    assert draft.scheduled_for == at(2026, 11, 9, 8)  # 9:00 in Rome
    assert [section.title for section in draft.sections] == ["Numbers", "Wins"]
    assert draft.period_kind == "week" and draft.period_start == date(2026, 11, 2)  # last week
    assert series.next_on == date(2026, 11, 16)
    told = db.session.scalars(select(Notification)).all()
    assert [(n.recipient_id, n.kind, n.params["rep"]) for n in told] == [
        (org.bruno.id, "coaching_draft_ready", "Rita")]
    assert told[0].link_values == {"session_id": draft.id}


def test_a_job_that_ran_late_catches_up_with_one_draft(org):
    series = series_for(org, next_on=date(2026, 10, 12))

    made = coaching_series.make_due_drafts(db.session, WEDNESDAY)
    db.session.commit()

    assert len(made) == len(drafts()) == 1
    assert made[0].scheduled_for == at(2026, 11, 2, 8)  # the latest meeting due, Monday 2nd
    assert series.next_on == MONDAY


def test_every_two_weeks_moves_two_weeks_on(org):
    series = series_for(org, every_weeks=2)

    coaching_series.make_due_drafts(db.session, at(2026, 11, 7, 12))

    assert series.next_on == date(2026, 11, 23)


def test_an_existing_draft_of_the_day_is_not_made_again(org):
    series = series_for(org)
    coaching_series.make_draft(db.session, series, MONDAY, now=WEDNESDAY)
    db.session.commit()

    coaching_series.make_due_drafts(db.session, at(2026, 11, 7, 12))

    assert len(drafts()) == 1 and series.next_on == date(2026, 11, 16)


def test_a_stopped_series_or_one_whose_rep_left_the_team_makes_nothing(org):
    stopped = series_for(org)
    coaching_series.stop(stopped)
    left = series_for(org)
    org.rita.team = org.turin
    db.session.commit()

    coaching_series.make_due_drafts(db.session, at(2026, 11, 7, 12))

    assert drafts() == []
    assert left.next_on == MONDAY


def test_changing_the_weekday_moves_the_next_meeting(org):
    series = series_for(org)

    coaching_series.change(series, template=None, weekday=3, every_weeks=1, now=WEDNESDAY)

    assert series.next_on == date(2026, 11, 5)  # Thursday, from this week
    assert series.template is None


def test_the_periodic_job_makes_the_drafts(org, clock):
    series_for(org)
    clock.at(at(2026, 11, 6, 7))

    make_recurring_drafts()
    make_recurring_drafts()

    (draft,) = drafts()
    assert draft.scheduled_for == at(2026, 11, 9, 8)


# The pages


def test_the_coach_sets_up_recurring_sessions_from_the_reps_history(app, org, clock):
    clock.at(WEDNESDAY)
    client, auth = signed_in(app, "bruno@example.com")
    history = client.get(f"/people/{org.rita.id}/coaching")
    url = f"/people/{org.rita.id}/coaching/series"
    assert f'hx-get="{url}"' in history.text
    assert client.get(url).status_code == 200

    response = auth.post(url, {"weekday": "0", "every_weeks": "1",
                               "template_id": str(org.template.id)}, page=url)

    assert response.status_code == 302
    series = db.session.scalar(select(CoachingSeries))
    assert (series.coach_id, series.rep_id, series.template_id, series.weekday,
            series.every_weeks, series.next_on, series.active) == (
        org.bruno.id, org.rita.id, org.template.id, 0, 1, MONDAY, True)
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert "Every Monday" in fragment.text and "Weekly 1:1" in fragment.text


@pytest.mark.parametrize("fields, message", [
    ({"weekday": "9"}, "Not a valid choice"),
    ({"weekday": "x"}, "Not a valid choice"),
    ({"every_weeks": "0"}, "Not a valid choice"),
    ({"every_weeks": "52"}, "Not a valid choice"),
    ({"template_id": "99999"}, "Choose one of the templates."),
    ({"template_id": "abc"}, "Choose one of the templates."),
])
def test_a_series_that_does_not_hold_together_is_a_422(app, org, fields, message):
    client, auth = signed_in(app, "bruno@example.com")
    url = f"/people/{org.rita.id}/coaching/series"

    response = auth.post(url, {"weekday": "0", "every_weeks": "1", "template_id": "",
                               **fields}, page=url)

    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(CoachingSeries)) is None


def test_the_coach_changes_and_stops_a_series(app, org, clock):
    clock.at(WEDNESDAY)
    series = series_for(org)
    client, auth = signed_in(app, "bruno@example.com")
    url = f"/coaching/series/{series.id}"
    assert client.get(url).status_code == 200

    changed = auth.post(url, {"weekday": "4", "every_weeks": "2", "template_id": ""}, page=url)
    stopped = auth.post(f"{url}/stop", page=url)

    assert changed.status_code == stopped.status_code == 302
    assert (series.weekday, series.every_weeks, series.template_id) == (4, 2, None)
    assert series.next_on == date(2026, 11, 6) and not series.active


@pytest.mark.parametrize("email", ["otto@example.com", "rita@example.com"])
def test_only_those_who_may_coach_the_rep_see_or_change_a_series(app, org, email):
    series = series_for(org)
    client, auth = signed_in(app, email)

    assert client.get(f"/people/{org.rita.id}/coaching/series").status_code == 404
    assert client.get(f"/coaching/series/{series.id}").status_code == 404
    response = auth.post(f"/coaching/series/{series.id}/stop", page="/account/password")
    assert response.status_code == 404
    assert series.active


def test_a_series_without_a_template_makes_a_blank_1_1(org):
    series = series_for(org)
    series.template = None

    (draft,) = coaching_series.make_due_drafts(db.session, at(2026, 11, 7, 12))

    assert draft.title == "1:1" and draft.sections == []
