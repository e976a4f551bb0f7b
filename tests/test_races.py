"""Writers that meet on the same rows at the same moment, each through the app's own routes in
its own thread, app context, session and connection: an admin saving a person while that
person's phone syncs, or moving them to another team while both teams' phones sync, and a
metric's quality gate changed while its activities are written.
Neither may fail (no 500, no 409, no 503 from a deadlock or a lock wait: deadlocks must be
impossible by construction), nothing is lost or stored twice, and the roll-ups equal a recount
from the activity rows. On SQLite the one writer at a time serialises them; they run on both."""

import logging
import threading
import time
import traceback
import uuid
from collections import defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from extensions import db
from models import Activity, DailyRollup, Metric, User
from periods import period_at
from services import activities, scorecards
from tests.conftest import Auth, at, csrf_token
from tests.test_live_consistency import Recount

NOW = at(2026, 11, 25, 15, 42, 1)  # a Wednesday afternoon in Rome
ROUNDS = 30


def race(app, rounds, *sides):
    """Run each side `rounds` times in its own thread, all sides of a round let go at once.

    Returns in how many rounds the sides were in flight at the same time.
    """
    barrier = threading.Barrier(len(sides), timeout=60)
    failures, spans = [], defaultdict(list)

    def run(side):
        with app.app_context():
            try:
                for round_ in range(rounds):
                    barrier.wait()
                    start = time.perf_counter()
                    side(round_)
                    spans[round_].append((start, time.perf_counter()))
            except threading.BrokenBarrierError:
                pass
            except BaseException:
                failures.append(traceback.format_exc())
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(side,), daemon=True) for side in sides]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a side hangs"
    assert not failures, "\n".join(failures)
    return sum(1 for each in spans.values()
               if max(start for start, _end in each) < min(end for _start, end in each))


def signed_in(app, email):
    client = app.test_client()
    assert Auth(client).sign_in(email).status_code == 302
    return client


class Phone:
    """A rep's phone: sends batches to the sync API and remembers every item it sent."""

    def __init__(self, app, email):
        self.client = signed_in(app, email)
        self.token = self.client.get("/api/v1/session").json["csrf_token"]
        self.sent = []

    def send(self, items):
        response = self.client.post("/api/v1/activities", json={"activities": items},
                                    headers={"X-CSRFToken": self.token})
        assert response.status_code == 200, (response.status_code, response.headers.get(
            "Retry-After"), response.text)
        statuses = [result["status"] for result in response.json["results"]]
        assert statuses == ["created"] * len(items), statuses
        self.sent.extend(item["client_id"] for item in items)


def item(metric, days_ago, minutes=0, **fields):
    """One item, some days before NOW, stamped with the phone's offset."""
    when = NOW - timedelta(days=days_ago, minutes=minutes)
    return {"client_id": str(uuid.uuid4()), "metric": metric, "quantity": 1,
            "occurred_at": when.isoformat(), **fields}


def admin_form(client, url):
    """The CSRF token of the form's own page, as the admin's browser has it."""
    page = client.get(url)
    assert page.status_code == 200
    return csrf_token(page.text)


def gate_form(token, minimum):
    """The metric form of `demos`, as the admin sends it with a new quality gate."""
    return {"csrf_token": token, "key": "demos", "name": "Demos", "kind": "leading",
            "aggregation": "count", "unit": "", "direction": "higher",
            "quality_min": str(minimum), "quality_unit": "minutes", "daily_cap": "",
            "position": "0", "active": "y"}


def assert_rollups_are_a_recount():
    """Every person x metric x day roll-up row is what its counted, undeleted activities add
    up to; and a day with such activities has its row."""
    db.session.commit()  # read what the threads committed, not this test's old snapshot
    counted = defaultdict(lambda: [0, 0.0, 0.0])
    for row in db.session.scalars(select(Activity)):
        if row.counted and row.deleted_at is None:
            day = counted[(row.user_id, row.metric_id, row.local_day)]
            day[0] += 1
            day[1] += row.quantity
            day[2] += row.quantity if row.source == "crm" else 0.0
    rollups = {(row.user_id, row.metric_id, row.day): [row.entries, row.total, row.crm_total]
               for row in db.session.scalars(select(DailyRollup)) if row.entries}
    assert rollups.keys() == counted.keys()
    for key, (entries, total, crm) in counted.items():
        assert rollups[key][0] == entries, key
        assert rollups[key][1] == pytest.approx(total, abs=0.005), key
        assert rollups[key][2] == pytest.approx(crm, abs=0.005), key


