"""A steady stream of activities through the sync API while a page is loaded (--live).

Devices are reps' phones, each signed in as a different rep through the real sign-in form, with
the CSRF token of `GET /api/v1/session`, as bench/sync.py's are. A dispatcher hands out batches
of 1–5 items on a schedule that adds up to a fixed number of items a second (not as fast as
the server takes them); each device sends the batches it is handed, one at a time, to
`POST /api/v1/activities` (docs/sync-api.md). Every answer is counted. A 503 is tried again
after its Retry-After (counted); any other answer that is not a 2xx, an item not stored, or a
socket that fails twice is reported on stderr at once and fails the run.
"""

import http.client
import json
import queue
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import load

API = "/api/v1/activities"
BATCH_SIZES = (1, 5)  # items a batch, smallest and largest
RETRIES_503 = 5  # a 503 is tried again this many times before it fails the run
MAX_RETRY_AFTER = 5.0  # seconds: the wait a 503's Retry-After asks for, capped so a run ends
SHOWN_503 = 5  # 503s shown in full on stderr; all are counted


@dataclass(frozen=True)
class Answered:
    """One batch the server answered with a 2xx."""

    at: float  # time.monotonic() when the answer came
    sent: float  # time.monotonic() when the batch was first sent
    items: int
    device: int
    seconds: float  # from the request's start to its answer (the last try's)


@dataclass
class Window:
    """What the writer did between two moments (time.monotonic())."""

    seconds: float
    items: int  # answered in the window
    batches: int
    by_device: Counter
    latencies: list
    items_sent: int  # first sent in the window (answered, at whatever time)

    @property
    def rate(self):
        return self.items / self.seconds if self.seconds else 0.0


@dataclass
class _Tally:
    answered: list = field(default_factory=list)  # Answered, in the order they came
    statuses: Counter = field(default_factory=Counter)  # every answer's status, 503s included
    retried_503: int = 0
    socket_retries: int = 0
    late: int = 0  # batches sent more than a second after they were due
    dropped: int = 0  # batches still queued when the writer stopped: never sent


