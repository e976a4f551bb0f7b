"""Query parameters screens share: the period switcher's state lives in the URL.

A parameter that makes no sense gets a 400 page that says which one and why, never a 500.
"""

from babel.dates import get_day_names
from flask import abort, request
from flask_babel import get_locale
from flask_babel import gettext as _

from blueprints.access import MAX_ID
from blueprints.fields import has_control_characters
from blueprints.rendering import render
from periods import FIRST_YEAR, LAST_YEAR, OutOfRange, parse_key, period_at


def bad_request(message):
    """Stop with a 400 page (or fragment) carrying this message."""
    abort(render("errors.html", block="content", status=400, code=400, message=message))


def period_arg(calendar, now, default_kind="week"):
    """The period named by ?period=<kind>-<first day>, or the current one of default_kind."""
    key = request.args.get("period")
    if not key:
        return period_at(default_kind, now, calendar)
    try:
        return parse_key(key, calendar)
    except OutOfRange:
        bad_request(_(
            "Pacer shows periods from %(first)s to %(last)s; “%(key)s” lies outside them.",
            first=FIRST_YEAR, last=LAST_YEAR, key=key[:40],
        ))
    except ValueError:
        bad_request(_(
            "“%(key)s” is not a period. Use the period switcher, or a key such as "
            "week-2026-11-23 (a week starting on a %(weekday)s), month-2026-11-01 or "
            "year-2026-01-01.",
            key=key[:40], weekday=_weekday_name(calendar.week_start),
        ))


def int_arg(name):
    """An optional whole-number parameter (an id or a page) up to MAX_ID; 400 when it is there
    but something else."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not (value.isascii() and value.isdigit()) or len(value) > 12 or int(value) > MAX_ID:
        bad_request(_("“%(name)s” must be a whole number from 0 to %(most)s.",
                      name=name[:40], most=MAX_ID))
    return int(value)


def text_arg(name, longest=100):
    """An optional line of text (a search), stripped and cut to `longest` characters; 400 when
    it holds control characters, which PostgreSQL refuses (NUL) or nobody types."""
    value = request.args.get(name, "").strip()[:longest]
    if has_control_characters(value):
        bad_request(_("“%(name)s” must be plain text, without control characters.",
                      name=name[:40]))
    return value


def choice_arg(name, choices, default):
    """A parameter that must be one of `choices`."""
    value = request.args.get(name) or default
    if value not in choices:
        bad_request(_("“%(value)s” is not a valid %(name)s.", value=value[:40], name=name))
    return value


def _weekday_name(weekday):
    return get_day_names("wide", locale=get_locale())[weekday]
