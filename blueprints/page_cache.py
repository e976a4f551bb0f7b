"""Scorecard pages served again, as they were rendered, while nothing they show has changed.

A view signs the person in and checks access as any other does, then hands `serve` the stamp
of what its numbers are made of (services.freshness) and how to render the page. The page is
kept under its deployment (one cache may serve several), its URL, whole page or htmx block,
who asked (their name, menu and language are on it), a digest of the session's CSRF secret,
the minute on the clock (pace moves with time, and the page says "as of 10:42") and that
stamp. Any change to those is a different key, so nothing is ever taken out by hand and
nothing stale is served. Each process keeps its own entries by default (CACHE_TYPE); the
stamps live in the database, so every worker and machine agrees on what is current.

A kept page is served as the bytes rendered. Its forms' CSRF token is signed from the
session's secret, which the key names: only the browser session it was rendered in gets it
back, and there the token stays good (WTF_CSRF_TIME_LIMIT is None). Another device, or a
session that lost its cookie, has another secret and gets a page of its own.

The browser keeps these pages too (`Cache-Control: private, no-cache`: for this person only,
asked about again each time), under an ETag that is a digest of the key, keyed with the
secret key. A request naming the current one (If-None-Match) is answered 304 once the view's
access checks have passed, before the page is looked up or rendered. The ETag is weak: a page
rendered again under the same key (after eviction, or in another process) means the same
thing but is not the same bytes, since a CSRF token carries the time it was signed.
"""

import hashlib
import hmac

from flask import current_app, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from blueprints.localization import locale_for
from blueprints.rendering import wants_fragment
from extensions import cache


def init_app(app):
    app.extensions["page_cache_deployment"] = deployment_identity(app.config)


def deployment_identity(config):
    """What tells this deployment's pages from another's in a shared cache (staging and
    production on one Redis): a digest of its database and its secret key. User 1 of one
    database is not user 1 of another, and the keys below all start with it."""
    seen = f"{config['SQLALCHEMY_DATABASE_URI']}\x00{config.get('SECRET_KEY') or ''}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def serve(stamp, now, make):
    """The response `make()` renders, or the one it rendered for the same key before."""
    if session.get("_flashes"):  # a message shown once must not be kept, nor be skipped
        return _personal(make())
    key = _key(stamp, now)
    etag = _etag(key)
    if _browser_has(etag):
        return _not_modified(etag)
    page = cache.get(key)
    if page is not None:
        # Kept as the bytes sent: nothing to encode again on the way out.
        return _personal(make_response(page), etag)
    response = make()
    if response.status_code == 200:
        cache.set(key, response.get_data())
        return _personal(response, etag)
    return _personal(response)


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


def _csrf_secret():
    """A digest of the session's CSRF secret, which every token on the page is signed from
    (made now if the session has none yet); only a digest, as cache keys may be shared."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field not in session:
        generate_csrf()
    return hashlib.sha256(str(session[field]).encode()).hexdigest()[:16]


def _key(stamp, now):
    return "|".join(map(str, (
        current_app.extensions["page_cache_deployment"], "page",
        request.full_path, wants_fragment(), current_user.id, locale_for(current_user.locale),
        current_user.display_timezone, getattr(current_user, "unread_notifications", 0),
        _csrf_secret(), now.strftime("%Y%m%d%H%M"), *stamp,
    )))
