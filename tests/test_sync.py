"""POST /api/v1/activities: the phone's outbox, ingested item by item and exactly once."""

import json
import math
import uuid
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Activity, DailyRollup, DeviceOutbox, LoginSession
from models.types import utcnow
from services import activities, pending, sync
from tests.conftest import at

URL = "/api/v1/activities"
ROME, NEW_YORK = ZoneInfo("Europe/Rome"), ZoneInfo("America/New_York")


@pytest.fixture
def rep(make, auth):
    make.metric("calls")
    make.metric("revenue", aggregation="sum", kind="lagging", unit="EUR")
    make.metric("retired", active=False)
    user = make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    return user


def token(client):
    return client.get("/api/v1/session").json["csrf_token"]


def send(client, items, **batch):
    return client.post(
        URL, json={"activities": items, **batch}, headers={"X-CSRFToken": token(client)}
    )


def item(**fields):
    """A valid item: one call an hour ago, by a phone in Rome."""
    when = (utcnow() - timedelta(hours=1)).astimezone(ROME).isoformat()
    return {"client_id": str(uuid.uuid4()), "metric": "calls", "quantity": 1,
            "occurred_at": when, "note": "", **fields}


def statuses(response):
    return [result["status"] for result in response.json["results"]]


def count_activities():
    return db.session.scalar(select(func.count(Activity.id)))


def test_new_items_are_created_and_a_replay_of_them_says_duplicate(rep, client):
    items = [item(), item(metric="revenue", quantity=1250.5, note="Signed")]

    first = send(client, items)
    again = send(client, items)

    assert first.status_code == 200 and first.json == {"results": [
        {"client_id": items[0]["client_id"], "status": "created"},
        {"client_id": items[1]["client_id"], "status": "created"},
    ]}
    assert statuses(again) == ["duplicate", "duplicate"]
    rows = db.session.scalars(select(Activity).order_by(Activity.id)).all()
    assert [(str(r.client_id), r.quantity, r.note, r.source) for r in rows] == [
        (items[0]["client_id"], 1, None, "offline"),
        (items[1]["client_id"], 1250.5, "Signed", "offline"),
    ]
    assert first.headers["Cache-Control"] == "no-store"


def test_the_same_item_twice_in_one_batch_is_stored_once(rep, client):
    one = item()
    assert statuses(send(client, [one, one])) == ["created", "duplicate"]
    assert count_activities() == 1


def test_occurred_at_is_the_devices_time_whatever_its_offset(rep, client):
    when = (utcnow() - timedelta(hours=3)).replace(microsecond=0)
    send(client, [item(occurred_at=when.astimezone(ROME).isoformat()),
                  item(occurred_at=when.astimezone(NEW_YORK).isoformat()),
                  item(occurred_at=when.isoformat().replace("+00:00", "Z"))])
    assert [a.occurred_at for a in db.session.scalars(select(Activity))] == [when] * 3


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"metric": "nope"}, "unknown_metric"),
        ({"metric": "retired"}, "unknown_metric"),
        ({"metric": None}, "unknown_metric"),
        ({"quantity": -1}, "bad_quantity"),
        ({"quantity": 0}, "bad_quantity"),
        ({"quantity": 0.001}, "bad_quantity"),
        ({"quantity": "3"}, "bad_quantity"),
        ({"quantity": True}, "bad_quantity"),
        ({"quantity": None}, "bad_quantity"),
        ({"quantity": math.inf}, "bad_quantity"),
        ({"quantity": 10**12}, "bad_quantity"),
        ({"value": -2}, "bad_value"),
        ({"occurred_at": "2026-11-23T10:00:0"}, "bad_time"),
        ({"occurred_at": "yesterday afternoon"}, "bad_time"),
        ({"occurred_at": 1763900000}, "bad_time"),
        ({"occurred_at": None}, "bad_time"),
        ({"client_id": "not-a-uuid"}, "bad_client_id"),
        ({"client_id": None}, "bad_client_id"),
        ({"note": "x" * 1001}, "bad_note"),
        ({"note": ["a list"]}, "bad_note"),
        ({"note": "a\udc80b"}, "bad_note"),
        ({"note": "NUL\x00"}, "bad_note"),
    ],
)
def test_an_invalid_item_is_rejected_with_its_reason(rep, client, fields, code):
    sent = item(**fields)
    result = send(client, [sent]).json["results"][0]
    assert result["status"] == "rejected" and result["code"] == code
    assert result["error"]  # a sentence for the rep
    assert result["client_id"] == sent["client_id"]
    assert count_activities() == 0


