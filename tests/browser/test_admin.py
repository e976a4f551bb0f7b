"""The admin's team form in Chromium on a phone: managers are found by typing (htmx), or
without JavaScript through the form's own buttons, and saved with the team."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from extensions import db
from models import Team
from tests.conftest import PASSWORD

ADMIN = "admin@example.com"
LAPTOP = dict(viewport={"width": 1366, "height": 768}, is_mobile=False, has_touch=False)


@pytest.fixture
def office(make):
    """An admin, a team and a few people to choose from, made before the server starts."""
    make.user(ADMIN, roles=("admin",), name="Ada Admin")
    north = make.team("North")
    make.user("bea@example.com", roles=("manager",), name="Bea Boss", team=north)
    make.user("bruno@example.com", roles=("manager",), name="Bruno Bianchi")
    make.user("carl@example.com", name="Carl Caller", team=north)
    return north


def sign_in(page):
    page.goto("/sign-in?next=/admin/teams/new")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Add a team")).to_be_visible()
    return page


def button(page, action, name):
    """A person's Add or Remove button; its name is the action then, for screen readers, whom."""
    return page.get_by_role("button", name=re.compile(rf"^{action}\W+{name}$"))


def found(page):
    return page.locator(".found-people .person-name")


def chosen(page):
    return page.locator(".chosen-people .person-name")


def saved_managers(app, name):
    """The managers of the team so named, read in a session of our own (the live server writes
    from its own threads); None while there is no such team."""
    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.name == name))
        return None if team is None else [person.name for person in team.managers]


def test_typing_finds_people_and_a_tap_adds_one_as_a_manager(app, office, new_page):
    page = sign_in(new_page())
    page.get_by_label("Name", exact=True).fill("Milan Field")
    page.evaluate("window.__marker = 1")

    page.get_by_label("Find people by name or email").press_sequentially("b", delay=30)
    expect(found(page)).to_have_text(["Bea Boss", "Bruno Bianchi"])
    assert page.evaluate("window.__marker") == 1, "typing reloaded the page"
    page.get_by_label("Find people by name or email").press_sequentially("ea", delay=30)
    expect(found(page)).to_have_text(["Bea Boss"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    button(page, "Add", "Bea Boss").tap()
    expect(chosen(page)).to_have_text(["Bea Boss"])
    expect(found(page)).to_have_text(["Bea Boss"])
    expect(page.locator(".found-people .chosen-mark")).to_have_text("Chosen")
    expect(page.get_by_label("Find people by name or email")).to_be_focused()
    # Searching again as you type still knows who is chosen.
    page.get_by_label("Find people by name or email").press_sequentially(" b", delay=30)
    expect(found(page)).to_have_text(["Bea Boss"])
    expect(page.locator(".found-people .chosen-mark")).to_have_text("Chosen")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Milan Field")
    assert saved_managers(app, "Milan Field") is None  # nothing saved before Save

    page.get_by_role("button", name="Add the team").tap()
    expect(page.get_by_role("heading", level=1, name="Teams")).to_be_visible()
    assert saved_managers(app, "Milan Field") == ["Bea Boss"]


def test_without_javascript_enter_finds_people_and_the_buttons_add_and_remove(app, office,
                                                                             new_page):
    # On a laptop: whoever turns JavaScript off is rarely on a phone.
    page = sign_in(new_page(java_script_enabled=False, **LAPTOP))
    page.get_by_label("Name", exact=True).fill("Rome Field")
    search = page.get_by_label("Find people by name or email")
    search.fill("b")
    search.press("Enter")  # the form's default button is Find: nothing is saved
    expect(found(page)).to_have_text(["Bea Boss", "Bruno Bianchi"])
    expect(search).to_have_value("b")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Rome Field")

    button(page, "Add", "Bruno Bianchi").click()
    button(page, "Add", "Bea Boss").click()
    expect(chosen(page)).to_have_text(["Bea Boss", "Bruno Bianchi"])
    page.get_by_label("Name", exact=True).press("Enter")  # never removes the first manager
    expect(chosen(page)).to_have_text(["Bea Boss", "Bruno Bianchi"])
    button(page, "Remove", "Bea Boss").click()
    expect(chosen(page)).to_have_text(["Bruno Bianchi"])
    assert saved_managers(app, "Rome Field") is None

    page.get_by_role("button", name="Add the team").click()
    expect(page).to_have_url(re.compile(r"/admin/teams$"))
    assert saved_managers(app, "Rome Field") == ["Bruno Bianchi"]
