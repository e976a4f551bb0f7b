"""The rep's phone with no signal: the installable app, its service worker and the outbox.

Chromium's network is cut with context.set_offline, which cuts the service worker's too.
"""

import re
import shutil
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select
from werkzeug.serving import make_server

from app import create_app
from extensions import db
from models import Activity, DailyRollup, LoginSession, Metric, User
from services import activities, pending
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, REP
from tests.conftest import PASSWORD
from tests.test_database_errors import another_writer_holds_the_lock

ROME = ZoneInfo("Europe/Rome")  # the test organisation's timezone, and so the rep's
READY_TIMEOUT = 20_000  # ms: the worker installs and keeps Today before the first offline step

# Posts a batch straight to the API, behind the outbox's back (no lock, no coalescing).
REPLAY = """async (items) => {
    const session = await (await fetch("/api/v1/session")).json();
    const response = await fetch("/api/v1/activities", {
        method: "POST",
        headers: {"Content-Type": "application/json", "X-CSRFToken": session.csrf_token},
        body: JSON.stringify({activities: items.map((item) => ({
            client_id: item.client_id, metric: item.metric, quantity: item.quantity,
            occurred_at: item.occurred_at, note: item.note}))}),
    });
    return (await response.json()).results.map((result) => result.status);
}"""


def sign_in(page):
    page.goto("/sign-in")
    page.get_by_label("Email").fill(REP)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    return page


def wait_until_kept_for_offline(page):
    """The service worker is active and holds this rep's Today page."""
    expect(page.locator("html")).to_have_attribute("data-offline", "ready", timeout=READY_TIMEOUT)


def tile(page, metric):
    return page.locator(".tile").filter(has=page.get_by_role("heading", name=metric, exact=True))


def today_total(page, metric):
    return tile(page, metric).locator("[data-total='today']")


def pending_badge(page, metric):
    return tile(page, metric).locator(".pending-badge")


def plus_one(page, metric):
    return page.get_by_role("button", name=f"+1 {metric}", exact=True)


def outbox_panel(page):
    """The outbox: "Waiting to be sent", or "Not sent" once it holds only refused entries."""
    return page.get_by_role("region", name=re.compile("^(Waiting to be sent|Not sent)$"))


def queued(page):
    return page.evaluate("PacerOutbox.all()")


def stored(app):
    """The activities the server holds, read in a session of our own."""
    with app.app_context():
        rows = db.session.scalars(select(Activity).order_by(Activity.id)).all()
        return [
            SimpleNamespace(client_id=str(row.client_id), quantity=row.quantity,
                            occurred_at=row.occurred_at, source=row.source, note=row.note,
                            user_id=row.user_id)
            for row in rows
        ]


def rollups_match_a_recount(app):
    with app.app_context():
        before = db.session.execute(select(DailyRollup)).scalars().all()
        kept = {(r.user_id, r.metric_id, r.day): (r.entries, r.total) for r in before
                if r.entries}
        activities.rebuild_rollups(db.session)
        after = db.session.execute(select(DailyRollup)).scalars().all()
        recount = {(r.user_id, r.metric_id, r.day): (r.entries, r.total) for r in after}
        db.session.rollback()
        return kept == recount


def eventually(page, condition, arg=None, tries=100):
    """Wait until the JS function `condition(arg)` (which may be async) is true, checking every
    50 ms, at most `tries` times. Through page.evaluate: wait_for_function evals its predicate,
    which the Content-Security-Policy forbids, and takes a promise for a true answer."""
    assert page.evaluate(
        f"""async ([arg, tries]) => {{
            const condition = {condition};
            for (let tried = 0; tried < tries; tried += 1) {{
                if (await condition(arg)) return true;
                await new Promise((resolve) => setTimeout(resolve, 50));
            }}
            return false;
        }}""",
        [arg, tries],
    )


def wait_until_the_outbox_holds(page, count):
    eventually(page, "async (count) => (await PacerOutbox.all()).length >= count", count)


