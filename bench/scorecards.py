"""How fast the scorecard screens serve an organisation of 1,000 reps and a million activities.

Builds the organisation in a migrated database (a throwaway PostgreSQL cluster on loopback by
default, or `--database sqlite`), serves the app with gunicorn on 127.0.0.1, signs in a rep, a
manager and the executive through the real sign-in form, and loads each page with 16
connections for a fixed time. It prints one line per page,

    <page>: <req/s> req/s, p99 <ms> ms, ratio <r>

where the ratio is the page's throughput over a trivial route's, served by the same gunicorn
in the same run (first line). Progress and diagnostics go to stderr: build timings, the
server's settings and, per page, its SQL statements a request and in-process time.

    .venv/bin/python bench/scorecards.py [--database sqlite] [--keep] [--duration 10] ...

With --live it then measures every page again while 50 devices send 20 activities a second
through the sync API (bench/live.py), one more line a page:

    <page> under writes: <req/s> req/s, p99 <ms> ms, ratio <r>

With --scaling it serves nothing: it times each page in process, page cache off, for the same
organisation with 1,000 and with 4,000 reps (bench/scaling.py).

Traffic goes to 127.0.0.1 only; every run stops by itself, and the server and the database
cluster are stopped on the way out, on errors and Ctrl-C too.
"""

import argparse
import gc
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The app reads these when it is imported and created: this process builds the data with it.
os.environ["PACER_ENV"] = "development"  # cookies without the Secure flag over plain http
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
# As in production: bundles built once before serving, not checked on every page.
os.environ["ASSETS_AUTO_BUILD"] = "0"

import load  # noqa: E402 - bench/ is on the path as this script's folder

TRIVIAL = "trivial"
SIGNED_IN = "signed-in trivial"  # for scale: what signing in costs every page
PAGES = ("rep scorecard", "team grid", "executive view")
BUILD_FILE = "build.json"
TRIVIAL_PATH = "/_bench/trivial"  # added by bench/wsgi.py
SIGNED_IN_PATH = "/_bench/signed-in"


