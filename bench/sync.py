"""How fast the sync API takes a sales floor's phones sending at once, and whether it loses or
doubles anything.

64 devices, each a different rep signed in through the real sign-in form, post 20-item batches
to `POST /api/v1/activities` for 60 s against gunicorn on 127.0.0.1 (the project's
gunicorn.conf.py, 4 sync workers), once on SQLite and once on PostgreSQL. A share of the
answers is lost on purpose (the connection dropped before the answer is read, or the answer
read and ignored) and the same batch is sent again, as a phone does after a lost answer; a 503
is tried again after its Retry-After. At the end the database is counted against what was
sent. One line per database on stdout:

    sync <database>: <items/s> items/s, p99 <ms> ms, ratio <r>, 5xx <n>, lost <n>, duplicated <n>

where the ratio is items/s over the trivial route's req/s, measured by the same gunicorn just
before and just after the devices send. Progress and the detail go to stderr.

    .venv/bin/python bench/sync.py [--database sqlite|postgresql|both] [--seconds 60] ...

Traffic goes to 127.0.0.1 only; every run stops by itself, and the server and the database
cluster are stopped on the way out, on errors and Ctrl-C too.
"""

import argparse
import cProfile
import http.client
import io
import json
import math
import os
import pstats
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

# scorecards sets up this process's environment as the benchmarks need it (development cookies
# over plain http, a secret key, bundles built before serving) and holds the server and
# database helpers both benchmarks share.
import load
import scorecards
from scorecards import ROOT, TRIVIAL_PATH

API = "/api/v1/activities"
SESSION = load.ApiSession.PATH
REPS_PER_TEAM = 16
# The phone's rule: without a Retry-After header, 30 s (docs/sync-api.md). The benchmark caps
# every wait so that a run always ends.
DEFAULT_RETRY_AFTER = 30


def main(argv=None):
    args = _arguments(argv)
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, _interrupt)
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    try:
        for database in databases:
            with ExitStack() as cleanup:
                print(run(args, database, cleanup), flush=True)
    except KeyboardInterrupt:
        log("interrupted; server and database stopped")
        return 130
    except (load.LoadError, subprocess.CalledProcessError, RuntimeError) as error:
        log(f"failed: {error}")
        return 1
    return 0


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=60, help="how long devices send")
    parser.add_argument("--devices", type=int, default=64, help="one rep each")
    parser.add_argument("--batch", type=int, default=20, help="items per request")
    parser.add_argument("--lose", type=float, default=0.05,
                        help="share of requests whose answer is lost and the batch sent again")
    parser.add_argument("--grace", type=float, default=60,
                        help="seconds after --seconds a device may take to settle its last "
                             "batch before it gives up")
    parser.add_argument("--activities-per-rep", type=int, default=1000,
                        help="a year of activity already in the database, per rep")
    parser.add_argument("--trivial-seconds", type=int, default=5,
                        help="the trivial route's load before and after the devices send")
    parser.add_argument("--connections", type=int, default=16, help="for the trivial route")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--no-diagnose", action="store_true",
                        help="skip timing one batch in process after the run")
    parser.add_argument("--profile", action="store_true",
                        help="add a cProfile of the batches timed in process")
    args = parser.parse_args(argv)
    if args.devices < 1 or args.batch < 1 or not 0 <= args.lose < 1 or args.seconds <= 0:
        parser.error("--devices and --batch must be at least 1, --lose in [0, 1), "
                     "--seconds above 0")
    return args


def log(message):
    print(f"[sync] {message}", file=sys.stderr, flush=True)