def assert_stored_once(*phones):
    sent = [client_id for phone in phones for client_id in phone.sent]
    stored = [str(client_id) for client_id in db.session.scalars(
        select(Activity.client_id).where(Activity.source == "offline"))]
    assert len(sent) == len(set(sent))
    assert sorted(stored) == sorted(sent)


def assert_team_numbers_are_a_recount(organization):
    """The team grid of every team and the executive view, as the services work them out."""
    recount = Recount(db.session, organization)
    period = period_at("month", NOW, organization.calendar)
    lines = []
    for team in scorecards.org_teams(db.session, organization.id):
        grid = scorecards.team_grid(db.session, team, period, NOW)
        lines += [grid.total, *grid.rows]
    view = scorecards.company_view(db.session, organization, period, NOW)
    lines += [view.company, *view.tree]
    wrong = []
    for line in lines:
        for metric in view.metrics:
            name = (f"company-{metric.key}" if line.kind == "company"
                    else f"{line.kind}-{line.subject.id}-{metric.key}")
            shown, expected = line.cell(metric).actual, recount.expected(name, period)
            if shown != pytest.approx(expected, abs=0.01):
                wrong.append(f"{name} shows {shown:g}, the recount {expected:g}")
    assert not wrong, "; ".join(sorted(set(wrong)))


@pytest.fixture
def busy_log(caplog):
    """What the app logged about a busy database or a conflict: shown when a side fails."""
    caplog.set_level(logging.INFO)
    return caplog


@pytest.fixture
def office(app, make, clock):
    """A region with two teams, a rep who moves between them, a colleague in each team, an
    admin, and metrics with a daily cap and a quality gate; some activities already there."""
    clock.at(NOW)
    region = make.team("Italy")
    north, south = make.team("North", parent=region), make.team("South", parent=region)
    rita = make.user("rita@example.com", team=north, name="Rita Rep")
    colleagues = [make.user("nora@example.com", team=north),
                  make.user("sam@example.com", team=south)]
    make.user("admin@example.com", roles=("admin",))
    calls = make.metric("calls", daily_cap=8)
    demos = make.metric("demos", quality_min=40, quality_unit="minutes")
    calendar = make.organization.calendar
    for person in (rita, *colleagues):
        for days in range(4):
            for metric, value in ((calls, None), (demos, 30), (demos, 50)):
                activities.record(db.session, user=person, metric=metric, value=value,
                                  occurred_at=NOW - timedelta(days=days, hours=1),
                                  calendar=calendar)
    db.session.commit()
    return make.organization, rita, north, south, calls, demos


PAUSE = """
CREATE OR REPLACE FUNCTION pacer_test_pause() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_sleep(0.4);
    RETURN NULL;
END $$
"""
PAUSED_TABLES = ("daily_rollups", "team_rollups")


@pytest.fixture
def paused_recounts(app):
    """On PostgreSQL, a recount pauses 0.4 s when it starts deleting roll-up rows, by then
    holding whatever it locks first (a statement trigger; no activity write deletes roll-up
    rows). Gives a function a writer calls to wait for that pause, so that what it sends
    arrives while the recount is under way: the interleaving, every time. On SQLite, where one
    writer waits for the other to finish, the function returns at once."""
    if db.engine.dialect.name != "postgresql":
        yield lambda: None
        return
    with db.engine.begin() as connection:
        connection.execute(text(PAUSE))
        for table in PAUSED_TABLES:
            connection.execute(text(
                f"CREATE TRIGGER pacer_test_pause BEFORE DELETE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION pacer_test_pause()"))

    def paused():
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with db.engine.connect() as connection:  # a new snapshot of the activity each time
                if connection.execute(text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
                )).scalar():
                    return
            time.sleep(0.005)
        raise AssertionError("no recount paused")

    yield paused
    db.session.rollback()  # this test's own reads hold the tables the triggers are dropped from
    with db.engine.begin() as connection:
        for table in PAUSED_TABLES:
            connection.execute(text(f"DROP TRIGGER pacer_test_pause ON {table}"))
        connection.execute(text("DROP FUNCTION pacer_test_pause()"))


