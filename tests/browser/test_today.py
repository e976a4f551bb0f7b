"""The rep's Today page in a phone-sized Chromium: one-tap logging, with and without JavaScript."""

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from extensions import db
from models import Activity
from tests.browser.conftest import REP
from tests.conftest import PASSWORD


def sign_in(page, email=REP, password=PASSWORD):
    """Through the real sign-in form; lands on Today."""
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    return page


@pytest.fixture
def rep_page(rep, page):
    return sign_in(page)


@pytest.fixture
def rep_page_without_js(rep, new_page):
    return sign_in(new_page(java_script_enabled=False))


def tile(page, metric):
    return page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=metric, exact=True)
    )


def today_total(page, metric):
    return tile(page, metric).locator("[data-total='today']")


def plus_one(page, metric):
    return page.get_by_role("button", name=f"+1 {metric}", exact=True)


def logged(app):
    """(quantity, note, client id) of each standing activity, read in a session of our own:
    the live server writes from its own threads."""
    with app.app_context():
        rows = db.session.scalars(
            select(Activity).where(Activity.deleted_at.is_(None)).order_by(Activity.id)
        )
        return [(row.quantity, row.note, row.client_id) for row in rows]


def count_navigations(page):
    """A list that grows with every main-frame navigation from now on."""
    navigations = []
    page.on(
        "framenavigated",
        lambda frame: navigations.append(frame.url) if frame == page.main_frame else None,
    )
    return navigations


def test_rep_logs_a_call_in_one_tap_and_sees_the_total_change_without_a_page_load(
    app, rep_page
):
    page = rep_page
    expect(today_total(page, "Calls")).to_have_text("0")
    page.evaluate("window.__marker = 1")
    navigations = count_navigations(page)

    with page.expect_response("**/today/log"):
        plus_one(page, "Calls").tap()

    expect(today_total(page, "Calls")).to_have_text("1")
    expect(tile(page, "Calls").get_by_role("status")).to_have_text("Logged 1 × Calls.")
    assert page.evaluate("window.__marker") == 1, "the tap reloaded the page"
    assert navigations == []
    assert [quantity for quantity, _note, _id in logged(app)] == [1]
    # The tile was drawn anew, and focus is on its +1, not dropped to <body>.
    assert page.evaluate("document.activeElement.id") == "log-calls"


def test_rep_logs_a_call_without_javascript_through_a_plain_form_post(app, rep_page_without_js):
    page = rep_page_without_js
    expect(today_total(page, "Calls")).to_have_text("0")

    plus_one(page, "Calls").tap()

    expect(page).to_have_url(re.compile(r"/today(#tile-calls)?$"))
    expect(today_total(page, "Calls")).to_have_text("1")
    expect(tile(page, "Calls").get_by_role("status")).to_have_text("Logged 1 × Calls.")
    assert len(logged(app)) == 1


def test_a_quick_double_tap_logs_once_and_a_second_deliberate_tap_logs_again(app, rep_page):
    page = rep_page
    held = []
    # Hold the first request, so the second tap surely lands on the same, not yet replaced, form.
    page.route("**/today/log", lambda route: held.append(route))
    page.evaluate(
        "window.__submits = 0;"
        "document.addEventListener('submit', () => window.__submits++, true)"
    )
    plus_one(page, "Calls").dblclick()
    assert page.evaluate("window.__submits") == 2, "the form was not submitted twice"
    deadline = time.monotonic() + 5
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(10)
    for route in held:
        route.continue_()
    page.unroute("**/today/log")

    expect(today_total(page, "Calls")).to_have_text("1")
    assert len(logged(app)) == 1

    # A new tap on the re-rendered form is a new call.
    plus_one(page, "Calls").tap()
    expect(today_total(page, "Calls")).to_have_text("2")
    assert len(logged(app)) == 2


def test_resubmitting_the_same_form_from_a_restored_page_logs_once(app, rep_page_without_js):
    page = rep_page_without_js
    kept = page.content()
    first_id = tile(page, "Calls").locator(".quick input[name=client_id]").get_attribute("value")
    plus_one(page, "Calls").tap()
    expect(today_total(page, "Calls")).to_have_text("1")

    # A phone's back-forward cache shows the page as it was, form and client id included.
    # Playwright's Chromium runs without that cache and the session cookie (Vary: Cookie) has
    # changed, so it would fetch a fresh page: hand it the kept copy instead.
    page.route(
        "**/today",
        lambda route: route.fulfill(body=kept, content_type="text/html; charset=utf-8"),
        times=1,
    )
    page.go_back()
    expect(today_total(page, "Calls")).to_have_text("0")
    plus_one(page, "Calls").tap()

    expect(page).to_have_url(re.compile(r"/today(#tile-calls)?$"))
    expect(today_total(page, "Calls")).to_have_text("1")
    assert [str(client_id) for _quantity, _note, client_id in logged(app)] == [first_id]


