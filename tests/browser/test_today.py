"""The rep's Today page in a phone-sized Chromium: one-tap logging, with and without JavaScript."""

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
    return page.get_by_role("button", name=f"Log one: {metric}", exact=True)


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
    expect(page.get_by_role("status")).to_contain_text("Logged 1 × Calls.")
    assert page.evaluate("window.__marker") == 1, "the tap reloaded the page"
    assert navigations == []
    assert [quantity for quantity, _note, _id in logged(app)] == [1]


def test_rep_logs_a_call_without_javascript_through_a_plain_form_post(app, rep_page_without_js):
    page = rep_page_without_js
    expect(today_total(page, "Calls")).to_have_text("0")

    plus_one(page, "Calls").tap()

    expect(page).to_have_url("/today")
    expect(today_total(page, "Calls")).to_have_text("1")
    expect(page.get_by_role("status")).to_contain_text("Logged 1 × Calls.")
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
    first_id = tile(page, "Calls").locator("input[name=client_id]").get_attribute("value")
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

    expect(page).to_have_url("/today")
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
    calls.get_by_text("Details: how many, when, note").click()
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
    for summary in page.get_by_text("Details: how many, when, note").all():
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
    calls.get_by_text("Details: how many, when, note").click()
    tomorrow = datetime.now(ZoneInfo("Europe/Rome")) + timedelta(days=1)
    calls.get_by_label("When").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    calls.get_by_role("button", name="Log Calls", exact=True).tap()

    calls = tile(page, "Calls")
    expect(calls.locator(".error")).to_have_text("That time is in the future.")
    expect(calls.get_by_label("When")).to_be_visible()  # the details stay open to fix it
    expect(today_total(page, "Calls")).to_have_text("0")
    assert logged(app) == []
