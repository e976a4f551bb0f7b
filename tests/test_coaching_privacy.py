"""Private coaching notes are their author's alone: no page, fragment, email, notification or
print of a session shows one to anyone else, whichever demo login asks; a session is 404 to
whoever may not see it, and every read by someone other than the rep is logged."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

import demo.organization
from extensions import db
from models import CoachingTemplate, CoachingTemplateSection, Notification, SessionRead, User
from services import coaching
from tests.conftest import Auth

NOW = datetime(2026, 11, 25, 11, 30, tzinfo=UTC)
DEMO_LOGINS = [email for email, _ in demo.organization.LOGINS]
COACH_NOTE = "Private-note-of-the-coach-7f3a"
EXEC_NOTE = "Private-note-of-the-executive-91c2"
DRAFT_NOTE = "Private-note-on-a-draft-c0d4"
OBSTACLE_NOTE = "Obstacle-note-about-the-territory-5e1b"


def signed_in(app, email):
    client = app.test_client()
    assert Auth(client).sign_in(email, "pacer-demo").status_code == 302, email
    return client


@pytest.fixture
def world(app, clock):
    clock.at(NOW)
    demo.organization.seed(db.session, NOW, "pbkdf2:sha256:1000", days=1)
    db.session.commit()

    def person(email):
        return db.session.scalar(select(User).where(User.email == email))

    manager, rep, newhire, executive = (person(email) for email in (
        "manager@example.com", "rep@example.com", "newhire@example.com", "exec@example.com"))
    template = CoachingTemplate(organization_id=rep.organization_id, name="Weekly 1:1")
    template.sections = [
        CoachingTemplateSection(position=0, kind="snapshot", title="Numbers"),
        CoachingTemplateSection(position=1, kind="text", title="Wins", rep_answers=True),
    ]
    db.session.add(template)
    shared = coaching.start_session(db.session, coach=manager, rep=rep, template=template,
                                     now=NOW)
    coaching.set_private_note(db.session, shared, author=manager, body=COACH_NOTE, now=NOW)
    coaching.set_private_note(db.session, shared, author=executive, body=EXEC_NOTE, now=NOW)
    coaching.add_action_item(db.session, shared, owner=rep, text="Call the Rossi account",
                             now=NOW)
    coaching.record_obstacle(db.session, shared, category="external", note=OBSTACLE_NOTE,
                             by=manager, now=NOW)
    coaching.share(db.session, shared, now=NOW)
    draft = coaching.start_session(db.session, coach=manager, rep=newhire, template=template,
                                   now=NOW)
    coaching.set_private_note(db.session, draft, author=manager, body=DRAFT_NOTE, now=NOW)
    db.session.commit()
    return shared, draft, rep, newhire


def urls_showing(shared, draft, rep, newhire):
    """Every page and fragment that shows a session or a list of them."""
    return [
        ("page", "/coaching"),
        ("page", f"/coaching/{shared.id}"),
        ("fragment", f"/coaching/{shared.id}"),
        ("page", f"/coaching/{shared.id}/print"),
        ("page", f"/coaching/{draft.id}"),
        ("fragment", f"/coaching/{draft.id}"),
        ("page", f"/coaching/{draft.id}/print"),
        ("page", f"/people/{rep.id}/coaching"),
        ("page", f"/people/{newhire.id}/coaching"),
        ("page", f"/people/{rep.id}/scorecard"),
        ("page", "/inbox"),
        ("page", "/obstacles"),
    ]


# Who may open what: the rep (shared only), the coach, and the executive who leads the company
# team; the admin leads nobody and the new hire is another rep.
OPENS = {
    "admin@example.com": set(),
    "exec@example.com": {"shared", "draft"},
    "manager@example.com": {"shared", "draft"},
    "rep@example.com": {"shared"},
    "newhire@example.com": set(),
}
NOTES = {"manager@example.com": {COACH_NOTE, DRAFT_NOTE}, "exec@example.com": {EXEC_NOTE}}


def test_no_page_or_fragment_shows_a_private_note_to_anyone_but_its_author(world, app):
    shared, draft, rep, newhire = world
    assert set(OPENS) == set(DEMO_LOGINS)
    for email in DEMO_LOGINS:
        client = signed_in(app, email)
        for kind, url in urls_showing(*world):
            headers = {"HX-Request": "true"} if kind == "fragment" else {}
            answer = client.get(url, headers=headers)
            assert answer.status_code < 500, (email, url)
            for note in (COACH_NOTE, EXEC_NOTE, DRAFT_NOTE):
                shown = note in answer.text
                assert not shown or note in NOTES.get(email, ()), (email, kind, url, note)
        for name, made in (("shared", shared), ("draft", draft)):
            status = client.get(f"/coaching/{made.id}").status_code
            assert status == (200 if name in OPENS[email] else 404), (email, name)
    # The authors do see their own, on the session they wrote it on.
    client = signed_in(app, "manager@example.com")
    assert COACH_NOTE in client.get(f"/coaching/{shared.id}").text
    assert COACH_NOTE not in client.get(f"/coaching/{shared.id}/print").text


def test_no_email_or_notification_carries_a_private_note(world, app, outbox):
    shared, draft, rep, newhire = world
    auth = Auth(signed_in(app, "rep@example.com"))
    url = f"/coaching/{shared.id}"
    auth.post(f"{url}/acknowledge", page=url)
    auth.post(f"/coaching/sections/{shared.sections[1].id}/answer", {"answer": "Two demos"},
              page=url)
    auth.sign_out()
    auth.sign_in("manager@example.com", "pacer-demo")
    second = coaching.start_session(db.session, coach=shared.coach, rep=rep, now=NOW)
    db.session.commit()
    auth.post(f"/coaching/{second.id}/share", page=f"/coaching/{second.id}")
    kinds = {entry.kind for entry in db.session.scalars(select(Notification))}
    assert {"coaching_shared", "coaching_acknowledged", "coaching_answered"} <= kinds
    for entry in db.session.scalars(select(Notification)):
        for note in (COACH_NOTE, EXEC_NOTE, DRAFT_NOTE):
            assert note not in str(entry.params)
    assert outbox, "sharing emails the rep"
    for message in outbox:
        for note in (COACH_NOTE, EXEC_NOTE, DRAFT_NOTE):
            assert note not in (message.body or "") + (message.html or "") + message.subject


def test_the_obstacle_note_is_shown_only_where_the_session_is(world, app):
    shared, *_ = world
    for email, sees in (("exec@example.com", True), ("admin@example.com", False),
                        ("manager@example.com", True), ("newhire@example.com", False)):
        client = signed_in(app, email)
        pages = [client.get(f"/coaching/{shared.id}").text]
        if email != "newhire@example.com":
            pages.append(client.get("/obstacles").text)
        assert any(OBSTACLE_NOTE in page for page in pages) == sees, email


def test_every_read_by_someone_else_is_logged_and_shown_to_the_rep(world, app):
    shared, *_ = world
    for email in ("manager@example.com", "exec@example.com", "rep@example.com",
                  "admin@example.com"):
        client = signed_in(app, email)
        client.get(f"/coaching/{shared.id}")
        client.get(f"/coaching/{shared.id}/print")
    readers = [(read.reader.email, read.what) for read in db.session.scalars(
        select(SessionRead).where(SessionRead.session_id == shared.id).order_by(SessionRead.id))]
    assert readers == [("manager@example.com", "page"), ("manager@example.com", "print"),
                       ("exec@example.com", "page"), ("exec@example.com", "print")]
    client = signed_in(app, "rep@example.com")
    mine = client.get("/coaching").text
    assert "Opened 4 times by others" in mine
    assert "Chiara Ferri ·" in mine and "Roberto Marchetti ·" in mine