def log_offline(page, metric, count):
    """Tap +1 and wait for the pending count each time (a tap before the screen caught up is
    the same tap, as online)."""
    for _ in range(count):
        before = len(queued(page))
        plus_one(page, metric).tap()
        wait_until_the_outbox_holds(page, before + 1)


def test_rep_logs_three_activities_offline_and_the_server_gets_exactly_those(app, rep, page):
    sign_in(page)
    wait_until_kept_for_offline(page)
    context = page.context
    context.set_offline(True)

    response = page.reload()
    assert response.from_service_worker
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    expect(page.get_by_text("You are offline.")).to_be_visible()
    expect(page.locator(".as-of")).to_contain_text("As of")

    log_offline(page, "Calls", 2)
    calls = tile(page, "Visits")
    calls.locator("details.more summary").click()
    calls.get_by_label("Note").fill("Met the buyer")
    calls.get_by_role("button", name="Log Visits", exact=True).tap()

    expect(pending_badge(page, "Calls")).to_have_text("2 pending")
    expect(today_total(page, "Calls")).to_have_text("2")
    expect(pending_badge(page, "Visits")).to_have_text("1 pending")
    expect(today_total(page, "Visits")).to_have_text("1")
    expect(outbox_panel(page).get_by_role("listitem")).to_have_count(3)
    expect(outbox_panel(page)).to_contain_text("Met the buyer")
    on_the_phone = queued(page)
    assert len(on_the_phone) == 3 and stored(app) == []

    # Undo takes one back out while it is still pending.
    log_offline(page, "Visits", 1)
    outbox_panel(page).get_by_role("button", name="Undo Visits").last.tap()
    expect(outbox_panel(page).get_by_role("listitem")).to_have_count(3)
    assert {item["client_id"] for item in queued(page)} == {
        item["client_id"] for item in on_the_phone
    }

    # A page the phone does not keep gets a clear page instead of the browser's error.
    page.goto("/account/password")
    expect(page.get_by_role("heading", name="This page is not available offline")).to_be_visible()

    page.close()
    page = context.new_page()
    page.goto("/today")
    expect(pending_badge(page, "Calls")).to_have_text("2 pending")
    expect(pending_badge(page, "Visits")).to_have_text("1 pending")

    context.set_offline(False)

    expect(page.locator(".pending-badge")).to_have_count(0)
    expect(outbox_panel(page)).to_be_hidden()
    expect(today_total(page, "Calls")).to_have_text("2")
    expect(today_total(page, "Visits")).to_have_text("1")
    assert queued(page) == []
    rows = stored(app)
    assert sorted(row.client_id for row in rows) == sorted(
        item["client_id"] for item in on_the_phone
    )
    by_id = {row.client_id: row for row in rows}
    for item in on_the_phone:
        row = by_id[item["client_id"]]
        assert row.occurred_at == datetime.fromisoformat(item["occurred_at"])
        assert row.source == "offline" and row.quantity == 1
    assert sorted(row.note or "" for row in rows) == ["", "", "Met the buyer"]
    assert rollups_match_a_recount(app)


def test_syncing_twice_at_once_from_two_tabs_and_again_after_success_stores_each_once(
    app, rep, page
):
    sign_in(page)
    wait_until_kept_for_offline(page)
    context = page.context
    context.set_offline(True)
    log_offline(page, "Calls", 2)
    log_offline(page, "Visits", 1)
    other = context.new_page()
    other.goto("/today")
    expect(pending_badge(other, "Calls")).to_have_text("2 pending")
    batch = queued(page)

    context.set_offline(False)
    # Besides what going online starts by itself: two syncs in each tab, and the same batch
    # posted twice more past the outbox's lock.
    page.evaluate(
        f"items => {{ window.runs = Promise.all([Pacer.sync(), Pacer.sync(), ({REPLAY})(items),"
        f" ({REPLAY})(items)]) }}",
        batch,
    )
    other.evaluate("() => { window.runs = Promise.all([Pacer.sync(), Pacer.sync()]) }")
    replays = page.evaluate("window.runs")[2:]
    other.evaluate("window.runs")

    for tab in (page, other):
        expect(tab.locator(".pending-badge")).to_have_count(0)
        expect(today_total(tab, "Calls")).to_have_text("2")
    for statuses in replays:
        assert set(statuses) <= {"created", "duplicate"}

    # Once more after success: nothing new.
    page.evaluate("Pacer.sync()")
    assert page.evaluate(REPLAY, batch) == ["duplicate"] * 3

    rows = stored(app)
    assert sorted(row.client_id for row in rows) == sorted(item["client_id"] for item in batch)
    assert rollups_match_a_recount(app)


