"""Email: written in the recipient's language by the caller, sent by a job through Flask-Mail.

    from jobs.mail import external_url, in_language, send_email

    with in_language(user):
        subject = _("Your coaching session is ready")
        text = render_template("email/shared.txt", link=external_url("coaching.detail", ...))
    send_email(user.email, subject, text)      # after the view's commit, by the consumer

An SMTP server that fails never fails the web action that sent the email: the job is tried
again and then recorded as failed (admins see it at /admin/jobs). With no MAIL_SERVER
configured (development), the email is written to the log instead, links and all.
"""

import logging
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_mail import Message
from sqlalchemy import select

from extensions import db, mail
from jobs import task

log = logging.getLogger(__name__)


def send_email(to, subject, text, html=None, organization_id=None):
    """Send an email to one address once the current transaction commits.

    `subject`, `text` and `html` are already rendered, in the recipient's language. The
    organisation (whose admins see a failure) is the recipient's unless given.
    """
    deliver_email(to, " ".join(subject.split()), text, html, organization_id=organization_id)


def _describe(to, subject, *_args, **_kwargs):
    return f"{to} — {subject}"


def _recipient_organization(to, *_args, organization_id=None, **_kwargs):
    from models import User

    if organization_id is not None:
        return organization_id
    return db.session.scalar(select(User.organization_id).where(User.email == to))


@task(writes=False, describe=_describe, organization=_recipient_organization,
      label=_l("Sending an email"))
def deliver_email(to, subject, text, html=None, organization_id=None):
    """Hand one email to the SMTP server (or, with none configured, to the log)."""
    state = current_app.extensions["mail"]
    if state.server is None and not state.suppress:
        log.warning("No MAIL_SERVER: this email is written here instead of being sent.\n"
                    "To: %s\nSubject: %s\n\n%s", to, subject, text)
        return
    mail.send(Message(subject=subject, recipients=[to], body=text, html=html))


def language_of(user):
    """The language a person reads Pacer in (their own setting, else the default)."""
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


@contextmanager
def in_language(user):
    """Translate what is written inside in `user`'s language (a job has no request to go by)."""
    with force_locale(language_of(user)):
        yield


def external_url(endpoint, **values):
    """An absolute link to a page, for an email: PACER_BASE_URL, not the request's host.

    Signed out, the page sends the person to sign in and then back to it.
    """
    base = urlsplit(current_app.config["PACER_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
