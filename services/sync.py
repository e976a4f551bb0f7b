"""Ingesting activities that reps' devices logged offline: validated item by item before anything
is written (`check`, which needs no database), then written as one batch (`store`, through
services.activities.record_many), idempotent by client id; one bad item never loses the good
ones."""

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from models import Activity, Metric
from services import activities, activity_times, json_items, pending

MAX_BATCH = 500
MAX_NOTE = 1000
MAX_QUANTITY = 1_000_000_000
MAX_VALUE = 1_000_000
MAX_DEVICE_ID = 64
MAX_PENDING = 1_000_000

CREATED, DUPLICATE, REJECTED = "created", "duplicate", "rejected"

# Why an item was rejected; the API turns each into a sentence in the rep's language.
REASONS = (
    "unreadable",
    "not_an_object",
    "bad_client_id",
    "client_id_taken",
    "unknown_metric",
    "bad_quantity",
    "bad_value",
    "bad_time",
    "in_future",
    "too_old",
    "bad_note",
    "not_stored",
)


@dataclass(frozen=True)
class Result:
    client_id: object  # as the device sent it, so it can match the answer to its item
    status: str
    reason: str | None = None


@dataclass(frozen=True)
class Batch:
    items: list
    device_id: str | None = None
    pending: int = 0
    sent_at: datetime | None = None  # the device's clock as it sent the batch


