"""Browser fixtures: one headless Chromium per session, the app served live per test, and the
demo organisation served once a session for the gates that walk every page (`demo_site`,
`walked`: axe, overflow, the Japanese walk, screenshots).

Every test in this folder is marked `browser`, so `pytest -m "not browser"` skips them all.
"""

import os
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

import demo.organization
from app import create_app
from config import TestConfig
from extensions import db
from tests.browser.pages import (
    AXE,
    BROWSER_LOCALES,
    LANGUAGES,
    PUBLIC,
    ROLES,
    SIGNED_OUT,
    demo_data,
    metric_words,
    page_urls,
    seed_demo,
    walk,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# A phone: what field reps hold.
PHONE = dict(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
# A laptop: what managers and executives often use.
LAPTOP = dict(viewport={"width": 1366, "height": 768})
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    # This hook sees the whole session's items; mark only the ones in this folder.
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()


class Quiet(WSGIRequestHandler):
    """Logs no line per request (a failing test's report would drown in them); errors still."""

    def log_request(self, *args, **kwargs):
        pass


class Served:
    """An app over real HTTP on a free loopback port, until closed."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def close(self):
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@pytest.fixture
def live_server(app):
    """The test's app over real HTTP on a free loopback port; yields its base URL."""
    served = Served(app)
    try:
        yield served.url
    finally:
        served.close()


@pytest.fixture
def new_page(browser, live_server):
    """Opens a page in a fresh phone-sized context (options override the defaults)."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(
            **{**PHONE, "base_url": live_server, "locale": "en-US", **options}
        )
        context.set_default_timeout(5000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


REP = "rep@example.com"


@pytest.fixture
def rep(make):
    """An organisation with a rep and the metrics they log, made before the server starts."""
    make.metric("calls", position=0)
    make.metric("visits", position=1)
    make.metric("revenue", kind="lagging", aggregation="sum", unit="EUR")
    return make.user(REP)


@dataclass
class DemoSite:
    """The demo organisation served for the whole session, each demo role signed in once."""

    browser: object
    url: str
    urls: dict  # endpoint -> URL of every page (tests/browser/pages.py)
    states: dict  # role -> the signed-in browser's cookies (Playwright's storage state)
    data: list  # the words of the demo's own data (pages.demo_data)
    metric_words: dict  # language -> the metric names and units it says otherwise

    def context(self, role=SIGNED_OUT, language="en", **options):
        """A fresh phone-sized browser context, signed in as `role` (a key of ROLES, or
        SIGNED_OUT), asking for `language`. Its service worker is blocked: every page comes
        from the server."""
        context = self.browser.new_context(**{
            **PHONE, "base_url": self.url, "locale": BROWSER_LOCALES[language],
            "storage_state": self.states.get(role),
            "service_workers": "block", **options})
        context.set_default_timeout(30_000)
        return context


def _signed_in(browser, url, email):
    context = browser.new_context(**PHONE, base_url=url, service_workers="block")
    try:
        page = context.new_page()
        page.goto("/sign-in")
        page.locator("input[name=email]").fill(email)
        page.locator("input[name=password]").fill(demo.organization.PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(re.compile(r"^(?!.*sign-in)"))
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture(scope="session")
def demo_site(browser, postgres, tmp_path_factory):
    """Northwind Supplies with the demo's three months of activity (as `flask seed-demo` makes
    it, so screenshots look like the demo), in a database of its own (the other tests
    empty theirs), served until the session ends."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run npm ci (make assets)")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = (
            postgres.create_database("pacer_demo") if postgres is not None
            else f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        seed_demo(db.session, datetime.now(UTC), app.config["PASSWORD_HASH_METHOD"],
                  days=demo.organization.DEFAULT_DAYS)
        urls = page_urls(app)
        data = demo_data()
        words = {language: metric_words(language) for language in LANGUAGES[1:]}
        db.session.remove()
    served = Served(app)
    try:
        states = {role: _signed_in(browser, served.url, email) for role, email in ROLES.items()}
        yield DemoSite(browser, served.url, urls, states, data, words)
    finally:
        served.close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def walked(demo_site):
    """walked(role, language): every page as `role` (SIGNED_OUT: the public ones) in `language`
    at phone size, checked by pages.walk; each walk is done once a session, shared by the gates."""
    walks = {}

    def walked_as(role, language):
        if (role, language) not in walks:
            urls = ({e: demo_site.urls[e] for e in PUBLIC} if role == SIGNED_OUT
                    else demo_site.urls)
            context = demo_site.context(role, language)
            try:
                walks[role, language] = walk(context.new_page(), urls)
            finally:
                context.close()
        # Every walk of a signed-in role stays signed in: no gate passes a sign-in page off as
        # the pages behind it.
        lost = [visit.endpoint for visit in walks[role, language]
                if visit.shown.startswith("/sign-in") and visit.endpoint != "auth.sign_in"]
        assert role == SIGNED_OUT or lost == [], f"{role} was sent to sign in from {lost}"
        return walks[role, language]

    return walked_as
