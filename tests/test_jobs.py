"""Background jobs: enqueued after the commit, run in an app context, retried, then recorded;
through the real Huey consumer on SQLite and on Redis."""

import json
import threading

import pytest
from huey import crontab
from sqlalchemy import select

import jobs
from app import create_app
from extensions import db, huey
from models import JobFailure, Organization
from tests.job_queue import (
    consuming,
    job_storage,  # noqa: F401 - fixture
    queued_on,
    redis_url,  # noqa: F401 - fixture
    wait_for,
)

_attempts = {}
_lock = threading.Lock()


@jobs.task()
def rename_organization(organization_id, name):
    db.session.get(Organization, organization_id).name = name


@jobs.task(retries=2)
def fail_first(organization_id, failures, key):
    """Fails its first `failures` attempts (counted under `key`), then renames."""
    with _lock:
        _attempts[key] = _attempts.get(key, 0) + 1
        attempt = _attempts[key]
    if attempt <= failures:
        raise RuntimeError(f"attempt {attempt} failed")
    db.session.get(Organization, organization_id).name = f"after {attempt} attempts"


@jobs.task(retries=1)
def always_fails(secret_token, organization_id=None):
    raise ConnectionRefusedError("the server said no")


@jobs.periodic(crontab(minute="30", hour="6"))
def early_morning():
    pass


def name_of(organization_id):
    db.session.commit()  # a new snapshot: what the job committed since
    return db.session.scalar(select(Organization.name).where(Organization.id == organization_id))


def failures():
    db.session.commit()
    return db.session.scalars(select(JobFailure).order_by(JobFailure.id)).all()


# Run at once in tests: after the commit, never after a rollback.

def test_a_job_runs_in_its_own_app_context_and_its_writes_are_committed(app, make):
    organization_id = make.organization.id

    rename_organization(organization_id, "Renamed")

    assert name_of(organization_id) == "Renamed"


def test_a_job_called_in_a_transaction_runs_only_once_it_commits(app, make):
    organization = make.organization
    organization.name = "Saved first"
    rename_organization(organization.id, "Then renamed")
    db.session.flush()

    assert db.session.scalar(select(Organization.name)) == "Saved first"
    db.session.commit()

    assert name_of(organization.id) == "Then renamed"


def test_a_job_called_in_a_transaction_that_rolls_back_never_runs(app, make):
    organization_id = make.organization.id
    db.session.get(Organization, organization_id)
    rename_organization(organization_id, "Never")

    db.session.rollback()
    db.session.commit()

    assert name_of(organization_id) == "Acme"


def test_a_job_called_in_a_session_closed_without_commit_never_runs(app, make):
    organization_id = make.organization.id
    db.session.get(Organization, organization_id)
    rename_organization(organization_id, "Never")

    db.session.close()
    db.session.commit()

    assert name_of(organization_id) == "Acme"


def test_a_job_in_a_savepoint_that_rolls_back_never_runs_but_one_before_it_does(app, make):
    organization_id = make.organization.id
    db.session.get(Organization, organization_id)
    rename_organization(organization_id, "Before the savepoint")
    savepoint = db.session.begin_nested()
    rename_organization(organization_id, "Inside the savepoint")
    savepoint.rollback()
    kept = db.session.begin_nested()
    rename_organization(organization_id, "In a released savepoint")
    kept.commit()

    db.session.commit()

    assert name_of(organization_id) == "In a released savepoint"


def test_a_job_that_fails_is_retried_and_a_later_success_records_nothing(app, make):
    fail_first(make.organization.id, failures=2, key="retried-in-process")
    db.session.commit()  # reading the id began a transaction: the job waits for its end

    assert _attempts["retried-in-process"] == 3
    assert name_of(make.organization.id) == "after 3 attempts"
    assert failures() == []


def test_a_job_whose_every_attempt_fails_is_recorded_without_its_secrets(app, make):
    always_fails("s3cr3t-token", organization_id=make.organization.id)
    db.session.commit()

    [failure] = failures()
    assert failure.task == "tests.test_jobs.always_fails"
    assert failure.organization_id == make.organization.id
    assert failure.attempts == 2
    assert failure.error == "ConnectionRefusedError: the server said no"
    assert "s3cr3t" not in failure.summary
    assert failure.summary == "…"
    assert failure.failed_at is not None