def main(argv=None):
    args = _arguments(argv)
    # INT (Ctrl-C, even where a shell started us ignoring it) and TERM (a timeout, `kill`)
    # unwind the same way, so the clean-up below runs.
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, _interrupt)
    try:
        with ExitStack() as cleanup:
            run(args, cleanup)
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
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--regions", type=int, default=5)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365, help="days of activity up to now")
    parser.add_argument("--keep", action="store_true",
                        help="keep the built database in --keep-dir and reuse it next time")
    parser.add_argument("--keep-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "pacer-bench")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=5, help="seconds measured per page")
    parser.add_argument("--warmup", type=int, default=2, help="seconds per page, not measured")
    parser.add_argument("--rounds", type=int, default=3,
                        help="times every page is measured, each between two measurements of "
                             "the trivial route")
    parser.add_argument("--uncached", action="store_true",
                        help="serve with the page cache off (CACHE_TYPE=NullCache): what each "
                             "page costs when it is worked out on every request")
    # Sync workers: rendering is CPU-bound Python, so one request per process at a time serves
    # as many pages as threads do on 2 cores, with a far shorter p99 (threads take turns on the
    # GIL); four, not two, so a worker waiting on the database leaves no core idle.
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=4, help="per gthread worker")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--python-load", action="store_true",
                        help="load from Python threads even when wrk is installed")
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=list(PAGES))
    parser.add_argument("--no-queries", action="store_true",
                        help="skip counting each page's SQL statements in process")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of one request per page (stderr)")
    parser.add_argument("--live", action="store_true",
                        help="then measure every page again while devices send activities "
                             "through the sync API (bench/live.py)")
    parser.add_argument("--live-rate", type=float, default=20.0,
                        help="items a second the devices send in all, on a schedule")
    parser.add_argument("--live-devices", type=int, default=50, help="one rep each")
    parser.add_argument("--scaling", action="store_true",
                        help="instead of serving: each page's in-process cost, worked out "
                             "afresh, for organisations of each of --scaling-reps reps "
                             "(bench/scaling.py)")
    parser.add_argument("--scaling-reps", type=int, nargs=2, default=[1000, 4000],
                        metavar=("SMALL", "LARGE"))
    parser.add_argument("--repeat", type=int, default=11,
                        help="--scaling: requests timed per page (the median is printed)")
    args = parser.parse_args(argv)
    if args.live and args.scaling:
        parser.error("--live and --scaling are separate runs")
    if args.live and (args.live_rate <= 0 or args.live_devices < 1):
        parser.error("--live-rate must be above 0 and --live-devices at least 1")
    return args


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(args, cleanup):
    from org import Shape

    log(f"app: {_app_version()}")
    if args.scaling:
        import scaling

        return scaling.run(args, cleanup)
    shape = Shape(reps=args.reps, teams=args.teams, regions=args.regions,
                  activities=args.activities, days=args.days)
    database_url, logins = _database(args, shape, cleanup)
    env = {**os.environ, "DATABASE_URL": database_url}
    if args.uncached:
        env["CACHE_TYPE"] = "NullCache"

    if args.python_load:
        load.wrk_path = lambda: None
    generator = (f"wrk ({args.wrk_threads} threads)" if load.wrk_path()
                 else "Python threads with keep-alive connections (wrk is not installed)")
    threads = f", {args.threads} threads each" if args.worker_class == "gthread" else ""
    log(f"gunicorn: {args.workers} {args.worker_class} workers{threads} on 127.0.0.1; "
        f"load: {generator}, {args.connections} connections, {args.rounds} rounds of "
        f"{args.warmup} s warm-up + {args.duration} s per page; {os.cpu_count()} cores; "
        f"page cache {'off' if args.uncached else 'on'}")
    busy = _busy_cores()
    if busy is not None and busy > 0.25:
        log(f"warning: {busy:.1f} of {os.cpu_count()} cores were busy with other work just "
            "before the run: the figures come out lower than on a quiet machine")
    _build_assets(env)
    port, server = cleanup.enter_context(_gunicorn(args, env))

    cookies = {who: load.sign_in(port, email, _password())
               for who, email in (("rep", logins["rep"]), ("manager", logins["manager"]),
                                  ("executive", logins["executive"]))}
    targets = {
        TRIVIAL: (TRIVIAL_PATH, cookies["rep"]),
        SIGNED_IN: (SIGNED_IN_PATH, cookies["rep"]),
        "rep scorecard": ("/scorecard", cookies["rep"]),
        "team grid": (f"/teams/{logins['team_id']}", cookies["manager"]),
        "executive view": ("/company", cookies["executive"]),
    }
    chosen = [TRIVIAL, SIGNED_IN, *args.pages]
    for name in chosen:
        path, cookie = targets[name]
        try:
            size = load.check(port, path, cookie)
        except load.LoadError:
            log(f"the server's output ends:\n{_server_output(server)}")
            raise
        log(f"{name}: GET {path} answers 200 ({size // 1024} KiB)")

    # Rounds: in each, every page is measured between two measurements of the trivial route,
    # and compared with their mean, so page and baseline are seconds apart: this shared
    # machine's speed drifts by a fifth within minutes. The median of the rounds' ratios
    # stands up to another tenant's burst in one of them.
    def measure(name, number, writer=None):
        path, cookie = targets[name]
        label = f"{name} under writes" if writer else name
        if writer:
            writer.start()
        try:
            if args.warmup:
                load.run(port, path, cookie, args.connections, args.warmup, args.wrk_threads)
                # Under writes the server is never idle: the writes go on, and the warm-up's
                # last requests finish within the measurement's first milliseconds.
                if writer is None:
                    _settle(server)
            began = time.monotonic()
            result = load.run(port, path, cookie, args.connections, args.duration,
                              args.wrk_threads)
            ended = time.monotonic()
        finally:
            if writer:
                writer.stop()
        # Requests the load generator gave up on at the end still run: let them finish, so
        # they do not eat into the next measurement's time.
        _settle(server)
        log(f"round {number}, {label}: {result.requests} requests in {result.seconds:.1f} s"
            f" ({result.rate:.1f} req/s), p50 {result.p50_ms:.1f} ms, "
            f"p99 {result.p99_ms:.1f} ms"
            + (f", {result.failures} socket errors or timeouts" if result.failures else ""))
        if writer and writer.errors:
            log(f"the server's output ends:\n{_server_output(server)}")
        if writer:
            written.setdefault(name, []).append(_writer_window(writer, label, number, began,
                                                               ended, args.live_rate))
        return result

    pages = [name for name in chosen if name != TRIVIAL]
    written = {}
    results, ratios = _rounds(args.rounds, pages, measure)
    if not load.wrk_path():
        print("(load from Python threads, not wrk: the client may saturate before the "
              "server does)")
    for name in chosen:
        _print_line(name, results[name], ratios.get(name), args.duration)

    if args.live:
        live_pages = [name for name in pages if name in PAGES]
        writer = cleanup.enter_context(_writer(args, port, database_url, logins))
        cpu = time.process_time()
        results, ratios = _rounds(args.rounds, live_pages, measure, writer)
        log(f"writer: {writer.summary()}; this process (the writer and the load's harness) "
            f"used {time.process_time() - cpu:.1f} s of CPU")
        if writer.errors:
            raise RuntimeError(f"the writer had {len(writer.errors)} failures, the first: "
                               f"{writer.errors[0]}")
        for name in live_pages:
            rates = [window.rate for window in written[name]]
            log(f"{name} under writes: the writer achieved {statistics.median(rates):.1f} "
                f"items/s while it was measured (median of the rounds: "
                f"{', '.join(f'{rate:.1f}' for rate in rates)}; asked {args.live_rate:g})")
        for name in live_pages:
            _print_line(f"{name} under writes", results[name], ratios[name], args.duration)

    if not args.no_queries or args.profile:
        _diagnose(database_url, [(name, *targets[name]) for name in chosen], args.profile)


