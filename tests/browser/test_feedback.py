"""Feedback on a phone: a rep finds their manager by typing (htmx), sends a suggestion with
one thumb, and the manager reads it in their team's feed, in another browser."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD


@pytest.fixture
def team(make):
    """Mia leads Team A (Rita, Remo); Bea leads Team B (Bruno)."""
    mia = make.user("mia@example.com", roles=("manager",), name="Mia Manager")
    bea = make.user("bea@example.com", roles=("manager",), name="Bea Boss")
    team_a = make.team("Team A", managers=[mia])
    make.team("Team B", managers=[bea])
    make.user("rita@example.com", team=team_a, name="Rita Rep")
    make.user("remo@example.com", team=team_a, name="Remo Rep")
    return team_a


def sign_in(page, email, then):
    page.goto(f"/sign-in?next={then}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{then}")
    return page


def test_a_rep_sends_their_manager_a_suggestion_and_the_manager_reads_it(team, new_page):
    rep = sign_in(new_page(), "rita@example.com", "/feedback/give")
    people = rep.locator(".people-pick a")
    expect(people).to_have_count(2)  # Mia and Remo: Bea and Bruno are out of reach
    rep.get_by_label("Find a person").fill("mia")
    expect(people).to_have_count(1)  # filtered as typed, without a page load
    people.first.click()
    expect(rep.get_by_role("heading", level=1)).to_have_text("Feedback for Mia Manager")
    rep.get_by_label("Suggestion").check()
    rep.get_by_label("Your feedback").fill("Could we plan the week on Monday?")
    assert rep.evaluate("document.documentElement.scrollWidth <= innerWidth")
    rep.get_by_role("button", name="Send").click()
    expect(rep.get_by_text("Sent to Mia Manager.")).to_be_visible()
    expect(rep.locator(".feedback-body")).to_have_text("Could we plan the week on Monday?")

    manager = sign_in(new_page(), "mia@example.com", "/feedback/team")
    item = manager.locator(".feedback-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("From Rita Rep")
    manager.get_by_label("Kind").select_option("praise")
    expect(item).to_have_count(0)  # the filter redraws the feed
    manager.get_by_label("Kind").select_option("suggestion")
    manager.get_by_role("link", name="Open").click()
    manager.get_by_label("Your reply").fill("Yes, from next week.")
    manager.get_by_role("button", name="Reply").click()
    expect(manager.get_by_text("Reply sent.")).to_be_visible()
