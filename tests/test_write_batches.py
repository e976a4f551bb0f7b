"""The activity write path takes a batch: the same few statements whatever its size, the
person's row first, each item settled exactly as if it came alone, and an item the database
refuses never sinking the others."""

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Activity, DailyRollup
from models.types import utcnow
from services import activities, sync
from tests.conftest import at
from tests.test_freshness import statements
from tests.test_team_rollups import kept, recount

URL = "/api/v1/activities"


def entry(metric, day=23, hour=9, **fields):
    return activities.Entry(metric=metric, occurred_at=at(2026, 11, day, hour), **fields)


def record_many(user, entries, **options):
    return activities.record_many(db.session, user, entries,
                                  calendar=user.organization.calendar, **options)


def test_a_batch_stores_new_items_and_says_which_were_there_already(make):
    calls, rep = make.metric("calls"), make.user("rep@example.com")
    before = activities.record(db.session, user=rep, metric=calls, occurred_at=at(2026, 11, 23, 8),
                               calendar=rep.organization.calendar).activity
    again = uuid.uuid4()
    batch = [entry(calls, client_id=again), entry(calls, client_id=before.client_id),
             entry(calls, client_id=again, quantity=5), entry(calls, quantity=2)]

    recorded = record_many(rep, batch)
    db.session.commit()

    assert [one.created for one in recorded] == [True, False, False, True]
    assert recorded[1].activity_id == before.id
    assert recorded[2].activity_id == recorded[0].activity_id  # the first of a repeat wins
    assert recorded[0].activity.quantity == 1
    assert {one.user_id for one in recorded} == {rep.id}
    assert db.session.scalar(select(func.count(Activity.id))) == 3
    day = db.session.get(DailyRollup, (rep.id, calls.id, date(2026, 11, 23)))
    assert (day.entries, day.total) == (3, 4)


def test_an_external_id_already_stored_is_not_stored_again(make):
    revenue, rep = make.metric("revenue", aggregation="sum"), make.user("rep@example.com")
    first = record_many(rep, [entry(revenue, quantity=100, external_id="deal-1")], source="crm")
    batch = [entry(revenue, quantity=100, external_id="deal-1"),
             entry(revenue, quantity=50, external_id="deal-2"),
             entry(revenue, quantity=50, external_id="deal-2")]

    recorded = record_many(rep, batch, source="crm")
    db.session.commit()

    assert [one.created for one in recorded] == [False, True, False]
    assert recorded[0].activity_id == first[0].activity_id
    assert recorded[2].activity_id == recorded[1].activity_id
    day = db.session.get(DailyRollup, (rep.id, revenue.id, date(2026, 11, 23)))
    assert (day.entries, day.total, day.crm_total) == (2, 150, 150)


def test_a_client_id_someone_else_used_is_theirs_in_a_batch_and_across_batches(make):
    calls = make.metric("calls")
    ada, bo = make.user("ada@example.com"), make.user("bo@example.com")
    shared = uuid.uuid4()
    record_many(ada, [entry(calls, client_id=shared)])
    db.session.commit()

    recorded = record_many(bo, [entry(calls), entry(calls, client_id=shared),
                                entry(calls, client_id=shared, quantity=3)])
    db.session.commit()

    assert [(one.created, one.user_id) for one in recorded] == [
        (True, bo.id), (False, ada.id), (False, ada.id)]
    owners = db.session.execute(select(Activity.client_id, Activity.user_id)).all()
    assert (shared, ada.id) in owners and len(owners) == 2


def test_an_item_the_database_refuses_is_none_and_the_rest_of_the_batch_is_stored(make):
    calls, rep = make.metric("calls"), make.user("rep@example.com")
    # A negative quantity breaks a CHECK constraint: the bulk insert fails, item by item finds it.
    batch = [entry(calls), entry(calls, quantity=-1), entry(calls, quantity=2)]

    recorded = record_many(rep, batch)
    db.session.commit()

    assert [one is not None and one.created for one in recorded] == [True, False, True]
    assert recorded[1] is None
    day = db.session.get(DailyRollup, (rep.id, calls.id, date(2026, 11, 23)))
    assert (day.entries, day.total) == (2, 3)


def test_the_one_item_write_lets_a_refused_item_fail_loudly(make):
    from sqlalchemy.exc import IntegrityError

    calls, rep = make.metric("calls"), make.user("rep@example.com")
    with pytest.raises(IntegrityError):
        activities.record(db.session, user=rep, metric=calls, occurred_at=at(2026, 11, 23, 9),
                          calendar=rep.organization.calendar, quantity=-1)
    db.session.rollback()


def test_a_batch_of_one_persons_day_is_capped_once_in_the_team_rollup(make):
    north = make.team("North")
    ada = make.user("ada@example.com", team=north)
    bo = make.user("bo@example.com", team=north)
    calls = make.metric("calls", daily_cap=5)
    revenue = make.metric("revenue", aggregation="sum", daily_cap=1000)

    record_many(ada, [entry(calls, quantity=2), entry(calls, quantity=2),
                      entry(calls, quantity=3), entry(calls, day=24),
                      entry(revenue, quantity=600), entry(revenue, quantity=600)])
    record_many(ada, [entry(calls, quantity=4), entry(revenue, quantity=700)], source="crm")
    record_many(bo, [entry(calls, quantity=4), entry(calls, quantity=1)])
    db.session.commit()

    assert kept(db.session) == recount(db.session)
    assert kept(db.session)[(north.id, calls.id, date(2026, 11, 23))][0] == 5 + 5
    activities.remove(db.session, db.session.scalar(select(Activity).where(
        Activity.user_id == ada.id, Activity.quantity == 600).limit(1)), ada)
    db.session.commit()
    assert kept(db.session) == recount(db.session)


