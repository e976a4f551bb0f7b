"""Which language a page is in: the person's own setting, then the browser's."""


def test_signed_out_page_follows_the_browsers_language(client):
    page = client.get("/sign-in", headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"})
    assert '<html lang="it"' in page.text


def test_an_unsupported_browser_language_falls_back_to_english(client):
    page = client.get("/sign-in", headers={"Accept-Language": "xx"})
    assert '<html lang="en"' in page.text


def test_the_persons_own_setting_wins_over_the_browser(make, auth, client):
    make.user("rep@example.com", locale="en")
    auth.sign_in("rep@example.com")
    page = client.get("/account/password", headers={"Accept-Language": "it"})
    assert '<html lang="en"' in page.text


def test_times_are_shown_in_the_persons_timezone_when_set(make, auth, client):
    from datetime import UTC, datetime

    from extensions import db
    from services import activities

    calls = make.metric("calls")
    rep = make.user("rep@example.com", timezone="Asia/Tokyo")
    activities.record(db.session, user=rep, metric=calls,
                      occurred_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
                      calendar=rep.organization.calendar)
    db.session.commit()
    auth.sign_in("rep@example.com")
    assert "12:00" in client.get("/today").text  # 03:00 UTC is noon in Tokyo
