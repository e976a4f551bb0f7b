"""Email through a real SMTP server on loopback, sent by the real Huey consumer (SQLite and
Redis): recipient, subject, language and a link that opens its page after sign-in; an SMTP
server that fails never fails the action, and the email is retried, then recorded."""

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from flask_babel import gettext as _
from sqlalchemy import select

import jobs
from extensions import db, mail
from jobs.mail import external_url, in_language, send_email
from models import JobFailure, User
from tests.conftest import Factory, csrf_token
from tests.job_queue import (
    consuming,
    job_storage,  # noqa: F401 - fixture
    queued_on,
    redis_url,  # noqa: F401 - fixture
    smtp_server,  # noqa: F401 - fixture
    sqlite_storage,
    wait_for,
)


@jobs.task(writes=False)
def email_scorecard(user_id):
    """A sample of what features send: written in the person's language, with a link."""
    user = db.session.get(User, user_id)
    with in_language(user):
        subject = _("Scorecard")
        text = f"{_('Today')}: {external_url('scorecards.person', person_id=user.id)}"
    send_email(user.email, subject, text, html=f"<p>{text}</p>")


@pytest.fixture
def smtp(app, smtp_server):
    """The app sends its email to the test's SMTP server."""
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port,
                      MAIL_USE_TLS=False, MAIL_USE_SSL=False, MAIL_SUPPRESS_SEND=False,
                      MAIL_DEFAULT_SENDER="Pacer <pacer@example.com>")
    mail.init_app(app)
    return smtp_server


def failures():
    db.session.commit()  # a new snapshot: what the consumer committed since
    return db.session.scalars(select(JobFailure).order_by(JobFailure.id)).all()


def test_emails_reach_a_real_smtp_server_in_each_recipients_language(app, make, smtp,
                                                                      job_storage):
    people = {locale: make.user(f"{locale}@example.com", locale=locale)
              for locale in ("en", "it", "ja")}
    with queued_on(job_storage()), consuming(app):
        for person in people.values():
            email_scorecard(person.id)
        db.session.commit()
        wait_for(lambda: len(smtp.messages) == 3, what="three emails")

    received = {message["To"]: message for message in smtp.messages}
    assert {to: message["Subject"] for to, message in received.items()} == {
        "en@example.com": "Scorecard", "it@example.com": "Scheda risultati",
        "ja@example.com": "スコアカード",
    }
    italian = received["it@example.com"]
    assert italian.envelope_to == ["it@example.com"]
    assert italian["From"] == "Pacer <pacer@example.com>"
    link = f"http://localhost/people/{people['it'].id}/scorecard"
    assert italian.get_body(("plain",)).get_content().strip() == f"Oggi: {link}"
    assert f"<p>Oggi: {link}</p>" in italian.get_body(("html",)).get_content()
    assert received["ja@example.com"].get_body(("plain",)).get_content().startswith("今日: ")


def test_a_link_in_an_email_opens_its_page_after_sign_in(app, make, client, outbox):
    rep = make.user("rep@example.com", locale="it")
    email_scorecard(rep.id)
    db.session.commit()
    [message] = outbox
    link = message.body.split(": ", 1)[1]

    to_sign_in = client.get(link)
    assert to_sign_in.status_code == 302
    sign_in_page = client.get(to_sign_in.headers["Location"])
    signed_in = client.post(to_sign_in.headers["Location"], data={
        "email": rep.email, "password": "correct horse battery",
        "csrf_token": csrf_token(sign_in_page.text),
    })

    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == f"/people/{rep.id}/scorecard"
    assert client.get(signed_in.headers["Location"]).status_code == 200


def test_a_failing_smtp_server_does_not_fail_the_action_and_the_email_is_recorded(
    app, make, auth, smtp, job_storage
):
    """The action: an admin sends a failed email again; the SMTP server is down meanwhile."""
    admin = make.user("admin@example.com", roles=("admin",))
    rep = make.user("rep@example.com")
    smtp.refuse(451)
    with queued_on(job_storage()), consuming(app):
        send_email(rep.email, "Your week", "Secret sign-in link: http://localhost/s/abc")
        db.session.commit()
        [failure] = wait_for(failures, what="the failure's record")
        assert smtp.attempts == 4  # the first try and three retries

        auth.sign_in(admin.email)
        page = client_page(auth, "/admin/jobs")
        assert "rep@example.com — Your week" in page
        assert "Secret sign-in link" not in page
        smtp.stop()  # now it does not even answer
        answer = auth.post(f"/admin/jobs/{failure.id}/retry", page="/admin/jobs")
        assert answer.status_code == 302  # the action stands

        [again] = wait_for(lambda: [f for f in failures() if "Refused" in f.error],
                           what="the second failure's record")

    assert smtp.messages == []
    assert again.organization_id == rep.organization_id
    assert again.attempts == 4
    assert again.summary == "rep@example.com — Your week"
    assert again.error.startswith("ConnectionRefusedError")


def client_page(auth, url):
    response = auth.client.get(url)
    assert response.status_code == 200
    return response.text


def test_an_email_the_server_refused_once_goes_out_on_the_retry(app, make, smtp, job_storage):
    app.config["JOBS_RETRY_DELAY"] = 0.5  # time to put the server right
    rep = make.user("rep@example.com")
    smtp.refuse(451)
    with queued_on(job_storage()), consuming(app):
        send_email(rep.email, "Your week", "Hello")
        db.session.commit()
        wait_for(lambda: smtp.attempts >= 1, what="the first try")
        smtp.accept()
        wait_for(lambda: smtp.messages, what="the email, on a retry")

    assert failures() == []