def test_an_admin_saving_a_person_while_their_phone_syncs_fails_neither(app, office, busy_log):
    organization, rita, north, south, _calls, _demos = office
    rita_id, teams = rita.id, [north.id, south.id]
    phone = Phone(app, "rita@example.com")
    admin = signed_in(app, "admin@example.com")
    url = f"/admin/users/{rita_id}/edit"
    token = admin_form(admin, url)

    def save_person(round_):
        """Move her to the other team, rename her, and add or drop a second role."""
        response = admin.post(url, data={
            "csrf_token": token, "name": f"Rita Rep {round_}", "email": "rita@example.com",
            "roles": ["rep"] if round_ % 2 else ["rep", "manager"],
            "team_id": str(teams[round_ % 2]), "started_on": "", "locale": "",
            "timezone": "", "active": "y", "password": "",
        })
        assert response.status_code == 302, (response.status_code, response.headers.get(
            "Retry-After"), response.text[:3000], busy_log.text)

    def sync(round_):
        """A batch over several days and both metrics, as a phone back in coverage sends."""
        phone.send([item("calls", days, minutes=round_) for days in (0, 1, 2, 3, 1, 0)]
                   + [item("demos", days, value=35 + days * 5) for days in (3, 2, 1, 0)])

    assert race(app, ROUNDS, save_person, sync) >= ROUNDS // 2

    person = db.session.get(User, rita_id)
    assert (person.name, person.team_id) == (f"Rita Rep {ROUNDS - 1}", teams[(ROUNDS - 1) % 2])
    assert_stored_once(phone)
    assert_rollups_are_a_recount()
    assert_team_numbers_are_a_recount(organization)


def test_an_admin_moving_a_person_between_teams_while_both_teams_sync_fails_nobody(
        app, office, busy_log):
    """Moving someone recounts both teams' roll-ups while the person and their old and new
    teammates write to those same team days, some of them new days."""
    organization, rita, north, south, _calls, _demos = office
    rita_id, teams = rita.id, [north.id, south.id]
    phones = {email: Phone(app, email)
              for email in ("rita@example.com", "nora@example.com", "sam@example.com")}
    admin = signed_in(app, "admin@example.com")
    url = f"/admin/users/{rita_id}/edit"
    token = admin_form(admin, url)

    def move(round_):
        response = admin.post(url, data={
            "csrf_token": token, "name": "Rita Rep", "email": "rita@example.com",
            "roles": ["rep"], "team_id": str(teams[round_ % 2]), "started_on": "",
            "locale": "", "timezone": "", "active": "y", "password": "",
        })
        assert response.status_code == 302, (response.status_code, response.headers.get(
            "Retry-After"), response.text[:3000], busy_log.text)

    def syncing(email):
        def sync(round_):
            phones[email].send(
                [item("calls", 5 + round_ % 20, minutes=round_)]  # a day new to the team
                + [item("calls", days, minutes=round_) for days in (2, 0, 3, 1)]
                + [item("demos", days, value=60) for days in (1, 3, 0)])
        return sync

    overlapped = race(app, ROUNDS, move, *(syncing(email) for email in phones))
    assert overlapped >= ROUNDS // 2

    assert db.session.get(User, rita_id).team_id == teams[(ROUNDS - 1) % 2]
    assert_stored_once(*phones.values())
    assert_rollups_are_a_recount()
    assert_team_numbers_are_a_recount(organization)