def test_a_retry_after_a_lost_response_logs_once(app, rep_page):
    page = rep_page

    def lose_the_response(route):
        route.fetch()  # the server records the call...
        route.abort("connectionreset")  # ...but the phone never hears back

    page.route("**/today/log", lose_the_response, times=1)
    plus_one(page, "Calls").tap()
    expect(tile(page, "Calls").get_by_role("alert")).to_contain_text("Not sent")
    assert len(logged(app)) == 1

    plus_one(page, "Calls").tap()  # the same form, so the same client id

    expect(today_total(page, "Calls")).to_have_text("1")
    assert len(logged(app)) == 1


def test_rep_logs_several_with_a_note_then_undoes_it(app, rep_page):
    page = rep_page
    calls = tile(page, "Calls")
    calls.locator("details.more summary").click()
    calls.get_by_label("How many").fill("3")
    calls.get_by_label("Note").fill("Follow-up with Rossi")
    calls.get_by_role("button", name="Log Calls", exact=True).tap()

    expect(today_total(page, "Calls")).to_have_text("3")
    expect(tile(page, "Calls").locator("[data-total='week']")).to_have_text("3")
    latest = page.get_by_role("region", name="Latest entries")
    expect(latest.get_by_role("listitem")).to_have_count(1)
    expect(latest.get_by_role("listitem")).to_contain_text("3 × Calls")
    expect(latest.get_by_role("listitem")).to_contain_text("Follow-up with Rossi")
    assert [(quantity, note) for quantity, note, _id in logged(app)] == [
        (3, "Follow-up with Rossi")
    ]

    latest.get_by_role("button", name="Undo Calls").tap()

    expect(today_total(page, "Calls")).to_have_text("0")
    expect(latest).to_contain_text("Nothing logged yet today")
    assert logged(app) == []


def test_today_fits_a_phone_without_sideways_scrolling_and_with_thumb_sized_buttons(rep_page):
    page = rep_page
    plus_one(page, "Calls").tap()
    expect(today_total(page, "Calls")).to_have_text("1")
    for summary in page.locator("details.more summary").all():
        summary.click()

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert plus_one(page, "Calls").bounding_box()["height"] >= 44
    heights = page.evaluate(
        """[...document.querySelectorAll("button")]
             .filter((b) => b.checkVisibility())
             .map((b) => [b.textContent.trim(), b.getBoundingClientRect().height])"""
    )
    assert heights
    assert [(name, height) for name, height in heights if height < 44] == []


def test_a_time_in_the_future_shows_an_error_in_the_tile_and_logs_nothing(app, rep_page):
    page = rep_page
    calls = tile(page, "Calls")
    calls.locator("details.more summary").click()
    tomorrow = datetime.now(ZoneInfo("Europe/Rome")) + timedelta(days=1)
    calls.get_by_label("When").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    calls.get_by_role("button", name="Log Calls", exact=True).tap()

    calls = tile(page, "Calls")
    expect(calls.locator(".error")).to_have_text("That time is in the future.")
    expect(calls.get_by_label("When")).to_be_visible()  # the details stay open to fix it
    expect(today_total(page, "Calls")).to_have_text("0")
    assert logged(app) == []


# A call counts from 2 minutes: one tap on its length logs one that counts; nothing that does
# not count is ever confirmed as if it did.

UNCOUNTED = "Logged, but it does not count: Calls count from 2 minutes."


@pytest.fixture
def gated_rep(make):
    make.metric("calls", position=0, quality_min=2, quality_unit="minutes")
    make.metric("visits", position=1)
    return make.user(REP)


def pick(page, label):
    """A quick pick of the call's length, by the words on it (e.g. "2–5")."""
    return tile(page, "Calls").get_by_role("button", name=re.compile(f"^{re.escape(label)}"))


def counted(app):
    with app.app_context():
        return db.session.scalars(
            select(Activity.counted).where(Activity.deleted_at.is_(None)).order_by(Activity.id)
        ).all()


def test_a_gated_call_that_counts_takes_at_most_two_taps_on_a_phone(app, gated_rep, page):
    sign_in(page)
    assert page.viewport_size == {"width": 360, "height": 740}
    taps = 0

    def tap(locator):
        nonlocal taps
        taps += 1
        locator.tap()

    # The picks are in the tile, on the first screen: no scrolling, no opening anything.
    length = pick(page, "2–5")
    box = length.bounding_box()
    assert box["y"] + box["height"] <= 740 and box["height"] >= 44
    with page.expect_response("**/today/log"):
        tap(length)

    expect(today_total(page, "Calls")).to_have_text("1")
    expect(tile(page, "Calls").get_by_role("status")).to_have_text("Logged 1 × Calls.")
    assert taps <= 2
    assert counted(app) == [True]
    # Focus stays where the thumb is: on the pick tapped, drawn anew.
    assert page.evaluate("document.activeElement.id") == "log-calls-1"
    # Undo is right there, and takes it back.
    tap(tile(page, "Calls").get_by_role("button", name="Undo Calls"))
    expect(tile(page, "Calls").get_by_role("status")).to_have_text("Removed Calls.")
    expect(today_total(page, "Calls")).to_have_text("0")
    assert counted(app) == []
    assert page.evaluate("document.activeElement.id") == "log-calls-1"