def test_a_failed_job_can_be_found_again_by_its_name(app):
    assert jobs.find("tests.test_jobs.rename_organization") is rename_organization
    assert jobs.find("tests.test_jobs.no_such_job") is None


def test_a_periodic_job_is_due_only_on_its_schedule(app):
    from datetime import datetime

    due = {task.name for task in huey.read_periodic(datetime(2026, 12, 3, 6, 30))}
    assert "early_morning" in due
    assert "early_morning" not in {
        task.name for task in huey.read_periodic(datetime(2026, 12, 3, 6, 31))
    }


def test_the_retry_delay_and_its_growth_come_from_the_settings(app, make, tmp_path):
    from tests.job_queue import sqlite_storage

    app.config.update(JOBS_RETRY_DELAY=7, JOBS_RETRY_BACKOFF=3)
    with queued_on(sqlite_storage(tmp_path / "jobs.db")):
        rename_organization(make.organization.id, "Later")
        db.session.commit()
        [task] = huey.pending()

    assert (task.retries, task.retry_delay, task.retry_backoff) == (3, 7, 3)


# Through the real consumer, on SQLite storage and on Redis.

def test_jobs_run_through_the_real_consumer(app, make, job_storage):
    organization_id = make.organization.id
    with queued_on(job_storage()):
        rename_organization(organization_id, "By the consumer")
        assert name_of(organization_id) == "Acme"  # queued, not run

        with consuming(app):
            wait_for(lambda: name_of(organization_id) == "By the consumer")


def test_the_consumer_retries_a_failing_job_then_records_it_as_failed(app, make, job_storage):
    organization_id = make.organization.id
    with queued_on(job_storage()), consuming(app):
        fail_first(organization_id, failures=1, key=f"consumer-{id(job_storage)}")
        always_fails("s3cr3t-token", organization_id=organization_id)

        wait_for(lambda: name_of(organization_id) == "after 2 attempts")
        [failure] = wait_for(failures, what="the failure's record")

    assert failure.task == "tests.test_jobs.always_fails"
    assert failure.attempts == 2
    assert failure.organization_id == organization_id


def test_a_retry_waits_its_delay_in_the_schedule(app, make, job_storage):
    app.config.update(JOBS_RETRY_DELAY=0.2)
    organization_id = make.organization.id
    with queued_on(job_storage()), consuming(app):
        fail_first(organization_id, failures=1, key=f"scheduled-{id(job_storage)}")
        db.session.commit()

        wait_for(lambda: huey.scheduled(), what="the retry's scheduling")
        wait_for(lambda: name_of(organization_id) == "after 2 attempts")


def test_a_job_enqueued_survives_a_restart_of_the_web_process(app, make, job_storage, _schema):
    organization_id = make.organization.id
    with queued_on(job_storage()):  # the web process enqueues, then stops
        rename_organization(organization_id, "After the restart")
        db.session.commit()

    restarted = create_app(_schema)
    with queued_on(job_storage()), consuming(restarted):
        wait_for(lambda: name_of(organization_id) == "After the restart")
    with restarted.app_context():
        db.engine.dispose()


def test_a_job_that_cannot_be_enqueued_does_not_undo_the_commit(app, make):
    """The queue is down when the web action commits: the action stands, the error is logged."""
    from tests.job_queue import redis_storage

    organization = make.organization
    with queued_on(redis_storage("redis://127.0.0.1:1/0")):
        organization.name = "Saved"
        rename_organization(organization.id, "Never queued")
        db.session.commit()

    assert name_of(organization.id) == "Saved"


# The admin page: the organisation's failed jobs, run again or dismissed.

def _failure(organization_id, task="jobs.mail.deliver_email", arguments=None, summary=""):
    failure = JobFailure(organization_id=organization_id, task=task, summary=summary,
                         error="SMTPDataError: (451, b'Try again later')", attempts=4,
                         arguments=arguments)
    db.session.add(failure)
    db.session.commit()
    return failure