def test_an_expired_session_keeps_the_activity_and_sends_it_once_after_signing_in(
    app, rep, page
):
    sign_in(page)
    wait_until_kept_for_offline(page)
    context = page.context
    context.set_offline(True)
    with app.app_context():  # the server ends every session while the phone has no signal
        db.session.execute(delete(LoginSession))
        db.session.commit()

    log_offline(page, "Calls", 1)
    kept = queued(page)
    context.set_offline(False)

    sign_in_again = outbox_panel(page).get_by_role("link", name="Sign in again to send 1 activity.")
    expect(sign_in_again).to_be_visible()
    expect(pending_badge(page, "Calls")).to_have_text("1 pending")
    assert stored(app) == [] and queued(page) == kept

    sign_in_again.click()
    page.get_by_label("Email").fill(REP)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    expect(today_total(page, "Calls")).to_have_text("1")
    expect(page.locator(".pending-badge")).to_have_count(0)
    assert [row.client_id for row in stored(app)] == [kept[0]["client_id"]]
    assert queued(page) == []


def test_an_item_the_server_refuses_stays_on_the_phone_with_the_reason_until_discarded(
    app, rep, page
):
    sign_in(page)
    wait_until_kept_for_offline(page)
    page.context.set_offline(True)
    calls = tile(page, "Calls")
    calls.locator("details.more summary").click()
    in_three_days = datetime.now() + timedelta(days=3)  # the browser keeps the machine's zone
    calls.get_by_label("When").fill(in_three_days.strftime("%Y-%m-%dT%H:%M"))
    calls.get_by_role("button", name="Log Calls", exact=True).tap()
    expect(pending_badge(page, "Calls")).to_have_text("1 pending")
    log_offline(page, "Calls", 1)

    page.context.set_offline(False)

    refused = outbox_panel(page).get_by_role("listitem")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("That time is in the future.")
    expect(page.locator(".pending-badge")).to_have_count(0)
    expect(today_total(page, "Calls")).to_have_text("1")
    assert len(stored(app)) == 1
    assert [item["state"] for item in queued(page)] == ["rejected"]
    with app.app_context():
        rep_id = db.session.scalar(select(LoginSession.user_id))
        assert pending.pending_by_user(db.session, [rep_id]) == {rep_id: 1}

    refused.get_by_role("button", name="Discard Calls").tap()

    expect(outbox_panel(page)).to_be_hidden()
    assert queued(page) == [] and len(stored(app)) == 1


def refused_items(page):
    return outbox_panel(page).locator(".outbox-rejected li")


def stored_ids(app):
    return [row.client_id for row in stored(app)]


RETIRED = "This metric does not exist or is no longer logged."


