"""Recording activities: idempotent by client id, counted once in the daily roll-up."""

import uuid
from datetime import date

from sqlalchemy import func, select

from extensions import db
from models import Activity, DailyRollup
from services import activities
from tests.conftest import at


def rollup(user, metric, day):
    return db.session.get(DailyRollup, (user.id, metric.id, day))


def record(user, metric, when, **kwargs):
    return activities.record(
        db.session, user=user, metric=metric, occurred_at=when,
        calendar=user.organization.calendar, **kwargs,
    )


def test_same_client_id_twice_makes_one_row_counted_once(make):
    calls, rep = make.metric("calls"), make.user("rep@example.com")
    client_id = uuid.uuid4()
    first = record(rep, calls, at(2026, 11, 23, 9), client_id=client_id)
    second = record(rep, calls, at(2026, 11, 23, 9), client_id=client_id)
    db.session.commit()
    assert first.created and not second.created
    assert second.activity.id == first.activity.id
    assert db.session.scalar(select(func.count(Activity.id))) == 1
    day = rollup(rep, calls, date(2026, 11, 23))
    assert (day.entries, day.total) == (1, 1)


def test_deleting_takes_the_activity_out_of_the_rollup(make):
    calls, rep = make.metric("calls"), make.user("rep@example.com")
    kept = record(rep, calls, at(2026, 11, 23, 9), quantity=2).activity
    gone = record(rep, calls, at(2026, 11, 23, 10), quantity=3).activity
    assert activities.remove(db.session, gone, rep)
    assert not activities.remove(db.session, gone, rep)  # twice changes nothing
    db.session.commit()
    day = rollup(rep, calls, date(2026, 11, 23))
    assert (day.entries, day.total) == (1, 2)
    assert gone.deleted_by_id == rep.id and kept.deleted_at is None


def test_replaying_a_deleted_activity_does_not_bring_it_back(make):
    calls, rep = make.metric("calls"), make.user("rep@example.com")
    client_id = uuid.uuid4()
    activity = record(rep, calls, at(2026, 11, 23, 9), client_id=client_id).activity
    activities.remove(db.session, activity, rep)
    replay = record(rep, calls, at(2026, 11, 23, 9), client_id=client_id)
    db.session.commit()
    assert not replay.created
    assert rollup(rep, calls, date(2026, 11, 23)).total == 0


def test_activity_counts_on_its_local_day_in_the_organisations_timezone(make):
    calls, rep = make.metric("calls"), make.user("rep@example.com")
    # 23:30 UTC on the 22nd is 00:30 on the 23rd in Rome.
    activity = record(rep, calls, at(2026, 11, 22, 23, 30)).activity
    db.session.commit()
    assert activity.local_day == date(2026, 11, 23)
    assert rollup(rep, calls, date(2026, 11, 23)).entries == 1


def test_activity_below_the_quality_gate_is_kept_but_not_counted(make):
    calls, rep = make.metric("calls", quality_min=2), make.user("rep@example.com")
    short = record(rep, calls, at(2026, 11, 23, 9), value=1.5).activity
    record(rep, calls, at(2026, 11, 23, 10), value=4)
    db.session.commit()
    assert short.counted is False
    assert rollup(rep, calls, date(2026, 11, 23)).entries == 1


def test_daily_cap_limits_what_a_day_contributes(make):
    calls, rep = make.metric("calls", daily_cap=10), make.user("rep@example.com")
    record(rep, calls, at(2026, 11, 23, 9), quantity=14)
    record(rep, calls, at(2026, 11, 24, 9), quantity=4)
    db.session.commit()
    totals = activities.totals_by_metric(
        db.session, [rep.id], date(2026, 11, 23), date(2026, 11, 29)
    )
    assert totals == {calls.id: 14}


def test_rebuild_recounts_the_rollup_after_the_gate_changes(make):
    calls, rep = make.metric("calls"), make.user("rep@example.com")
    record(rep, calls, at(2026, 11, 23, 9), value=1)
    record(rep, calls, at(2026, 11, 23, 10), value=5)
    db.session.commit()
    assert rollup(rep, calls, date(2026, 11, 23)).entries == 2
    calls.quality_min = 2
    activities.rebuild_rollups(db.session, metric_ids=[calls.id])
    db.session.commit()
    db.session.expire_all()
    assert rollup(rep, calls, date(2026, 11, 23)).entries == 1


def test_naive_times_are_refused(make):
    calls, rep = make.metric("calls"), make.user("rep@example.com")
    from datetime import datetime

    try:
        record(rep, calls, datetime(2026, 11, 23, 9))  # noqa: DTZ001
    except ValueError:
        pass
    else:
        raise AssertionError("a naive time was accepted")


def test_concurrent_requests_with_the_same_client_id_make_one_row(app, make):
    """Four devices racing with one client id: writers wait for the lock, nobody fails."""
    import threading

    from tests.conftest import Auth, csrf_token

    calls, rep = make.metric("calls"), make.user("rep@example.com")
    client_id, statuses = str(uuid.uuid4()), []
    devices = []
    for _ in range(4):
        device = Auth(app.test_client())
        device.sign_in("rep@example.com")
        devices.append((device.client, csrf_token(device.client.get("/today").text)))
    barrier = threading.Barrier(len(devices))

    def post(client, token):
        with app.app_context():
            barrier.wait()
            response = client.post("/today/log", data={
                "csrf_token": token, "metric": "calls", "client_id": client_id, "quantity": "1",
            })
            statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=device) for device in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 4
    assert db.session.scalar(select(func.count(Activity.id))) == 1
    assert rollup(rep, calls, _today_of(rep)).entries == 1


def _today_of(user):
    from models.types import utcnow
    from periods import local_date

    return local_date(utcnow(), user.organization.calendar)
