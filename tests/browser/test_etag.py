"""Repeat loads in Chromium: the browser revalidates the rep's scorecard with its ETag, the
server answers 304, the service worker still keeps the whole page for offline, and the forms
of the copy the browser showed still post."""

from datetime import UTC, datetime

import pytest
from flask import request
from playwright.sync_api import expect

from tests.browser.test_offline import sign_in, wait_until_kept_for_offline

# The copy of /scorecard the service worker keeps for offline: (status, has its heading).
KEPT_SCORECARD = """async () => {
    const name = (await caches.keys()).find((each) => each.startsWith("pacer-pages-"));
    const kept = name && (await (await caches.open(name)).match("/scorecard"));
    return kept ? [kept.status, (await kept.text()).includes("My scorecard")] : null;
}"""
FORGET_SCORECARD = """async () => {
    for (const name of await caches.keys()) {
        if (name.startsWith("pacer-pages-")) await (await caches.open(name)).delete("/scorecard");
    }
}"""


@pytest.fixture
def answers(app, clock):
    """The status of every answer the server gives for /scorecard, on a clock that stands
    still (the minute is part of the ETag)."""
    clock.at(datetime.now(UTC))
    seen = []

    @app.after_request
    def record(response):
        if request.path == "/scorecard":
            seen.append(response.status_code)
        return response

    return seen


def test_a_repeat_visit_is_a_304_and_the_worker_still_keeps_the_page(rep, answers, page):
    sign_in(page)
    wait_until_kept_for_offline(page)
    page.goto("/scorecard")
    expect(page.get_by_role("heading", level=1, name="My scorecard")).to_be_visible()
    answers.clear()
    page.evaluate(FORGET_SCORECARD)

    page.goto("/today")
    page.goto("/scorecard")  # through the worker, whose fetch the browser's cache revalidates
    expect(page.get_by_role("heading", level=1, name="My scorecard")).to_be_visible()
    # The worker's own fetch to keep the shell for offline revalidates it too: nothing rendered.
    assert answers and set(answers) == {304}
    assert page.evaluate(KEPT_SCORECARD) == [200, True]  # the page, never the empty 304

    page.context.set_offline(True)
    page.goto("/scorecard")
    expect(page.get_by_role("heading", level=1, name="My scorecard")).to_be_visible()


def test_the_copy_a_304_let_the_browser_show_signs_out(rep, answers, page):
    sign_in(page)
    page.goto("/scorecard")
    answers.clear()
    page.goto("/today")
    page.goto("/scorecard")
    expect(page.get_by_role("heading", level=1, name="My scorecard")).to_be_visible()
    assert 304 in answers  # the page on screen is the browser's copy, with its CSRF token
    page.set_viewport_size({"width": 1366, "height": 768})  # the top bar's Sign out
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