def test_a_time_more_than_five_minutes_ahead_is_rejected_as_on_the_web_form(rep, client):
    ahead = [item(occurred_at=(utcnow() + timedelta(minutes=m)).isoformat()) for m in (4, 6)]
    results = send(client, ahead).json["results"]
    assert [r["status"] for r in results] == ["created", "rejected"]
    assert results[1]["code"] == "in_future"
    assert results[1]["error"] == "That time is in the future."


def test_a_time_without_an_offset_is_read_in_the_reps_own_timezone(rep, client):
    rep.timezone = "America/New_York"  # the organisation is in Rome
    db.session.commit()
    typed = (utcnow() - timedelta(hours=2)).astimezone(NEW_YORK).replace(tzinfo=None)

    sent = item(occurred_at=typed.isoformat(timespec="minutes"))

    assert statuses(send(client, [sent])) == ["created"]
    stored = db.session.scalar(select(Activity)).occurred_at
    assert stored == typed.replace(second=0, microsecond=0, tzinfo=NEW_YORK)


def test_a_time_more_than_a_year_ago_is_rejected(rep, client):
    old = item(occurred_at=(utcnow() - timedelta(days=400)).isoformat())
    assert send(client, [old]).json["results"][0]["code"] == "too_old"


def test_an_item_that_is_not_an_object_is_rejected(rep, client):
    results = send(client, ["calls", 3, None]).json["results"]
    assert [(r["client_id"], r["code"]) for r in results] == [(None, "not_an_object")] * 3


def test_a_batch_mixing_good_and_bad_items_saves_the_good_ones(rep, client):
    good = [item(), item(quantity=2), item(metric="revenue", quantity=99.5)]
    bad = [item(metric="nope"), item(quantity=-1), item(client_id="x")]
    batch = [good[0], bad[0], good[1], bad[1], bad[2], good[2]]

    response = send(client, batch)

    assert statuses(response) == [
        "created", "rejected", "created", "rejected", "rejected", "created"
    ]
    stored = {str(a.client_id) for a in db.session.scalars(select(Activity))}
    assert stored == {one["client_id"] for one in good}
    calls = db.session.scalar(select(func.sum(DailyRollup.total)).where(DailyRollup.entries > 0))
    assert calls == 1 + 2 + 99.5


def test_another_persons_client_id_is_rejected_never_a_duplicate(rep, make, client):
    other = make.user("other@example.com")
    theirs = activities.record(
        db.session, user=other, metric=make.metric("visits"), occurred_at=at(2026, 11, 20),
        calendar=other.organization.calendar,
    ).activity
    db.session.commit()

    result = send(client, [item(client_id=str(theirs.client_id))]).json["results"][0]

    assert (result["status"], result["code"]) == ("rejected", "client_id_taken")
    assert [a.user_id for a in db.session.scalars(select(Activity))] == [other.id]


def test_a_retry_after_the_metric_was_retired_is_still_a_duplicate(rep, client, make):
    sent = item()
    send(client, [sent])
    calls = db.session.scalar(select(Activity)).metric
    calls.active = False
    db.session.commit()
    assert statuses(send(client, [sent])) == ["duplicate"]