def test_an_item_the_server_refuses_between_two_others_holds_neither_of_them_up(app, rep, page):
    sign_in(page)
    wait_until_kept_for_offline(page)
    page.context.set_offline(True)
    log_offline(page, "Calls", 1)
    log_offline(page, "Visits", 1)
    log_offline(page, "Calls", 1)
    first, middle, last = queued(page)
    assert middle["metric"] == "visits"
    with app.app_context():  # retired while the phone had no signal
        db.session.scalar(select(Metric).where(Metric.key == "visits")).active = False
        db.session.commit()

    page.context.set_offline(False)

    expect(refused_items(page)).to_have_count(1)
    expect(refused_items(page)).to_contain_text(RETIRED)
    expect(page.locator(".pending-badge")).to_have_count(0)
    expect(today_total(page, "Calls")).to_have_text("2")
    assert sorted(stored_ids(app)) == sorted([first["client_id"], last["client_id"]])
    # Nothing is waiting any more: the panel says what it holds, and the top of the page
    # points a rep who never scrolls that far to the reason.
    expect(outbox_panel(page).get_by_role("heading", level=2)).to_have_accessible_name("Not sent")
    expect(outbox_panel(page).get_by_role("button", name="Sync now")).to_be_hidden()
    alert = page.get_by_role("alert").filter(has_text="1 entry was not accepted: see why")
    expect(alert).to_be_visible()
    alert.get_by_role("link").tap()
    expect(refused_items(page)).to_be_in_viewport()

    # Another page load syncs again: nothing new arrives, the refused one is still shown.
    page.reload()
    expect(refused_items(page)).to_contain_text(RETIRED)
    page.evaluate("Pacer.sync()")
    assert sorted(stored_ids(app)) == sorted([first["client_id"], last["client_id"]])
    assert [item["state"] for item in queued(page)] == ["rejected"]


def test_an_item_that_makes_the_server_refuse_the_whole_batch_is_set_aside_alone(app, rep, page):
    sign_in(page)
    wait_until_kept_for_offline(page)
    page.context.set_offline(True)
    log_offline(page, "Calls", 1)
    # A note past the body's 2 MiB limit (typed in no textarea; set here past its maxlength):
    # the server answers 413 to any batch that holds it.
    calls = tile(page, "Calls")
    calls.locator("details.more summary").click()
    calls.get_by_label("Note").evaluate("(note) => { note.value = 'x'.repeat(3 * 1024 * 1024) }")
    # Laying out 3 MiB of text in the box takes Chromium seconds on a busy machine.
    calls.get_by_role("button", name="Log Calls", exact=True).tap(timeout=30_000)
    wait_until_the_outbox_holds(page, 2)
    log_offline(page, "Visits", 1)
    first, middle, last = queued(page)
    assert len(middle["note"]) == 3 * 1024 * 1024

    page.context.set_offline(False)

    # Sending 3 MiB and drawing its note back take seconds on a busy machine.
    expect(refused_items(page)).to_have_count(1, timeout=20_000)
    expect(refused_items(page)).to_contain_text("What you sent is too large.")
    expect(page.locator(".pending-badge")).to_have_count(0)
    assert sorted(stored_ids(app)) == sorted([first["client_id"], last["client_id"]])
    assert [item["client_id"] for item in queued(page)] == [middle["client_id"]]


def test_a_time_typed_offline_is_read_in_the_reps_timezone_not_the_phones(app, rep, new_page):
    page = new_page(timezone_id="America/New_York")  # the phone; the rep is in Rome
    sign_in(page)
    wait_until_kept_for_offline(page)
    page.context.set_offline(True)
    typed = (datetime.now(ROME) - timedelta(hours=2)).replace(second=0, microsecond=0)
    calls = tile(page, "Calls")
    calls.locator("details.more summary").click()
    calls.get_by_label("When").fill(typed.strftime("%Y-%m-%dT%H:%M"))
    calls.get_by_role("button", name="Log Calls", exact=True).tap()
    expect(pending_badge(page, "Calls")).to_have_text("1 pending")
    # Shown as the server will read it, in the rep's timezone.
    expect(outbox_panel(page).locator("time")).to_have_attribute(
        "datetime", typed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00.000Z")
    )

    page.context.set_offline(False)

    expect(page.locator(".pending-badge")).to_have_count(0)
    assert [row.occurred_at for row in stored(app)] == [typed]


