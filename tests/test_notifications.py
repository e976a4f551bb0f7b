"""Notifications: the service, preferences, the inbox, the unread badge and email links."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from extensions import db
from models import EmailPreference, Notification
from services import notifications
from tests.job_queue import (
    consuming,
    job_storage,  # noqa: F401 - fixture
    queued_on,
    redis_url,  # noqa: F401 - fixture
    smtp_server,  # noqa: F401 - fixture
    wait_for,
)
from tests.test_mail import smtp  # noqa: F401 - fixture

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
LINK = ("scorecards.person", {"person_id": 1})


@pytest.fixture
def people(make):
    manager = make.user("manager@example.com", roles=("manager",), name="Marta Manager")
    team = make.team("North", managers=[manager])
    rep = make.user("rep@example.com", team=team, name="Rita Rep", locale="it")
    return manager, rep


def test_notify_records_an_entry_with_its_params_and_link(people):
    manager, rep = people
    entry = notifications.notify(
        db.session, rep, "coaching_shared", link=LINK, actor=manager,
        params={"section": "Pipeline"}, now=NOW,
    )
    db.session.commit()

    stored = db.session.scalars(select(Notification)).one()
    assert stored is entry
    # By id: users compare by sign-in token (Flask-Login), equal when neither is signed in.
    assert (stored.recipient_id, stored.actor_id, stored.kind) == (
        rep.id, manager.id, "coaching_shared")
    assert stored.params == {"section": "Pipeline", "actor": "Marta Manager"}
    assert (stored.link_endpoint, stored.link_values) == LINK
    assert stored.created_at == NOW and stored.read_at is None
    assert stored.email_wanted is True  # coaching_shared emails by default


def test_notify_follows_the_persons_email_choice(people):
    manager, rep = people
    notifications.set_email_choices(db.session, rep, {"coaching_shared": False})
    notifications.set_email_choices(db.session, manager, {"coaching_answered": True})
    db.session.commit()

    to_rep = notifications.notify(db.session, rep, "coaching_shared", link=LINK, now=NOW)
    to_manager = notifications.notify(db.session, manager, "coaching_answered", link=LINK, now=NOW)
    by_default = notifications.notify(db.session, manager, "coaching_acknowledged", link=LINK,
                                      now=NOW)

    assert to_rep.email_wanted is False
    assert to_manager.email_wanted is True
    assert by_default.email_wanted is False


def test_nobody_is_notified_of_their_own_action_nor_when_deactivated(people, make):
    manager, rep = people
    gone = make.user("gone@example.com", active=False)

    assert notifications.notify(db.session, rep, "feedback_received", link=LINK, actor=rep,
                                now=NOW) is None
    assert notifications.notify(db.session, gone, "feedback_received", link=LINK,
                                now=NOW) is None
    assert db.session.scalars(select(Notification)).all() == []


def test_an_unknown_kind_or_a_param_that_is_not_plain_is_a_bug(people):
    _, rep = people
    with pytest.raises(ValueError):
        notifications.notify(db.session, rep, "no_such_kind", link=LINK, now=NOW)
    with pytest.raises(ValueError):
        notifications.notify(db.session, rep, "feedback_received", link=LINK,
                             params={"who": rep}, now=NOW)


def test_long_param_text_is_cut(people):
    _, rep = people
    entry = notifications.notify(db.session, rep, "feedback_received", link=LINK,
                                 params={"from": "x" * 5000}, now=NOW)
    assert len(entry.params["from"]) == notifications.MAX_PARAM_TEXT


def test_email_choices_cover_every_kind_with_defaults_and_choices(people):
    _, rep = people
    notifications.set_email_choices(db.session, rep, {"weekly_digest": False,
                                                      "not_a_kind": True})
    db.session.commit()

    choices = notifications.email_choices(db.session, rep)
    assert set(choices) == set(notifications.ALL_EMAIL_KINDS)
    assert choices["weekly_digest"] is False
    assert choices["feedback_received"] is True
    assert db.session.scalars(select(EmailPreference.kind)).all() == ["weekly_digest"]


def test_unread_count_inbox_pages_and_marking_read(people):
    manager, rep = people
    for minute in range(5):
        notifications.notify(db.session, rep, "feedback_received", link=LINK,
                             params={"n": minute}, now=NOW.replace(minute=minute))
    db.session.commit()
    assert notifications.unread_count(db.session, rep) == 5

    first, more = notifications.inbox(db.session, rep, page=1, per_page=3)
    assert [entry.params["n"] for entry in first] == [4, 3, 2] and more
    second, more = notifications.inbox(db.session, rep, page=2, per_page=3)
    assert [entry.params["n"] for entry in second] == [1, 0] and not more

    notifications.mark_read(first[0], NOW)
    db.session.commit()
    assert notifications.unread_count(db.session, rep) == 4
    notifications.mark_all_read(db.session, rep, NOW)
    db.session.commit()
    assert notifications.unread_count(db.session, rep) == 0
    assert notifications.unread_count(db.session, manager) == 0


# The inbox page


def _entries(count, rep, **fields):
    for minute in range(count):
        notifications.notify(db.session, rep, "feedback_received", link=("core.index", {}),
                             params={"actor": f"Sender {minute}"},
                             now=NOW.replace(minute=minute), **fields)
    db.session.commit()


def test_the_inbox_lists_entries_newest_first_with_unread_marked(people, auth, client, clock):
    manager, rep = people
    rep.locale = "en"
    clock.at(NOW.replace(hour=12))
    notifications.notify(db.session, rep, "coaching_shared", link=("core.index", {}),
                         actor=manager, now=NOW)
    notifications.notify(db.session, rep, "feedback_replied", link=("core.index", {}),
                         actor=manager, now=NOW.replace(minute=5))
    db.session.commit()
    auth.sign_in("rep@example.com")

    page = client.get("/inbox")
    assert page.status_code == 200
    text = page.text
    assert text.index("Marta Manager replied to your feedback.") < text.index(
        "Marta Manager shared a coaching session with you.")
    assert "2 hours ago" in text
    assert text.count('class="inbox-entry unread"') == 2
    assert 'class="badge" aria-hidden="true">2<' in text


def test_the_inbox_speaks_the_readers_language_at_reading_time(people, auth, client, clock):
    manager, rep = people
    rep.locale = "en"
    clock.at(NOW.replace(hour=13))
    notifications.notify(db.session, rep, "coaching_requested", link=("core.index", {}),
                         actor=manager, params={"metric": "Calls"}, now=NOW)
    db.session.commit()
    auth.sign_in("rep@example.com")
    assert "Marta Manager asks for coaching on Calls." in client.get("/inbox").text

    rep.locale = "ja"
    db.session.commit()
    assert "3 時間前" in client.get("/inbox").text


def test_the_inbox_fragment_is_the_next_page_of_entries(people, auth, client):
    _, rep = people
    _entries(25, rep)
    auth.sign_in("rep@example.com")

    first = client.get("/inbox")
    assert first.text.count('class="inbox-entry') == 20 and "page=2" in first.text
    fragment = client.get("/inbox?page=2", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.text.count('class="inbox-entry') == 5 and "page=3" not in fragment.text


def test_an_empty_inbox_says_what_will_show_up(people, auth, client):
    auth.sign_in("rep@example.com")
    page = client.get("/inbox")
    assert page.status_code == 200 and "inbox-empty" in page.text
    assert 'class="badge"' not in page.text


@pytest.mark.parametrize("page", ["0x1", "-1", "99999999999999", "\x00"])
def test_a_bad_page_number_is_a_400(people, auth, client, page):
    auth.sign_in("rep@example.com")
    assert client.get("/inbox", query_string={"page": page}).status_code == 400


def test_opening_an_entry_marks_it_read_and_goes_to_its_page(people, auth, client, make):
    manager, rep = people
    entry = notifications.notify(db.session, rep, "coaching_shared",
                                 link=("scorecards.person", {"person_id": rep.id}),
                                 actor=manager, now=NOW)
    db.session.commit()
    auth.sign_in("rep@example.com")

    response = client.get(f"/inbox/{entry.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/people/{rep.id}/scorecard"
    assert db.session.get(Notification, entry.id).read_at is not None
    assert 'class="badge"' not in client.get("/inbox").text


def test_an_entry_whose_page_is_gone_goes_back_to_the_inbox(people, auth, client):
    _, rep = people
    entry = notifications.notify(db.session, rep, "feedback_received",
                                 link=("no.such_endpoint", {}), now=NOW)
    db.session.commit()
    auth.sign_in("rep@example.com")
    response = client.get(f"/inbox/{entry.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"


@pytest.mark.parametrize("entry_id", ["0", "2147483648", "99999999999999999999"])
def test_someone_elses_or_no_entry_is_a_404(people, auth, client, entry_id):
    manager, rep = people
    entry = notifications.notify(db.session, manager, "feedback_received",
                                 link=("core.index", {}), now=NOW)
    db.session.commit()
    auth.sign_in("rep@example.com")
    assert client.get(f"/inbox/{entry.id}").status_code == 404
    assert client.get(f"/inbox/{entry_id}").status_code == 404
    assert db.session.get(Notification, entry.id).read_at is None


def test_mark_all_read_marks_only_ones_own(people, auth, client):
    manager, rep = people
    _entries(3, rep)
    _entries(2, manager)
    auth.sign_in("rep@example.com")

    response = auth.post("/inbox/read", page="/inbox")
    assert response.status_code == 302
    assert notifications.unread_count(db.session, rep) == 0
    assert notifications.unread_count(db.session, manager) == 2


def test_signed_out_the_inbox_asks_to_sign_in_and_comes_back(people, client):
    response = client.get("/inbox")
    assert response.status_code == 302
    assert "/sign-in?next=%2Finbox" in response.headers["Location"]


# The unread badge costs no query of its own


def _statements_of(client, url):
    from sqlalchemy import event

    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_unread_badge_adds_no_query_to_a_page(people, auth, client):
    _, rep = people
    auth.sign_in("rep@example.com")
    without = _statements_of(client, "/account")
    _entries(3, rep)
    with_entries = _statements_of(client, "/account")
    page = client.get("/account")
    assert 'class="badge" aria-hidden="true">3<' in page.text
    assert with_entries == without


# Email preferences


def test_a_person_chooses_their_emails_on_the_account_page(people, auth, client):
    _, rep = people
    auth.sign_in("rep@example.com")
    page = client.get("/account/notifications")
    assert page.status_code == 200
    assert 'name="coaching_shared"' in page.text and 'name="weekly_digest"' in page.text
    assert 'name="coaching_requested"' not in page.text  # a rep coaches nobody

    response = auth.post("/account/notifications", {"feedback_received": "y"},
                         page="/account/notifications")
    assert response.status_code == 302
    choices = notifications.email_choices(db.session, rep)
    assert choices["feedback_received"] is True
    assert choices["coaching_shared"] is False and choices["weekly_digest"] is False


def test_a_manager_is_offered_the_coaching_emails(people, auth, client):
    auth.sign_in("manager@example.com")
    page = client.get("/account/notifications")
    assert 'name="coaching_requested"' in page.text


# Emails


def test_an_entry_the_person_wants_emailed_arrives_with_a_link_to_its_page(people, outbox):
    manager, rep = people
    rep.locale = "en"
    notifications.notify(db.session, rep, "coaching_shared",
                         link=("scorecards.person", {"person_id": rep.id}), actor=manager,
                         now=NOW)
    assert outbox == []  # nothing goes before the commit
    db.session.commit()

    [message] = outbox
    assert message.recipients == ["rep@example.com"]
    assert message.subject == "Marta Manager shared a coaching session with you."
    assert f"http://localhost/people/{rep.id}/scorecard" in message.body
    assert f'href="http://localhost/people/{rep.id}/scorecard"' in message.html
    assert "http://localhost/account/notifications" in message.body
    entry = db.session.scalars(select(Notification)).one()
    assert entry.emailed_at is not None


def test_no_email_for_a_kind_switched_off_or_off_by_default_nor_for_a_rollback(people, outbox):
    manager, rep = people
    notifications.set_email_choices(db.session, rep, {"feedback_received": False})
    db.session.commit()
    notifications.notify(db.session, rep, "feedback_received", link=LINK, actor=manager, now=NOW)
    notifications.notify(db.session, manager, "coaching_acknowledged", link=LINK, actor=rep,
                         now=NOW)
    db.session.commit()
    assert outbox == []
    assert len(db.session.scalars(select(Notification)).all()) == 2  # both in the inboxes

    notifications.notify(db.session, rep, "coaching_shared", link=LINK, actor=manager, now=NOW)
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert outbox == []


def test_the_email_is_written_in_the_recipients_language(people, outbox, app):
    from flask_babel import force_locale, gettext

    manager, rep = people  # rep reads Italian
    notifications.notify(db.session, rep, "feedback_received", link=LINK, actor=manager,
                         now=NOW)
    db.session.commit()
    with force_locale("it"):
        expected = gettext("%(actor)s sent you feedback.", actor="Marta Manager")
        hello = gettext("Hello %(name)s,", name="Rita Rep")
    [message] = outbox
    assert message.subject == expected
    assert message.body.startswith(hello)


def test_a_job_run_again_does_not_send_twice(people, outbox):
    from jobs.notifications import email_notification

    manager, rep = people
    entry = notifications.notify(db.session, rep, "coaching_shared", link=LINK, actor=manager,
                                 now=NOW)
    db.session.commit()
    email_notification(entry.id)
    assert len(outbox) == 1


def test_a_notification_email_goes_through_the_real_consumer_to_an_smtp_server(
        app, people, smtp, job_storage):
    manager, rep = people
    with queued_on(job_storage()), consuming(app):
        notifications.notify(db.session, rep, "coaching_shared",
                             link=("scorecards.person", {"person_id": rep.id}), actor=manager,
                             now=NOW)
        db.session.commit()
        wait_for(lambda: len(smtp.messages) == 1, what="the notification's email")

    [message] = smtp.messages
    assert message.envelope_to == ["rep@example.com"]
    body = message.get_body(("plain",)).get_content()
    assert f"http://localhost/people/{rep.id}/scorecard" in body
    db.session.commit()  # a new snapshot: what the consumer committed
    assert db.session.scalars(select(Notification)).one().emailed_at is not None
