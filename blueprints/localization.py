"""Which language and timezone a request is shown in."""

from flask import current_app, request
from flask_login import current_user


def select_locale():
    """The person's own setting, else the best match for the browser's languages."""
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    return request.accept_languages.best_match(current_app.config["LANGUAGES"])


def select_timezone():
    """Times are shown in the person's timezone, else the organisation's."""
    if current_user and current_user.is_authenticated:
        return current_user.display_timezone
    return None
