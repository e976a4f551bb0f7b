"""What makes Pacer an installable, offline-capable app: the manifest, the service worker (served
from the root so its scope is the whole site) and the page shown for what is not kept offline."""

import hashlib
import json
from pathlib import Path

from flask import Blueprint, current_app, jsonify, make_response, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import public
from blueprints.offline import shell_urls
from blueprints.rendering import render
from extensions import assets

bp = Blueprint("pwa", __name__)

THEME_COLOUR = "#14532d"  # as the layout's light theme-color; the manifest has one for both
BACKGROUND_COLOUR = "#f9fafb"
# (file under static/icons, size, purpose)
ICONS = (
    ("icon-192.png", 192, "any"),
    ("icon-512.png", 512, "any"),
    ("icon-maskable-512.png", 512, "maskable"),
)
# The response header that tells the service worker whose pages it is looking at.
USER_HEADER = "X-Pacer-User"


@bp.get("/manifest.webmanifest")
@public
def manifest():
    # In the browser's language, not the user's: browsers fetch it without cookies, and looking
    # the user up would write the session cookie, racing a sign-in in flight.
    languages = current_app.config["LANGUAGES"]
    with force_locale(request.accept_languages.best_match(languages) or languages[0]):
        return _manifest()


def _manifest():
    response = jsonify(
        # The app's identity: it was its first start URL, and installed apps keep it.
        id=url_for("today.index"),
        name=_("Pacer"),
        short_name=_("Pacer"),
        description=_("Log your activities and see your numbers, with or without signal."),
        lang=str(get_locale()),
        # The front door sends each person to their own home (a rep to Today, a manager to the
        # team); the service worker answers it offline with the rep's kept Today.
        start_url=url_for("core.index"),
        scope=url_for("core.index"),
        display="standalone",
        orientation="portrait",
        theme_color=THEME_COLOUR,
        background_color=BACKGROUND_COLOUR,
        icons=[
            {"src": url_for("static", filename=f"icons/{name}"), "sizes": f"{size}x{size}",
             "type": "image/png", "purpose": purpose}
            for name, size, purpose in ICONS
        ],
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
@public
def service_worker():
    """The service worker, with its settings prepended; its cache name is the build's version."""
    settings = worker_settings()
    body = f"const PACER = {json.dumps(settings)};\n{_worker_source()}"
    response = make_response(body)
    response.mimetype = "text/javascript"
    # Browsers check for a new worker on navigations; never let a cache answer for it.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
@public
def offline():
    """What the phone shows, with no signal, for a page it does not keep."""
    return render("pwa/offline.html", copy_for_anyone=True)


@bp.after_app_request
def name_the_user(response):
    """Tell the service worker whose page this is, so it never shows one person's cached pages
    to the next (a page with no user, such as sign-in, makes it drop them)."""
    if response.mimetype != "text/html":
        return response
    if current_user and current_user.is_authenticated:
        response.headers[USER_HEADER] = str(current_user.id)
    return response


def worker_settings():
    """What the service worker needs to know, and the version naming its caches.

    The version is a digest of everything it caches ahead (the bundles' URLs carry their content
    hashes, the icons are hashed here) and of its own code, so every release with new assets
    installs a new worker that replaces the old caches.
    """
    static = Path(current_app.static_folder)
    bundles = [*assets["js_all"].urls(), *assets["css_all"].urls()]
    icons = [url_for("static", filename=f"icons/{name}") for name, _size, _purpose in ICONS]
    settings = {
        "precache": [*bundles, *icons, url_for("pwa.manifest")],
        "scripts": assets["js_sw"].urls(),
        "offline": url_for("pwa.offline"),
        "home": {"path": url_for("core.index"), "kept": url_for("today.index")},
        "static": url_for("static", filename=""),
        "shell": shell_urls(),
        "api": {"session": url_for("api.session"), "activities": url_for("api.activities")},
        "userHeader": USER_HEADER,
    }
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    digest.update(_worker_source().encode())
    for name, _size, _purpose in ICONS:
        digest.update((static / "icons" / name).read_bytes())
    settings["version"] = digest.hexdigest()[:12]
    return settings


def _worker_source():
    return (Path(current_app.static_folder) / "js" / "sw.js").read_text(encoding="utf-8")