def test_an_activity_undone_on_the_web_is_not_brought_back_by_a_replay(rep, client):
    sent = item()
    send(client, [sent])
    activity = db.session.scalar(select(Activity))
    activities.remove(db.session, activity, rep)
    db.session.commit()
    assert statuses(send(client, [sent])) == ["duplicate"]
    assert db.session.scalar(select(func.sum(DailyRollup.entries))) == 0


def test_signed_out_gets_a_json_401_not_a_sign_in_page(rep, client, auth):
    csrf = token(client)
    auth.sign_out()
    response = client.post(URL, json={"activities": [item()]}, headers={"X-CSRFToken": csrf})
    assert response.status_code == 401
    assert response.json["code"] == "signed_out" and response.json["error"]
    session = client.get("/api/v1/session")
    assert session.status_code == 401 and session.json["code"] == "signed_out"
    assert count_activities() == 0


def test_a_session_ended_on_the_server_gets_a_json_401(rep, client):
    csrf = token(client)
    db.session.execute(LoginSession.__table__.delete())
    db.session.commit()
    response = client.post(URL, json={"activities": [item()]}, headers={"X-CSRFToken": csrf})
    assert response.status_code == 401 and response.json["code"] == "signed_out"


@pytest.mark.parametrize("header", [None, "not-the-token"])
def test_a_missing_or_wrong_csrf_token_gets_json_with_code_csrf(rep, client, header):
    headers = {"X-CSRFToken": header} if header else {}
    response = client.post(URL, json={"activities": [item()]}, headers=headers)
    assert response.status_code == 400
    assert response.json["code"] == "csrf" and response.json["error"]
    assert count_activities() == 0


def test_the_session_endpoint_gives_the_user_and_a_working_token(rep, client):
    answer = client.get("/api/v1/session").json
    assert answer["user"] == {"id": rep.id, "name": "Rep"}
    response = client.post(URL, json={"activities": [item()]},
                           headers={"X-CSRFToken": answer["csrf_token"]})
    assert statuses(response) == ["created"]


@pytest.mark.parametrize(
    "body",
    ["[]", '"activities"', '{"activities": {}}', '{"items": []}',
     '{"activities": [], "pending": -1}', '{"activities": [], "device_id": ""}',
     '{"activities": [], "device_id": 7}'],
)
def test_malformed_json_gets_a_400_json_answer(rep, client, body):
    response = client.post(URL, data=body, content_type="application/json",
                           headers={"X-CSRFToken": token(client)})
    assert response.status_code == 400 and response.json["code"] == "malformed"


@pytest.mark.parametrize("body", ["{not json", "", "{", '{"activities": [1, 2', "\ufeff{}"])
def test_a_body_that_cannot_be_read_as_json_gets_a_400_with_code_unreadable(rep, client, body):
    response = client.post(URL, data=body, content_type="application/json",
                           headers={"X-CSRFToken": token(client)})
    assert response.status_code == 400
    assert response.json == {"code": "unreadable",
                             "error": "What this phone sent could not be read."}


def test_a_form_post_instead_of_json_gets_a_400(rep, client):
    response = client.post(URL, data={"activities": "x"}, headers={"X-CSRFToken": token(client)})
    assert response.status_code == 400 and response.json["code"] == "unreadable"


def test_a_batch_over_the_limit_is_refused_whole(rep, client):
    response = send(client, [item() for _ in range(sync.MAX_BATCH + 1)])
    assert response.status_code == 413 and response.json["code"] == "too_many"
    assert count_activities() == 0
    assert statuses(send(client, [item() for _ in range(sync.MAX_BATCH)])) == ["created"] * 500


def test_a_body_over_the_size_limit_gets_a_413_json_answer(rep, client):
    body = json.dumps({"activities": [item(note="x" * 1000) for _ in range(2500)]})
    response = client.post(URL, data=body, content_type="application/json",
                           headers={"X-CSRFToken": token(client)})
    assert response.status_code == 413 and response.json["code"] == "too_large"


def test_only_reps_log_activities(make, auth, client):
    make.metric("calls")
    make.user("boss@example.com", roles=("manager",))
    auth.sign_in("boss@example.com")
    response = send(client, [item()])
    assert response.status_code == 403 and response.json["code"] == "forbidden"