def test_a_log_whose_answer_is_lost_waits_in_the_outbox_until_the_server_confirms_it(
    app, rep, page
):
    sign_in(page)

    def lose_the_answer(route):
        route.fetch()  # the server stores it, but the phone never hears back
        route.abort("connectionreset")

    page.route("**/today/log", lose_the_answer, times=1)
    plus_one(page, "Calls").tap()

    expect(tile(page, "Calls").get_by_role("alert")).to_contain_text("kept on this phone")
    expect(pending_badge(page, "Calls")).to_have_text("1 pending")
    assert len(stored(app)) == 1

    page.evaluate("Pacer.sync()")

    expect(page.locator(".pending-badge")).to_have_count(0)
    expect(today_total(page, "Calls")).to_have_text("1")
    assert queued(page) == [] and len(stored(app)) == 1


def test_signing_out_drops_the_pages_kept_for_offline(rep, page):
    sign_in(page)
    wait_until_kept_for_offline(page)
    assert any(name.startswith("pacer-pages-") for name in cache_names(page))

    page.get_by_role("link", name="Account").click()  # where the phone signs out
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    eventually(
        page, "async () => !(await caches.keys()).some((n) => n.startsWith('pacer-pages-'))"
    )
    page.context.set_offline(True)
    page.goto("/today")

    expect(page.get_by_role("heading", name="This page is not available offline")).to_be_visible()
    expect(page.get_by_role("heading", name="Calls")).to_have_count(0)


def test_chromium_finds_the_app_installable(rep, browser, live_server, tmp_path):
    # A profile on disk: Chromium offers no install in incognito, which new_context() is.
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
        base_url=live_server, **PHONE,
    )
    try:
        context.set_default_timeout(5000)
        page = sign_in(context.pages[0] if context.pages else context.new_page())
        wait_until_kept_for_offline(page)
        page.reload()
        cdp = context.new_cdp_session(page)

        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == []
        assert manifest["url"].endswith("/manifest.webmanifest")
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")
    finally:
        context.close()


