"""Notifications: the service, preferences, the inbox, the unread badge and email links."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from extensions import db
from models import EmailPreference, Notification
from services import notifications

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
        params={"coach": manager.name}, now=NOW,
    )
    db.session.commit()

    stored = db.session.scalars(select(Notification)).one()
    assert stored is entry
    assert (stored.recipient, stored.actor, stored.kind) == (rep, manager, "coaching_shared")
    assert stored.params == {"coach": "Marta Manager"}
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
    assert notifications.take_pending_emails(db.session) == [to_manager]


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