def test_the_device_reports_what_it_still_holds_for_the_team_screens(rep, client):
    response = send(client, [item(), item(metric="nope")], device_id="phone-1", pending=4)
    assert statuses(response) == ["created", "rejected"]
    row = db.session.get(DeviceOutbox, (rep.id, "phone-1"))
    assert row.pending == 4 + 1  # what it did not send, and the item it keeps as rejected
    send(client, [], device_id="phone-1", pending=0)
    assert pending.pending_by_user(db.session, [rep.id]) == {}


def test_a_sunday_2350_by_the_phone_counts_in_that_week_though_it_syncs_on_monday(make, app):
    make.organization.week_start = 0  # weeks start on Monday, in Rome
    make.metric("calls")
    rep = make.user("rep@example.com")
    monday_morning = at(2026, 11, 23, 7, 30)
    items = [
        item(occurred_at="2026-11-22T23:50:00+01:00"),  # Sunday 23:50 in Rome
        item(occurred_at="2026-11-22T17:50:00-05:00"),  # the same instant, a phone in New York
        item(occurred_at="2026-11-23T00:10:00+01:00"),  # Monday 00:10 in Rome
    ]

    results = sync.ingest(db.session, rep, sync.Batch(items), monday_morning)
    db.session.commit()

    assert [r.status for r in results] == ["created"] * 3
    days = [a.local_day for a in db.session.scalars(select(Activity).order_by(Activity.id))]
    assert days == [date(2026, 11, 22), date(2026, 11, 22), date(2026, 11, 23)]
    last_week = activities.totals_by_metric(
        db.session, [rep.id], date(2026, 11, 16), date(2026, 11, 22)
    )
    this_week = activities.totals_by_metric(
        db.session, [rep.id], date(2026, 11, 23), date(2026, 11, 29)
    )
    assert list(last_week.values()) == [2] and list(this_week.values()) == [1]


def test_every_reason_to_reject_has_a_sentence_for_the_rep():
    from blueprints.api.views import REASONS

    assert set(REASONS) == set(sync.REASONS)


def test_a_phone_running_fast_has_its_own_stamps_put_on_our_clock(rep, client):
    fast = timedelta(minutes=10)
    now = utcnow()
    stamped = item(occurred_at=(now + fast - timedelta(minutes=1)).isoformat())
    typed_at = (now - timedelta(hours=2)).astimezone(ROME).replace(tzinfo=None, microsecond=0)
    typed = item(occurred_at=typed_at.isoformat())

    sent = send(client, [stamped, typed], sent_at=(now + fast).isoformat())

    assert statuses(sent) == ["created", "created"]
    rows = {str(row.client_id): row.occurred_at
            for row in db.session.scalars(select(Activity))}
    moved = rows[stamped["client_id"]] - (now - timedelta(minutes=1))
    assert abs(moved) < timedelta(seconds=5)  # only the request's own transit remains
    assert rows[typed["client_id"]] == typed_at.replace(tzinfo=ROME)  # typed: as meant


def test_without_sent_at_or_with_an_unbelievable_one_stamps_are_taken_as_they_are(rep, client):
    ahead = item(occurred_at=(utcnow() + timedelta(minutes=10)).isoformat())
    assert statuses(send(client, [ahead])) == ["rejected"]
    far = (utcnow() + timedelta(days=2, minutes=10)).isoformat()
    assert statuses(send(client, [ahead], sent_at=far)) == ["rejected"]
    assert count_activities() == 0


@pytest.mark.parametrize("sent_at", ["2026-11-23T08:00:00", "yesterday", 5, ""])
def test_a_sent_at_that_is_not_an_instant_refuses_the_batch(rep, client, sent_at):
    response = send(client, [item()], sent_at=sent_at)
    assert response.status_code == 400
    assert response.json["code"] == "malformed"
    assert count_activities() == 0
