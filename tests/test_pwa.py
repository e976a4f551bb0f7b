"""The installable app's server side: manifest, service worker, offline page, and the Today markup
the offline code reads."""

import json
import re
import shutil
import struct
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

import demo.organization
import demo.scorecards
from app import create_app
from extensions import db
from tests.conftest import Auth


def worker_settings(text):
    match = re.match(r"const PACER = (\{.*?\});\n", text)
    assert match, "the service worker starts with its settings"
    return json.loads(match.group(1))


def test_the_manifest_makes_pacer_an_installable_standalone_app(client, app):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200  # public: the browser fetches it without cookies
    assert response.mimetype == "application/manifest+json"
    manifest = response.json
    # It starts at the front door, which sends each person home; its id is the first start URL,
    # which apps installed before keep as their identity.
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["id"] == "/today"
    assert manifest["display"] == "standalone" and manifest["theme_color"] == "#14532d"
    assert manifest["name"] == "Pacer"
    icons = {(icon["sizes"], icon["purpose"]): icon["src"] for icon in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (sizes, _purpose), src in icons.items():
        png = client.get(src)
        assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png.data[16:24])
        assert f"{width}x{height}" == sizes
        png.close()


def test_the_service_worker_is_served_from_the_root_and_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    settings = worker_settings(response.text)
    assert "/today" in settings["shell"]  # with the other rep pages the app serves
    assert settings["offline"] == "/offline"
    assert settings["home"] == {"path": "/", "kept": "/today"}  # offline, "/" opens the kept Today
    assert any(re.fullmatch(r"/static/gen/pacer\.\w+\.js", url) for url in settings["precache"])
    assert any(re.fullmatch(r"/static/gen/pacer\.\w+\.css", url) for url in settings["precache"])
    assert "/manifest.webmanifest" in settings["precache"]
    assert re.fullmatch(r"[0-9a-f]{12}", settings["version"])
    assert "pacer-static-${PACER.version}" in response.text


def test_a_new_asset_build_gets_a_new_worker_version(app, client, tmp_path):
    shutil.copytree(app.static_folder, tmp_path / "static",
                    ignore=shutil.ignore_patterns("gen", ".webassets-cache"))
    (tmp_path / "static" / "css" / "pacer.css").write_text(
        (tmp_path / "static" / "css" / "pacer.css").read_text() + "\n.release-two {}\n"
    )
    release = create_app(SimpleNamespace(**app.config))
    release.static_folder = str(tmp_path / "static")

    before = worker_settings(client.get("/sw.js").text)
    after = worker_settings(release.test_client().get("/sw.js").text)

    assert before["version"] != after["version"]
    assert set(before["precache"]) ^ set(after["precache"]) == {
        next(url for url in before["precache"] if url.endswith(".css")),
        next(url for url in after["precache"] if url.endswith(".css")),
    }


def test_the_offline_page_is_public_and_says_what_works_offline(client):
    response = client.get("/offline")
    assert response.status_code == 200
    assert "This page is not available offline" in response.text
    assert 'href="/today"' in response.text


def test_pages_name_their_user_for_the_worker_and_signed_out_ones_do_not(make, auth, client):
    make.metric("calls")
    rep = make.user("rep@example.com")
    assert "X-Pacer-User" not in client.get("/sign-in").headers
    auth.sign_in("rep@example.com")
    today = client.get("/today")
    assert today.headers["X-Pacer-User"] == str(rep.id)
    icon = client.get("/static/icons/icon-192.png")
    assert "X-Pacer-User" not in icon.headers
    icon.close()


def test_every_page_links_the_manifest_and_carries_the_offline_settings(client):
    page = client.get("/sign-in").text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'id="pacer-offline"' in page and 'data-worker="/sw.js"' in page
    assert 'data-user=""' in page
    assert 'data-t-sign-in-other="Sign in again to send {count} activities."' in page


def test_today_gives_the_offline_code_its_periods_and_raw_totals(make, auth, client):
    make.metric("calls")
    make.metric("talks", quality_min=2, quality_unit="minutes")
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    page = client.get("/today").text
    assert re.search(r'data-day="\d{4}-\d\d-\d\d" data-week="\d{4}-\d\d-\d\d"', page)
    assert 'data-timezone="Europe/Rome" data-week-start="0"' in page
    assert re.search(r'data-value="0(\.0)?" data-total="today"', page)
    assert re.search(r'data-quality-min="2(\.0)?"', page)
    assert '<section id="outbox"' in page and "hidden>" in page
    fragment = client.get("/today", headers={"HX-Request": "true"}).text
    assert 'id="outbox"' not in fragment  # outside #today: htmx swaps leave it alone


def test_the_worker_and_manifest_never_write_the_session_cookie(client):
    # Fetched while someone signs in: an answer carrying the old session would sign them out.
    client.get("/sign-in")
    for url in ("/manifest.webmanifest", "/sw.js"):
        response = client.get(url, headers={"Accept-Language": "it"})
        assert "Set-Cookie" not in response.headers, url
    manifest = client.get("/manifest.webmanifest", headers={"Accept-Language": "it"})
    assert manifest.json["lang"] == "it"


@pytest.fixture
def northwind(app):
    """The demo organisation, as `flask seed-demo` makes it (a week of it)."""
    now = datetime.now(UTC)
    demo.organization.seed(db.session, now, app.config["PASSWORD_HASH_METHOD"], days=7)
    demo.scorecards.seed(db.session, now, days=7)
    db.session.commit()


@pytest.mark.parametrize("email, home", [
    ("rep@example.com", "/today"),
    ("newhire@example.com", "/today"),
    ("manager@example.com", "/teams"),
    ("exec@example.com", "/company"),
    ("admin@example.com", "/admin/users"),
])
def test_the_installed_app_opens_a_home_page_for_every_demo_role(
    northwind, app, email, home
):
    client = app.test_client()
    Auth(client).sign_in(email, demo.organization.PASSWORD)
    start = client.get("/manifest.webmanifest").json["start_url"]

    opened, path = client.get(start), start
    while opened.status_code in (301, 302, 303):
        path = opened.headers["Location"]
        opened = client.get(path)

    assert opened.status_code == 200, email
    assert path == home or path.startswith(f"{home}/")  # a manager of one team: straight to it
