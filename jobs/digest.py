"""The weekly digest by email: every hour, the organisations where it is Monday morning get
theirs, one job per person (services/digest.py says what it holds and that it goes once)."""

from flask import render_template
from flask_babel import format_decimal, gettext
from huey import crontab
from sqlalchemy.exc import IntegrityError

from extensions import db
from jobs import periodic, task
from jobs.mail import external_url, in_language, send_email
from models import User
from models.types import utcnow
from services import digest


@periodic(crontab(minute="5"))
def send_weekly_digests():
    """Enqueue a digest for everyone due one (each job checks again that it was not sent)."""
    now = utcnow()
    for organization in digest.due_organizations(db.session, now):
        week_start = digest.week_start_of(digest.last_week(organization, now))
        for person in digest.recipients(db.session, organization, week_start):
            email_digest(person.id, week_start.isoformat(), organization_id=organization.id)


@task()
def email_digest(user_id, week_start, organization_id=None):
    """Write and send one person's digest, once per week."""
    from datetime import date

    person = db.session.get(User, user_id)
    week = date.fromisoformat(week_start)
    if person is None or not person.active or digest.already_sent(db.session, person, week):
        return
    now = utcnow()
    with in_language(person):
        content = digest.digest_for(db.session, person, now)
        context = dict(
            digest=content, number=_number, links=_links(content),
            preferences=external_url("account.notifications"),
        )
        subject = gettext("Your week in Pacer")
        text = render_template("email/digest.txt", **context)
        html = render_template("email/digest.html", **context)
    digest.record_sent(db.session, person, week, now)
    try:
        db.session.flush()  # a second run of the same week stops here, before any email
    except IntegrityError:
        db.session.rollback()
        return
    send_email(person.email, subject, text, html, organization_id=person.organization_id)


def _number(value):
    return "—" if value is None else format_decimal(value, format="#,##0.#")


def _links(content):
    links = {"scorecard": external_url("scorecards.mine")}
    if content.teams:
        links["team"] = external_url("scorecards.teams")
    return links
