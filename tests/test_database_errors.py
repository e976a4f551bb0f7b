"""What a request answers when the database refuses it: busy means 503 and try again, a lost
uniqueness race means 409, and any other integrity error is a bug that is logged as one."""

import logging
import sqlite3
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from app import create_app
from extensions import db
from models import Activity, Metric, User
from models.types import utcnow
from tests.conftest import IsolatedClient, csrf_token


@contextmanager
def another_writer_holds_the_lock():
    """Another process in the middle of a long write: SQLite's write lock, or on PostgreSQL
    the activities table, held until the block ends."""
    if db.engine.dialect.name == "sqlite":
        other = sqlite3.connect(db.engine.url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    with db.engine.connect() as other:
        other.execute(text("LOCK TABLE activities IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            other.rollback()


@pytest.fixture
def impatient(app, _schema, make):
    """A client of the same app and database, whose writes wait for a lock only 0.3 s."""

    class Impatient(_schema):
        DATABASE_LOCK_TIMEOUT_MS = 300

    other = create_app(Impatient)
    other.test_client_class = IsolatedClient
    make.metric("calls")
    make.user("rep@example.com")
    client = other.test_client()
    page = client.get("/sign-in")
    client.post("/sign-in", data={"email": "rep@example.com", "password": "correct horse battery",
                                  "csrf_token": csrf_token(page.text)})
    yield client
    with other.app_context():
        db.engine.dispose()


def count_activities():
    return db.session.scalar(select(func.count(Activity.id)))


def test_a_write_that_cannot_get_the_lock_in_time_answers_503_and_loses_nothing(impatient):
    token = csrf_token(impatient.get("/today").text)
    data = {"metric": "calls", "client_id": str(uuid.uuid4()), "quantity": "1",
            "csrf_token": token}

    with another_writer_holds_the_lock():
        busy = impatient.post("/today/log", data=data)

    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "2"
    assert "not available right now" in busy.text
    assert count_activities() == 0
    again = impatient.post("/today/log", data=data)
    assert again.status_code == 302
    assert count_activities() == 1


def test_the_sync_api_answers_busy_with_a_code_the_outbox_retries_on(impatient):
    token = impatient.get("/api/v1/session").json["csrf_token"]
    when = (utcnow() - timedelta(hours=1)).isoformat()
    batch = {"activities": [{"client_id": str(uuid.uuid4()), "metric": "calls", "quantity": 1,
                             "occurred_at": when}]}

    with another_writer_holds_the_lock():
        busy = impatient.post("/api/v1/activities", json=batch, headers={"X-CSRFToken": token})

    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "2"
    assert busy.json["code"] == "unavailable"
    assert count_activities() == 0
    sent = impatient.post("/api/v1/activities", json=batch, headers={"X-CSRFToken": token})
    assert [result["status"] for result in sent.json["results"]] == ["created"]


def test_a_write_that_loses_a_uniqueness_race_gets_409_and_keeps_what_was_saved(
        make, app, auth, caplog):
    """Two admins saving the same new email at once: the loser hears why, nothing is lost."""

    @app.post("/_race")
    def race():
        organization_id = db.session.scalar(select(User.organization_id))
        db.session.add(User(email="rep@example.com", name="Twin", password_hash="x",
                            organization_id=organization_id))
        db.session.flush()  # the database itself refuses it: a real unique violation
        return "saved"

    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    with caplog.at_level(logging.INFO):
        response = auth.post("/_race")
    assert response.status_code == 409
    assert "Someone changed this at the same moment" in response.text
    assert db.session.scalar(select(func.count(User.id))) == 1
    assert [record.levelno for record in caplog.records if "conflict" in record.message] == [
        logging.INFO]


@pytest.fixture
def production_errors(_schema):
    """The app as production runs it: unexpected errors are answered, not raised to the test."""

    class Production(_schema):
        TESTING = False

    production = create_app(Production)
    production.test_client_class = IsolatedClient
    return production


@pytest.mark.parametrize("broken", ["not_null", "foreign_key"])
def test_any_other_integrity_error_is_a_logged_500_not_a_conflict(
        app, production_errors, make, caplog, broken):
    @production_errors.post("/_broken")
    def write_a_bug():
        if broken == "not_null":
            db.session.add(Metric(key="calls", name="Calls", organization_id=None))
        else:
            db.session.add(Metric(key="calls", name="Calls", organization_id=999_999))
        db.session.flush()
        return "saved"

    production_errors.config["WTF_CSRF_ENABLED"] = False
    make.user("rep@example.com")
    client = production_errors.test_client()
    page = client.get("/sign-in")
    client.post("/sign-in", data={"email": "rep@example.com", "password": "correct horse battery",
                                  "csrf_token": csrf_token(page.text)})

    with caplog.at_level(logging.INFO):
        response = client.post("/_broken")

    assert response.status_code == 500
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors and errors[0].exc_info[0] is IntegrityError
    assert not [record for record in caplog.records if "conflict" in record.message.lower()]
    assert db.session.scalar(select(func.count(Metric.id))) == 0
    with production_errors.app_context():
        db.engine.dispose()
