"""Security headers on every production answer, and the 503 that comes first without a key."""

import os
import subprocess
import sys
import uuid

import pytest

from app import create_app
from blueprints.access import public
from extensions import db
from tests.conftest import IsolatedClient

ENGLISH_503 = "Pacer is not available right now. Try again in a few minutes."
ITALIAN_503 = "Pacer non è disponibile in questo momento. Riprova tra qualche minuto."
HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
           "Referrer-Policy", "Strict-Transport-Security")


def directives(response):
    """The Content-Security-Policy as {directive: [sources]}."""
    policy = response.headers["Content-Security-Policy"]
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def assert_security_headers(response, hsts=True):
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src", "connect-src", "worker-src", "manifest-src"):
        assert csp[directive] == ["'self'"], directive
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    if hsts:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    else:
        assert "Strict-Transport-Security" not in response.headers


def _app(config):
    made = create_app(config)
    made.test_client_class = IsolatedClient
    return made


@pytest.fixture
def production(app, _schema):
    """The app as production runs it: not development, a secret key, errors answered."""

    class Production(_schema):
        TESTING = False
        DEVELOPMENT = False
        SECRET_KEY = "production-secret"
        SECURITY_HEADERS = True  # config.Config's value outside development (test below)

    made = _app(Production)

    @made.get("/_boom")
    @public
    def boom():
        raise RuntimeError("a bug")

    yield made
    with made.app_context():
        db.engine.dispose()


@pytest.fixture
def unconfigured(app, _schema, monkeypatch):
    """Production with no SECRET_KEY anywhere: every request must be refused with a 503."""
    monkeypatch.delenv("SECRET_KEY", raising=False)

    class Unconfigured(_schema):
        TESTING = False
        DEVELOPMENT = False
        SECRET_KEY = None
        SECURITY_HEADERS = True

    made = _app(Unconfigured)
    assert not made.config["SECRET_KEY"]
    yield made
    with made.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path, status", [
    ("/sign-in", 200),
    ("/healthz", 200),
    ("/static/css/pacer.css", 200),
    ("/sw.js", 200),
    ("/manifest.webmanifest", 200),
    ("/offline", 200),
    ("/today", 302),
    ("/no-such-page", 404),
    ("/api/v1/session", 401),
    ("/_boom", 500),
])
def test_every_production_answer_carries_the_security_headers(production, path, status):
    with production.test_client().get(path) as response:
        assert response.status_code == status
        assert_security_headers(response)


def test_a_refused_post_and_a_signed_in_page_carry_them_too(production, make):
    make.user("rep@example.com")
    client = production.test_client()
    assert_security_headers(client.post("/sign-in", data={"email": "x"}))  # no CSRF token: 400
    page = client.get("/sign-in")
    token = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    signed_in = client.post("/sign-in", data={
        "email": "rep@example.com", "password": "correct horse battery", "csrf_token": token})
    assert signed_in.status_code == 302
    today = client.get("/today")
    assert today.status_code == 200
    assert_security_headers(today)


def test_development_over_plain_http_gets_no_hsts(client):
    # The suite's own settings are development's, with the headers turned on.
    assert_security_headers(client.get("/sign-in"), hsts=False)


@pytest.mark.parametrize("environment, expected", [("production", "True"),
                                                   ("development", "False")])
def test_the_headers_are_on_in_production_and_off_in_development(environment, expected):
    probe = subprocess.run(
        [sys.executable, "-c", "import config; print(config.Config.SECURITY_HEADERS)"],
        env={**os.environ, "PACER_ENV": environment}, capture_output=True, text=True,
    )
    assert probe.stdout.strip() == expected, probe.stderr


def test_without_the_setting_there_are_no_headers(app, _schema):
    class Development(_schema):
        SECURITY_HEADERS = False

    response = _app(Development).test_client().get("/sign-in")
    assert not any(name in response.headers for name in HEADERS)


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/", None),
    ("GET", "/today", None),
    ("GET", "/sign-in", None),
    ("POST", "/sign-in", {"email": "rep@example.com", "password": "x", "csrf_token": "x"}),
    ("POST", "/today/log", {"metric": "calls", "quantity": "1"}),
    ("POST", "/api/v1/activities", None),
    ("GET", "/static/css/pacer.css", None),
    ("GET", "/sw.js", None),
    ("GET", "/manifest.webmanifest", None),
    ("GET", "/no-such-page", None),
])
def test_without_a_secret_key_every_request_is_a_plain_503_with_the_headers(
        unconfigured, method, path, body):
    client = unconfigured.test_client()
    # A browser that was signed in before the key went missing still sends its cookies.
    client.set_cookie("session", "eyJfdXNlcl9pZCI6IjEifQ.forged.signature")
    client.set_cookie("remember_token", "1|" + uuid.uuid4().hex)
    kwargs = {"json": {"activities": []}} if path.startswith("/api/") else {"data": body}
    with client.open(path, method=method, **kwargs) as response:
        response.get_data()
    assert response.status_code == 503
    assert response.mimetype == "text/plain"
    assert response.text == ENGLISH_503
    assert "Set-Cookie" not in response.headers
    assert_security_headers(response)


def test_the_refusal_speaks_the_browsers_language(unconfigured):
    response = unconfigured.test_client().get("/today", headers={"Accept-Language": "it"})
    assert response.status_code == 503 and response.text == ITALIAN_503