def _rounds(rounds, pages, measure, writer=None):
    """Every page measured `rounds` times, each between two loads of the trivial route (those
    without writes); the results by name, and each page's ratios to the trivial route."""
    results = {name: [] for name in (TRIVIAL, *pages)}
    ratios = {name: [] for name in pages}
    for number in range(1, rounds + 1):
        before = measure(TRIVIAL, number)
        results[TRIVIAL].append(before)
        for name in pages:
            result = measure(name, number, writer)
            after = measure(TRIVIAL, number)
            results[name].append(result)
            results[TRIVIAL].append(after)
            baseline = (before.rate + after.rate) / 2
            ratios[name].append(result.rate / baseline if baseline else 0.0)
            before = after
    return results, ratios


def _print_line(label, measured, ratios, duration):
    rate = statistics.median(each.rate for each in measured)
    # The worst measurement's p99; where no request finished, all that is known is that
    # p99 is longer than the measurement.
    p99 = (f"{max(each.p99_ms for each in measured):.1f}"
           if all(each.requests for each in measured) else f">{duration * 1000:.0f}")
    ratio = statistics.median(ratios) if ratios else 1.0
    print(f"{label}: {rate:.1f} req/s, p99 {p99} ms, ratio {ratio:.2f}", flush=True)


# Writes while the pages are loaded (--live)


@contextmanager
def _writer(args, port, database_url, logins):
    """bench/live.py's devices, signed in, sending only between start() and stop()."""
    import live

    emails, in_team, metrics = live.choose_reps(database_url, logins["rep"],
                                                logins["team_id"], args.live_devices)
    writer = live.Writer(port, emails, metrics, args.live_rate, log)
    started = time.perf_counter()
    try:
        writer.sign_in(_password())
        log(f"writer: {len(emails)} devices signed in through the sign-in form in "
            f"{time.perf_counter() - started:.1f} s: the measured rep (one batch in "
            f"{writer.focus_every}), {in_team - 1} more of the measured team, "
            f"{len(emails) - in_team} across the other teams; {args.live_rate:g} items/s in "
            f"batches of {live.BATCH_SIZES[0]}-{live.BATCH_SIZES[1]}")
        writer.set_team(in_team)
        yield writer
    finally:
        writer.close()


