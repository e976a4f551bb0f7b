"""One rule for when an activity happened (services/activity_times.py), and the web form and the
phone's outbox both following it."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from extensions import db
from models import Activity
from models.types import utcnow
from services import activity_times
from tests.conftest import at

NOW = at(2026, 11, 23, 12)
NEW_YORK = ZoneInfo("America/New_York")


def test_a_time_with_an_offset_is_that_instant_whatever_the_timezone():
    when = datetime.fromisoformat("2026-11-22T23:50:00+01:00")
    assert activity_times.read(when, "America/New_York") == when


def test_a_typed_time_is_read_in_the_persons_timezone():
    typed = datetime(2026, 11, 22, 23, 50)
    assert activity_times.read(typed, "America/New_York") == at(2026, 11, 23, 4, 50)
    assert activity_times.read(typed, "Europe/Rome") == at(2026, 11, 22, 22, 50)


@pytest.mark.parametrize(
    "offset, problem",
    [
        (timedelta(minutes=5), None),
        (timedelta(minutes=5, seconds=1), "in_future"),
        (timedelta(days=1), "in_future"),
        (-timedelta(days=366), None),
        (-timedelta(days=366, seconds=1), "too_old"),
    ],
)
def test_five_minutes_ahead_at_most_and_a_year_back(offset, problem):
    assert activity_times.problem(NOW + offset, NOW) == problem


@given(st.datetimes(), st.sampled_from(["Europe/Rome", "America/New_York", "Asia/Kolkata",
                                        "Pacific/Kiritimati", "UTC"]))
def test_any_typed_time_in_any_timezone_is_judged_without_raising(typed, timezone):
    when = activity_times.read(typed, timezone)
    assert activity_times.problem(when, NOW) in {None, "in_future", "too_old"}


@pytest.fixture
def rep_in_new_york(make, auth):
    make.metric("calls")
    rep = make.user("rep@example.com", timezone="America/New_York")  # the organisation: Rome
    auth.sign_in("rep@example.com")
    return rep


def log_on_the_web(auth, typed):
    return auth.post("/today/log", {"metric": "calls", "client_id": str(uuid.uuid4()),
                                    "quantity": "1", "occurred_at": typed})


def log_from_the_phone(client, typed):
    token = client.get("/api/v1/session").json["csrf_token"]
    item = {"client_id": str(uuid.uuid4()), "metric": "calls", "quantity": 1,
            "occurred_at": typed}
    response = client.post("/api/v1/activities", json={"activities": [item]},
                           headers={"X-CSRFToken": token})
    return response.json["results"][0]["status"]


@pytest.mark.parametrize(
    "offset, accepted",
    [
        (timedelta(hours=-3), True),
        (timedelta(minutes=3), True),
        (timedelta(minutes=20), False),
        (timedelta(hours=6), False),  # fine by Rome's clock or a day's slack; not here
        (timedelta(days=-365), True),
        (timedelta(days=-367), False),
    ],
)
def test_the_web_form_and_the_phone_read_and_judge_a_typed_time_alike(
    rep_in_new_york, auth, client, offset, accepted
):
    typed = (utcnow() + offset).astimezone(NEW_YORK).strftime("%Y-%m-%dT%H:%M")

    web = log_on_the_web(auth, typed)
    phone = log_from_the_phone(client, typed)

    assert (web.status_code == 302) == accepted
    assert (phone == "created") == accepted
    times = db.session.scalars(select(Activity.occurred_at)).all()
    expected = datetime.fromisoformat(typed).replace(tzinfo=NEW_YORK)
    assert times == ([expected, expected] if accepted else [])


@pytest.mark.parametrize(
    ("ahead", "corrected"),
    [
        (None, timedelta(0)),  # the device said nothing
        (timedelta(seconds=40), timedelta(0)),  # a slow upload, not a wrong clock
        (timedelta(minutes=10), timedelta(minutes=10)),
        (-timedelta(hours=3), -timedelta(hours=3)),
        (timedelta(days=2), timedelta(0)),  # past belief: no clock at all
    ],
)
def test_a_devices_clock_error_is_corrected_only_when_it_is_clearly_wrong(ahead, corrected):
    device_now = None if ahead is None else NOW + ahead
    assert activity_times.clock_error(device_now, NOW) == corrected
