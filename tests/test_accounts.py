"""Signing in and out, throttling, CSRF, who may open what, the Account page and the tabs."""

import re

import pytest
from sqlalchemy import func, select

from extensions import db
from models import LoginSession, SignInFailure, User
from tests.conftest import PASSWORD, csrf_token

WRONG = "That email and password do not match an active account."


def test_sign_in_page_renders_a_labelled_form(client):
    page = client.get("/sign-in")
    assert page.status_code == 200
    assert '<label for="email">' in page.text and '<label for="password">' in page.text


def test_rep_signs_in_and_lands_on_today(make, auth):
    make.user("rep@example.com")
    response = auth.sign_in("rep@example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert auth.client.get("/").headers["Location"] == "/today"


def test_sees_error_if_password_is_wrong(make, auth):
    make.user("rep@example.com")
    response = auth.sign_in("rep@example.com", "not the password")
    assert response.status_code == 401
    assert WRONG in response.text


def test_unknown_and_inactive_users_get_the_same_message_as_a_wrong_password(make, auth):
    make.user("gone@example.com", active=False)
    for email in ("nobody@example.com", "gone@example.com"):
        response = auth.sign_in(email)
        assert response.status_code == 401
        assert WRONG in response.text


def test_sign_in_ignores_the_case_of_the_email(make, auth):
    make.user("rep@example.com")
    assert auth.sign_in("  REP@Example.com ").status_code == 302


def test_sign_in_never_redirects_to_another_site(make, auth, client):
    make.user("rep@example.com")
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in?next=https://evil.example/",
        data={"email": "rep@example.com", "password": PASSWORD,
              "csrf_token": csrf_token(page.text)},
    )
    assert response.headers["Location"] == "/"