def test_a_call_under_the_gate_says_plainly_it_does_not_count_with_htmx(app, gated_rep, page):
    sign_in(page)
    below = pick(page, "< 2")
    expect(below).to_contain_text("won't count")
    with page.expect_response("**/today/log"):
        below.tap()

    status = tile(page, "Calls").get_by_role("status")
    expect(status).to_have_text(UNCOUNTED)
    expect(today_total(page, "Calls")).to_have_text("0")
    latest = page.get_by_role("region", name="Latest entries")
    expect(latest.get_by_role("listitem").first).to_contain_text("Does not count")
    assert counted(app) == [False]


def test_a_call_under_the_gate_says_so_without_javascript(app, gated_rep, new_page):
    page = sign_in(new_page(java_script_enabled=False))
    pick(page, "< 2").tap()
    expect(page).to_have_url(re.compile(r"/today#tile-calls$"))
    expect(tile(page, "Calls").get_by_role("status")).to_have_text(UNCOUNTED)
    expect(today_total(page, "Calls")).to_have_text("0")

    pick(page, "5–15").tap()
    expect(tile(page, "Calls").get_by_role("status")).to_have_text("Logged 1 × Calls.")
    expect(today_total(page, "Calls")).to_have_text("1")
    assert counted(app) == [False, True]


def test_the_details_form_with_a_short_length_says_it_does_not_count(app, gated_rep, page):
    sign_in(page)
    calls = tile(page, "Calls")
    calls.locator("details.more summary").click()
    calls.get_by_label("How many").fill("2")
    calls.get_by_role("spinbutton", name="minutes").fill("1.5")
    calls.get_by_role("button", name="Log Calls", exact=True).tap()

    expect(tile(page, "Calls").get_by_role("status")).to_have_text(UNCOUNTED)
    expect(today_total(page, "Calls")).to_have_text("0")
    assert counted(app) == [False]


def test_a_call_under_the_gate_logged_offline_says_it_will_not_count(app, gated_rep, page):
    sign_in(page)
    page.context.set_offline(True)
    pick(page, "< 2").tap()
    status = tile(page, "Calls").get_by_role("status")
    expect(status).to_have_text(
        "Saved on this phone, but it does not count: Calls count from 2 minutes.")
    expect(today_total(page, "Calls")).to_have_text("0")  # not counted while pending either
    outbox = page.get_by_role("region", name="Waiting to be sent")
    expect(outbox.get_by_role("listitem")).to_contain_text("does not count")

    pick(page, "2–5").tap()
    expect(status).to_have_text("Saved on this phone: it will be sent when there is signal.")
    expect(today_total(page, "Calls")).to_have_text("1")
    # The glance above the tiles leads to the outbox.
    expect(page.get_by_role("link", name=re.compile("^Waiting to be sent"))).to_contain_text("2")
    assert logged(app) == []
    queued = page.evaluate("PacerOutbox.all()")
    assert sorted(item["value"] for item in queued) == [1, 2]


def test_tiles_are_compact_and_the_latest_entries_are_a_tap_away(app, gated_rep, page):
    sign_in(page)
    tiles = page.locator(".tile")
    heights = [tiles.nth(index).bounding_box()["height"] for index in range(tiles.count())]
    assert max(heights) < 740 / 3, heights  # several to a screen, not two
    link = page.get_by_role("link", name=re.compile("^Latest entries"))
    assert link.bounding_box()["y"] < 300
    link.tap()
    expect(page).to_have_url(re.compile("#latest$"))


def test_undo_at_the_tile_goes_after_a_few_seconds_and_the_message_stays(app, gated_rep, page):
    page.clock.install()
    sign_in(page)
    with page.expect_response("**/today/log"):
        pick(page, "5–15").tap()
    page.clock.run_for(100)  # htmx settles
    undo = tile(page, "Calls").get_by_role("button", name="Undo Calls")
    expect(undo).to_be_visible()
    page.evaluate("document.activeElement.blur()")
    page.clock.run_for(11_000)
    expect(undo).to_have_count(0)
    expect(tile(page, "Calls").get_by_role("status")).to_have_text("Logged 1 × Calls.")
    # Still in the latest entries, where it can be undone later.
    latest = page.get_by_role("region", name="Latest entries")
    expect(latest.get_by_role("button", name="Undo Calls")).to_have_count(1)
