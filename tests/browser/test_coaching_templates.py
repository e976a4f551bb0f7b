"""The coaching template editor in Chromium on a phone: a rating section's preview follows what
is typed (htmx), and the section saves, its points in order of their numbers."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from extensions import db
from models import CoachingTemplateSection
from services import coaching_templates
from tests.conftest import PASSWORD

ADMIN = "admin@example.com"


@pytest.fixture
def template(make):
    make.user(ADMIN, roles=("admin",), name="Ada Admin")
    made = coaching_templates.save_template(db.session, make.organization, None,
                                            name="Ride-along", description="", active=True)
    db.session.commit()
    return made


def test_the_preview_follows_what_is_typed_and_the_section_saves(app, template, page):
    page.goto(f"/sign-in?next=/admin/coaching-templates/{template.id}/sections/new?kind=rating")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    preview = page.locator("#section-preview")

    page.get_by_label("Title", exact=True).fill("Discovery")
    page.locator("#points-0-value").fill("2")
    page.locator("#points-0-label").fill("Solid")
    page.locator("#points-0-definition").fill("Asks open questions before presenting.")
    page.locator("#points-1-value").fill("1")
    page.locator("#points-1-label").fill("Not yet")
    page.locator("#points-1-definition").fill("Talks more than the customer.")

    expect(preview.get_by_role("heading", name="Discovery")).to_be_visible()
    expect(preview).to_contain_text("Talks more than the customer.")
    page.get_by_role("button", name="Add the section").click()
    expect(page.get_by_role("heading", level=1, name="Edit Ride-along")).to_be_visible()
    with app.app_context():
        section = db.session.scalar(select(CoachingTemplateSection))
        assert [point["label"] for point in section.options["points"]] == ["Not yet", "Solid"]
