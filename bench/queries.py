"""Where a page's time goes: its SQL statements and, optionally, a profile, in this process.

Uses the app's own test client against the built database with the cookies of the benchmark's
sign-ins, so it sees exactly what a served request does, without the server around it.
"""

import cProfile
import io
import pstats
import re
import time
from contextlib import contextmanager
from http.cookies import SimpleCookie

from load import USER_AGENT
from sqlalchemy import event

from extensions import cache, db


@contextmanager
def _timing(engine):
    """[(seconds, statement)] of every statement run inside the block."""
    statements, started = [], {}

    def before(_conn, cursor, _statement, _parameters, _context, _executemany):
        started[id(cursor)] = time.perf_counter()

    def after(_conn, cursor, statement, _parameters, _context, _executemany):
        statements.append((time.perf_counter() - started.pop(id(cursor), 0.0), statement))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def _short(statement, width=110):
    return re.sub(r"\s+", " ", statement)[:width]


def measure(app, pages, repeat=5, profile=False, log=print, cold=False):
    """For each (name, path, cookie): statements a request, their time, the time in process.

    cold: empty the page cache before each request, so every page is worked out afresh.
    """
    with app.app_context():
        engine = db.engine
    found = {}
    for name, path, cookie in pages:
        headers = {"User-Agent": USER_AGENT}
        client = app.test_client()
        for key, morsel in SimpleCookie(cookie or "").items():
            client.set_cookie(key, morsel.value, domain="localhost")
        response = client.get(path, headers=headers)  # warm: templates, caches
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code} in process")
        times, statements = [], []
        for _ in range(repeat):
            if cold:
                with app.app_context():
                    cache.clear()
            with _timing(engine) as these:
                began = time.perf_counter()
                response = client.get(path, headers=headers)
                times.append(time.perf_counter() - began)
            statements = these
        best, sql = min(times), sum(seconds for seconds, _ in statements)
        found[name] = dict(statements=len(statements), ms=best * 1000, sql_ms=sql * 1000)
        log(f"{name}: {len(statements)} SQL statements a request taking {sql * 1000:.1f} ms; "
            f"{best * 1000:.1f} ms in process (best of {repeat}); "
            f"{len(response.data) // 1024} KiB of HTML")
        for seconds, statement in sorted(statements, reverse=True)[:3]:
            log(f"    {seconds * 1000:6.1f} ms  {_short(statement)}")
        if profile:
            _profile(client, path, headers, log, app if cold else None)
    return found


def _profile(client, path, headers, log, cold_app=None):
    """The functions of one request that take the most time of their own, and, of the app's
    own code, those that take the most in all."""
    if cold_app is not None:
        with cold_app.app_context():
            cache.clear()
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(path, headers=headers)
    profiler.disable()
    for order, pattern, count in (("tottime", "", 15), ("cumulative", "/work/main/(?!.venv)", 15)):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(order)
        stats.print_stats(pattern, count) if pattern else stats.print_stats(count)
        text = out.getvalue()
        table = text[text.find("   ncalls"):] if "   ncalls" in text else text
        log(f"  by {order}:\n" + "\n".join("    " + line for line in table.splitlines()
                                          if line.strip()))
