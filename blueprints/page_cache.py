"""Scorecard pages served again, as they were rendered, while nothing they show has changed.

A page is kept under its deployment (one cache may serve several), its URL, whole page or htmx
block, who asked (their name, menu and language are on it), the minute on the clock (pace moves
with time, and the page says "as of 10:42") and the stamp of what its numbers are made of
(services.freshness). Any change to those is a different key, so nothing is ever taken out by
hand and nothing stale is served: an activity a rep logs shows on their scorecard, their team's
grid and the company's view at the next request. Each process keeps its own entries by default
(CACHE_TYPE); the stamps live in the database, so every worker and machine agrees on what is
current.

A page is looked for twice. Views marked @kept are looked up before the sign-in check loads
anyone (`serve_kept`, a before_request hook): one Core statement reads the session's
identity (services.accounts.Identity), which is the sign-in check, and carries the stamps of
the person, the teams they lead and the organisation. A page found there was rendered for
the same person, at the same URL, under the same settings stamp, after the view's access
checks passed; roles, teams, who leads them and who is active are all settings, so those
checks would pass again, and the page is served as it is. Anything else (another person's
scorecard, a team one does not lead, a page not kept yet) goes on to the sign-in check and
the view, whose `serve` keeps what it renders.

The only thing of the person's session on a page, its CSRF token, is taken out before the
page is kept and put back, fresh, each time it is served.

The browser keeps these pages too (`Cache-Control: private, no-cache`: for this person only,
asked about again each time), under an ETag that is a digest of the key. A request naming the
current one (If-None-Match) is answered 304 as soon as the key is known, before the page is
looked up or rendered: the browser, or the service worker's fetch through it, shows its copy.
The ETag is weak, since no two answers are the same bytes (each carries a fresh CSRF token);
any token of the session stays good (WTF_CSRF_TIME_LIMIT is None). It is keyed with the
secret key, so a client can name only a page it was given after the view's access checks,
and those would pass again while the key's settings stamp holds: a 304 is safe to send
before anyone is loaded, whether this process keeps the page or not.
"""

import hashlib
import hmac

from flask import current_app, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from blueprints.localization import locale_for
from blueprints.pwa.views import USER_HEADER
from blueprints.rendering import wants_fragment
from extensions import cache, db, login_manager
from models.types import utcnow
from services import accounts

_CSRF_SLOT = b"\x00csrf-token\x00"  # NUL never occurs in rendered HTML


def kept(stamp_of):
    """Mark a view whose pages may be served before anyone is loaded.

    `stamp_of(identity, now, **view_args)` is the stamp the view keys its page on, read from
    the signed-in identity alone (and the clock), or None when the identity does not carry it.
    """

    def mark(view):
        view.kept_stamp = stamp_of
        return view

    return mark


def init_app(app):
    """Look for kept pages before the sign-in check: register before access.init_app."""
    app.extensions["page_cache_deployment"] = deployment_identity(app.config)
    app.before_request(serve_kept)


def deployment_identity(config):
    """What tells this deployment's pages from another's in a shared cache (staging and
    production on one Redis): a digest of its database and its secret key. User 1 of one
    database is not user 1 of another, and the keys below all start with it."""
    seen = f"{config['SQLALCHEMY_DATABASE_URI']}\x00{config.get('SECRET_KEY') or ''}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def serve_kept():
    """The kept page this request asks for, if there is one; None lets the request go on."""
    if request.method != "GET" or session.get("_flashes"):
        return None
    stamp_of = getattr(current_app.view_functions.get(request.endpoint), "kept_stamp", None)
    token = session.get("_user_id")
    # A session carried to another browser or address is Flask-Login's to judge: go on.
    if (stamp_of is None or token is None
            or session.get("_id") != login_manager._session_identifier_generator()):
        return None
    who, now = accounts.identity_for_token(db.session, token), utcnow()
    stamp = stamp_of(who, now, **request.view_args) if who is not None else None
    if stamp is None:
        return None
    key = _key((who.user_id, who.locale, who.timezone), stamp, now)
    etag = _etag(key)
    if _browser_has(etag):
        response = _not_modified(etag)
    else:
        page = cache.get(key)
        if page is None:
            return None
        response = _answer(page, etag)
    response.headers[USER_HEADER] = str(who.user_id)  # as pwa's name_the_user would
    return response


def serve(stamp, now, make):
    """The response `make()` renders, or the one it rendered for the same key before."""
    if session.get("_flashes"):  # a message shown once must not be kept, nor be skipped
        return _personal(make())
    key = _key((current_user.id, current_user.locale, current_user.display_timezone), stamp,
               now)
    etag = _etag(key)
    if _browser_has(etag):
        return _not_modified(etag)
    page = cache.get(key)
    if page is not None:
        return _answer(page, etag)
    response = make()
    if response.status_code == 200:
        cache.set(key, response.get_data().replace(generate_csrf().encode(), _CSRF_SLOT))
        return _personal(response, etag)
    return _personal(response)


def _answer(page, etag):
    # Kept as the bytes sent: nothing to encode again on the way out.
    return _personal(make_response(page.replace(_CSRF_SLOT, generate_csrf().encode())), etag)


def _not_modified(etag):
    return _personal(current_app.response_class(status=304), etag)


def _personal(response, etag=None):
    """For this person's browser alone, which asks again each time it shows the page."""
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("HX-Request")
    if etag is not None:
        response.set_etag(etag, weak=True)
    return response


def _browser_has(etag):
    """Whether the request names, as the copy it holds, the page this ETag stands for.

    Only by name: `If-None-Match: *` would be a 304 for a page the client was never given.
    """
    return etag in request.if_none_match.as_set(include_weak=True)


def _etag(key):
    """The ETag of the page kept under `key`: a digest only this deployment can make."""
    secret = current_app.secret_key
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()[:32]


def _key(viewer, stamp, now):
    """viewer: (person id, their own language or None, the timezone they read times in)."""
    user_id, own_locale, timezone = viewer
    return "|".join(map(str, (
        current_app.extensions["page_cache_deployment"], "page",
        request.full_path, wants_fragment(), user_id, locale_for(own_locale), timezone,
        now.strftime("%Y%m%d%H%M"), *stamp,
    )))