def run(args, database, cleanup):
    """The line for one database: build it, serve it, load it, count it."""
    folder = Path(tempfile.mkdtemp(prefix="pacer-sync-"))
    cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
    if database == "postgresql":
        started = time.perf_counter()
        cluster = scorecards._cluster(None)
        cleanup.callback(scorecards._stop_cluster, cluster)
        cluster.start()
        url = cluster.create_database("pacer_sync")
        log(f"PostgreSQL ({cluster.bindir.parent.name}) on 127.0.0.1:{cluster.port} "
            f"in {time.perf_counter() - started:.1f} s")
    else:
        url = f"sqlite:///{folder / 'pacer.db'}"
        log(f"SQLite file {folder / 'pacer.db'}")
    floor = _build(url, args)

    busy = scorecards._busy_cores()
    if busy is not None and busy > 0.25:
        log(f"warning: {busy:.1f} of {os.cpu_count()} cores were busy with other work just "
            "before the run: the figures come out lower than on a quiet machine")
    server_log = folder / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": url}
    if not _assets_built:
        scorecards._build_assets(env)  # once: the bundles do not depend on the database
        _assets_built.append(True)
    port, server = cleanup.enter_context(_gunicorn(args.workers, env, server_log))
    log(f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}; "
        f"{os.cpu_count()} cores")

    started = time.perf_counter()
    devices = [Device(number, port, email, floor.metrics, args)
               for number, email in enumerate(floor.emails[:args.devices])]
    for device in devices:
        device.sign_in()
    log(f"{len(devices)} devices signed in through the sign-in form "
        f"in {time.perf_counter() - started:.1f} s")

    before = _trivial(args, port, server)
    scorecards._settle(server)
    sending = _send(devices, args)
    scorecards._settle(server)
    after = _trivial(args, port, server)

    counted = _count(url, floor.last_id, devices)
    errors = _server_errors(server_log)
    line = _report(database, args, devices, sending, (before, after), counted, errors)
    if not args.no_diagnose:
        _diagnose(url, database, devices[0], args.batch, profile=args.profile)
    return line


_assets_built = []


# The organisation


@dataclass(frozen=True)
class Floor:
    emails: list  # the reps', one per device
    metrics: list  # (key, sums money, quality minimum) of each active metric
    last_id: int  # the highest activity id before the devices send


def _build(url, args):
    """`flask db upgrade`, then bench/org.py's organisation at the size of a sales floor."""
    scorecards._migrate(url)
    os.environ["DATABASE_URL"] = url
    from org import Shape, build
    from sqlalchemy import func, select

    from app import create_app
    from extensions import db
    from models import Activity, Metric, User
    from models.people import UserRole

    teams = max(2, math.ceil(args.devices / REPS_PER_TEAM))
    teams += teams % 2  # two regions, the same number of teams in each
    reps = math.ceil(args.devices / teams) * teams
    shape = Shape(reps=reps, teams=teams, regions=2,
                  activities=reps * args.activities_per_rep, days=365)
    app = create_app()
    with app.app_context():
        build(db.session, shape, datetime.now(UTC), app.config["PASSWORD_HASH_METHOD"], log)
        emails = db.session.scalars(
            select(User.email).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "rep").order_by(User.id)).all()
        metrics = [(metric.key, metric.aggregation == "sum", metric.quality_min)
                   for metric in db.session.scalars(
                       select(Metric).where(Metric.active.is_(True)).order_by(Metric.position))]
        last_id = db.session.scalar(select(func.max(Activity.id))) or 0
        db.session.remove()
        db.engine.dispose()
    return Floor(list(emails), metrics, last_id)


# The server


@contextmanager
def _gunicorn(workers, env, output_path):
    """gunicorn serving bench/wsgi.py on a free loopback port, as bench/scorecards.py serves
    it, with its output (the app's error log included) kept in a file read at the end."""
    port = scorecards._free_port()
    command = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", "sync", "--chdir", str(ROOT),
        "--log-level", "warning", "--timeout", "120",
        "--config", str(ROOT / "gunicorn.conf.py"),
        "bench.wsgi:app",
    ]
    with open(output_path, "w+") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            scorecards._wait_until_serving(port, process, output)
            yield port, process
        finally:
            scorecards._stop(process)


def _server_errors(path):
    """What the server's log says went wrong: (lines reporting an error, the first traceback,
    the warnings counted by their start, e.g. "Database busy on POST /api/v1/activities")."""
    text = Path(path).read_text(errors="replace")
    lines = [line for line in text.splitlines()
             if "ERROR" in line or "Traceback" in line or "CRITICAL" in line]
    first = ""
    if "Traceback" in text:
        start = text.rfind("\n", 0, text.index("Traceback")) + 1
        first = text[start:start + 4000]
    warnings, examples = Counter(), {}
    for found in re.finditer(r"Database (busy|connection lost) on \S+ \S+:?[ \n]*[^\n]*",
                             text):
        warnings[found.group(0)] += 1
        # The first of each kind in full: PostgreSQL's DETAIL and CONTEXT lines follow it, up
        # to the next log line.
        rest = re.match(r"(?:\n(?!\[)[^\n]*)*", text[found.end():]).group(0)
        examples.setdefault(found.group(0), (found.group(0) + rest)[:2000])
    return lines, first, warnings, examples


def _trivial(args, port, server):
    load.run(port, TRIVIAL_PATH, "", args.connections, 2)  # warm-up, not counted
    scorecards._settle(server)
    result = load.run(port, TRIVIAL_PATH, "", args.connections, args.trivial_seconds)
    log(f"trivial: {result.rate:.1f} req/s, p99 {result.p99_ms:.1f} ms")
    return result


