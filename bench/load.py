"""Load on one URL for a fixed time: wrk when it is installed, else threads of keep-alive
http.client connections. Both count every answer that is not a 200, so a redirect to the
sign-in page can never pass for a fast scorecard.
"""

import http.client
import json
import math
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
USER_AGENT = "pacer-bench"  # the same at sign-in and under load: the session stays fresh

# Per wrk thread: count answers that are not 200; at the end, one line the harness parses.
WRK_SCRIPT = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  first_bad = 0
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if first_bad == 0 then first_bad = status end
  end
end

function done(summary, latency, requests)
  local total_bad, status = 0, 0
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
    if thread:get("first_bad") ~= 0 then status = thread:get("first_bad") end
  end
  local errors = summary.errors
  io.write(string.format(
    "PACER requests=%d duration_us=%d p50_us=%.0f p99_us=%.0f non200=%d first_non200=%d "
    .. "connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    total_bad, status, errors.connect, errors.read, errors.write, errors.timeout))
end
"""


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failures: int  # answers other than 200, and socket errors or timeouts

    @property
    def rate(self):
        return self.requests / self.seconds if self.seconds else 0.0


class LoadError(RuntimeError):
    pass


def wrk_path():
    return shutil.which("wrk")


def run(port, path, cookie, connections, seconds, threads=2):
    """Load one URL for `seconds` with `connections` open at once; wrk if it is there."""
    if wrk_path():
        return _run_wrk(port, path, cookie, connections, seconds, threads)
    return _run_python(port, path, cookie, connections, seconds)


def _run_wrk(port, path, cookie, connections, seconds, threads):
    with tempfile.TemporaryDirectory(prefix="pacer-wrk-") as folder:
        script = Path(folder) / "count.lua"
        script.write_text(WRK_SCRIPT)
        command = [
            wrk_path(), f"--threads={min(threads, connections)}",
            f"--connections={connections}", f"--duration={seconds}s", "--timeout=30s",
            "--latency", f"--script={script}", "-H", f"User-Agent: {USER_AGENT}",
        ]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        command.append(f"http://{HOST}:{port}{path}")
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    found = re.search(r"^PACER (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or not found:
        raise LoadError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    numbers = dict(pair.split("=") for pair in found.group(1).split())
    failures = sum(int(numbers[key]) for key in ("non200", "connect", "read", "write",
                                                  "timeout"))
    if int(numbers["non200"]):
        raise LoadError(f"{path}: {numbers['non200']} answers were not 200 "
                        f"(e.g. {numbers['first_non200']})")
    return Result(int(numbers["requests"]), int(numbers["duration_us"]) / 1e6,
                  float(numbers["p50_us"]) / 1000, float(numbers["p99_us"]) / 1000, failures)


def _run_python(port, path, cookie, connections, seconds):
    """The fallback: one thread per connection, each a keep-alive http.client connection."""
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    latencies, statuses, errors = [], [], [0]
    lock = threading.Lock()
    start = threading.Barrier(connections + 1)
    deadline = [0.0]

    def worker():
        mine, codes, failed = [], [], 0
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        start.wait()
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            mine.append(time.perf_counter() - began)
            codes.append(response.status)
            if response.will_close:
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.extend(codes)
            errors[0] += failed

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for each in workers:
        each.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for each in workers:
        each.join(seconds + 60)
    elapsed = time.perf_counter() - began
    bad = [status for status in statuses if status != 200]
    if bad:
        raise LoadError(f"{path}: {len(bad)} answers were not 200 (e.g. {bad[0]})")
    ordered = sorted(latencies)
    return Result(len(ordered), elapsed, _percentile(ordered, 0.50) * 1000,
                  _percentile(ordered, 0.99) * 1000, errors[0])


def _percentile(ordered, share):
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


# Single requests: signing in and checking each URL before it is loaded


def request(port, method, path, headers=None, body=None):
    """(status, headers as a list of pairs, body) of one request on a fresh connection."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body,
                           headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def _cookies(headers, jar):
    for name, value in headers:
        if name.lower() == "set-cookie":
            for key, morsel in SimpleCookie(value).items():
                jar[key] = morsel.value
    return jar


def _cookie_header(jar):
    return "; ".join(f"{key}={value}" for key, value in jar.items())


class ApiSession:
    """A phone's signed-in session: its cookies, and the CSRF token its writes carry."""

    PATH = "/api/v1/session"

    def __init__(self, port, email):
        self.port, self.email = port, email
        self.jar, self.token = {}, None

    def sign_in(self, password):
        cookie = sign_in(self.port, self.email, password)
        self.jar = dict(pair.split("=", 1) for pair in cookie.split("; "))
        self.refresh_token()

    def refresh_token(self):
        status, headers, body = request(self.port, "GET", self.PATH,
                                        headers={"Cookie": self.cookie()})
        if status != 200:
            raise LoadError(f"{self.email}: GET {self.PATH} answered {status}")
        self.keep_cookies(headers)
        self.token = json.loads(body)["csrf_token"]

    def cookie(self):
        return _cookie_header(self.jar)

    def keep_cookies(self, headers):
        _cookies(headers, self.jar)


def sign_in(port, email, password):
    """The Cookie header of a session signed in through the real form (CSRF token and all)."""
    status, headers, body = request(port, "GET", "/sign-in")
    if status != 200:
        raise LoadError(f"GET /sign-in answered {status}")
    jar = _cookies(headers, {})
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    if token is None:
        raise LoadError("no CSRF token on the sign-in page")
    form = urlencode({"csrf_token": token.group(1).decode(), "email": email,
                      "password": password})
    status, headers, body = request(
        port, "POST", "/sign-in", body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Cookie": _cookie_header(jar)},
    )
    location = dict((k.lower(), v) for k, v in headers).get("location", "")
    if status != 302 or "sign-in" in location:
        raise LoadError(f"signing in as {email} answered {status} {location}")
    return _cookie_header(_cookies(headers, jar))


def check(port, path, cookie):
    """Raise unless the URL answers 200 with this cookie (not a redirect, not an error)."""
    status, headers, body = request(port, "GET", path, headers={"Cookie": cookie})
    if status != 200:
        location = dict((k.lower(), v) for k, v in headers).get("location", "")
        raise LoadError(f"GET {path} answered {status} {location}".rstrip())
    return len(body)