class BadBatch(ValueError):
    """The request as a whole is unusable: nothing in it was looked at."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def read_batch(body):
    """A Batch from the request body (JSON bytes), each item decoded on its own: an item that
    cannot be decoded is json_items.UNREADABLE, rejected later as "unreadable". BadBatch
    ("unreadable" | "malformed" | "too_many") when the body as a whole is unusable."""
    try:
        members, items = json_items.read(body, "activities", MAX_BATCH)
    except json_items.TooMany:
        raise BadBatch("too_many") from None
    except json_items.Unreadable:
        raise BadBatch("unreadable") from None
    except json_items.NotAnObject:
        raise BadBatch("malformed") from None
    if items is None:
        raise BadBatch("malformed")
    return parse_batch({**members, "activities": items})


def parse_batch(payload):
    """A Batch from the decoded JSON body; BadBatch("malformed" | "too_many") otherwise."""
    if not isinstance(payload, dict) or not isinstance(payload.get("activities"), list):
        raise BadBatch("malformed")
    items = payload["activities"]
    if len(items) > MAX_BATCH:
        raise BadBatch("too_many")
    device_id, count = payload.get("device_id"), payload.get("pending", 0)
    if device_id is not None and not (
        _storable(device_id) and 0 < len(device_id) <= MAX_DEVICE_ID
    ):
        raise BadBatch("malformed")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_PENDING:
        raise BadBatch("malformed")
    sent_at = payload.get("sent_at")
    if sent_at is not None:
        sent_at = _instant(sent_at, "UTC")
        if isinstance(sent_at, str) or not sent_at[1]:
            raise BadBatch("malformed")  # the device's clock is an instant, with its offset
        sent_at = sent_at[0]
    return Batch(items, device_id, count, sent_at)


@dataclass(frozen=True)
class Checked:
    """A batch read item by item with no database: what `store` settles and writes."""

    items: list  # of _Item, in order
    metrics: dict  # {key: Metric} of the organisation's active metrics
    owners: dict  # {client id: user id} of those already stored when checked
    calendar: object  # the organisation's, whose days the activities count in
    device_id: str | None
    pending: int


@dataclass(frozen=True)
class _Item:
    sent_id: str | None  # the client id as sent, echoed in the answer (text only)
    client_id: object  # as a UUID, or None
    metric: object  # the metric's key as sent
    outcome: object  # a Result already, a reason to reject it, or the fields to store


def ingest(session, user, batch, now):
    """Store each new, valid activity of the batch as the user's; one Result per item, in order.

    Activities count in the period of their device time, in the organisation's timezone. The
    caller commits. A client id the user already sent is a duplicate (whatever it now says); one
    another person sent is rejected, never a duplicate.
    """
    return store(session, user, check(session, user, batch, now), now)


def check(session, user, batch, now):
    """Everything about the batch that needs no write (so no lock): each item's client id and
    fields, or why it cannot be stored; the metrics, and which client ids are stored already."""
    clock_error = activity_times.clock_error(batch.sent_at, now)
    timezone = user.display_timezone
    items = []
    for item in batch.items:
        client_id = _client_id(item)
        # Echoed so the device can match the answer to its item: text only (a number could
        # be one JSON cannot carry back, such as inf).
        sent_id = _get(item, "client_id") if isinstance(_get(item, "client_id"), str) else None
        metric, outcome = None, None
        if item is json_items.UNREADABLE:
            outcome = Result(None, REJECTED, "unreadable")
        elif not isinstance(item, dict):
            outcome = Result(None, REJECTED, "not_an_object")
        elif client_id is None:
            outcome = Result(sent_id, REJECTED, "bad_client_id")
        else:
            metric, outcome = item.get("metric"), _validate(item, timezone, now, clock_error)
        items.append(_Item(sent_id, client_id, metric, outcome))
    # Read now, without the lock: an id stored a moment later is found by the write itself,
    # which reads the metrics' gates and caps again once it holds the person's row.
    metrics = {
        metric.key: metric
        for metric in session.scalars(
            select(Metric).where(
                Metric.organization_id == user.organization_id, Metric.active.is_(True)
            )
        )
    }
    owners = _owners(session, {item.client_id for item in items if item.client_id is not None})
    return Checked(items, metrics, owners, user.organization.calendar, batch.device_id,
                   batch.pending)


def store(session, user, checked, now):
    """Settle each checked item against what is stored and the organisation's metrics, and
    write the new ones as one batch (services.activities.record_many); one Result per item."""
    metrics, owners = checked.metrics, checked.owners
    results = [item.outcome for item in checked.items]
    entries, places, first, repeats = [], [], {}, []
    for place, item in enumerate(checked.items):
        if isinstance(item.outcome, Result):
            continue
        # Known ids are settled before validation: a retry of something already stored is a
        # duplicate even if, say, its metric was retired since.
        if item.client_id in owners:
            results[place] = _known(item.sent_id, owners[item.client_id], user)
            continue
        metric = metrics.get(item.metric) if isinstance(item.metric, str) else None
        if metric is not None and isinstance(item.outcome, dict):
            first.setdefault(item.client_id, len(entries))
            entries.append(activities.Entry(metric=metric, client_id=item.client_id,
                                            **item.outcome))
            places.append(place)
            continue
        results[place] = Result(item.sent_id, REJECTED,
                                "unknown_metric" if metric is None else item.outcome)
        if item.client_id in first:  # repeats one this batch stores: answered as that one
            repeats.append((place, first[item.client_id]))
    recorded = activities.record_many(session, user, entries, calendar=checked.calendar,
                                      source="offline", now=now)
    for place, one in zip(places, recorded, strict=True):
        sent_id = checked.items[place].sent_id
        if one is None:
            results[place] = Result(sent_id, REJECTED, "not_stored")
        elif one.created:
            results[place] = Result(sent_id, CREATED)
        else:  # stored before: by another request a moment ago, or earlier in this batch
            results[place] = _known(sent_id, one.user_id, user)
    for place, entry in repeats:
        if recorded[entry] is not None:
            results[place] = _known(checked.items[place].sent_id, recorded[entry].user_id, user)
    if checked.device_id is not None:
        # What the device still holds: what it did not send, and what we refused just now.
        kept = checked.pending + sum(1 for result in results if result.status == REJECTED)
        pending.report(session, user, checked.device_id, kept, now,
                       person_changed=bool(entries))
    return results


def _get(item, key):
    return item.get(key) if isinstance(item, dict) else None


def _client_id(item):
    sent = _get(item, "client_id")
    return activities.parse_client_id(sent) if isinstance(sent, str) else None


def _storable(text):
    """Text every database stores as sent: valid Unicode (no lone surrogate, which UTF-8
    cannot encode and PostgreSQL refuses) and no NUL (PostgreSQL refuses it in text)."""
    if not isinstance(text, str) or "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _owners(session, client_ids):
    """{client id: user id} of those already stored."""
    if not client_ids:
        return {}
    return dict(session.execute(_OWNERS, {"ids": list(client_ids)}).all())


_activities = Activity.__table__
# Table columns, not the ORM's: the statement then runs without the ORM's machinery.
_OWNERS = select(_activities.c.client_id, _activities.c.user_id).where(
    _activities.c.client_id.in_(bindparam("ids", expanding=True))
)


def _known(sent_id, owner_id, user):
    if owner_id != user.id:
        return Result(sent_id, REJECTED, "client_id_taken")
    return Result(sent_id, DUPLICATE)


def _validate(item, timezone, now, clock_error):
    """The fields for an activities.Entry but its metric, or the reason they cannot be stored
    (the metric is looked up with the write: an unknown one is the first reason).

    A time the phone stamped by its own clock is put on ours (`clock_error`, what the batch's
    sent_at shows); a time the rep typed is what they meant, and stays as typed.
    """
    quantity = _number(item.get("quantity", 1), MAX_QUANTITY)
    if quantity is None or round(quantity, 2) <= 0:
        return "bad_quantity"
    value = item.get("value")
    if value is not None:
        value = _number(value, MAX_VALUE)
        if value is None or value < 0:
            return "bad_value"
    occurred_at = _instant(item.get("occurred_at"), timezone)
    if isinstance(occurred_at, str):
        return occurred_at
    occurred_at, stamped = occurred_at
    if stamped:
        occurred_at -= clock_error
    problem = activity_times.problem(occurred_at, now)
    if problem:
        return problem
    note = item.get("note")
    if note is not None and not (_storable(note) and len(note) <= MAX_NOTE):
        return "bad_note"
    return dict(
        quantity=round(quantity, 2), value=value, occurred_at=occurred_at,
        note=(note or "").strip() or None,
    )


def _number(raw, limit):
    """A finite number within ±limit, or None; booleans and numeric strings are not numbers."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    try:
        number = float(raw)
    except OverflowError:  # an integer with more digits than any float holds
        return None
    if not math.isfinite(number) or abs(number) > limit:
        return None
    return number


def _instant(raw, timezone):
    """(an aware datetime, whether the text carried a UTC offset) from ISO 8601 text, or a
    reason. Text with an offset is an instant the phone stamped; text without one is a time
    as the rep typed it, read in their timezone as the web form reads it."""
    if not isinstance(raw, str) or not 10 <= len(raw) <= 40:
        return "bad_time"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return "bad_time"
    stamped = moment.tzinfo is not None and moment.utcoffset() is not None
    return activity_times.read(moment, timezone), stamped