def _writer_window(writer, label, number, began, ended, rate):
    """Log what the writer did while a page was measured; raise if anything failed."""
    import live

    window = writer.window(began, ended)
    team = sum(window.by_device[device] for device in range(writer.in_team))
    log(f"round {number}, {label}: the writer's {window.items} items in {window.batches} "
        f"batches answered over the {window.seconds:.1f} s measured: {window.rate:.1f} "
        f"items/s (asked {rate:g}; {window.items_sent / window.seconds:.1f} items/s sent); "
        f"{window.by_device[0]} of them the measured rep's, {team} the measured team's "
        f"(the rep's included); batch p50 {live.percentile_ms(window.latencies, 0.5)} ms, "
        f"p99 {live.percentile_ms(window.latencies, 0.99)} ms")
    if writer.errors:
        raise RuntimeError(f"the writer had {len(writer.errors)} failures (non-2xx answers, "
                           f"items not stored or failed sockets), the first: "
                           f"{writer.errors[0]}")
    return window


# The database


def _database(args, shape, cleanup, folder_name=None):
    """A URL of a database holding the organisation, and the logins; built or (--keep) reused
    (from --keep-dir/<folder_name>, by default the database's kind)."""
    built = None
    if args.keep:
        folder = args.keep_dir / (folder_name or args.database)
        marker = folder / BUILD_FILE
        if marker.exists():
            built = json.loads(marker.read_text())
            if built.get("shape") != asdict(shape):
                log(f"{folder} holds another shape: building afresh")
                built = None
        if built is None:
            shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix="pacer-bench-"))
        cleanup.callback(shutil.rmtree, folder, ignore_errors=True)

    started = time.perf_counter()
    if args.database == "postgresql":
        cluster = _cluster(folder / "postgresql" if args.keep else None)
        cleanup.callback(_stop_cluster, cluster)
        cluster.start()
        log(f"PostgreSQL ({cluster.bindir.parent.name}) on 127.0.0.1:{cluster.port} "
            f"started in {time.perf_counter() - started:.1f} s")
        url = cluster.url("pacer_bench")
        if built is None:
            cluster.create_database("pacer_bench")
    else:
        url = f"sqlite:///{folder / 'pacer.db'}"
        log(f"SQLite file {folder / 'pacer.db'}")

    if built is not None:
        log(f"reusing the database built at {built['built_at']} (--keep)")
        _migrate(url)  # a kept database may predate the latest revision
        return url, built["logins"]
    logins = _build(url, shape, args.database)
    if args.keep:
        (folder / BUILD_FILE).write_text(json.dumps(
            dict(shape=asdict(shape), built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                 logins=logins), indent=2))
    return url, logins


def _stop_cluster(cluster):
    """Stop the cluster and remove its folder; a failure to stop must not hide the error that
    brought us here (the folder goes whatever happens)."""
    try:
        cluster.stop()
    except subprocess.CalledProcessError as error:
        log(f"stopping PostgreSQL: {error.stderr or error}")


def _cluster(root):
    from tests.postgres import Cluster

    if root is None:
        return Cluster()

    class KeptCluster(Cluster):
        """The cluster in a fixed folder, stopped cleanly and left there for the next run."""

        def __init__(self):
            super().__init__()
            shutil.rmtree(self.root, ignore_errors=True)
            self.root, self.data = root, root / "data"

        def start(self):
            if not (self.data / "PG_VERSION").exists():
                self.root.mkdir(parents=True, exist_ok=True)
                return super().start()
            options = (f"-k {self.root} -p {self.port} -c listen_addresses=127.0.0.1 "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                       "-c max_connections=200")
            self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                      str(self.root / "server.log"), "-w", "start")
            return self

        def stop(self):
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    return KeptCluster()


