"""Scorecard pages served again, as they were rendered, while nothing they show has changed.

A page is kept under its URL, whole page or htmx block, who asked (their name, menu and
language are on it), the minute on the clock (pace moves with time, and the page says "as of
10:42") and the stamp of what its numbers are made of (services.freshness). Any change to
those is a different key, so nothing is ever taken out by hand and nothing stale is served:
an activity a rep logs shows on their scorecard, their team's grid and the company's view
at the next request. Each process keeps its own entries by default (CACHE_TYPE); the stamps
live in the database, so every worker and machine agrees on what is current.

The only thing of the person's session on a page, its CSRF token, is taken out before the
page is kept and put back, fresh, each time it is served.
"""

from flask import make_response, request, session
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from blueprints.rendering import wants_fragment
from extensions import cache

_CSRF_SLOT = b"\x00csrf-token\x00"  # NUL never occurs in rendered HTML


def serve(stamp, now, make):
    """The response `make()` renders, or the one it rendered for the same key before."""
    if session.get("_flashes"):  # a message shown once must not be kept, nor be skipped
        return make()
    key = _key(stamp, now)
    kept = cache.get(key)
    if kept is not None:
        # Kept as the bytes sent: nothing to encode again on the way out.
        response = make_response(kept.replace(_CSRF_SLOT, generate_csrf().encode()))
        response.vary.add("HX-Request")
        return response
    response = make()
    if response.status_code == 200:
        cache.set(key, response.get_data().replace(generate_csrf().encode(), _CSRF_SLOT))
    return response


def _key(stamp, now):
    return "page|" + "|".join(map(str, (
        request.full_path, wants_fragment(), current_user.id,
        get_locale(), get_timezone(), now.strftime("%Y%m%d%H%M"), *stamp,
    )))
