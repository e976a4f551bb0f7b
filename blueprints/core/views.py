"""The front door: where each person lands, and the health check."""

from flask import Blueprint, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import text

from blueprints.access import public
from blueprints.core.navigation import navigation
from extensions import db

bp = Blueprint("core", __name__)


@bp.app_context_processor
def inject_navigation():
    """The signed-in person's tabs, for the layout's menus, and their inbox's unread count
    (loaded with them: services.accounts.user_for_token)."""
    if not current_user or not current_user.is_authenticated:
        return {}
    return {"app_tabs": navigation(current_user.roles, request.endpoint),
            "unread_notifications": getattr(current_user, "unread_notifications", 0)}


@bp.get("/")
def index():
    """Send each person to the screen they come for."""
    if current_user.has_role("executive"):
        return redirect(url_for("scorecards.company"))
    if current_user.has_role("manager"):
        return redirect(url_for("scorecards.teams"))
    if current_user.has_role("admin") and not current_user.has_role("rep"):
        return redirect(url_for("admin.users"))
    return redirect(url_for("today.index"))


@bp.get("/healthz")
@public
def healthz():
    """200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