# ---- Through the sync API: one batch, the same handful of statements however many items.

@pytest.fixture
def rep(make, auth):
    make.metric("calls")
    make.metric("revenue", aggregation="sum", daily_cap=10_000)
    user = make.user("rep@example.com", team=make.team("North"))
    auth.sign_in("rep@example.com")
    return user


def item(number, **fields):
    return {"client_id": str(uuid.uuid4()), "metric": ("calls", "revenue")[number % 2],
            "quantity": 1 + number, "occurred_at": (utcnow() - timedelta(hours=number)).isoformat(),
            **fields}


def send(client, items):
    token = client.get("/api/v1/session").json["csrf_token"]
    with statements() as seen:
        response = client.post(URL, json={"device_id": "phone", "pending": 0, "activities": items},
                               headers={"X-CSRFToken": token})
    assert response.status_code == 200
    return response, list(seen)


def writes(seen):
    return [each for each in seen
            if each.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_a_sync_batch_runs_the_same_few_statements_whatever_its_size(rep, client):
    _one, alone = send(client, [item(0)])
    response, twenty = send(client, [item(number) for number in range(20)])

    assert [r["status"] for r in response.json["results"]] == ["created"] * 20
    assert len(twenty) == len(alone) <= 16
    assert re.match(r"\s*UPDATE users SET numbers_version", writes(twenty)[0])  # the lock order
    assert [re.match(r"\s*(?:INSERT INTO|UPDATE)\s+(\w+)", each).group(1)
            for each in writes(twenty)] == [
        "users", "activities", "daily_rollups", "team_rollups", "device_outboxes"]


def test_a_sync_batch_of_duplicates_writes_no_activity_and_moves_nobody(rep, client):
    items = [item(number) for number in range(5)]
    send(client, items)
    response, seen = send(client, items)

    assert [r["status"] for r in response.json["results"]] == ["duplicate"] * 5
    assert [re.match(r"\s*(?:INSERT INTO|UPDATE)\s+(\w+)", each).group(1)
            for each in writes(seen)] == ["device_outboxes"]


def test_an_item_the_database_refuses_in_a_sync_batch_is_not_stored_and_the_rest_are(
    rep, client, monkeypatch
):
    validate = sync._validate

    def let_a_negative_quantity_through(item, *args):
        fields = validate(item, *args)
        return {**fields, "quantity": -1} if item.get("note") == "refuse me" else fields

    monkeypatch.setattr(sync, "_validate", let_a_negative_quantity_through)
    items = [item(0), item(1), item(2, note="refuse me"), item(3)]

    response, _seen = send(client, items)

    results = response.json["results"]
    assert [r["status"] for r in results] == ["created", "created", "rejected", "created"]
    assert results[2]["code"] == "not_stored"
    stored = {str(each) for each in db.session.scalars(select(Activity.client_id))}
    assert stored == {items[0]["client_id"], items[1]["client_id"], items[3]["client_id"]}
    assert db.session.scalar(select(func.sum(DailyRollup.total))) == 1 + 2 + 4


def test_someone_elses_client_id_is_refused_wherever_it_sits_in_a_batch(rep, make, client):
    other = make.user("other@example.com")
    theirs = record_many(other, [entry(make.metric("visits"))])[0]
    db.session.commit()
    taken = str(theirs.activity.client_id)
    items = [item(0, client_id=taken), item(1), item(2, client_id=taken), item(3)]

    response, _seen = send(client, items)

    assert [(r["status"], r.get("code")) for r in response.json["results"]] == [
        ("rejected", "client_id_taken"), ("created", None),
        ("rejected", "client_id_taken"), ("created", None)]


def test_an_invalid_repeat_of_an_item_stored_in_the_same_batch_is_a_duplicate(rep, client):
    first = item(0)
    response, _seen = send(client, [first, {**first, "quantity": -5}, {**first, "metric": "x"}])
    assert [r["status"] for r in response.json["results"]] == ["created", "duplicate",
                                                               "duplicate"]


def test_the_write_paths_own_statements_are_compiled_once_and_kept(rep, client):
    from sqlalchemy import event

    send(client, [item(0), item(1)])  # the first batch of several compiles them
    hits = []

    def note(_conn, _cursor, statement, _parameters, context, _many):
        table = re.match(r"\s*INSERT INTO (\w+)", statement)
        if table and table.group(1) in ("activities", "daily_rollups", "device_outboxes"):
            hits.append((table.group(1), context.cache_hit == context.dialect.CACHE_HIT))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        send(client, [item(number) for number in range(7)])
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert hits == [("activities", True), ("daily_rollups", True), ("device_outboxes", True)]


def test_the_batch_is_read_and_checked_before_any_write_lock(rep, client):
    _response, seen = send(client, [item(number) for number in range(20)])

    first_write = next(index for index, each in enumerate(seen)
                       if re.match(r"\s*UPDATE users", each))
    before = " ".join(seen[:first_write])
    assert "FROM metrics" in before and "FROM activities" in before  # read without a lock
    if db.engine.dialect.name == "sqlite":  # SQLite's one lock, taken just before the writes
        assert seen[first_write - 1].strip() == "BEGIN IMMEDIATE"
        assert "BEGIN IMMEDIATE" not in before.replace(seen[first_write - 1], "")
    assert len(seen) - first_write <= 8  # what holds the locks: the writes alone
