"""Scorecards in Chromium: the rep's on a phone, the largest demo team's grid on a laptop."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

import demo.organization
import demo.scorecards
from extensions import db
from models import Team, User
from services import lines, scorecards

LAPTOP = dict(viewport={"width": 1366, "height": 900}, is_mobile=False, has_touch=False)


@pytest.fixture
def northwind(app):
    """The demo organisation, seeded before the server starts."""
    now = datetime.now(UTC)
    demo.organization.seed(db.session, now, app.config["PASSWORD_HASH_METHOD"], days=21)
    demo.scorecards.seed(db.session, now, days=21)
    db.session.commit()


def sign_in(page, email):
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.organization.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*sign-in)"))
    return page


def scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_rep_reaches_their_scorecard_in_one_tap_and_it_fits_a_phone(northwind, page):
    sign_in(page, "rep@example.com")
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    page.get_by_role("navigation", name="Tabs").get_by_role("link", name="Scorecard").tap()

    expect(page.get_by_role("heading", level=1, name="My scorecard")).to_be_visible()
    cards = page.locator(".metric-card")
    expect(cards).to_have_count(8)
    expect(cards.first.locator(".status")).to_have_text(
        re.compile(r"(Ahead|On pace|Behind|Nothing due yet)"))
    assert scroll_width(page) <= 360
    for box in (link.bounding_box() for link in page.locator(".periods a").all()):
        assert box["height"] >= 44

    # The switcher swaps the scorecard in place and keeps the period in the URL.
    page.evaluate("window.__marker = 1")
    page.locator(".periods .kinds").get_by_role("link", name="Month").tap()
    expect(page).to_have_url(re.compile(r"/scorecard\?period=month-\d{4}-\d{2}-01$"))
    expect(page.locator(".periods .shown")).to_have_text(re.compile(r"^[A-Z][a-z]+ \d{4}$"))
    assert page.evaluate("window.__marker") == 1, "the switcher reloaded the page"
    assert scroll_width(page) <= 360
    page.get_by_role("link", name=re.compile("^Previous: ")).tap()
    expect(page.locator(".periods .kinds [aria-current]")).to_have_text("Month")
    assert scroll_width(page) <= 360


def test_the_largest_demo_teams_grid_fits_a_laptop_screen(northwind, new_page):
    biggest, size = db.session.execute(
        select(Team, func.count(User.id)).join(User, User.team_id == Team.id)
        .group_by(Team.id).order_by(func.count(User.id).desc(), Team.name)
    ).first()
    reps = scorecards.reps(db.session, biggest.organization_id, [biggest.id])
    metrics = lines.active_metrics(db.session, biggest.organization_id)
    page = sign_in(new_page(**LAPTOP), "exec@example.com")
    page.goto(f"/teams/{biggest.id}")

    expect(page.get_by_role("heading", level=1, name=biggest.name)).to_be_visible()
    grid = page.locator("table.grid")
    expect(grid.locator("tbody tr")).to_have_count(len(reps))
    expect(grid.locator("thead th")).to_have_count(len(metrics) + 2)
    expect(grid.locator("tfoot tr.team-total th")).to_have_text("Team total")
    assert len(reps) >= 8 and len(metrics) == 8 and size >= len(reps)
    # Everything fits: no sideways scrolling of the page, nor inside the grid's own box.
    assert scroll_width(page) <= 1366
    wrap = page.locator(".grid-wrap")
    assert wrap.evaluate("(box) => box.scrollWidth <= box.clientWidth")
    assert grid.bounding_box()["x"] + grid.bounding_box()["width"] <= 1366
    # Each cell says its status in words, not only by colour.
    first_cell = grid.locator("tbody td.cell").first
    expect(first_cell.locator(".status")).to_have_text(
        re.compile(r"(Ahead|On pace|Behind|Nothing due yet|No target)"))

    # Sorting by a metric swaps the grid in place and keeps the order in the URL.
    grid.locator("thead").get_by_role("link", name="Calls").click()
    expect(page).to_have_url(re.compile(r"sort=calls&order=desc"))
    expect(page.locator("th[aria-sort='descending']")).to_have_count(1)
    values = [float(v) for v in grid.locator("tbody td[data-cell$='-calls']").evaluate_all(
        "(cells) => cells.map((cell) => cell.dataset.actual)")]
    assert values == sorted(values, reverse=True)


def test_executive_opens_a_team_in_the_cascade_to_see_its_reps(northwind, new_page):
    page = sign_in(new_page(**LAPTOP), "exec@example.com")
    page.goto("/company?metric=calls")
    cascade = page.locator("table.cascade")
    expect(cascade.locator("tr.team").first).to_be_visible()
    expect(cascade.locator("tr.person")).to_have_count(0)

    team = cascade.locator("tbody", has=page.locator("details.reps")).first
    team.locator("details.reps summary").click()
    people = team.locator("tr.person")
    expect(people.first).to_be_visible()
    count = int(team.locator("summary").inner_text().split()[0])
    expect(people).to_have_count(count)
    expect(people.first.locator(".status")).to_have_text(
        re.compile(r"(Ahead|On pace|Behind|Nothing due yet|No target)"))

    # Closing the team hides its people again; opening it shows them without a new fetch.
    team.locator("details.reps summary").click()
    expect(people.first).to_be_hidden()
    team.locator("details.reps summary").click()
    expect(people.first).to_be_visible()
    expect(people).to_have_count(count)


# Wide tables on a phone: the header row and the first column stay in view while the table
# scrolls inside its own box, and the executive's pace sits beside the name.
STICKY_TABLES = [("manager", "scorecards.team", "table.grid"),
                 ("executive", "scorecards.company", "table.goals"),
                 ("executive", "scorecards.company", "table.cascade")]


@pytest.mark.parametrize("role, endpoint, table", STICKY_TABLES)
def test_a_wide_table_keeps_its_header_and_names_in_view_on_a_phone(demo_site, role, endpoint,
                                                                    table):
    context = demo_site.context(role, "en")  # 360 x 740
    page = context.new_page()
    page.goto(demo_site.urls[endpoint])
    box = page.locator(".grid-wrap", has=page.locator(table))
    box.scroll_into_view_if_needed()
    assert box.evaluate("(el) => el.scrollWidth > el.clientWidth"), "not wider than a phone"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    names, heads = page.locator(f"{table} tbody th"), page.locator(f"{table} thead th")
    a_number = page.locator(f"{table} tbody td").last
    before = a_number.bounding_box()

    box.evaluate("(el) => { el.scrollLeft = el.scrollWidth; el.scrollTop = el.scrollHeight; }")
    page.wait_for_timeout(100)
    frame = box.bounding_box()
    moved = a_number.bounding_box()
    assert moved["x"] < before["x"] - 50, "the table did not scroll sideways"
    name = names.last.bounding_box()
    assert abs(name["x"] - frame["x"]) <= 2, "the names scrolled away"
    head = heads.last.bounding_box()
    assert abs(head["y"] - frame["y"]) <= 2, "the header row scrolled away"
    # The top-left corner covers the cells that pass under it.
    corner = heads.first.bounding_box()
    assert abs(corner["x"] - frame["x"]) <= 2 and abs(corner["y"] - frame["y"]) <= 2
    if endpoint == "scorecards.company":
        assert heads.nth(1).inner_text().strip() == "Pace"
        assert heads.nth(1).bounding_box()["x"] < 360
    context.close()


def test_breadcrumbs_lead_from_a_reps_calls_back_up_to_the_company(demo_site):
    context = demo_site.context("executive", "it")
    page = context.new_page()
    page.goto(demo_site.urls["scorecards.company"])
    page.locator("table.cascade tbody tr.team th a").nth(2).click()  # a team's grid
    page.locator("table.grid tbody tr.person th a").first.click()
    page.locator(".metric-card .actual").first.click()
    trail = page.locator("nav.crumbs li")
    expect(trail.first).to_have_text("Azienda")
    expect(trail.last.locator("[aria-current=page]")).to_be_visible()
    assert trail.count() >= 5  # Azienda › Nord › Milano … › persona › indicatore
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # A boosted link swaps the page, then pushes its URL: the next click waits for it, as a
    # person does (a click in the same instant left the earlier URL in the address bar).
    expect(page).to_have_url(re.compile(r"/activities\?"))
    trail.first.locator("a").click()
    expect(page.locator("table.cascade")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/company\?period="))
    context.close()