def test_a_quality_gate_change_while_the_metrics_activities_sync_fails_neither(
        app, office, busy_log):
    organization, _rita, _north, _south, _calls, demos = office
    demos_id = demos.id
    phones = [Phone(app, "rita@example.com"), Phone(app, "sam@example.com")]
    admin = signed_in(app, "admin@example.com")
    url = f"/admin/metrics/{demos_id}/edit"
    token = admin_form(admin, url)

    def change_gate(round_):
        """40 minutes, then 25, then 40...: each change recounts the whole metric, and days
        whose only demos are 30 minutes long gain or lose their roll-up row."""
        response = admin.post(url, data=gate_form(token, 25 if round_ % 2 == 0 else 40))
        assert response.status_code == 302, (response.status_code, response.headers.get(
            "Retry-After"), response.text[:3000], busy_log.text)

    def sync(round_):
        """Both reps' phones, demos on a new day each round (where only 30-minute demos were)
        and on the days every round writes, in another order than the recount's."""
        for phone in phones:
            phone.send([item("demos", 4 + round_, value=50), item("calls", 4 + round_)]
                       + [item("demos", days, value=value)
                          for days in (3, 0, 2, 1) for value in (20, 30, 60)])

    # Days that, before the race, hold only demos of 30 minutes: no roll-up row under 40.
    rita, sam = (db.session.scalar(select(User).where(User.email == email))
                 for email in ("rita@example.com", "sam@example.com"))
    for round_ in range(ROUNDS):
        for person in (rita, sam):
            activities.record(db.session, user=person, metric=demos, value=30,
                              occurred_at=NOW - timedelta(days=4 + round_, hours=2),
                              calendar=organization.calendar)
    db.session.commit()

    assert race(app, ROUNDS, change_gate, sync) >= ROUNDS // 2

    gate = db.session.get(Metric, demos_id).quality_min
    assert gate == (25 if (ROUNDS - 1) % 2 == 0 else 40)
    assert_stored_once(*phones)
    assert_rollups_are_a_recount()
    assert_team_numbers_are_a_recount(organization)


def test_activities_synced_while_the_gate_changes_count_by_the_gate_that_holds_after(
        app, office, busy_log, paused_recounts):
    """A batch of one day, whose roll-up row is there already: no deadlock nor conflict to
    get in the way, only the question of which gate each new activity was judged by."""
    _organization, _rita, _north, _south, _calls, demos = office
    demos_id = demos.id
    phone = Phone(app, "rita@example.com")
    admin = signed_in(app, "admin@example.com")
    url = f"/admin/metrics/{demos_id}/edit"
    token = admin_form(admin, url)
    rounds, stale = 4, []

    def change_gate(round_):
        response = admin.post(url, data=gate_form(token, 25 if round_ % 2 == 0 else 40))
        assert response.status_code == 302, (response.status_code, response.headers.get(
            "Retry-After"), response.text[:3000], busy_log.text)

    def sync(round_):
        paused_recounts()
        phone.send([item("demos", 1, minutes=round_, value=value)
                    for value in (20, 30, 30, 30, 60) * 4])

    for round_ in range(rounds):  # a round at a time, to look before the next gate change
        race(app, 1, lambda _: change_gate(round_), lambda _: sync(round_))  # noqa: B023
        db.session.commit()
        gate = db.session.get(Metric, demos_id)
        db.session.refresh(gate)
        stale += [(round_, gate.quality_min, row.value, row.counted)
                  for row in db.session.scalars(
                      select(Activity).where(Activity.metric_id == demos_id))
                  if row.counted != gate.qualifies(row.value)]
    assert not stale, stale
    assert_stored_once(phone)
    assert_rollups_are_a_recount()


def race_rounds_keeping_team_numbers(app, organization, rounds, change, sync):
    """Race `change` against `sync` a round at a time (to look before the next change), and
    after each round find every team and company number a recount."""
    wrong = []
    for round_ in range(rounds):
        race(app, 1, lambda _: change(round_), lambda _: sync(round_))  # noqa: B023
        db.session.commit()
        try:
            assert_team_numbers_are_a_recount(organization)
        except AssertionError as error:
            wrong.append((round_, str(error).splitlines()[0]))
        db.session.rollback()
    assert not wrong, wrong


def test_a_daily_cap_change_while_the_metrics_activities_sync_leaves_team_numbers_a_recount(
        app, office, busy_log, paused_recounts):
    """A cap change recounts the teams' capped days while a batch adds to them: each team day
    must end up capped by the cap that holds after both."""
    organization, _rita, _north, _south, calls, _demos = office
    calls_id = calls.id
    phone = Phone(app, "rita@example.com")
    admin = signed_in(app, "admin@example.com")
    url = f"/admin/metrics/{calls_id}/edit"
    token = admin_form(admin, url)
    rounds = 4

    def change_cap(round_):
        response = admin.post(url, data={
            "csrf_token": token, "key": "calls", "name": "Calls", "kind": "leading",
            "aggregation": "count", "unit": "", "direction": "higher", "quality_min": "",
            "quality_unit": "", "daily_cap": "3" if round_ % 2 == 0 else "8",
            "position": "0", "active": "y"})
        assert response.status_code == 302, (response.status_code, response.headers.get(
            "Retry-After"), response.text[:3000], busy_log.text)

    def sync(round_):
        paused_recounts()
        phone.send([item("calls", 1, minutes=round_) for _ in range(2)])

    race_rounds_keeping_team_numbers(app, organization, rounds, change_cap, sync)
    assert_stored_once(phone)
    assert_rollups_are_a_recount()


