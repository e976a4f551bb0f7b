"""Browser fixtures: one headless Chromium per session, the app served live per test.

Every test in this folder is marked `browser`, so `pytest -m "not browser"` skips them all.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

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


@pytest.fixture
def live_server(app):
    """The test's app over real HTTP on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


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