# The devices


@dataclass
class Tally:
    """What one device saw."""

    latencies: list = field(default_factory=list)  # seconds, every POST that was answered
    statuses: Counter = field(default_factory=Counter)  # of every POST that was answered
    results: Counter = field(default_factory=Counter)  # created / duplicate / rejected:<code>
    acknowledged: set = field(default_factory=set)  # client ids answered created or duplicate
    retried: set = field(default_factory=set)  # client ids sent again after a lost answer
    sent: set = field(default_factory=set)  # every client id sent at least once
    dropped: int = 0  # requests whose connection we closed before reading the answer
    ignored: int = 0  # answers read and ignored
    socket_errors: int = 0
    created_again: int = 0  # answered created after an answer we read had acknowledged it
    unsettled: int = 0  # batches given up at the end of the grace period
    unexpected: list = field(default_factory=list)  # answers the phone would not expect


class Device(threading.Thread):
    """A rep's phone: signs in, then sends batches one after another until the time is up."""

    def __init__(self, number, port, email, metrics, args):
        super().__init__(name=f"device-{number}", daemon=True)
        self.number, self.port, self.email = number, port, email
        self.metrics, self.args = metrics, args
        self.device_id = f"bench-phone-{number:03d}"
        self.rng = random.Random(f"sync|{number}")
        self.api = load.ApiSession(port, email)
        self.tally = Tally()
        self.connection = None
        self.deadline = self.give_up = 0.0

    def sign_in(self):
        self.api.sign_in(scorecards._password())

    def run(self):
        try:
            while time.monotonic() < self.deadline:
                self._deliver([self._item() for _ in range(self.args.batch)])
        except Exception as error:  # noqa: BLE001 - reported with the figures, never silent
            self.tally.unexpected.append(f"{type(error).__name__}: {error}")
        finally:
            self._close()

    def _item(self):
        key, money, quality_min = self.rng.choice(self.metrics)
        occurred = datetime.now(UTC) - timedelta(seconds=self.rng.randrange(0, 4 * 3600))
        item = {"client_id": str(uuid.uuid4()), "metric": key,
                "quantity": round(self.rng.uniform(500, 20000), 2) if money else 1,
                "occurred_at": occurred.isoformat(timespec="milliseconds")
                .replace("+00:00", "Z")}
        if quality_min is not None:
            item["value"] = round(self.rng.uniform(0.5, 20), 1)
        if self.rng.random() < 0.1:
            item["note"] = "Called back about the renewal"
        return item

    def _deliver(self, items):
        """Send one batch until the server has settled every item in it (or time runs out)."""
        ids = [item["client_id"] for item in items]
        self.tally.sent.update(ids)
        acknowledged_before = False  # an answer we read said every item was settled
        while True:
            if time.monotonic() > self.give_up:
                self.tally.unsettled += 1
                return
            body = json.dumps({"device_id": self.device_id, "pending": 0,
                               "sent_at": datetime.now(UTC).isoformat(timespec="milliseconds")
                               .replace("+00:00", "Z"),
                               "activities": items}).encode()
            lose = self.rng.random() < self.args.lose
            if lose and self.rng.random() < 0.5:
                # The answer is lost on the way: the request went, the connection dies.
                self._post(body, read=False)
                self.tally.dropped += 1
                self.tally.retried.update(ids)
                continue
            answer = self._post(body)
            if answer is None:  # the socket failed: send again, as the phone would
                self.tally.retried.update(ids)
                time.sleep(0.1)
                continue
            status, headers, payload = answer
            if status >= 500:
                self.tally.retried.update(ids)
                delay = DEFAULT_RETRY_AFTER if status != 503 else _retry_after(headers)
                time.sleep(max(0.0, min(delay, self.give_up - time.monotonic())))
                continue
            if status == 400 and _code(payload) == "csrf":
                self.api.refresh_token()
                continue
            if status != 200:
                self.tally.unexpected.append(f"{status} {payload[:200]!r}")
                return
            results = json.loads(payload)["results"]
            if [result["client_id"] for result in results] != ids:
                self.tally.unexpected.append("the results do not name the items in order")
                return
            if lose:
                # The answer arrives, but the phone never learns it (it was killed, the page
                # closed): the same batch goes again, and must be all duplicates.
                self.tally.ignored += 1
                self.tally.retried.update(ids)
                acknowledged_before = all(result["status"] in ("created", "duplicate")
                                          for result in results)
                continue
            for result in results:
                status_text = result["status"]
                if status_text == "rejected":
                    self.tally.results[f"rejected:{result.get('code')}"] += 1
                    continue
                self.tally.results[status_text] += 1
                self.tally.acknowledged.add(result["client_id"])
                if status_text == "created" and acknowledged_before:
                    self.tally.created_again += 1
            return

    def _post(self, body, read=True):
        """(status, headers, body) of one POST on the keep-alive connection; None if the
        socket failed. With read=False the request is sent and the connection closed."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection(load.HOST, self.port, timeout=60)
        headers = {"Content-Type": "application/json", "Cookie": self.api.cookie(),
                   "X-CSRFToken": self.api.token, "User-Agent": load.USER_AGENT}
        began = time.perf_counter()
        try:
            self.connection.request("POST", API, body=body, headers=headers)
            if not read:
                self._close()
                return None
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.tally.socket_errors += 1
            self._close()
            return None
        self.tally.latencies.append(time.perf_counter() - began)
        self.tally.statuses[response.status] += 1
        answer_headers = response.getheaders()
        self.api.keep_cookies(answer_headers)
        if response.will_close:
            self._close()
        return response.status, answer_headers, payload

    def _close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _retry_after(headers):
    value = dict((key.lower(), value) for key, value in headers).get("retry-after")
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def _code(payload):
    try:
        return json.loads(payload).get("code")
    except (ValueError, AttributeError):
        return None


def _send(devices, args):
    """Every device sends for args.seconds; the seconds it took them all to settle."""
    began = time.monotonic()
    for device in devices:
        device.deadline = began + args.seconds
        device.give_up = device.deadline + args.grace
    log(f"{len(devices)} devices sending {args.batch}-item batches for {args.seconds:g} s, "
        f"{args.lose:.0%} of the answers lost")
    cpu = time.process_time()
    for device in devices:
        device.start()
    for device in devices:
        device.join(max(1.0, device.give_up + 30 - time.monotonic()))
    elapsed = time.monotonic() - began
    # The client shares the machine with the server: what it took is what the server lacked.
    log(f"the devices (this process) used {time.process_time() - cpu:.1f} s of CPU in "
        f"{elapsed:.1f} s")
    still = [device.name for device in devices if device.is_alive()]
    if still:
        raise RuntimeError(f"devices still sending after the grace period: {still[:5]}")
    return elapsed


# Counting


@dataclass(frozen=True)
class Counted:
    stored: int  # rows the run added
    lost: list  # client ids acknowledged or retried, and not stored
    extra_rows: int  # rows beyond one per client id
    not_sent: int  # rows the run added whose client id no device sent
    wrong_owner: int  # rows stored as someone other than the device's rep


def _count(url, last_id, devices):
    """The database against what the devices sent."""
    os.environ["DATABASE_URL"] = url
    from sqlalchemy import func, select

    from app import create_app
    from extensions import db
    from models import Activity, User

    owners = {}
    for device in devices:
        for client_id in device.tally.sent:
            owners[uuid.UUID(client_id)] = device.email
    app = create_app()
    with app.app_context():
        rows = db.session.execute(
            select(Activity.client_id, User.email).join(User, User.id == Activity.user_id)
            .where(Activity.id > last_id)).all()
        extra = db.session.scalar(
            select(func.count() - func.count(func.distinct(Activity.client_id))))
        db.session.remove()
        db.engine.dispose()
    stored = {client_id for client_id, _email in rows}
    must_be_there = set()
    for device in devices:
        must_be_there |= {uuid.UUID(each)
                          for each in device.tally.acknowledged | device.tally.retried}
    return Counted(
        stored=len(rows),
        lost=sorted(str(each) for each in must_be_there - stored),
        extra_rows=extra,
        not_sent=sum(1 for client_id, _email in rows if client_id not in owners),
        wrong_owner=sum(1 for client_id, email in rows
                        if client_id in owners and owners[client_id] != email),
    )


def _diagnose(url, database, device, batch, repeat=5, profile=False):
    """One batch's SQL statements and time in this process (the app's test client, a device's
    cookies, the same database), as a served batch costs without queueing and the server;
    with `profile`, a cProfile of the batches timed."""
    os.environ["DATABASE_URL"] = url
    from queries import _short, _timing

    from app import create_app
    from extensions import db

    app = create_app()
    with app.app_context():
        engine = db.engine
    client = app.test_client()
    for key, value in device.jar.items():
        client.set_cookie(key, value, domain="localhost")
    headers = {"User-Agent": load.USER_AGENT}
    token = client.get(SESSION, headers=headers).get_json()["csrf_token"]
    headers.update({"X-CSRFToken": token})
    times, statements = [], []
    profiler = cProfile.Profile() if profile else None
    for _ in range(repeat):
        items = [device._item() for _ in range(batch)]
        with _timing(engine) as these:
            began = time.perf_counter()
            if profiler:
                profiler.enable()
            response = client.post(API, json={"device_id": device.device_id,
                                              "activities": items}, headers=headers)
            if profiler:
                profiler.disable()
            times.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise RuntimeError(f"{API} answered {response.status_code} in process")
        statements = these
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    sql = sum(seconds for seconds, _ in statements)
    log(f"{database}: in process, one {batch}-item batch runs {len(statements)} SQL "
        f"statements taking {sql * 1000:.1f} ms; {min(times) * 1000:.1f} ms in all (best of "
        f"{repeat}, median {statistics.median(times) * 1000:.1f} ms). By kind:")
    kinds, spent = Counter(), Counter()
    for seconds, statement in statements:
        kinds[_short(statement, 70)] += 1
        spent[_short(statement, 70)] += seconds
    for statement, count in kinds.most_common(16):
        log(f"    {count:4d} x {spent[statement] * 1000:6.1f} ms  {statement}")
    if profiler:
        report = io.StringIO()
        pstats.Stats(profiler, stream=report).sort_stats("cumulative").print_stats(30)
        log(f"{database}: cProfile of the {repeat} batches (the profiler slows them):\n"
            f"{report.getvalue()}")


def _report(database, args, devices, elapsed, trivial, counted, errors):
    statuses, results = Counter(), Counter()
    latencies, unexpected = [], []
    acknowledged = sent = dropped = ignored = socket_errors = created_again = unsettled = 0
    for device in devices:
        tally = device.tally
        statuses.update(tally.statuses)
        results.update(tally.results)
        latencies.extend(tally.latencies)
        unexpected.extend(f"{device.email}: {each}" for each in tally.unexpected)
        acknowledged += len(tally.acknowledged)
        sent += len(tally.sent)
        dropped += tally.dropped
        ignored += tally.ignored
        socket_errors += tally.socket_errors
        created_again += tally.created_again
        unsettled += tally.unsettled
    rate = acknowledged / elapsed
    baseline = statistics.mean(each.rate for each in trivial)
    latencies.sort()
    p99 = load._percentile(latencies, 0.99) * 1000
    p50 = load._percentile(latencies, 0.50) * 1000
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    duplicated = counted.extra_rows + counted.not_sent

    log(f"{database}: {sent:,} items sent in {sum(statuses.values()):,} answered POSTs over "
        f"{elapsed:.1f} s; {acknowledged:,} acknowledged; {counted.stored:,} rows stored")
    log(f"{database}: answers by status {dict(sorted(statuses.items()))}; items "
        f"{dict(sorted(results.items()))}; p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"max {(latencies[-1] * 1000 if latencies else 0):.0f} ms")
    log(f"{database}: lost answers: {dropped} connections dropped before the answer, "
        f"{ignored} answers ignored, all sent again; {socket_errors} socket errors; "
        f"{created_again} items answered 'created' again after an acknowledgement; "
        f"{unsettled} batches not settled by the end of the grace period")
    log(f"{database}: trivial route {trivial[0].rate:.1f} req/s before, "
        f"{trivial[1].rate:.1f} after")
    if counted.lost:
        log(f"{database}: {len(counted.lost)} acknowledged or retried items are not in the "
            f"database, e.g. {counted.lost[:3]}")
    if counted.extra_rows or counted.not_sent or counted.wrong_owner:
        log(f"{database}: {counted.extra_rows} rows beyond one per client id, "
            f"{counted.not_sent} rows no device sent, {counted.wrong_owner} rows stored as "
            "another rep")
    for line in unexpected[:10]:
        log(f"{database}: unexpected: {line}")
    lines, traceback, warnings, examples = errors
    for start, count in warnings.items():
        log(f"{database}: the server logged {count} times: {start}; the first in full:\n"
            f"{examples[start]}")
    if lines:
        log(f"{database}: the server logged {len(lines)} error lines; the first traceback:\n"
            f"{traceback}")
    return (f"sync {database}: {rate:.1f} items/s, p99 {p99:.1f} ms, ratio "
            f"{rate / baseline if baseline else 0:.2f}, 5xx {server_errors}, "
            f"lost {len(counted.lost)}, duplicated {duplicated}")


if __name__ == "__main__":
    sys.exit(main())
