"""Forgot your password: an email with a link good once, for an hour; the answer never says
whether an address has an account; a new password ends the other sessions."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from extensions import db
from models import LoginSession, SignInToken
from tests.conftest import PASSWORD, csrf_token

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NEW_PASSWORD = "a brand new password"


@pytest.fixture
def rep(make, clock):
    clock.at(NOW)
    return make.user("rep@example.com", name="Rita Rep", locale="ja")


def _ask(client, email):
    page = client.get("/password-reset")
    return client.post("/password-reset", data={"email": email,
                                                "csrf_token": csrf_token(page.text)})


def _link(message):
    found = re.search(r"http://localhost(/password-reset/[A-Za-z0-9_-]+)", message.body)
    assert found, message.body
    return found.group(1)


def _choose(client, path, password=NEW_PASSWORD):
    page = client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(page.text), "new_password": password,
                                   "confirm": password})


def test_the_sign_in_page_offers_a_reset(client):
    page = client.get("/sign-in")
    assert 'href="/password-reset"' in page.text
    assert client.get("/password-reset").status_code == 200


def test_a_known_address_gets_a_link_and_an_unknown_one_the_same_answer(rep, client, outbox):
    known = _ask(client, "REP@example.com ")
    unknown = _ask(client, "nobody@example.com")

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/sign-in"
    [message] = outbox
    assert message.recipients == ["rep@example.com"]
    assert _link(message) in message.html
    token = db.session.scalars(select(SignInToken)).one()
    assert token.purpose == "password_reset" and token.expires_at == NOW + timedelta(hours=1)


def test_both_answers_read_alike(rep, client, outbox):
    _ask(client, "rep@example.com")
    known = client.get("/sign-in").text
    _ask(client, "nobody@example.com")
    unknown = client.get("/sign-in").text
    assert "If rep@example.com has an account" in known
    assert "If nobody@example.com has an account" in unknown
    def flashes(page):
        return re.search(r'<div class="flashes".*?</div>', page, re.S).group(0)

    assert flashes(known).replace("rep@", "X@") == flashes(unknown).replace("nobody@", "X@")


def test_a_deactivated_person_gets_no_link(make, client, outbox):
    make.user("gone@example.com", active=False)
    assert _ask(client, "gone@example.com").status_code == 302
    assert outbox == []


def test_the_link_sets_a_new_password_once_and_ends_other_sessions(rep, app, client, auth,
                                                                    outbox):
    elsewhere = app.test_client()
    page = elsewhere.get("/sign-in")
    elsewhere.post("/sign-in", data={"email": "rep@example.com", "password": PASSWORD,
                                     "csrf_token": csrf_token(page.text)})
    assert elsewhere.get("/account").status_code == 200
    _ask(client, "rep@example.com")
    path = _link(outbox[0])

    assert _choose(client, path).status_code == 302
    assert client.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302
    assert len(db.session.scalars(select(LoginSession)).all()) == 1
    db.session.expire_all()
    assert check_password_hash(rep.password_hash, NEW_PASSWORD)

    auth.sign_out()
    assert client.get(path).status_code == 410
    assert _choose(client, path, "yet another password").status_code == 410


def test_setting_a_password_uses_up_earlier_links(rep, client, outbox):
    _ask(client, "rep@example.com")
    _ask(client, "rep@example.com")
    first, second = _link(outbox[0]), _link(outbox[1])
    assert client.get(first).status_code == 410  # the newer email is the one that counts
    assert _choose(client, second).status_code == 302
    assert client.get(second).status_code == 410


def test_an_hour_later_the_link_is_refused(rep, client, clock, outbox):
    _ask(client, "rep@example.com")
    clock.at(NOW + timedelta(hours=1))
    page = client.get(_link(outbox[0]))
    assert page.status_code == 410
    assert 'href="/password-reset"' in page.text  # a way to ask for a new one


def test_asking_too_often_is_refused_for_a_while(rep, client, clock, outbox):
    for _ in range(3):
        assert _ask(client, "rep@example.com").status_code == 302
    assert _ask(client, "rep@example.com").status_code == 429
    assert len(outbox) == 3
    clock.at(NOW + timedelta(hours=2))
    assert _ask(client, "rep@example.com").status_code == 302


def test_one_address_asking_for_many_accounts_is_limited(rep, client):
    for number in range(20):
        assert _ask(client, f"someone{number}@example.com").status_code == 302
    assert _ask(client, "rep@example.com").status_code == 429


@pytest.mark.parametrize("email", ["", "x" * 5000, "a\x00b@example.com"])
def test_hostile_addresses_are_a_422(rep, client, email, outbox):
    assert _ask(client, email).status_code == 422
    assert outbox == []


def test_after_signing_in_the_person_lands_where_the_email_pointed(rep, client):
    response = client.get("/inbox")
    assert response.status_code == 302
    sign_in = response.headers["Location"]
    page = client.get(sign_in)
    answer = client.post(sign_in, data={"email": "rep@example.com", "password": PASSWORD,
                                        "csrf_token": csrf_token(page.text)})
    assert answer.headers["Location"] == "/inbox"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_sign_in_never_follows_a_next_to_another_site(rep, client, target):
    page = client.get("/sign-in")
    answer = client.post("/sign-in", query_string={"next": target},
                         data={"email": "rep@example.com", "password": PASSWORD,
                               "csrf_token": csrf_token(page.text)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
