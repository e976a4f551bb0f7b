"""The emails that carry sign-in links (an invitation, a password reset), in the
recipient's language, with absolute links (jobs.mail)."""

from datetime import timedelta

from flask import current_app, render_template
from flask_babel import gettext as _

from jobs.mail import external_url, in_language, send_email
from services import invitations


def link_lifetime(purpose):
    """How long a link works: INVITATION_DAYS (7) for an invitation, PASSWORD_RESET_MINUTES
    (60) for a reset."""
    config = current_app.config
    if purpose == invitations.INVITATION:
        return timedelta(days=config.get("INVITATION_DAYS", 7))
    return timedelta(minutes=config.get("PASSWORD_RESET_MINUTES", 60))


def email_invitation(person, token, invited_by):
    with in_language(person):
        subject = _("%(name)s invites you to Pacer", name=invited_by.name)
        context = dict(
            name=person.name, inviter=invited_by.name, email=person.email,
            organization=person.organization.name,
            link=external_url("auth.accept_invitation", invitation_token=token),
            days=link_lifetime(invitations.INVITATION).days,
        )
        text = render_template("email/invitation.txt", **context)
        html = render_template("email/invitation.html", **context)
    send_email(person.email, subject, text, html, organization_id=person.organization_id)


def email_reset_link(person, token):
    with in_language(person):
        subject = _("Choose a new Pacer password")
        context = dict(
            name=person.name, link=external_url("auth.reset_password", reset_token=token),
            minutes=int(link_lifetime(invitations.PASSWORD_RESET).total_seconds() // 60),
        )
        text = render_template("email/password_reset.txt", **context)
        html = render_template("email/password_reset.html", **context)
    send_email(person.email, subject, text, html, organization_id=person.organization_id)
