"""The inbox: what happened that concerns the person, newest first, each entry a link to it."""

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

import jobs.notifications  # noqa: F401 - emails the entries that ask for it, once committed
from blueprints.access import get_own_notification
from blueprints.notifications import kinds
from blueprints.params import int_arg
from blueprints.rendering import render
from extensions import begin_write, db, end_reads
from models.types import utcnow
from services import notifications

bp = Blueprint("notifications", __name__, url_prefix="/inbox")

PER_PAGE = 20


@dataclass(frozen=True)
class Entry:
    id: int
    text: str
    when: str
    unread: bool
    has_link: bool


def target_of(notification):
    """The URL of the page an entry is about, or None when that page no longer exists."""
    try:
        return url_for(notification.link_endpoint, **(notification.link_values or {}))
    except (BuildError, TypeError, ValueError):
        return None


def _entry(notification, now):
    return Entry(
        id=notification.id,
        text=kinds.text(notification),
        when=format_timedelta(notification.created_at - now, add_direction=True),
        unread=notification.read_at is None,
        has_link=target_of(notification) is not None,
    )


@bp.get("")
def index():
    page = max(int_arg("page") or 1, 1)
    now = utcnow()
    found, more = notifications.inbox(db.session, current_user, page=page, per_page=PER_PAGE)
    return render(
        "notifications/index.html", block="entries",
        entries=[_entry(each, now) for each in found], page=page, more=more,
    )


@bp.get("/<int:notification_id>")
def open(notification_id):
    """Mark the entry read and go to its page (harmless on a plain GET: only its reader may)."""
    notification = get_own_notification(notification_id)
    target = target_of(notification)
    if notification.read_at is None:
        end_reads(db.session())
        begin_write(db.session)
        notifications.mark_read(notification, utcnow())
        db.session.commit()
    if target is None:
        flash(_("The page this was about is no longer there."), "info")
        return redirect(url_for("notifications.index"))
    return redirect(target)


@bp.post("/read")
def read_all():
    notifications.mark_all_read(db.session, current_user, utcnow())
    db.session.commit()
    flash(_("All marked as read."), "success")
    return redirect(url_for("notifications.index"))
