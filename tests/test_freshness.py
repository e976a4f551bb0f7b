"""The stamps behind the page cache move with every change to what the numbers are made of,
and an activity write updates no row the whole organisation shares."""

import re
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import delete, event, select, update

from extensions import db
from models import Goal, Organization, TeamRollup, TimeOff, User
from services import accounts, activities, freshness, pending, target_settings
from tests.conftest import at


class _Statements(list):
    def __init__(self):
        super().__init__()
        self.parameters = []


def versions(*rows):
    """Fresh counters: the organisation's settings version, people's numbers versions."""
    db.session.expire_all()
    return [row.settings_version if isinstance(row, Organization) else row.numbers_version
            for row in rows]


@contextmanager
def statements():
    """The SQL statements run inside the block (and their parameters, in `.parameters`)."""
    seen = _Statements()

    def record(_conn, _cursor, statement, parameters, *_args):
        seen.append(statement)
        seen.parameters.append(parameters)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_an_activity_moves_its_own_person_and_nobody_else(make):
    top = make.team("Top")
    field = make.team("Field", parent=make.team("Middle", parent=top))
    ada, bo = make.user("ada@example.com", team=field), make.user("bo@example.com", team=field)
    calls = make.metric("calls")
    before = versions(make.organization, ada, bo)
    recorded = activities.record(db.session, user=ada, metric=calls, occurred_at=at(2026, 11, 2),
                                 calendar=make.organization.calendar)
    db.session.commit()
    assert versions(make.organization, ada, bo) == [before[0], before[1] + 1, before[2]]
    activities.remove(db.session, recorded.activity, ada)
    db.session.commit()
    assert versions(ada) == [before[1] + 2]


@pytest.mark.parametrize("source", ["web", "offline"])
def test_an_activity_write_updates_no_row_the_whole_organisation_shares(make, source):
    """Writers of one organisation never queue behind one row, nor lock one in two orders:
    an activity write touches the activity, its person's row and roll-up, and its own team's
    roll-up alone, and it takes the person's row first (as a settings change takes the
    organisation's row, then people's: never the other way round)."""
    field = make.team("Field", parent=make.team("Company"))
    ada = make.user("ada@example.com", team=field)
    calls = make.metric("calls")
    with statements() as seen:
        activities.record(db.session, user=ada, metric=calls, occurred_at=at(2026, 11, 2),
                          calendar=make.organization.calendar, source=source)
        db.session.commit()
    writes = [(s, p) for s, p in zip(seen, seen.parameters, strict=True)
              if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes, "the write ran no statement at all"

    def table(statement):
        return re.match(r"\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)", statement,
                        re.I).group(1)

    tables = [table(s) for s, _p in writes]
    assert set(tables) == {"activities", "daily_rollups", "team_rollups", "users"}
    assert tables[0] == "users"  # the lock order
    user_updates = [s for s, _p in writes if table(s) == "users"]
    assert all("WHERE users.id =" in s for s in user_updates)  # the writer's own row
    # The team roll-up statement wrote the writer's own team's row, and no other team's.
    assert db.session.execute(select(TeamRollup.team_id, TeamRollup.total)).all() == [
        (field.id, 1)
    ]


def test_team_and_company_stamps_move_with_the_clock_not_with_writes(make):
    team = make.team("Field")
    step = freshness.SHARED_LAG
    now = at(2026, 11, 2, 9, 0, 0)
    assert freshness.team_stamp(team, now) == freshness.team_stamp(team, now + step / 2)
    assert freshness.team_stamp(team, now) != freshness.team_stamp(team, now + step)
    assert (freshness.organization_stamp(make.organization, now)
            != freshness.organization_stamp(make.organization, now + step))
    assert step.total_seconds() <= 5  # what the README promises


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
        return versions(make.organization)[0]

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
    before = versions(make.organization)[0]
    freshness.person_changed(db.session, ada.id)  # the stamps' own statements
    db.session.execute(select(User)).all()
    db.session.commit()
    assert versions(make.organization)[0] == before
    # What of a person no page but their own shows: a new password, their language and
    # timezone (their pages are kept under both). Everyone else's pages stay kept.
    accounts.set_password(ada, "another long password", "pbkdf2:sha256:1000")
    ada.locale, ada.timezone = "it", "Europe/London"
    db.session.commit()
    assert versions(make.organization)[0] == before
    ada.name = "Ada L."  # but her name is on her team's grid
    db.session.commit()
    assert versions(make.organization)[0] == before + 1


def test_stamps_read_what_the_request_loaded(make):
    team = make.team("Field")
    ada = make.user("ada@example.com", team=team)
    freshness.person_changed(db.session, ada.id)
    db.session.commit()
    db.session.expire_all()
    settings, now = make.organization.settings_version, at(2026, 11, 2, 9)
    step = freshness.shared_step(now)
    assert freshness.person_stamp(ada) == (settings, 1)
    assert freshness.team_stamp(team, now) == (settings, step)
    assert freshness.organization_stamp(make.organization, now) == (settings, step)
