"""How each page's cost grows with the organisation: in process, page cache off (--scaling).

Builds bench/org.py's organisation twice, one after the other, with the same teams, regions and
activities and two numbers of reps (1,000 and 4,000 by default), and for each times every page
through the app's test client against the built database, signed in through the real sign-in
form, with the page cache off (`CACHE_TYPE=NullCache`): every request works its page out
afresh. Each page is the same kind of page at both sizes: one rep's scorecard (the first rep of
the first team), the grid of that team as its manager sees it, and the executive view. A
trivial route (`/_bench/trivial`, and the signed-in one) is timed the same way, for scale.
One line per page on stdout:

    scaling <page>: 1000 reps <ms> ms, 4000 reps <ms> ms, x<factor>

where each figure is the median of --repeat requests, the pages taken in turn.
"""

import gc
import os
import re
import statistics
import time
import warnings
from contextlib import ExitStack
from dataclasses import dataclass, replace

import load
import scorecards
from scorecards import PAGES, SIGNED_IN, SIGNED_IN_PATH, TRIVIAL, TRIVIAL_PATH, log


@dataclass(frozen=True)
class Timed:
    ms: float  # median time of a request in process
    cpu_ms: float  # median CPU time this process spent on it (the database's is not in it)
    sql_ms: float  # median time of its SQL statements
    statements: tuple  # fewest and most statements a request ran
    kib: int  # size of the page


def run(args, cleanup):
    from org import Shape

    sizes = args.scaling_reps
    shape = Shape(reps=sizes[0], teams=args.teams, regions=args.regions,
                  activities=args.activities, days=args.days)
    for reps in sizes:
        replace(shape, reps=reps)  # the shape's own checks, before anything is built
    log(f"scaling: {args.teams} teams, {args.activities:,} activities, with "
        f"{' and then '.join(f'{reps:,}' for reps in sizes)} reps; in process, page cache "
        f"off, median of {args.repeat} requests a page")
    found = {}
    for reps in sizes:
        # One organisation at a time: its database is stopped (and, without --keep, thrown
        # away) before the next is built.
        with ExitStack() as stack:
            # (--keep: apart from the served benchmark's, which --live writes into)
            url, logins = scorecards._database(args, replace(shape, reps=reps), stack,
                                               folder_name=f"{args.database}-scaling-{reps}")
            found[reps] = _measure(url, logins, args.repeat, reps)
    small, large = sizes
    for page in (TRIVIAL, SIGNED_IN, *args.pages):
        before, after = found[small][page].ms, found[large][page].ms
        factor = after / before if before else 0.0
        print(f"scaling {page}: {small} reps {_ms(before)} ms, {large} reps {_ms(after)} ms, "
              f"x{factor:.2f}", flush=True)


def _ms(value):
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _measure(url, logins, repeat, reps):
    """Each page's Timed, from the app's test client against the database at `url`."""
    os.environ["DATABASE_URL"] = url
    from queries import _short, _timing

    import config
    from app import create_app
    from extensions import cache, db

    class Uncached(config.Config):
        CACHE_TYPE = "NullCache"  # as --uncached serves: every page worked out on each request

    with warnings.catch_warnings():  # Flask-Caching's "caching is effectively disabled": yes
        warnings.filterwarnings("ignore", "Flask-Caching: CACHE_TYPE is set to NullCache")
        app = create_app(Uncached)
    # bench/wsgi.py's routes, on this app (importing it builds its own app, from DATABASE_URL).
    import wsgi

    app.add_url_rule(TRIVIAL_PATH, "bench_trivial", wsgi.trivial)
    app.add_url_rule(SIGNED_IN_PATH, "bench_signed_in", wsgi.signed_in)
    with app.app_context():
        engine = db.engine
        kind = type(cache.cache).__name__
    if kind != "NullCache":
        raise RuntimeError(f"the page cache is {kind}, not NullCache: pages would be kept")

    password = scorecards._password()
    clients = {who: _sign_in(app, logins[who], password)
               for who in ("rep", "manager", "executive")}
    pages = {
        TRIVIAL: (TRIVIAL_PATH, clients["rep"]),
        SIGNED_IN: (SIGNED_IN_PATH, clients["rep"]),
        "rep scorecard": ("/scorecard", clients["rep"]),
        "team grid": (f"/teams/{logins['team_id']}", clients["manager"]),
        "executive view": ("/company", clients["executive"]),
    }
    headers = {"User-Agent": load.USER_AGENT}
    sizes = {}
    for name, (path, client) in pages.items():  # warm: templates, compiled statements
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code} in process")
        sizes[name] = len(response.data) // 1024

    gc.collect()
    times = {name: [] for name in pages}
    cpu = {name: [] for name in pages}
    sql = {name: [] for name in pages}
    counts = {name: [] for name in pages}
    slowest = {}
    for _ in range(repeat):
        # The pages in turn, so a burst of another tenant's work falls on all of them alike.
        for name, (path, client) in pages.items():
            with _timing(engine) as statements:
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.get(path, headers=headers)
                times[name].append(time.perf_counter() - began)
                cpu[name].append(time.process_time() - began_cpu)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code} in process")
            sql[name].append(sum(seconds for seconds, _ in statements))
            counts[name].append(len(statements))
            slowest[name] = sorted(statements, key=lambda each: each[0], reverse=True)[:3]
    found = {}
    for name in pages:
        found[name] = Timed(statistics.median(times[name]) * 1000,
                            statistics.median(cpu[name]) * 1000,
                            statistics.median(sql[name]) * 1000,
                            (min(counts[name]), max(counts[name])), sizes[name])
        timed = found[name]
        spread = ", ".join(f"{each * 1000:.1f}" for each in times[name])
        statements = (f"{timed.statements[0]}" if timed.statements[0] == timed.statements[1]
                      else f"{timed.statements[0]}-{timed.statements[1]}")
        log(f"scaling, {reps} reps, {name} ({pages[name][0]}): median {_ms(timed.ms)} ms "
            f"({_ms(timed.cpu_ms)} ms of CPU in this process), {_ms(timed.sql_ms)} ms in "
            f"{statements} SQL statements a request; {timed.kib} KiB; each request: {spread} ms")
        for seconds, statement in slowest[name]:
            log(f"    {seconds * 1000:7.1f} ms  {_short(statement)}")
        if name in PAGES and timed.statements[0] < max(2, timed.statements[1] // 2):
            raise RuntimeError(f"{name}: a request ran {timed.statements[0]} statements where "
                               f"another ran {timed.statements[1]}: something was served "
                               "from a cache")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return found


def _sign_in(app, email, password):
    """A test client signed in through the real sign-in form (CSRF token and all)."""
    client = app.test_client()
    headers = {"User-Agent": load.USER_AGENT}
    page = client.get("/sign-in", headers=headers)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.data)
    if page.status_code != 200 or token is None:
        raise RuntimeError(f"GET /sign-in answered {page.status_code} in process")
    answer = client.post("/sign-in", headers=headers, data={
        "csrf_token": token.group(1).decode(), "email": email, "password": password})
    if answer.status_code != 302 or "sign-in" in answer.headers.get("Location", ""):
        raise RuntimeError(f"signing in as {email} in process answered {answer.status_code}")
    return client
