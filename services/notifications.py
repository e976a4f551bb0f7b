"""Notifications: one inbox entry per event for a person, and an email when they want one.

Features call `notify`; they never send mail themselves. The words of each kind (inbox text,
email subject and body) live with the app (blueprints/notifications/kinds.py), because they
are translated when shown; this service knows only whether each kind emails by default and
whether a person may turn that email off.
"""

from dataclasses import dataclass

from sqlalchemy import func, select, update

from models.notifications import EmailPreference, Notification


@dataclass(frozen=True)
class EmailDefault:
    on: bool  # emailed unless the person turned it off
    optional: bool = True  # the person may turn it off (or on) on their Account page


# Every kind of notification. A new kind gets a line here and its words in kinds.py.
KINDS = {
    "coaching_shared": EmailDefault(on=True),  # to the rep: the coach shared a session
    "coaching_acknowledged": EmailDefault(on=False),  # to the coach
    "coaching_answered": EmailDefault(on=False),  # to the coach: the rep answered a section
    "coaching_requested": EmailDefault(on=True),  # to the rep's managers
    "coaching_draft_ready": EmailDefault(on=True),  # to the coach: a recurring draft
    "action_item_due": EmailDefault(on=True),  # to the owner: due tomorrow, or overdue
    "feedback_received": EmailDefault(on=True),
    "feedback_replied": EmailDefault(on=False),
}
# Emails that are not inbox entries: the weekly digest (services/digest.py).
EMAIL_ONLY_KINDS = {
    "weekly_digest": EmailDefault(on=True),
}
ALL_EMAIL_KINDS = {**KINDS, **EMAIL_ONLY_KINDS}

# Where `notify` leaves the entries to email once the transaction commits (jobs/notifications.py
# enqueues them then: an email never goes out for something rolled back).
PENDING_EMAILS = "pacer_pending_notification_emails"

MAX_PARAM_TEXT = 200


def notify(session, recipient, kind, *, link, actor=None, params=None, now):
    """Record an inbox entry for `recipient` and, if their preferences want email for `kind`,
    have it emailed once the transaction commits.

    `link` is (endpoint, {url values}), e.g. ("coaching.detail", {"session_id": 5}), turned
    into a URL when shown or emailed. `params` is a small JSON-able dict the kind's text uses
    (names, metric labels as given, counts; `actor` is the actor's name unless given; what
    each kind reads is listed in blueprints/notifications/kinds.py). Nobody is notified of
    their own action, nor is a deactivated person: both return None; otherwise the new
    Notification.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind: {kind}")
    endpoint, values = link
    if recipient is None or not recipient.active:
        return None
    if actor is not None and actor.id == recipient.id:
        return None
    params = _clean_params(params or {})
    if actor is not None:
        params.setdefault("actor", actor.name)
    notification = Notification(
        recipient=recipient,
        actor=actor,
        kind=kind,
        params=params,
        link_endpoint=endpoint,
        link_values=dict(values or {}),
        created_at=now,
        email_wanted=wants_email(session, recipient, kind),
    )
    session.add(notification)
    if notification.email_wanted:
        session.info.setdefault(PENDING_EMAILS, []).append(notification)
    return notification


def _clean_params(params):
    """Strings cut to a sane length: the params are shown, not parsed."""
    cleaned = {}
    for key, value in params.items():
        if isinstance(value, str):
            value = value[:MAX_PARAM_TEXT]
        elif not isinstance(value, int | float | bool | type(None)):
            raise ValueError(f"notification param {key!r} is not a plain value")
        cleaned[str(key)] = value
    return cleaned


def take_pending_emails(session):
    """The entries `notify` asked to email in the transaction just committed (and forgets them)."""
    return session.info.pop(PENDING_EMAILS, [])


def forget_pending_emails(session):
    session.info.pop(PENDING_EMAILS, None)


# Preferences


def email_choices(session, user):
    """{kind: emailed?} for every kind with an email, the person's choices over the defaults."""
    chosen = dict(
        session.execute(
            select(EmailPreference.kind, EmailPreference.email).where(
                EmailPreference.user_id == user.id
            )
        ).all()
    )
    return {
        kind: (chosen.get(kind, default.on) if default.optional else default.on)
        for kind, default in ALL_EMAIL_KINDS.items()
    }


def wants_email(session, user, kind):
    default = ALL_EMAIL_KINDS[kind]
    if not default.optional:
        return default.on
    chosen = session.scalar(
        select(EmailPreference.email).where(
            EmailPreference.user_id == user.id, EmailPreference.kind == kind
        )
    )
    return default.on if chosen is None else chosen


def set_email_choices(session, user, choices):
    """Keep the person's choice for each optional kind in `choices` ({kind: bool})."""
    for kind, email in choices.items():
        if kind not in ALL_EMAIL_KINDS or not ALL_EMAIL_KINDS[kind].optional:
            continue
        row = session.get(EmailPreference, (user.id, kind))
        if row is None:
            session.add(EmailPreference(user_id=user.id, kind=kind, email=bool(email)))
        else:
            row.email = bool(email)


# The inbox


def unread_count_of(user_id_column):
    """A scalar subquery counting a person's unread entries: loaded with the person on every
    request (services.accounts), so no page pays a query of its own for the badge."""
    return (
        select(func.count(Notification.id))
        .where(Notification.recipient_id == user_id_column, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(session, user):
    return session.scalar(
        select(func.count(Notification.id)).where(
            Notification.recipient_id == user.id, Notification.read_at.is_(None)
        )
    )


def inbox(session, user, *, page, per_page):
    """(entries newest first, whether there are more) for one page of the person's inbox."""
    rows = session.scalars(
        select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    return rows[:per_page], len(rows) > per_page


def mark_read(notification, now):
    if notification.read_at is None:
        notification.read_at = now


def mark_all_read(session, user, now):
    session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