def test_an_email_is_sent_only_once_its_action_commits(app, make, outbox):
    rep = make.user("rep@example.com")
    db.session.get(User, rep.id)
    send_email(rep.email, "Not saved", "Never")
    db.session.rollback()
    db.session.get(User, rep.id)
    send_email(rep.email, "Saved", "Sent")

    assert outbox == []
    db.session.commit()
    assert [(message.recipients, message.subject, message.body) for message in outbox] == [
        (["rep@example.com"], "Saved", "Sent")
    ]


def test_a_subject_is_one_line(app, outbox):
    send_email("rep@example.com", "Line one\r\nBcc: everyone@example.com", "Body")

    assert outbox[0].subject == "Line one Bcc: everyone@example.com"


def test_without_a_mail_server_an_email_is_written_to_the_log(app, caplog, outbox):
    app.config.update(MAIL_SERVER=None, MAIL_SUPPRESS_SEND=False)
    mail.init_app(app)

    with caplog.at_level(logging.WARNING, logger="jobs.mail"):
        send_email("rep@example.com", "Your week", "Open http://localhost/today")

    assert outbox == []
    assert "To: rep@example.com" in caplog.text
    assert "Subject: Your week" in caplog.text
    assert "Open http://localhost/today" in caplog.text


def test_a_link_carries_the_base_url_path(app):
    app.config["PACER_BASE_URL"] = "https://example.com/pacer"

    assert external_url("today.index") == "https://example.com/pacer/today"
    assert external_url("scorecards.person", person_id=7) == (
        "https://example.com/pacer/people/7/scorecard"
    )


def test_a_failed_email_is_its_recipients_organisations(app, make, monkeypatch):
    rep = make.user("rep@example.com")

    def refuse(_message):
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr(mail, "send", refuse)
    send_email(rep.email, "Your week", "Secret")
    send_email("nobody@example.com", "To no one", "Secret")

    by_recipient = {failure.summary: failure for failure in failures()}
    assert by_recipient["rep@example.com — Your week"].organization_id == rep.organization_id
    assert by_recipient["nobody@example.com — To no one"].organization_id is None


def test_the_admin_page_lists_its_organisations_failed_jobs_only(app, make, auth):
    admin = make.user("admin@example.com", roles=("admin",))
    own = _failure(make.organization.id, "rep@example.com — Your week")
    _failure(None, "deployment — nightly")
    other = Factory(app)  # another organisation
    foreign = _failure(other.organization.id, "someone@elsewhere.example — Theirs")
    auth.sign_in(admin.email)

    page = auth.client.get("/admin/jobs")

    assert page.status_code == 200
    assert "rep@example.com — Your week" in page.text
    assert "Theirs" not in page.text and "nightly" not in page.text
    assert f'action="/admin/jobs/{own.id}/retry"' in page.text
    assert auth.post(f"/admin/jobs/{foreign.id}/dismiss", page="/admin/jobs").status_code == 404
    fragment = auth.client.get("/admin/jobs", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Your week" in fragment.text


def _failure(organization_id, summary, task="jobs.mail.deliver_email", arguments=None):
    failure = JobFailure(organization_id=organization_id, task=task, summary=summary,
                         error="SMTPDataError: (451, b'Try again later')", attempts=4,
                         arguments=arguments)
    db.session.add(failure)
    db.session.commit()
    return failure


def test_the_consumer_command_sends_what_a_web_process_queued(app, smtp, tmp_path,
                                                              database_url):
    """`flask jobs run`, a process of its own, as `make run` and production start it."""
    queue = tmp_path / "jobs.db"
    with queued_on(sqlite_storage(queue)):
        send_email("rep@example.com", "From the consumer", "Hello")
    log = tmp_path / "consumer.log"
    environment = {
        **os.environ, "FLASK_APP": "app", "PACER_ENV": "development", "REDIS_URL": "",
        "DATABASE_URL": database_url, "HUEY_SQLITE_PATH": str(queue),
        "MAIL_SERVER": smtp.host, "MAIL_PORT": str(smtp.port), "MAIL_USE_TLS": "off",
    }
    with log.open("w") as output:
        consumer = subprocess.Popen(
            [sys.executable, "-m", "flask", "jobs", "run", "--workers", "1", "--no-periodic"],
            cwd=Path(__file__).resolve().parent.parent, env=environment,
            stdout=output, stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: smtp.messages or consumer.poll() is not None, timeout=60,
                     what="the email")
        finally:
            consumer.send_signal(signal.SIGINT)
            consumer.wait(timeout=20)

    assert [message["Subject"] for message in smtp.messages] == ["From the consumer"], (
        log.read_text()
    )
    assert "Consumer exiting" in log.read_text()


def test_in_tests_too_an_email_that_fails_does_not_fail_the_request(app, make, auth,
                                                                     monkeypatch):
    """Jobs run inside the request in tests (JOBS_IMMEDIATE): a failure is still recorded."""
    admin = make.user("admin@example.com", roles=("admin",))
    failure = _failure(make.organization.id, "rep@example.com — Your week", arguments=(
        '[["rep@example.com", "Your week", "Hello"], {}]'))

    def refuse(_message):
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr(mail, "send", refuse)
    auth.sign_in(admin.email)

    answer = auth.post(f"/admin/jobs/{failure.id}/retry", page="/admin/jobs")

    assert answer.status_code == 302
    [again] = failures()
    assert again.error == "ConnectionRefusedError: no SMTP server"
    assert again.attempts == 4