def test_a_person_moved_while_their_phone_syncs_counts_in_their_new_team(
        app, office, busy_log, paused_recounts):
    """The phone's batch arrives while the move's team recount holds the people's rows: once
    it goes through, it must add to the team the person is in now."""
    organization, rita, north, south, _calls, _demos = office
    rita_id, teams = rita.id, [north.id, south.id]
    phone = Phone(app, "rita@example.com")
    admin = signed_in(app, "admin@example.com")
    url = f"/admin/users/{rita_id}/edit"
    token = admin_form(admin, url)

    def move(round_):
        response = admin.post(url, data={
            "csrf_token": token, "name": "Rita Rep", "email": "rita@example.com",
            "roles": ["rep"], "team_id": str(teams[round_ % 2 - 1]), "started_on": "",
            "locale": "", "timezone": "", "active": "y", "password": "",
        })
        assert response.status_code == 302, (response.status_code, response.headers.get(
            "Retry-After"), response.text[:3000], busy_log.text)

    def sync(round_):
        paused_recounts()
        phone.send([item("calls", 1, minutes=round_) for _ in range(3)])

    race_rounds_keeping_team_numbers(app, organization, 4, move, sync)
    assert_stored_once(phone)
    assert_rollups_are_a_recount()


def test_the_today_form_and_undo_while_the_gate_changes_leave_the_roll_up_a_recount(
        app, office, busy_log, paused_recounts):
    """On the web, while a gate change recounts: a 30-minute demo logged through the Today
    form, and one taken back with its Undo button, both arriving while the recount holds the
    person's row. What the removal takes out of the roll-up, and what the new one adds, must
    be judged by the gate as it is once they go through."""
    _organization, rita, _north, _south, _calls, demos = office
    rita_id, demos_id, calendar = rita.id, demos.id, rita.organization.calendar
    logging_in, undoing = signed_in(app, "rita@example.com"), signed_in(app, "rita@example.com")
    tokens = {id(client): csrf_token(client.get("/today").text)
              for client in (logging_in, undoing)}
    admin = signed_in(app, "admin@example.com")
    url = f"/admin/metrics/{demos_id}/edit"
    token = admin_form(admin, url)
    wrong = []

    def change_gate(round_):
        response = admin.post(url, data=gate_form(token, 25 if round_ % 2 == 0 else 40))
        assert response.status_code == 302, (response.status_code, response.headers.get(
            "Retry-After"), response.text[:3000], busy_log.text)

    def log(round_):
        paused_recounts()
        typed = (NOW - timedelta(days=1, minutes=round_)).astimezone(ZoneInfo("Europe/Rome"))
        response = logging_in.post("/today/log", data={
            "csrf_token": tokens[id(logging_in)], "metric": "demos",
            "client_id": str(uuid.uuid4()), "quantity": "1", "value": "30",
            "occurred_at": typed.strftime("%Y-%m-%dT%H:%M")})
        assert response.status_code == 302, (response.status_code, response.text[:3000])

    def undo(round_, activity_id):
        paused_recounts()
        response = undoing.post(f"/today/activities/{activity_id}/undo",
                                data={"csrf_token": tokens[id(undoing)]})
        assert response.status_code == 302, (response.status_code, response.text[:3000])

    for round_ in range(4):  # a round at a time, to look before the next gate change
        doomed = activities.record(
            db.session, user=db.session.get(User, rita_id), metric=db.session.get(
                Metric, demos_id), value=30, occurred_at=NOW - timedelta(days=1, hours=2),
            calendar=calendar).activity.id
        db.session.commit()
        race(app, 1, lambda _: change_gate(round_), lambda _: log(round_),  # noqa: B023
             lambda _: undo(round_, doomed))  # noqa: B023
        try:
            assert_rollups_are_a_recount()
        except AssertionError as error:
            wrong.append((round_, str(error).splitlines()[0]))
        db.session.rollback()
    assert not wrong, wrong