@contextmanager
def serving(app, port=0):
    """The app over HTTP on a loopback port (the same one twice makes the same origin)."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def second_release(app, folder):
    """The same app built from static files that changed: a new bundle, so a new worker."""
    shutil.copytree(app.static_folder, folder,
                    ignore=shutil.ignore_patterns("gen", ".webassets-cache"))
    with open(folder / "js" / "pacer.js", "a", encoding="utf-8") as script:
        script.write("\nwindow.PACER_RELEASE = 2;\n")
    release = create_app(SimpleNamespace(**app.config))
    release.static_folder = str(folder)
    return release


def cache_names(page):
    return sorted(page.evaluate("caches.keys()"))


def cached_urls(page, name):
    return page.evaluate(
        """async (name) => (await (await caches.open(name)).keys())
                             .map((request) => new URL(request.url).pathname)""",
        name,
    )


def test_a_new_release_replaces_the_old_cache_once_its_worker_activates(
    app, rep, browser, tmp_path
):
    release_two = second_release(app, tmp_path / "static")
    with serving(app) as port:
        context = browser.new_context(**PHONE, base_url=f"http://127.0.0.1:{port}")
        context.set_default_timeout(5000)
        page = sign_in(context.new_page())
        wait_until_kept_for_offline(page)
        first = cache_names(page)
        first_script = page.evaluate("document.querySelector('script[src*=\"/gen/\"]').src")
        assert len(first) == 2 and page.evaluate("window.PACER_RELEASE") is None

    with serving(release_two, port):
        page.reload()  # the navigation makes the browser check for a new worker
        deadline = time.monotonic() + 20
        while set(cache_names(page)) & set(first) and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        second = cache_names(page)
        assert len(second) == 2 and not set(second) & set(first)
        new_static = next(name for name in second if name.startswith("pacer-static-"))
        new_script = page.evaluate("document.querySelector('script[src*=\"/gen/\"]').src")
        assert new_script != first_script
        assert new_script.removeprefix(f"http://127.0.0.1:{port}") in cached_urls(page, new_static)

        context.set_offline(True)
        response = page.reload()
        assert response.from_service_worker
        expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
        assert page.evaluate("window.PACER_RELEASE") == 2  # the new bundle, from the new cache
        context.close()


# Ask for the new release's worker; window.nextWorker says "activated" once its activate
# handler (which carries the kept pages over) has finished.
ACTIVATE_THE_NEXT_WORKER = """async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration.update();
    const worker = registration.installing || registration.waiting;
    window.nextWorker = worker ? worker.state : "none";
    if (worker) worker.addEventListener("statechange", () => (window.nextWorker = worker.state));
}"""


@pytest.mark.parametrize("change", ["signed out", "no longer a rep"])
def test_a_new_release_puts_back_no_kept_page_the_server_answered_for(
    app, rep, browser, tmp_path, change
):
    """Only a page the network could not fetch is carried over as it was: when the server
    answers (for no one, or with a page not to keep), the old copy stays out."""
    release_two = second_release(app, tmp_path / "static")
    with serving(app) as port:
        context = browser.new_context(**PHONE, base_url=f"http://127.0.0.1:{port}")
        context.set_default_timeout(5000)
        page = sign_in(context.new_page())
        wait_until_kept_for_offline(page)
        first = cache_names(page)
        assert "/today" in cached_urls(page, next(n for n in first if "pages" in n))

    if change == "signed out":
        context.clear_cookies()
    else:
        with app.app_context():
            db.session.get(User, rep.id).roles = ("manager",)
            db.session.commit()

    with serving(release_two, port):
        # The new worker, without a navigation that the old one would answer first.
        page.evaluate(ACTIVATE_THE_NEXT_WORKER)
        eventually(page, "() => window.nextWorker === 'activated'", tries=READY_TIMEOUT // 50)
        assert not set(cache_names(page)) & set(first)
        pages = [name for name in cache_names(page) if name.startswith("pacer-pages-")]
        assert all("/today" not in cached_urls(page, name) for name in pages)

        context.set_offline(True)
        page.goto("/today")
        offline_page = page.get_by_role("heading", name="This page is not available offline")
        expect(offline_page).to_be_visible()
        expect(page.get_by_role("heading", name="Calls")).to_have_count(0)
        context.close()


def test_a_busy_server_is_tried_again_later_and_nothing_is_dropped(app, _schema, rep, browser):
    class Impatient(_schema):  # writes wait for another's lock 0.3 s, then answer 503
        DATABASE_LOCK_TIMEOUT_MS = 300

    impatient = create_app(Impatient)
    with serving(impatient) as port:
        context = browser.new_context(**PHONE, base_url=f"http://127.0.0.1:{port}")
        context.set_default_timeout(5000)
        # A browser without Background Sync (as Firefox and Safari are): what sends again is
        # the page's own retry, not the service worker woken by the browser.
        context.add_init_script(
            "delete ServiceWorkerRegistration.prototype.sync;"
            "Object.defineProperty(ServiceWorkerRegistration.prototype, 'sync', {value: undefined})"
        )
        page = sign_in(context.new_page())
        wait_until_kept_for_offline(page)
        assert page.evaluate("navigator.serviceWorker.ready.then((r) => r.sync === undefined)")
        context.set_offline(True)
        log_offline(page, "Calls", 2)
        kept = queued(page)

        with another_writer_holds_the_lock():
            context.set_offline(False)
            expect(outbox_panel(page)).to_contain_text(
                "Could not send just now; it will be tried again."
            )
            expect(pending_badge(page, "Calls")).to_have_text("2 pending")
            assert stored(app) == [] and queued(page) == kept

        # Retry-After: 2. No tap, no reload: the outbox sends again by itself.
        expect(page.locator(".pending-badge")).to_have_count(0, timeout=READY_TIMEOUT)
        expect(today_total(page, "Calls")).to_have_text("2")
        assert sorted(stored_ids(app)) == sorted(item["client_id"] for item in kept)
        assert queued(page) == []
        context.close()
    with impatient.app_context():
        db.engine.dispose()