class Device(threading.Thread):
    """A rep's phone: sends the batches it is handed, one at a time, in order."""

    def __init__(self, number, port, email, writer):
        super().__init__(name=f"live-device-{number}", daemon=True)
        self.number, self.port, self.email, self.writer = number, port, email, writer
        self.device_id = f"bench-live-{number:03d}"
        self.api = load.ApiSession(port, email)
        self.batches = queue.Queue()
        self.connection = None

    def sign_in(self, password):
        self.api.sign_in(password)

    def run(self):
        while True:
            batch = self.batches.get()
            if batch is None:
                break
            due, items = batch
            try:
                if not self.writer.sending.is_set():
                    self.writer.dropped(1)
                    continue
                if time.monotonic() - due > 1.0:
                    self.writer.count_late()
                self._deliver(items)
            except Exception as error:  # noqa: BLE001 - reported and fails the run
                self.writer.fail(f"{self.email}: {type(error).__name__}: {error}")
            finally:
                self.batches.task_done()
        self._close()

    def _deliver(self, items):
        body = json.dumps({
            "device_id": self.device_id, "pending": 0,
            "sent_at": _iso(datetime.now(UTC)), "activities": items,
        }).encode()
        tries_503 = socket_failures = 0
        sent = time.monotonic()
        while True:
            began = time.perf_counter()
            answer = self._post(body)
            if answer is None:
                # The request may or may not have been stored: the same client ids go again,
                # and come back `duplicate` if it was. A second failure in a row is a failure.
                socket_failures += 1
                if socket_failures > 1:
                    self.writer.fail(f"{self.email}: the connection failed twice in a row")
                    return
                self.writer.count_socket_retry()
                continue
            status, headers, payload = answer
            self.writer.count_status(status)
            if status == 503 and tries_503 < RETRIES_503:
                tries_503 += 1
                self.writer.count_retry_503(f"{self.email}: POST {API} answered 503 "
                                            f"(Retry-After {_header(headers, 'retry-after')}):"
                                            f" {payload[:300]!r}")
                time.sleep(_retry_after(headers))
                continue
            if not 200 <= status < 300:
                self.writer.fail(f"{self.email}: POST {API} answered {status}: "
                                 f"{payload[:300]!r}")
                return
            results = json.loads(payload).get("results", [])
            settled = [each for each in results if each.get("status") in ("created", "duplicate")]
            if len(settled) != len(items):
                self.writer.fail(f"{self.email}: POST {API} answered {status} but did not "
                                 f"store every item: {payload[:300]!r}")
                return
            self.writer.record(Answered(time.monotonic(), sent, len(items), self.number,
                                        time.perf_counter() - began))
            return

    def _post(self, body):
        """(status, headers, body) of one POST, or None if the socket failed."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection(load.HOST, self.port, timeout=60)
        headers = {"Content-Type": "application/json", "Cookie": self.api.cookie(),
                   "X-CSRFToken": self.api.token, "User-Agent": load.USER_AGENT}
        try:
            self.connection.request("POST", API, body=body, headers=headers)
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self._close()
            return None
        answer_headers = response.getheaders()
        self.api.keep_cookies(answer_headers)
        if response.will_close:
            self._close()
        return response.status, answer_headers, payload

    def _close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Writer:
    """Devices and the dispatcher that hands them batches on a schedule.

    `rate` items a second in all. One batch in `focus_every` goes to the first device (the rep
    whose scorecard is measured), so that rep's numbers change every second or two; the others
    are dealt round the remaining devices in turn.
    """

    def __init__(self, port, emails, metrics, rate, log, focus_every=10, seed=1):
        self.port, self.rate, self.log = port, rate, log
        self.metrics = metrics  # (key, is money, quality minimum) of each active metric
        self.focus_every = focus_every
        self.rng = random.Random(f"live|{seed}")
        self.devices = [Device(number, port, email, self)
                        for number, email in enumerate(emails)]
        self.sending = threading.Event()
        self.lock = threading.Lock()
        self.tally = _Tally()
        self.errors = []
        self._dispatcher = None
        self._dealt = 0
        self.set_team(1)

    def sign_in(self, password):
        for device in self.devices:
            device.sign_in(password)
        for device in self.devices:
            device.start()

    def start(self):
        """Start sending on a fresh schedule: batch n is due when the items before it, at
        `rate` a second, have had their time."""
        self.sending.set()
        self._dispatcher = threading.Thread(target=self._dispatch, name="live-dispatcher",
                                            daemon=True)
        self._dispatcher.start()

    def stop(self, wait=60.0):
        """Stop handing out batches, drop those not yet sent, and wait for the ones in flight."""
        self.sending.clear()
        if self._dispatcher is not None:
            self._dispatcher.join(wait)
        deadline = time.monotonic() + wait
        for device in self.devices:
            while device.batches.unfinished_tasks and time.monotonic() < deadline:
                time.sleep(0.05)

    def close(self):
        self.sending.clear()
        for device in self.devices:
            device.batches.put(None)
        for device in self.devices:
            device.join(5)

    def _dispatch(self):
        began, items_due = time.monotonic(), 0
        while self.sending.is_set():
            size = self.rng.randint(*BATCH_SIZES)
            due = began + items_due / self.rate
            delay = due - time.monotonic()
            if delay > 0 and not _sleep_while(self.sending, delay):
                return
            self._next_device().batches.put((due, [self._item() for _ in range(size)]))
            items_due += size

    def _next_device(self):
        self._dealt += 1
        if len(self.devices) == 1 or self._dealt % self.focus_every == 0:
            return self.devices[0]
        return self._turns[(self._dealt - self._dealt // self.focus_every) % len(self._turns)]

    def set_team(self, in_team):
        """The first `in_team` devices are the measured team's: deal the others' turns so that
        its devices come round evenly spaced, not one after another (its numbers then change
        at a steady pace through any few seconds measured)."""
        self.in_team = in_team
        team, rest = self.devices[1:in_team], self.devices[in_team:]
        placed = [((n + 0.5) / len(team), device) for n, device in enumerate(team)]
        placed += [((n + 0.5) / len(rest), device) for n, device in enumerate(rest)]
        self._turns = [device for _place, device in sorted(placed, key=lambda each: each[0])]

    def _item(self):
        key, money, quality_min = self.rng.choice(self.metrics)
        # Logged in the last two minutes: it counts today, on every screen's current period.
        occurred = datetime.now(UTC) - timedelta(seconds=self.rng.uniform(0, 120))
        item = {"client_id": str(uuid.uuid4()), "metric": key,
                "quantity": round(self.rng.uniform(500, 20000), 2) if money else 1,
                "occurred_at": _iso(occurred)}
        if quality_min is not None:
            item["value"] = round(self.rng.uniform(0.5, 20), 1)
        return item

    # What the devices report, from their threads

    def record(self, answered):
        with self.lock:
            self.tally.answered.append(answered)

    def count_status(self, status):
        with self.lock:
            self.tally.statuses[status] += 1

    def count_retry_503(self, message):
        with self.lock:
            self.tally.retried_503 += 1
            shown = self.tally.retried_503 <= SHOWN_503
        if shown:
            self.log(f"writer: {message}; tried again"
                     + ("" if self.tally.retried_503 < SHOWN_503 else " (the last 503 shown)"))

    def count_socket_retry(self):
        with self.lock:
            self.tally.socket_retries += 1

    def count_late(self):
        with self.lock:
            self.tally.late += 1

    def dropped(self, count):
        with self.lock:
            self.tally.dropped += count

    def fail(self, message):
        self.log(f"writer: {message}")
        with self.lock:
            self.errors.append(message)

    # What the writer did

    def window(self, start, end):
        """The batches answered between two moments of time.monotonic()."""
        with self.lock:
            these = [each for each in self.tally.answered if start <= each.at <= end]
            sent = sum(each.items for each in self.tally.answered if start <= each.sent <= end)
        by_device = Counter()
        for each in these:
            by_device[each.device] += each.items
        return Window(end - start, sum(each.items for each in these), len(these), by_device,
                      sorted(each.seconds for each in these), sent)

    def summary(self):
        with self.lock:
            tally = self.tally
            latencies = sorted(each.seconds for each in tally.answered)
            return (f"{sum(each.items for each in tally.answered):,} items in "
                    f"{len(tally.answered):,} batches answered; answers by status "
                    f"{dict(sorted(tally.statuses.items()))}; {tally.retried_503} retried "
                    f"after a 503, {tally.socket_retries} after a failed socket; "
                    f"{tally.late} batches sent over a second late, {tally.dropped} dropped "
                    f"at a stop; batch p50 {percentile_ms(latencies, 0.5)} ms, "
                    f"p99 {percentile_ms(latencies, 0.99)} ms")


def _sleep_while(event, seconds):
    """Sleep, waking early if the event is cleared; whether it is still set."""
    end = time.monotonic() + seconds
    while event.is_set():
        left = end - time.monotonic()
        if left <= 0:
            return True
        time.sleep(min(left, 0.05))
    return False


def percentile_ms(ordered, share):
    return f"{load._percentile(ordered, share) * 1000:.0f}" if ordered else "-"


def _header(headers, name):
    return dict((key.lower(), value) for key, value in headers).get(name)


def _retry_after(headers):
    value = _header(headers, "retry-after")
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(value)))
    except (TypeError, ValueError):
        return MAX_RETRY_AFTER


def _iso(moment):
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def choose_reps(url, rep_email, team_id, count, team_share=0.2):
    """Emails of `count` reps for the devices, how many of them (from the first) are in the
    measured team, and the active metrics the items are drawn from.

    The measured rep first; then others of the measured team, up to `team_share` of the devices
    (its grid changes under every measurement); the rest spread evenly over the other reps of
    the organisation (the executive view's numbers are everyone's).
    """
    import os

    os.environ["DATABASE_URL"] = url
    from sqlalchemy import select

    from app import create_app
    from extensions import db
    from models import Metric, User
    from models.people import UserRole

    app = create_app()
    with app.app_context():
        reps = db.session.execute(
            select(User.email, User.team_id).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "rep", User.active.is_(True)).order_by(User.id)).all()
        metrics = [(metric.key, metric.aggregation == "sum", metric.quality_min)
                   for metric in db.session.scalars(
                       select(Metric).where(Metric.active.is_(True)).order_by(Metric.position))]
        db.session.remove()
        db.engine.dispose()
    if len(reps) < count:
        raise RuntimeError(f"{count} devices need {count} reps; the organisation has "
                           f"{len(reps)}")
    teammates = [email for email, team in reps if team == team_id and email != rep_email]
    others = [email for email, team in reps if team != team_id]
    in_team = max(round(count * team_share) - 1, count - 1 - len(others))
    in_team = teammates[:max(0, min(len(teammates), in_team))]
    wanted = count - 1 - len(in_team)
    step = len(others) / wanted if wanted else 1
    spread = [others[int(n * step)] for n in range(wanted)]
    return [rep_email, *in_team, *spread], 1 + len(in_team), metrics
