"""A coaching session on the rep's phone: opened from the inbox, acknowledged, answered, an
action item ticked; the manager, in another browser, sees the answer, and the rep sees that
the manager read it."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from extensions import db
from models import CoachingTemplate, CoachingTemplateSection
from services import coaching
from tests.browser.conftest import LAPTOP
from tests.conftest import PASSWORD


def sign_in(page, email):
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"^(?!.*sign-in)"))


@pytest.fixture
def shared(make):
    """Mara coaches Ada (Field): a shared weekly 1:1 with a section Ada answers and an item."""
    make.metric("calls")
    mara = make.user("mara@example.com", roles=("manager",), name="Mara")
    field = make.team("Field", managers=[mara])
    ada = make.user("ada@example.com", team=field, name="Ada")
    template = CoachingTemplate(organization_id=make.organization.id, name="Weekly 1:1")
    template.sections = [
        CoachingTemplateSection(position=0, kind="snapshot", title="Your numbers"),
        CoachingTemplateSection(position=1, kind="text", title="What went well?",
                                rep_answers=True),
    ]
    db.session.add(template)
    now = datetime.now(UTC)
    made = coaching.start_session(db.session, coach=mara, rep=ada, template=template, now=now)
    coaching.add_action_item(db.session, made, owner=ada, text="Book two demos", now=now)
    coaching.share(db.session, made, now=now)
    db.session.commit()
    return made


def test_the_rep_answers_on_the_phone_and_the_manager_sees_it(shared, new_page):
    rep = new_page()  # 360 x 740
    sign_in(rep, "ada@example.com")
    rep.goto("/inbox")
    rep.get_by_role("link", name=re.compile("Mara shared a coaching session")).click()
    expect(rep.get_by_role("heading", level=1, name="Weekly 1:1")).to_be_visible()

    rep.get_by_role("button", name="I've read it").click()
    expect(rep.get_by_text("You acknowledged it on")).to_be_visible()
    rep.get_by_label("Your answer").fill("The demo at Rossi went well.")
    rep.get_by_role("button", name="Save answer").click()
    expect(rep.get_by_text("Answer saved.")).to_be_visible()
    item = rep.locator("li.action-item", has_text="Book two demos")
    item.get_by_role("button", name=re.compile("Mark done")).click()
    expect(rep.get_by_text("Done: “Book two demos”.")).to_be_visible()
    expect(item.get_by_role("button")).to_have_count(0)
    assert rep.evaluate("document.documentElement.scrollWidth") <= 360

    manager = new_page(**LAPTOP, is_mobile=False, has_touch=False)
    sign_in(manager, "mara@example.com")
    manager.goto(f"/coaching/{shared.id}")
    expect(manager.get_by_text("The demo at Rossi went well.")).to_be_visible()
    expect(manager.get_by_text("Ada read it on")).to_be_visible()

    rep.goto("/coaching")
    rep.get_by_text(re.compile(r"Opened \d+ times? by others")).click()
    expect(rep.locator(".reads li").filter(has_text="Mara")).not_to_have_count(0)
