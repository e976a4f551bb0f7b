"""Property: however batches repeat, reorder and partly fail, each client id is stored at most
once, as its first valid sender sent it, and the daily roll-ups equal a recount."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from extensions import db
from models import Activity, DailyRollup, DeviceOutbox, Metric
from periods import local_date
from services import activity_times, sync
from tests.conftest import at

NOW = at(2026, 11, 23, 12)
ROME = ZoneInfo("Europe/Rome")
IDS = [str(uuid.UUID(int=n)) for n in range(1, 7)]
TIMES = [
    "2026-11-22T23:50:00+01:00",  # Sunday night in Rome
    "2026-11-22T17:50:00-05:00",  # the same instant in New York
    "2026-11-23T09:00:00Z",
    "2026-11-23T17:34:00+05:30",  # ahead, but less than five minutes: a fast clock
    "2026-11-23T12:06:00+00:00",  # more than five minutes ahead: rejected
    "2025-10-01T09:00:00+00:00",  # more than a year ago: rejected
    "2026-11-23T09:00:00",  # no offset: as typed, in the rep's timezone (Rome)
    "2026-11-23T13:06",  # as typed in Rome, more than five minutes ahead: rejected
    "this morning",  # not a time: rejected
]
ACTIVE = ("calls", "revenue")
METRICS = (*ACTIVE, "retired", "nope")
QUANTITIES = (1, 2, 2.5, 0.004, 0, -1, "1", True, None)

items = st.fixed_dictionaries({
    "client_id": st.sampled_from([*IDS, "not-a-uuid"]),
    "metric": st.sampled_from(METRICS),
    "quantity": st.sampled_from(QUANTITIES),
    "occurred_at": st.sampled_from(TIMES),
})
# Who sends, what, and whether the transaction commits or dies before it does.
steps = st.tuples(
    st.sampled_from(["rep", "other"]),
    st.lists(items, max_size=6),
    st.sampled_from(["commit", "commit", "commit", "crash"]),
    st.booleans(),  # also replay an earlier batch, reordered (a retry after a lost answer)
)


@pytest.fixture
def world(make):
    make.metric("calls")
    make.metric("revenue", aggregation="sum", kind="lagging")
    make.metric("retired", active=False)
    return {"rep": make.user("rep@example.com"), "other": make.user("other@example.com")}


def is_valid(item):
    quantity, when = item["quantity"], item["occurred_at"]
    if item["metric"] not in ACTIVE or isinstance(quantity, bool):
        return False
    if not isinstance(quantity, int | float) or round(quantity, 2) <= 0:
        return False
    try:
        instant = datetime.fromisoformat(when)
    except ValueError:
        return False
    instant = instant if instant.tzinfo else instant.replace(tzinfo=ROME)
    return -timedelta(days=366) <= instant - NOW <= timedelta(minutes=5)


def expected_statuses(user_id, batch, stored):
    """What the server must answer, and the stored rows after it if the batch commits."""
    stored = dict(stored)
    answers = []
    for item in batch:
        client_id = item["client_id"]
        if client_id not in IDS:
            answers.append("rejected")
        elif client_id in stored:
            answers.append("duplicate" if stored[client_id][0] == user_id else "rejected")
        elif not is_valid(item):
            answers.append("rejected")
        else:
            answers.append("created")
            stored[client_id] = (user_id, item["metric"], round(item["quantity"], 2),
                                 activity_times.read(datetime.fromisoformat(item["occurred_at"]),
                                                     "Europe/Rome"))
    return answers, stored


def reset():
    db.session.rollback()
    for model in (Activity, DailyRollup, DeviceOutbox):
        db.session.execute(delete(model))
    db.session.commit()


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_sequence_of_batches_stores_each_client_id_once_and_rollups_match_a_recount(
    app, world, data
):
    reset()
    calendar = world["rep"].organization.calendar
    stored, sent = {}, []
    for who, batch, outcome, replay in data.draw(st.lists(steps, min_size=1, max_size=8)):
        if replay and sent:
            batch = batch + data.draw(st.permutations(data.draw(st.sampled_from(sent))))
        user = world[who]
        want, after = expected_statuses(user.id, batch, stored)

        results = sync.ingest(db.session, user, sync.Batch(batch, "phone", 0), NOW)

        assert [result.status for result in results] == want
        assert [result.client_id for result in results] == [item["client_id"] for item in batch]
        if outcome == "commit":
            db.session.commit()
            stored = after
        else:
            db.session.rollback()
        sent.append(batch)

    keys = dict(db.session.execute(select(Metric.id, Metric.key)).all())
    rows = db.session.scalars(select(Activity)).all()
    assert len(rows) == len(stored)
    assert {
        str(row.client_id): (row.user_id, keys[row.metric_id], row.quantity, row.occurred_at)
        for row in rows
    } == stored
    assert {row.source for row in rows} <= {"offline"}

    rollups = {
        (r.user_id, r.metric_id, r.day): (r.entries, r.total)
        for r in db.session.scalars(select(DailyRollup)) if r.entries
    }
    recount = {
        (user_id, metric_id, day): (entries, total)
        for user_id, metric_id, day, entries, total in db.session.execute(
            select(Activity.user_id, Activity.metric_id, Activity.local_day,
                   func.count(Activity.id), func.sum(Activity.quantity))
            .group_by(Activity.user_id, Activity.metric_id, Activity.local_day)
        )
    }
    assert rollups == recount
    by_model = {}
    for user_id, key, quantity, when in stored.values():
        metric_id = next(id_ for id_, k in keys.items() if k == key)
        slot = (user_id, metric_id, local_date(when, calendar))
        entries, total = by_model.get(slot, (0, 0))
        by_model[slot] = (entries + 1, total + quantity)
    assert rollups == by_model  # quantities are halves: their sums are exact
