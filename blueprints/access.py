"""Who may see what: the one place every view's access check goes through.

Every endpoint needs a signed-in, active user unless it is marked @public; role checks and
object loaders below abort with 403/404, so views never repeat access rules.
"""

from functools import wraps

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from extensions import db, login_manager
from models import Activity, Metric
from services import accounts

PUBLIC_ENDPOINTS = {"static"}


def public(view):
    """Mark a view as reachable without signing in."""
    view.is_public = True
    return view


def roles_required(*roles):
    """Only users holding one of these roles get past; others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


def get_own_activity(activity_id):
    """An activity the current user logged; 404 for anyone else's, so ids reveal nothing."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.user_id != current_user.id:
        abort(404)
    return activity


def _require_sign_in():
    if request.endpoint is None:
        return None  # a 404 or 405 follows; it reveals nothing
    function = current_app.view_functions.get(request.endpoint)
    if request.endpoint in PUBLIC_ENDPOINTS or getattr(function, "is_public", False):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@login_manager.user_loader
def load_user(token):
    return accounts.user_for_token(db.session, token)


def init_app(app):
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_require_sign_in)


def get_loggable_metric(key):
    """An active metric of the current user's organisation, by key; 404 otherwise."""
    metric = db.session.scalar(
        select(Metric).where(
            Metric.organization_id == current_user.organization_id,
            Metric.key == (key or ""),
            Metric.active.is_(True),
        )
    )
    if metric is None:
        abort(404)
    return metric
