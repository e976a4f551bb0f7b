"""Cheap repeat loads: personal pages carry an ETag, and a browser holding the current page is
answered 304 after the sign-in and access checks, before anything is rendered, never for a page
that changed, is not its own, or carries another session's CSRF token."""

from datetime import timedelta

import pytest

from extensions import cache
from tests.conftest import Auth, csrf_token
from tests.test_page_cache import (  # noqa: F401 - fixtures
    loads,
    log_form,
    logging_clock,
    statements,
)
from tests.test_scorecards import NOW, cell, fixed_clock, org  # noqa: F401 - fixtures


def again(client, url, page, **headers):
    """GET `url` again as a browser holding `page` would: naming it by its ETag."""
    return client.get(url, headers={"If-None-Match": page.headers["ETag"], **headers})


def test_a_repeat_load_with_nothing_changed_is_a_304_and_runs_only_the_sign_in_check(
        org, auth, client, loads):
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard")
    # Weak: rendered again under the same key, a page means the same but its CSRF token,
    # signed at another moment, is other bytes.
    assert page.status_code == 200 and page.headers["ETag"].startswith('W/"')
    cache.clear()  # the browser's copy is enough: this process need not keep the page
    loads.clear()
    with statements() as run:
        repeat = again(client, "/scorecard", page)
    assert repeat.status_code == 304 and repeat.data == b""
    assert len(run) == 1 and "login_sessions" in run[0] and len(loads) == 1  # Flask-Login's
    assert repeat.headers["ETag"] == page.headers["ETag"]
    assert repeat.headers["Cache-Control"] == "private, no-cache"
    assert "HX-Request" in repeat.headers["Vary"]
    # What the service worker reads: whose page it is, and no text/html body to keep.
    assert repeat.headers["X-Pacer-User"] == str(org.ada.id)
    assert "Content-Type" not in repeat.headers


def test_right_after_the_rep_logs_the_scorecard_comes_with_the_new_number(org, auth, client):
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard")
    assert again(client, "/scorecard", page).status_code == 304
    assert client.post("/today/log", data=log_form(csrf_token(page.text))).status_code == 302
    assert "Logged 1 × Calls." in client.get("/today").text  # where the log sends the rep
    after = again(client, "/scorecard", page)
    assert after.status_code == 200
    assert cell(page.text, f"person-{org.ada.id}-calls")[0] == 0
    assert cell(after.text, f"person-{org.ada.id}-calls")[0] == 1
    assert after.headers["ETag"] != page.headers["ETag"]
    assert again(client, "/scorecard", after).status_code == 304


def test_the_token_of_a_page_the_browser_kept_still_goes_through(org, auth, client):
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard")
    assert again(client, "/scorecard", page).status_code == 304  # the browser shows `page`
    logged = client.post("/today/log", data=log_form(csrf_token(page.text)))
    assert logged.status_code == 302


@pytest.mark.parametrize("email, url", [
    ("mara@example.com", "/people/{ada}/scorecard"),
    ("mara@example.com", "/teams/{sales}?period=month-2026-11-01&sort=calls&order=desc"),
    ("exec@example.com", "/teams/{field}"),  # leads none
    ("exec@example.com", "/company?metric=calls"),
    ("exec@example.com", "/company/teams/{sales}?metric=calls"),
])
def test_every_kept_page_is_a_304_while_nothing_changed(org, client, email, url):
    Auth(client).sign_in(email)
    url = url.format(ada=org.ada.id, sales=org.sales.id, field=org.field.id)
    page = client.get(url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-cache"
    cache.clear()
    repeat = again(client, url, page)
    assert repeat.status_code == 304 and repeat.headers["ETag"] == page.headers["ETag"]


def test_someone_else_never_gets_a_304_for_the_reps_etag(org, app):
    ada, mara = app.test_client(), app.test_client()
    Auth(ada).sign_in("ada@example.com")
    Auth(mara).sign_in("mara@example.com")
    url = f"/people/{org.ada.id}/scorecard"
    for adas in (ada.get(url), ada.get("/scorecard")):
        for_mara = again(mara, url, adas)
        assert for_mara.status_code == 200 and "<html" in for_mara.text
        assert for_mara.headers["ETag"] != adas.headers["ETag"]


def test_a_page_one_may_not_see_is_refused_whatever_etag_is_named(org, client):
    Auth(client).sign_in("ada@example.com")
    for etag in ("*", 'W/"0123456789abcdef0123456789abcdef"'):
        assert client.get("/company?metric=calls",
                          headers={"If-None-Match": etag}).status_code == 403
    page = client.get("/scorecard")
    assert client.get("/scorecard", headers={"If-None-Match": "*"}).status_code == 200
    assert again(client, f"/teams/{org.sales.id}", page).status_code == 403


def test_another_language_is_another_etag(org, auth, client):
    auth.sign_in("ada@example.com")
    english = client.get("/scorecard", headers={"Accept-Language": "en"})
    italian = again(client, "/scorecard", english, **{"Accept-Language": "it"})
    assert italian.status_code == 200 and '<html lang="it"' in italian.text
    assert italian.headers["ETag"] != english.headers["ETag"]


def test_the_next_minute_is_another_etag(org, auth, client, clock):
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard")
    clock.at(NOW + timedelta(seconds=59))  # the page still says "as of" the same minute
    assert again(client, "/scorecard", page).status_code == 304
    clock.at(NOW + timedelta(minutes=1))
    later = again(client, "/scorecard", page)
    assert later.status_code == 200 and later.headers["ETag"] != page.headers["ETag"]


def test_a_page_whose_token_is_of_another_csrf_secret_is_never_answered_304(org, auth,
                                                                           client):
    """As when the cookie is lost and a remembered sign-in starts a new session: the copy the
    browser holds carries a token the new session refuses."""
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard")
    with client.session_transaction() as session:
        del session["csrf_token"]
    fresh = again(client, "/scorecard", page)
    assert fresh.status_code == 200 and fresh.headers["ETag"] != page.headers["ETag"]
    assert csrf_token(fresh.text) != csrf_token(page.text)
    assert client.post("/today/log", data=log_form(csrf_token(fresh.text))).status_code == 302


def test_the_fragment_has_its_own_etag(org, auth, client):
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard")
    fragment = again(client, "/scorecard", page, **{"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.headers["ETag"] != page.headers["ETag"]
    assert "HX-Request" in fragment.headers["Vary"]
    assert again(client, "/scorecard", fragment, **{"HX-Request": "true"}).status_code == 304
    # A history restore asks for the whole page: the fragment's ETag does not name it.
    restore = again(client, "/scorecard", fragment, **{
        "HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert restore.status_code == 200 and "<html" in restore.text


def test_a_message_waiting_to_be_shown_is_never_answered_304(org, auth, client):
    auth.sign_in("ada@example.com")
    page = client.get("/scorecard")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Logged 1 × Calls.")]
    shown = again(client, "/scorecard", page)
    assert shown.status_code == 200 and "ETag" not in shown.headers
    assert shown.headers["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("etag", ['"unterminated', "W/", ",, ,", "x" * 10_000, "\x7f"])
def test_a_malformed_if_none_match_is_a_plain_200(org, auth, client, etag):
    auth.sign_in("ada@example.com")
    assert client.get("/scorecard", headers={"If-None-Match": etag}).status_code == 200