def test_an_admin_runs_a_failed_email_again_and_it_goes_out(app, make, auth, outbox):
    admin = make.user("admin@example.com", roles=("admin",))
    failure = _failure(make.organization.id, arguments=json.dumps(
        [["rep@example.com", "Your week", "Hello"], {"organization_id": None}]))
    auth.sign_in(admin.email)

    answer = auth.post(f"/admin/jobs/{failure.id}/retry", page="/admin/jobs")

    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/jobs"
    assert [(m.recipients, m.subject, m.body) for m in outbox] == [
        (["rep@example.com"], "Your week", "Hello")
    ]
    assert failures() == []
    assert "The job will run again shortly." in auth.client.get("/admin/jobs").text


def test_a_job_that_cannot_run_again_stays_listed_with_a_reason(app, make, auth):
    admin = make.user("admin@example.com", roles=("admin",))
    gone = _failure(make.organization.id, task="jobs.gone.never_was", arguments="[[], {}]")
    unkept = _failure(make.organization.id, arguments=None)
    auth.sign_in(admin.email)

    for failure in (gone, unkept):
        answer = auth.post(f"/admin/jobs/{failure.id}/retry", page="/admin/jobs")
        assert answer.status_code == 302
        assert "can no longer run again" in auth.client.get("/admin/jobs").text
    assert [failure.id for failure in failures()] == [gone.id, unkept.id]


def test_an_admin_dismisses_a_failed_job(app, make, auth):
    admin = make.user("admin@example.com", roles=("admin",))
    failure = _failure(make.organization.id, summary="rep@example.com — Your week")
    auth.sign_in(admin.email)

    answer = auth.post(f"/admin/jobs/{failure.id}/dismiss", page="/admin/jobs")

    assert answer.status_code == 302
    assert failures() == []
    page = auth.client.get("/admin/jobs").text
    assert "Dismissed." in page and "No failed jobs." in page


def test_the_failed_jobs_page_lists_the_newest_first_in_the_admins_time(app, make, auth, clock):
    from tests.conftest import at

    admin = make.user("admin@example.com", roles=("admin",), locale="it")
    clock.at(at(2026, 12, 1, 9, 0))
    _failure(make.organization.id, summary="older@example.com — First")
    clock.at(at(2026, 12, 2, 9, 0))
    _failure(make.organization.id, task="tests.test_jobs.always_fails", summary="…")
    auth.sign_in(admin.email)

    page = auth.client.get("/admin/jobs").text

    assert page.index("always_fails") < page.index("older@example.com — First")
    assert "Invio di un" in page or "Sending an email" in page  # the email job's label
    assert "jobs.mail.deliver_email" not in page
    assert "02/12/26, 10:00" in page  # 09:00 UTC, in Rome, in Italian
    assert "01/12/26, 10:00" in page


@pytest.mark.parametrize("email", ["rep@example.com", "manager@example.com"])
def test_no_one_but_an_admin_sees_failed_jobs(app, make, auth, email):
    make.user(email, roles=("manager",) if "manager" in email else ("rep",))
    failure = _failure(make.organization.id)
    auth.sign_in(email)

    assert auth.client.get("/admin/jobs").status_code == 403
    assert auth.post(f"/admin/jobs/{failure.id}/retry").status_code == 403
    assert auth.post(f"/admin/jobs/{failure.id}/dismiss").status_code == 403
    assert len(failures()) == 1


def test_the_command_line_lists_every_failure_newest_first(app, make, runner):
    _failure(make.organization.id, summary="rep@example.com — Your week")
    _failure(None, task="jobs.digest.send_weekly_digests", summary="")

    output = runner.invoke(args=["jobs", "failures"]).output

    assert output.index("jobs.digest.send_weekly_digests") < output.index("Your week")
    assert f"org {make.organization.id}" in output and "org -" in output
    assert "(4 attempts)" in output


def test_the_command_line_says_when_nothing_failed(app, runner):
    assert runner.invoke(args=["jobs", "failures"]).output == "No failed jobs.\n"