def test_post_without_csrf_token_is_refused_with_400(make, client):
    make.user("rep@example.com")
    response = client.post("/sign-in", data={"email": "rep@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.text


def test_htmx_post_without_csrf_header_is_refused_with_400(make, auth, client):
    calls = make.metric("calls")
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    response = client.post("/today/log", data={"metric": calls.key},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400


def test_sixth_failed_sign_in_within_a_minute_is_refused_with_429(make, auth):
    make.user("rep@example.com")
    for _ in range(5):
        assert auth.sign_in("rep@example.com", "wrong password").status_code == 401
    assert auth.sign_in("rep@example.com", "wrong password").status_code == 429
    # Even the right password waits until the minute has passed.
    assert auth.sign_in("rep@example.com").status_code == 429
    assert db.session.scalar(select(func.count(SignInFailure.id))) == 5


def test_failures_are_counted_in_the_database_so_every_process_sees_them(make, app, auth):
    make.user("rep@example.com")
    for _ in range(5):
        auth.sign_in("rep@example.com", "wrong password")
    # A second client (another server process would see the same database rows).
    other = app.test_client()
    page = other.get("/sign-in")
    response = other.post("/sign-in", data={"email": "rep@example.com", "password": PASSWORD,
                                            "csrf_token": csrf_token(page.text)})
    assert response.status_code == 429


def test_signed_out_request_to_any_page_goes_to_sign_in(client):
    for path in ("/", "/today", "/admin/users", "/account/password"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/sign-in"), path


def test_rep_asking_for_an_admin_page_gets_403(make, auth, client):
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    assert client.get("/admin/users").status_code == 403


def test_admin_who_is_not_a_rep_gets_403_on_today(make, auth, client):
    make.user("admin@example.com", roles=("admin",))
    auth.sign_in("admin@example.com")
    assert client.get("/today").status_code == 403


def test_session_cookie_saved_before_signing_out_is_refused_after_it(make, auth, client):
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    saved = client.get_cookie("session").value
    assert client.get("/today").status_code == 200
    auth.sign_out()
    assert client.get("/today").status_code == 302
    client.set_cookie("session", saved)
    response = client.get("/today")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_remember_me_cookie_stops_working_after_signing_out(make, app, auth, client):
    make.user("rep@example.com")
    auth.sign_in("rep@example.com", remember=True)
    remember = client.get_cookie("remember_token").value
    auth.sign_out()
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert fresh.get("/today").status_code == 302


def test_signing_out_ends_only_this_device(make, app, auth):
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    phone = app.test_client()
    page = phone.get("/sign-in")
    phone.post("/sign-in", data={"email": "rep@example.com", "password": PASSWORD,
                                 "csrf_token": csrf_token(page.text)})
    auth.sign_out()
    assert phone.get("/today").status_code == 200


def test_changing_the_password_signs_out_other_devices_but_not_this_one(make, app, auth, client):
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    laptop = app.test_client()
    page = laptop.get("/sign-in")
    laptop.post("/sign-in", data={"email": "rep@example.com", "password": PASSWORD,
                                  "csrf_token": csrf_token(page.text)})
    response = auth.post("/account/password", {
        "current_password": PASSWORD, "new_password": "a brand new secret",
        "confirm": "a brand new secret",
    }, page="/account/password")
    assert response.status_code == 302
    assert client.get("/today").status_code == 200
    assert laptop.get("/today").status_code == 302
    assert db.session.scalar(select(func.count(LoginSession.id))) == 1
    auth.sign_out()
    assert auth.sign_in("rep@example.com", "a brand new secret").status_code == 302


def test_changing_the_password_needs_the_current_one(make, auth):
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    response = auth.post("/account/password", {
        "current_password": "wrong", "new_password": "a brand new secret",
        "confirm": "a brand new secret",
    }, page="/account/password")
    assert response.status_code == 422
    assert "That is not your current password." in response.text


def test_session_cookies_are_http_only_and_same_site_lax(make, auth):
    make.user("rep@example.com")
    response = auth.sign_in("rep@example.com", remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        cookie = next(c for c in cookies if c.startswith(name))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_cookies_are_secure_outside_development():
    from config import Config

    if not Config.DEVELOPMENT:
        assert Config.SESSION_COOKIE_SECURE and Config.REMEMBER_COOKIE_SECURE


def test_healthz_needs_no_sign_in(client):
    assert client.get("/healthz").status_code == 200


def test_unknown_page_is_a_clear_404(make, auth, client):
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "does not exist" in response.text


# The Account page and the tabs


def test_the_account_page_shows_who_is_signed_in_and_offers_each_language_in_its_own_name(
    make, auth, client
):
    make.user("rep@example.com", name="Ada Rossi")
    auth.sign_in("rep@example.com")
    page = client.get("/account")
    assert page.status_code == 200
    assert "Ada Rossi" in page.text and "rep@example.com" in page.text
    options = re.findall(r'<option (?:selected )?value="([^"]*)">([^<]*)</option>', page.text)
    assert options[:4] == [("", "Same as my browser"), ("en", "English"), ("it", "Italiano"),
                           ("ja", "日本語")]
    assert '<option value="Asia/Tokyo">' in page.text  # the timezones to pick from
    assert 'href="/account/password"' in page.text
    assert 'action="/sign-out"' in page.text


def test_saving_a_language_shows_the_next_page_in_it(make, auth, client):
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    response = auth.post("/account", {"locale": "ja", "timezone": ""}, page="/account")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    page = client.get("/account", headers={"Accept-Language": "en"})
    assert '<html lang="ja"' in page.text and "保存しました。" in page.text
    assert '<option selected value="ja">日本語</option>' in page.text
    # Blank again: the browser's language.
    auth.post("/account", {"locale": "", "timezone": ""}, page="/account")
    assert db.session.scalar(select(User.locale)) is None
    page = client.get("/account", headers={"Accept-Language": "it"})
    assert '<html lang="it"' in page.text


def test_saving_a_timezone_keeps_it_and_blank_means_the_organisations(make, auth, client):
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    auth.post("/account", {"locale": "", "timezone": " Asia/Tokyo "}, page="/account")
    assert db.session.scalar(select(User.timezone)) == "Asia/Tokyo"
    assert 'value="Asia/Tokyo"' in client.get("/account").text
    auth.post("/account", {"locale": "", "timezone": ""}, page="/account")
    assert db.session.scalar(select(User.timezone)) is None


@pytest.mark.parametrize("data, message", [
    ({"locale": "fr", "timezone": ""}, "Not a valid choice"),
    ({"locale": "", "timezone": "Mars/Olympus"}, "Unknown timezone"),
    ({"locale": "", "timezone": "Europe/" + "x" * 80}, "Field cannot be longer than 64"),
    ({"locale": "", "timezone": "Europe/Rome\x00"}, "invisible control characters"),
])
def test_a_bad_language_or_timezone_is_a_422_that_says_why_and_saves_nothing(
    make, auth, data, message
):
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    response = auth.post("/account", data, page="/account")
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(User.timezone)) is None
    assert db.session.scalar(select(User.locale)) is None


def test_a_cached_page_shows_a_new_language_and_timezone_at_once(make, auth, client):
    make.metric("calls")
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    before = client.get("/scorecard")
    assert client.get("/scorecard").text == before.text  # kept: served again as it was
    assert 'data-timezone="Europe/Rome"' in before.text
    auth.post("/account", {"locale": "it", "timezone": "Asia/Tokyo"}, page="/account")
    after = client.get("/scorecard")
    assert '<html lang="it"' in after.text and 'data-timezone="Asia/Tokyo"' in after.text
    revalidated = client.get("/scorecard", headers={"If-None-Match": before.headers["ETag"]})
    assert revalidated.status_code == 200  # the browser's copy is in the old language


def tabs(html, label):
    """(href, text, current) of the links of a navigation landmark of the page."""
    start = html.index(f'aria-label="{label}"')
    nav = html[start:html.index("</nav>", start)]
    return [(href, re.sub(r"<[^>]+>", "", text).strip(), bool(current))
            for href, current, text in re.findall(
                r'<a href="([^"]+)"( aria-current="page")?>(.*?)</a>', nav, re.S)]


@pytest.mark.parametrize("roles, page, expected", [
    (("rep",), "/today", [("/today", "Today", True), ("/scorecard", "Scorecard", False),
                          ("/coaching", "Coaching", False), ("/account", "Account", False)]),
    (("manager",), "/goals", [("/teams", "Team", False), ("/coaching", "Coaching", False),
                              ("/goals", "Targets", True), ("/account", "Account", False)]),
    (("executive",), "/company", [("/company", "Company", True), ("/goals", "Targets", False),
                                  ("/account", "Account", False)]),
    (("admin",), "/account", [("/goals", "Targets", False), ("/admin/users", "Admin", False),
                              ("/account", "Account", True)]),
])
def test_the_tab_bar_has_the_roles_tabs_and_marks_the_current_one(
    make, auth, client, roles, page, expected
):
    make.metric("calls")
    make.user("someone@example.com", roles=roles)
    auth.sign_in("someone@example.com")
    html = client.get(page).text
    assert tabs(html, "Tabs") == expected
    assert tabs(html, "Main") == expected  # the wide screen's menu: the same, without icons
    assert html.count("<svg") >= len(expected)


def test_the_tab_bar_marks_a_drill_down_under_its_tab(make, auth, client):
    make.metric("calls")
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    html = client.get("/account/password").text
    assert ("/account", "Account", True) in tabs(html, "Tabs")


def test_someone_with_every_role_gets_five_tabs_and_the_rest_on_the_account_page(
    make, auth, client
):
    make.metric("calls")
    make.user("all@example.com", roles=("rep", "manager", "executive", "admin"))
    auth.sign_in("all@example.com")
    html = client.get("/account").text
    assert [text for _href, text, _current in tabs(html, "Tabs")] == [
        "Today", "Scorecard", "Team", "Company", "Account"]
    assert len(tabs(html, "Main")) == 8
    more = html[html.index('id="account-more"'):]
    assert 'href="/coaching"' in more
    assert 'href="/goals"' in more and 'href="/admin/users"' in more


def test_signed_out_pages_have_no_tabs_and_keep_the_skip_link(client):
    html = client.get("/sign-in").text
    assert 'class="tabbar"' not in html and 'aria-label="Main"' not in html
    assert '<a class="skip" href="#main">Skip to content</a>' in html


def test_two_people_are_the_same_person_only_when_they_are_one_row(make):
    """Flask-Login's mixin compares sign-in tokens, which every person not signed in shares
    (None): `someone in team.managers` would be true for anyone."""
    team = make.team("North")
    manager = make.user("lead@example.com", roles=("manager",))
    rep = make.user("rep@example.com", team=team)
    team.managers = [manager]
    assert rep != manager
    assert rep not in team.managers
    assert manager in team.managers
    assert len({rep, manager}) == 2
