"""Behind a reverse proxy: the client's own address throttles sign-ins and fills the logs, as
far as TRUSTED_PROXY_HOPS says the forwarded headers can be believed, and no further."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import request
from sqlalchemy import select

from app import create_app
from blueprints.access import public
from extensions import db
from models import SignInFailure
from tests.conftest import PASSWORD, IsolatedClient, csrf_token

PROJECT = Path(__file__).parent.parent
ATTACKER, REP = "203.0.113.7", "198.51.100.9"


@pytest.fixture
def behind_proxies(app, _schema):
    """Makes the app as served behind that many trusted proxies, on the test's database."""
    made = []

    def make_app(hops):
        class BehindProxies(_schema):
            TRUSTED_PROXY_HOPS = hops
            SIGN_IN_WINDOW_SECONDS = 3600  # the test's speed must not matter

        made.append(create_app(BehindProxies))
        made[-1].test_client_class = IsolatedClient
        return made[-1]

    yield make_app
    for other in made:
        with other.app_context():
            db.engine.dispose()


def sign_in(client, email, password, forwarded_for):
    headers = {"X-Forwarded-For": forwarded_for}
    token = csrf_token(client.get("/sign-in", headers=headers).text)
    return client.post("/sign-in", headers=headers,
                       data={"email": email, "password": password, "csrf_token": token})


def fail_thirty_times(client, forwarded_for):
    """Thirty wrong passwords, each for a different email so only the address's count is hit."""
    for attempt in range(30):
        address = forwarded_for(attempt)
        response = sign_in(client, f"nobody{attempt}@example.com", "wrong", address)
        assert response.status_code == 401


def failures_by_address():
    return sorted(set(db.session.scalars(select(SignInFailure.ip))))


def test_behind_one_proxy_thirty_failures_from_one_client_do_not_lock_out_another(
        make, behind_proxies):
    make.user("rep@example.com")
    client = behind_proxies(1).test_client()
    fail_thirty_times(client, lambda attempt: ATTACKER)

    assert failures_by_address() == [ATTACKER]
    assert sign_in(client, "rep@example.com", PASSWORD, ATTACKER).status_code == 429
    assert sign_in(client, "rep@example.com", PASSWORD, REP).status_code == 302


def test_behind_one_proxy_the_address_it_appended_counts_not_the_one_the_client_wrote(
        make, behind_proxies):
    make.user("rep@example.com")
    client = behind_proxies(1).test_client()
    # The attacker writes a new X-Forwarded-For each time; the proxy appends the real address.
    fail_thirty_times(client, lambda attempt: f"10.0.0.{attempt}, {ATTACKER}")

    assert failures_by_address() == [ATTACKER]
    assert sign_in(client, "rep@example.com", PASSWORD, ATTACKER).status_code == 429


def test_with_no_trusted_proxy_a_forwarded_address_cannot_dodge_the_throttle(
        make, behind_proxies):
    make.user("rep@example.com")
    client = behind_proxies(0).test_client()
    fail_thirty_times(client, lambda attempt: f"10.0.0.{attempt}")

    assert failures_by_address() == ["127.0.0.1"]  # the test client's own address
    assert sign_in(client, "rep@example.com", PASSWORD, REP).status_code == 429


@pytest.mark.parametrize("hops, forwarded_for, forwarded_proto, seen", [
    (0, ATTACKER, "https", "127.0.0.1 http"),
    (1, ATTACKER, "https", f"{ATTACKER} https"),
    (1, f"10.0.0.1, {ATTACKER}", "https", f"{ATTACKER} https"),
    (2, f"10.0.0.1, {ATTACKER}", "https, http", "10.0.0.1 https"),
])
def test_forwarded_headers_count_as_far_as_the_setting_trusts_them(
        behind_proxies, hops, forwarded_for, forwarded_proto, seen):
    app = behind_proxies(hops)

    @app.get("/_seen")
    @public
    def what_the_app_sees():
        return f"{request.remote_addr} {request.scheme}"

    answer = app.test_client().get("/_seen", headers={
        "X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": forwarded_proto})
    assert answer.text == seen


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve_with_gunicorn(tmp_path, hops):
    """gunicorn with the project's gunicorn.conf.py and an access log, on a free port."""
    port = _free_port()
    environment = {
        **os.environ, "PACER_ENV": "production", "SECRET_KEY": "access-log-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'pacer.db'}", "TRUSTED_PROXY_HOPS": str(hops),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "1",
         "-b", f"127.0.0.1:{port}", "--access-logfile", str(tmp_path / "access.log"),
         "app:create_app()"],
        cwd=PROJECT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    return server, port


def _get_when_up(server, port, path, headers):
    deadline = time.monotonic() + 60  # a bound on start-up, not a measurement
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            answer.read()
            return answer.status
        except ConnectionRefusedError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)
        finally:
            connection.close()


@pytest.mark.parametrize("hops, logged", [(1, ATTACKER), (0, "127.0.0.1")])
def test_gunicorns_access_log_shows_the_address_the_app_believed(tmp_path, hops, logged):
    server, port = _serve_with_gunicorn(tmp_path, hops)
    try:
        status = _get_when_up(server, port, "/manifest.webmanifest",
                              {"X-Forwarded-For": ATTACKER})
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert status == 200, errors
    lines = (tmp_path / "access.log").read_text().splitlines()
    assert [line.split()[0] for line in lines if "/manifest.webmanifest" in line] == [logged]
