"""The app's way around on a phone and a laptop: the bottom tab bar, the top menu, the Account
page, dark mode, and the installed app's start at "/"."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REP
from tests.conftest import PASSWORD

AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
LAPTOP = {"viewport": {"width": 1366, "height": 768}, "is_mobile": False, "has_touch": False}
READY_TIMEOUT = 20_000  # ms: the worker installs and keeps Today


def sign_in(page, email=REP):
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Sign in")
    return page


def tab_bar(page):
    return page.get_by_role("navigation", name="Tabs")


@pytest.fixture
def many_entries(rep, make):
    """Enough metrics that Today is several screens long."""
    for position, key in enumerate(("demos", "proposals", "meetings", "deals", "emails"), 3):
        make.metric(key, position=position)
    return rep


def test_the_tab_bar_never_covers_the_end_of_the_page(many_entries, page):
    sign_in(page)
    bar = tab_bar(page)
    expect(bar).to_be_visible()
    expect(bar.get_by_role("link", name="Today")).to_have_attribute("aria-current", "page")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(100)
    layout = page.evaluate("""() => {
        const bar = document.querySelector(".tabbar").getBoundingClientRect();
        const main = document.querySelector("main");
        const shown = [...main.children].filter((element) => element.getClientRects().length);
        const last = shown[shown.length - 1].getBoundingClientRect();
        // What a thumb would hit just above the last thing's bottom edge: that thing, not the bar.
        const hit = document.elementFromPoint(last.left + last.width / 2, last.bottom - 2);
        return {barTop: bar.top, barBottom: bar.bottom,
                mainBottom: main.getBoundingClientRect().bottom, lastBottom: last.bottom,
                hitsTheBar: Boolean(hit && hit.closest(".tabbar")),
                viewport: window.innerHeight, scrolled: window.scrollY};
    }""")
    assert layout["scrolled"] > 0  # the page is longer than the screen
    assert layout["barBottom"] == pytest.approx(layout["viewport"], abs=1)  # fixed at the bottom
    assert layout["mainBottom"] <= layout["barTop"] + 1, layout  # + 1: sub-pixel scrolling
    assert layout["lastBottom"] <= layout["barTop"] and not layout["hitsTheBar"], layout


def test_the_tabs_are_thumb_sized_labelled_and_lead_where_they_say(rep, page):
    sign_in(page)
    links = tab_bar(page).get_by_role("link")
    expect(links).to_have_count(4)  # Today, Scorecard, Coaching, Account
    for index in range(4):
        box = links.nth(index).bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48
        assert links.nth(index).locator("svg").count() == 1
    tab_bar(page).get_by_role("link", name="Scorecard").click()
    expect(page.get_by_role("heading", level=1, name="My scorecard")).to_be_visible()
    expect(tab_bar(page).get_by_role("link", name="Scorecard")).to_have_attribute(
        "aria-current", "page")
    expect(tab_bar(page).get_by_role("link", name="Today")).not_to_have_attribute(
        "aria-current", "page")
    tab_bar(page).get_by_role("link", name="Coaching").click()
    expect(page.get_by_role("heading", level=1, name="Coaching")).to_be_visible()
    expect(tab_bar(page).get_by_role("link", name="Coaching")).to_have_attribute(
        "aria-current", "page")
    # The top bar's menu and sign-out are for wide screens; the phone signs out on Account.
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    tab_bar(page).get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", level=2, name="Rep")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(tab_bar(page)).to_have_count(0)


def test_a_laptop_gets_a_top_menu_with_the_person_and_no_tab_bar(rep, new_page):
    page = sign_in(new_page(**LAPTOP))
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Today")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("banner").get_by_role("link", name="Rep")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_be_visible()
    expect(tab_bar(page)).to_be_hidden()


def test_choosing_japanese_on_the_account_page_switches_the_page_at_once(rep, page):
    sign_in(page)
    page.goto("/account")
    page.get_by_label("Language").select_option(label="日本語")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("heading", level=1, name="アカウント")).to_be_visible()
    expect(page.locator(".tabbar").get_by_role("link", name="今日")).to_be_visible()


def axe_contrast(page):
    """What axe-core's colour-contrast rule finds on the page (evaluated through DevTools, which
    the Content-Security-Policy does not govern)."""
    return page.evaluate(
        AXE.read_text(encoding="utf-8")
        + """;axe.run(document, {runOnly: ["color-contrast"]}).then((result) =>
              result.violations.flatMap((found) => found.nodes.map((node) => node.target[0])))"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_both_colour_schemes_render_with_readable_contrast(rep, new_page, scheme):
    page = sign_in(new_page(color_scheme=scheme))
    colours = page.evaluate("""() => {
        const style = (selector, property) =>
            getComputedStyle(document.querySelector(selector))[property];
        return {page: style("html", "backgroundColor"), ink: style("body", "color"),
                bar: style(".tabbar", "backgroundColor")};
    }""")

    def brightness(colour):
        red, green, blue = (int(part) for part in colour[colour.index("(") + 1:-1].split(",")[:3])
        return (red + green + blue) / 3

    dark = scheme == "dark"
    assert (brightness(colours["page"]) < 60) is dark, colours
    assert (brightness(colours["ink"]) > 180) is dark, colours
    assert (brightness(colours["bar"]) < 60) is dark, colours
    theme = page.locator(f'meta[name="theme-color"][media="(prefers-color-scheme: {scheme})"]')
    expect(theme).to_have_count(1)
    for url in ("/today", "/scorecard", "/account"):
        page.goto(url)
        assert axe_contrast(page) == [], (url, scheme)


def test_the_installed_app_opens_the_kept_today_at_its_start_url_offline(rep, page):
    sign_in(page)
    expect(page.locator("html")).to_have_attribute("data-offline", "ready", timeout=READY_TIMEOUT)
    start = page.evaluate("async () => (await (await fetch('/manifest.webmanifest')).json())"
                          ".start_url")
    assert start == "/"
    page.context.set_offline(True)
    page.goto(start)
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    expect(tab_bar(page).get_by_role("link", name="Today")).to_be_visible()
