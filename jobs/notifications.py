"""Emailing inbox entries: `notify` marks the ones the person wants emailed; once the
transaction that made them commits, a job writes each email in its reader's language."""

from flask import render_template
from sqlalchemy import event
from sqlalchemy.orm import Session

from extensions import db
from jobs import task
from jobs.mail import external_url, in_language, send_email
from models.notifications import Notification
from models.types import utcnow
from services import notifications


@event.listens_for(Session, "after_flush")
def _email_flushed(session, _context):
    """Each entry to email, once it has an id: the job is enqueued when the transaction
    commits, and dropped if it rolls back (jobs.enqueue_after_commit)."""
    pending = session.info.get(notifications.PENDING_EMAILS)
    if not pending:
        return
    flushed = [each for each in pending if each.id is not None]
    session.info[notifications.PENDING_EMAILS] = [each for each in pending if each.id is None]
    for notification in flushed:
        email_notification(notification.id, organization_id=notification.recipient.organization_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session, _previous_transaction):
    notifications.forget_pending_emails(session)


def _describe(notification_id, **_kwargs):
    return f"notification {notification_id}"


@task(describe=_describe)
def email_notification(notification_id, organization_id=None):
    """Write one entry's email in its reader's language and hand it to the mail job, once."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.emailed_at is not None:
        return  # gone, or already sent by an attempt that failed after handing it over
    recipient = notification.recipient
    if not recipient.active:
        return
    from blueprints.notifications import kinds

    with in_language(recipient):
        subject = kinds.subject(notification)
        context = dict(
            name=recipient.name, text=kinds.text(notification),
            link=_link(notification), preferences=external_url("account.notifications"),
        )
        text = render_template("email/notification.txt", **context)
        html = render_template("email/notification.html", **context)
    send_email(recipient.email, subject, text, html, organization_id=organization_id)
    notification.emailed_at = utcnow()


def _link(notification):
    """The page the entry is about, absolute; signed out, the person signs in and lands there."""
    try:
        return external_url(notification.link_endpoint, **(notification.link_values or {}))
    except Exception:  # noqa: BLE001 - a page that is no longer there: the inbox instead
        return external_url("notifications.index")
