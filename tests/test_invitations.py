"""Invitations: an admin adds a person, who gets an email in their language with a link that
sets their password once, before it expires."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from extensions import db
from models import LoginSession, SignInToken, User
from services import invitations
from tests.conftest import csrf_token
from tests.test_sign_in_cost import hashes  # noqa: F401 - the fixture

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NEW_PASSWORD = "a brand new password"


@pytest.fixture
def admin(make, auth, clock):
    clock.at(NOW)
    person = make.user("admin@example.com", roles=("admin",), name="Ada Admin")
    auth.sign_in("admin@example.com")
    return person


def _add_person(auth, **fields):
    data = {"name": "Nina New", "email": "nina@example.com", "roles": "rep", "team_id": "",
            "locale": "it", "timezone": "", "active": "y", **fields}
    return auth.post("/admin/users/new", data, page="/admin/users/new")


def _link(message):
    found = re.search(r"http://localhost(/invitation/[A-Za-z0-9_-]+)", message.body)
    assert found, message.body
    return found.group(1)


def _choose(client, path, password=NEW_PASSWORD, confirm=None):
    page = client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(page.text), "new_password": password,
                                   "confirm": confirm or password})


def test_adding_a_person_emails_them_an_invitation_in_their_language(admin, auth, outbox):
    response = _add_person(auth)
    assert response.status_code == 302

    nina = db.session.scalar(select(User).where(User.email == "nina@example.com"))
    assert nina is not None and nina.active
    [message] = outbox
    assert message.recipients == ["nina@example.com"]
    assert "Ada Admin" in message.subject
    assert message.html and _link(message) in message.html
    # Italian, as the admin set for her (the catalogue may not have it yet: then English).
    assert message.subject in ("Ada Admin invites you to Pacer", "Ada Admin ti invita su Pacer")
    # Nobody knows her password until she chooses it.
    assert not check_password_hash(nina.password_hash, "")
    stored = db.session.scalars(select(SignInToken)).one()
    assert stored.purpose == "invitation" and stored.created_by_id == admin.id
    assert stored.user_id == nina.id
    assert _link(message).rsplit("/", 1)[1] not in stored.token_hash  # only the hash is kept
    assert stored.expires_at == NOW + timedelta(days=7)


def test_the_invitation_sets_a_password_once_and_signs_in(admin, auth, client, outbox):
    _add_person(auth)
    path = _link(outbox[0])
    auth.sign_out()

    page = client.get(path)
    assert page.status_code == 200 and "nina@example.com" in page.text
    response = _choose(client, path)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # signed in as her
    nina = db.session.scalar(select(User).where(User.email == "nina@example.com"))
    assert check_password_hash(nina.password_hash, NEW_PASSWORD)

    auth.sign_out()
    assert client.get(path).status_code == 410
    assert _choose(client, path, "another password 123").status_code == 410
    db.session.expire_all()
    assert check_password_hash(nina.password_hash, NEW_PASSWORD)
    assert auth.sign_in("nina@example.com", NEW_PASSWORD).status_code == 302


def test_an_expired_invitation_is_refused(admin, auth, client, clock, outbox):
    _add_person(auth)
    path = _link(outbox[0])
    auth.sign_out()

    clock.at(NOW + timedelta(days=7, seconds=1))
    page = client.get(path)
    assert page.status_code == 410 and "no longer works" in page.text
    assert _choose(client, path).status_code == 410


def test_resending_an_invitation_makes_the_earlier_link_stop_working(admin, auth, client,
                                                                     outbox):
    _add_person(auth)
    nina = db.session.scalar(select(User).where(User.email == "nina@example.com"))
    first = _link(outbox[0])
    response = auth.post(f"/admin/users/{nina.id}/invite", page=f"/admin/users/{nina.id}/edit")
    assert response.status_code == 302
    second = _link(outbox[1])
    assert first != second
    auth.sign_out()

    assert client.get(first).status_code == 410
    assert _choose(client, second).status_code == 302


def test_a_deactivated_person_is_not_invited_and_their_link_is_refused(admin, auth, client,
                                                                       make, outbox):
    gone = make.user("gone@example.com", active=False)
    token = invitations.issue(db.session, gone, invitations.INVITATION,
                              lifetime=timedelta(days=7), now=NOW)
    db.session.commit()

    response = auth.post(f"/admin/users/{gone.id}/invite", page=f"/admin/users/{gone.id}/edit")
    assert response.status_code == 302 and outbox == []
    auth.sign_out()
    assert client.get(f"/invitation/{token}").status_code == 410


def test_an_admin_cannot_invite_someone_of_another_organisation(admin, auth, app, outbox):
    from tests.conftest import Factory

    elsewhere = Factory(app).user("someone@elsewhere.example")
    response = auth.post(f"/admin/users/{elsewhere.id}/invite", page="/admin/users")
    assert response.status_code == 404 and outbox == []


@pytest.mark.parametrize("token", [
    "nope", "x" * 43, "x" * 5000, "%00", "..%2F..%2Fadmin", "abc%20def", "é" * 43,
])
def test_a_tampered_or_made_up_link_is_a_404(make, client, token):
    make.user("rep@example.com")
    assert client.get(f"/invitation/{token}").status_code == 404
    assert client.get(f"/password-reset/{token}").status_code == 404


def test_a_reset_link_is_no_invitation_and_back(make, client):
    rep = make.user("rep@example.com")
    reset = invitations.issue(db.session, rep, invitations.PASSWORD_RESET,
                              lifetime=timedelta(hours=1), now=datetime.now(UTC))
    db.session.commit()
    assert client.get(f"/invitation/{reset}").status_code == 404
    assert client.get(f"/password-reset/{reset}").status_code == 200


def test_a_password_too_short_or_mismatched_is_a_422_and_the_link_stays_good(admin, auth,
                                                                             client, outbox):
    _add_person(auth)
    path = _link(outbox[0])
    auth.sign_out()
    assert _choose(client, path, "short").status_code == 422
    assert _choose(client, path, NEW_PASSWORD, "something else entirely").status_code == 422
    assert _choose(client, path, "\x00" * 5000).status_code == 422
    assert _choose(client, path).status_code == 302


def test_setting_the_password_ends_other_sessions(admin, auth, client, app, make):
    rep = make.user("rep@example.com")
    other = app.test_client()
    page = other.get("/sign-in")
    other.post("/sign-in", data={"email": "rep@example.com", "password": "correct horse battery",
                                 "csrf_token": csrf_token(page.text)})
    token = invitations.issue(db.session, rep, invitations.INVITATION,
                              lifetime=timedelta(days=7), now=NOW)
    db.session.commit()
    auth.sign_out()

    assert _choose(client, f"/invitation/{token}").status_code == 302
    sessions = db.session.scalars(select(LoginSession).where(LoginSession.user_id == rep.id))
    assert len(sessions.all()) == 1
    assert other.get("/account").status_code == 302  # sent to sign in again


def test_create_user_on_the_command_line_still_takes_a_password(runner):
    result = runner.invoke(args=["create-user", "--email", "cli@example.com", "--name", "Cli",
                                 "--password", "a long enough password",
                                 "--new-organization", "--organization", "Acme"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "cli@example.com"))
    assert check_password_hash(user.password_hash, "a long enough password")


def test_choosing_the_password_hashes_it_holding_no_lock(make, client, hashes):
    rep = make.user("rep@example.com")
    token = invitations.issue(db.session, rep, invitations.INVITATION,
                              lifetime=timedelta(days=7), now=datetime.now(UTC))
    db.session.commit()
    hashes.clear()

    assert _choose(client, f"/invitation/{token}").status_code == 302
    assert hashes == [(False, True)]  # one hash, no transaction open, others free to write
