"""Which language and timezone a request is shown in."""

from flask import current_app, has_request_context, request
from flask_login import current_user


def select_locale():
    """The person's own setting, else the best match for the browser's languages."""
    signed_in = current_user and current_user.is_authenticated
    return locale_for(current_user.locale if signed_in else None)


def locale_for(own):
    """A person's own language, else the best match for the browser's languages (a job, which
    has no request, writes in the default language unless it says whose: jobs.mail.in_language)."""
    if own or not has_request_context():
        return own
    return request.accept_languages.best_match(current_app.config["LANGUAGES"])


def select_timezone():
    """Times are shown in the person's timezone, else the organisation's."""
    if current_user and current_user.is_authenticated:
        return current_user.display_timezone
    return None
