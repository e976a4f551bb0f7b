"""The stamps behind the page cache move with every change to what the numbers are made of."""

from datetime import date

from sqlalchemy import delete, select, update

from extensions import db
from models import Goal, Organization, Team, TimeOff, User
from services import activities, freshness, pending, target_settings
from tests.conftest import at


def versions(*rows):
    """Fresh (settings, numbers) counters of the organisation, and numbers of teams and people."""
    db.session.expire_all()
    return [(row.settings_version, row.numbers_version) if isinstance(row, Organization)
            else row.numbers_version for row in rows]


def test_an_activity_moves_its_person_every_team_above_and_the_organisation(make):
    top = make.team("Top")
    middle = make.team("Middle", parent=top)
    field, aside = make.team("Field", parent=middle), make.team("Aside", parent=top)
    ada, bo = make.user("ada@example.com", team=field), make.user("bo@example.com", team=aside)
    calls = make.metric("calls")
    before = versions(make.organization, top, middle, field, aside, ada, bo)
    recorded = activities.record(db.session, user=ada, metric=calls, occurred_at=at(2026, 11, 2),
                                 calendar=make.organization.calendar)
    db.session.commit()
    (settings, numbers), *counters = versions(make.organization, top, middle, field, aside,
                                              ada, bo)
    assert settings == before[0][0]  # an activity is not a settings change
    assert numbers == before[0][1] + 1
    assert counters == [before[1] + 1, before[2] + 1, before[3] + 1, before[4], before[5] + 1,
                        before[6]]
    activities.remove(db.session, recorded.activity, ada)
    db.session.commit()
    assert versions(ada) == [before[5] + 2]


def test_a_device_report_moves_the_stamp_only_when_the_count_changes(make):
    ada = make.user("ada@example.com")
    pending.report(db.session, ada, "phone", 3, at(2026, 11, 2))
    db.session.commit()
    first = versions(ada)
    pending.report(db.session, ada, "phone", 3, at(2026, 11, 2, 1))
    db.session.commit()
    assert versions(ada) == first
    pending.report(db.session, ada, "phone", 0, at(2026, 11, 2, 2))
    db.session.commit()
    assert versions(ada) == [first[0] + 1]


def test_settings_move_on_every_kind_of_change_to_what_targets_are_made_of(make):
    calls = make.metric("calls")
    ada = make.user("ada@example.com")

    def settings():
        return versions(make.organization)[0][0]

    seen = [settings()]

    def moved():
        seen.append(settings())
        return seen[-1] > seen[-2]

    target_settings.add_time_off(db.session, ada, date(2026, 11, 2), date(2026, 11, 3))  # a new row
    db.session.commit()
    assert moved()
    calls.daily_cap = 20  # a changed row
    db.session.commit()
    assert moved()
    db.session.delete(db.session.scalar(select(TimeOff)))  # a deleted row
    db.session.commit()
    assert moved()
    target_settings.set_goal(db.session, make.organization, level="company", metric=calls,
                             kind="week", value=100)
    db.session.commit()
    assert moved()
    db.session.execute(delete(Goal))  # a bulk statement, past the unit of work
    db.session.commit()
    assert moved()
    db.session.execute(update(User).values(name="Ada L."))
    db.session.commit()
    assert moved()


def test_nothing_else_moves_the_settings(make):
    ada = make.user("ada@example.com")
    before = versions(make.organization)[0][0]
    freshness.person_changed(db.session, ada.id)  # the stamps' own statements
    db.session.execute(select(User)).all()
    db.session.commit()
    assert versions(make.organization)[0][0] == before


def test_a_loop_in_the_teams_parents_does_not_hang_an_activity(make):
    a = make.team("A")
    b = make.team("B", parent=a)
    db.session.execute(update(Team).where(Team.id == a.id).values(parent_id=b.id))
    db.session.commit()
    ada = make.user("ada@example.com", team=b)
    freshness.person_changed(db.session, ada.id)
    db.session.commit()
    assert versions(a, b) == [1, 1]


def test_stamps_read_what_the_request_loaded(make):
    team = make.team("Field")
    ada = make.user("ada@example.com", team=team)
    freshness.person_changed(db.session, ada.id)
    db.session.commit()
    db.session.expire_all()
    settings = make.organization.settings_version
    assert freshness.person_stamp(ada) == (settings, 1)
    assert freshness.team_stamp(team) == (settings, 1)
    assert freshness.organization_stamp(make.organization) == (settings, 1)