def _build_assets(env):
    """`flask assets build`, as `make assets` does: the server does not build them itself."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "assets", "build"],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    log(f"assets: flask assets build in {time.perf_counter() - started:.1f} s")


def _migrate(url):
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, check=True, capture_output=True,
        timeout=300,
    )
    log(f"schema: flask db upgrade in {time.perf_counter() - started:.1f} s")


def _build(url, shape, kind):
    """Migrate an empty database with `flask db upgrade`, then load the organisation."""
    _migrate(url)

    os.environ["DATABASE_URL"] = url
    from org import build
    from sqlalchemy import text

    from app import create_app
    from extensions import db

    app = create_app()
    with app.app_context():
        logins = build(db.session, shape, datetime.now(UTC),
                       app.config["PASSWORD_HASH_METHOD"], log)
        started = time.perf_counter()
        if kind == "postgresql":
            # Autovacuum would get there on its own in a while; a benchmark cannot wait.
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                    text("VACUUM ANALYZE"))
            log(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
        db.session.remove()
        db.engine.dispose()
    return asdict(logins)


def _app_version():
    """The commit the app is at, and how many of its files differ from it: the figures are
    this tree's, which other work may be changing."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                 cwd=ROOT, check=True, capture_output=True,
                                 text=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"{commit}" + (f" with {len(changed)} files changed" if changed else "")


def _password():
    from org import PASSWORD

    return PASSWORD


# The server


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _gunicorn(args, env):
    """gunicorn serving bench/wsgi.py on a free loopback port, until the block ends."""
    port = _free_port()
    command = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers), "--worker-class", args.worker_class,
        "--chdir", str(ROOT), "--log-level", "warning", "--timeout", "120",
        "--config", str(ROOT / "gunicorn.conf.py"),  # as `gunicorn` run in the project folder
    ]
    if args.worker_class == "gthread":  # (with threads, gunicorn turns sync into gthread)
        command += ["--threads", str(args.threads)]
    command.append("bench.wsgi:app")
    with tempfile.TemporaryFile(mode="w+") as output:
        # Its own session: Ctrl-C reaches this script, which then stops the server in order.
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        process.output = output  # for _server_output
        try:
            _wait_until_serving(port, process, output)
            yield port, process
        finally:
            _stop(process)


def _server_output(process, characters=6000):
    """The end of what gunicorn (and the app's log) wrote so far."""
    process.output.flush()
    process.output.seek(0)
    return process.output.read()[-characters:]


def _wait_until_serving(port, process, output, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output.seek(0)
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{output.read()}")
        try:
            status, _headers, _body = load.request(port, "GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    output.seek(0)
    raise RuntimeError(f"gunicorn did not answer within {seconds} s:\n{output.read()}")


def _cpu_seconds(pid):
    """CPU time used so far by a process and its children (Linux /proc), in clock ticks."""
    total = 0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for each in (str(pid), *children):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, ValueError, IndexError):
        return None
    return total


def _settle(process, quiet=0.5, limit=120):
    """Wait until gunicorn's processes stop using CPU for `quiet` seconds (at most `limit`)."""
    deadline = time.monotonic() + limit
    last = _cpu_seconds(process.pid)
    while last is not None and time.monotonic() < deadline:
        time.sleep(quiet)
        now = _cpu_seconds(process.pid)
        if now is None or now - last <= 1:  # a tick or less: idle
            return
        last = now


def _stop(process):
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def _busy_cores(seconds=2.0):
    """How many cores' worth of CPU time the machine used over a moment (Linux), or None."""

    def sample():
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields) - idle, sum(fields)

    try:
        busy_before, total_before = sample()
        time.sleep(seconds)
        busy_after, total_after = sample()
    except (OSError, ValueError, IndexError):
        return None
    share = (busy_after - busy_before) / max(1, total_after - total_before)
    return share * (os.cpu_count() or 1)


# Where the time goes


def _diagnose(url, pages, profile):
    os.environ["DATABASE_URL"] = url
    from queries import measure
    from wsgi import app

    # As gunicorn.conf.py does in each worker: the start-up objects out of the collector's way.
    gc.collect()
    gc.freeze()

    # For scale: the cheapest full page there is, the layout around the sign-in form.
    reference = ("sign-in page (for scale: the layout and a form, no SQL)", "/sign-in", "")
    log("in process, each page as the benchmark loaded it (from the page cache):")
    measure(app, [*pages, reference], profile=profile, log=log)
    log("in process, each page worked out afresh (the page cache emptied before each "
        "request):")
    measure(app, [page for page in pages if page[0] not in (TRIVIAL, SIGNED_IN)],
            profile=profile, log=log, cold=True)


if __name__ == "__main__":
    sys.exit(main())
