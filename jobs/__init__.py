"""Background jobs: Huey tasks that run inside the app, enqueued once what they need is committed.

    from jobs import periodic, task

    @task()
    def notify(user_id, organization_id=None):
        ...                      # runs in an app context; db.session is committed after

    notify(user.id, organization_id=user.organization_id)   # in a view, before its commit

A job called while the database session is in a transaction is enqueued when that transaction
commits, and never if it rolls back: an email about something that was not saved, or a job
that looks for a row not yet committed, cannot happen. Outside a transaction it is enqueued at
once. So a view that enqueues a job commits, as every view that changes something does (a
GET view that never commits drops it), and a test that calls a job after reading anything
commits before it looks for the job's effect.

A failing job is tried again (JOBS_RETRY_DELAY, growing by JOBS_RETRY_BACKOFF); after its last
attempt it is recorded as a JobFailure, which its organisation's admins see at /admin/jobs
when the job names its organisation with an `organization_id` keyword argument.

The consumer (`flask jobs run`) makes the app once with create_app() and runs every job in an
app context of its own. In tests (JOBS_IMMEDIATE) each job runs at once, in memory, in the
process that enqueues it, as it would in the consumer: its own app context and session.
"""

import contextvars
import importlib
import json
import logging
import pkgutil
import threading

from flask import current_app, has_app_context
from huey.api import PeriodicTask, TaskWrapper
from huey.consumer import Consumer
from sqlalchemy import event
from sqlalchemy.orm import Session

from extensions import begin_write, db, huey

log = logging.getLogger(__name__)

_PENDING = "pacer_jobs_pending"  # session.info key: [(transaction, task), ...]
_jobs = {}  # registry name -> Job, to enqueue a failed job again
_local = threading.local()  # the app a job runs in when run in-process (immediate mode)
_process = {"app": None}  # the consumer's app, made once per process
_process_lock = threading.Lock()


class Job(TaskWrapper):
    """A Huey task whose call waits for the session's commit; see the module's docstring."""

    def __call__(self, *args, **kwargs):
        task = self.s(*args, **kwargs)
        if has_app_context():
            config = current_app.config
            if not self.settings.get("default_retry_delay"):
                task.retry_delay = config["JOBS_RETRY_DELAY"]
                task.retry_backoff = config["JOBS_RETRY_BACKOFF"] or None
        enqueue_after_commit(task)

    @property
    def key(self):
        return huey._registry.task_to_string(self.task_class)


def task(retries=3, retry_delay=None, writes=True, describe=None, organization=None, label=None,
         **options):
    """Make a function a job: called, it is enqueued (after the commit, see above).

    Like a POST request, a job that `writes` begins its transaction holding SQLite's write
    lock, so that two jobs (or a job and a request) that read and then write wait for each
    other rather than fail. A job that is slow before it writes, or never writes (an email:
    the SMTP server may take seconds), says `writes=False`, and calls
    extensions.begin_write(db.session) just before it writes, if it does.

    For a failure: `describe(*args, **kwargs)` says in a line what admins see (by default
    only numbers, ids, since an argument may be a secret); `organization(*args, **kwargs)`
    names the organisation whose admins see it (by default the `organization_id` keyword
    argument), run in the job's app context; `label` names the job (a lazy string; by
    default its function's name).
    """

    def decorator(func):
        return _job(func, retries=retries, retry_delay=retry_delay, writes=writes,
                    describe=describe, organization=organization, label=label, **options)

    return decorator


def periodic(schedule, retries=2, retry_delay=60, writes=True, label=None, **options):
    """Make a function a job the consumer runs on `schedule` (huey.crontab(...), in UTC);
    `writes` as for task()."""

    def decorator(func):
        def validate_datetime(_self, timestamp):
            return schedule(timestamp)

        return _job(func, retries=retries, retry_delay=retry_delay, writes=writes, describe=None,
                    organization=None, label=label, task_base=PeriodicTask,
                    validate_datetime=validate_datetime, **options)

    return decorator


def _job(func, retries, retry_delay, writes, describe, organization, label, task_base=None,
         **options):
    failure = _Failure(describe or _numbers_only, organization or _organization_argument)

    def run(*args, task=None, **kwargs):
        return _run(func, task, writes, failure, args, kwargs)

    run.__name__, run.__module__, run.__doc__ = func.__name__, func.__module__, func.__doc__
    job = Job(
        huey, run, context=True, task_base=task_base, default_retries=retries,
        default_retry_delay=retry_delay or 0, default_retry_backoff=None,
        default_priority=None, default_expires=None, default_timeout=None, **options,
    )
    job.func, job.label = func, func.__name__ if label is None else label
    _jobs[job.key] = job
    return job


class _Failure:
    def __init__(self, describe, organization):
        self.describe, self.organization = describe, organization


def _organization_argument(*_args, organization_id=None, **_kwargs):
    return organization_id


def _run(func, task, writes, failure, args, kwargs):
    """Run one attempt in an app context, commit or roll back, and record the last failure."""
    app = _app()
    with app.app_context():
        try:
            if writes:
                begin_write(db.session)
            result = func(*args, **kwargs)
            db.session.commit()
            return result
        except Exception as error:
            db.session.rollback()
            if not task.retries:
                _record_failure(task, failure, args, kwargs, error)
            raise


def _record_failure(task, failure, args, kwargs, error):
    from models.jobs import JobFailure

    try:
        arguments = json.dumps([list(args), kwargs])
    except (TypeError, ValueError):
        arguments = None
    db.session.add(JobFailure(
        organization_id=failure.organization(*args, **kwargs),
        task=huey._registry.task_to_string(type(task)),
        summary=_clip(failure.describe(*args, **kwargs), 500),
        arguments=arguments,
        error=_clip(f"{type(error).__name__}: {error}", 1000),
        attempts=type(task).default_retries + 1,
    ))
    db.session.commit()
    log.error("job %s failed for good: %s", type(task).__name__, error)


def _clip(text, length):
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _numbers_only(*args, **kwargs):
    """Arguments as an admin may see them: numbers and flags, never text (it may be secret)."""

    def shown(value):
        if value is None or isinstance(value, bool | int | float):
            return repr(value)
        return "…"

    parts = [shown(value) for value in args]
    parts += [f"{name}={shown(value)}" for name, value in kwargs.items()
              if name != "organization_id"]  # the admin's own: it says nothing
    return ", ".join(parts)


# Enqueueing after the commit.

def enqueue_after_commit(task):
    """Enqueue now, or when the current transaction (if any) commits."""
    if has_app_context():
        session = db.session()
        transaction = session.get_nested_transaction() or session.get_transaction()
        if transaction is not None:
            session.info.setdefault(_PENDING, []).append((transaction, task))
            return
    _enqueue(task)


def _enqueue(task):
    if not huey.immediate:
        huey.enqueue(task)
        return
    # In-process, as the consumer would run it: no request, no app context of the caller's.
    previous = getattr(_local, "app", None)
    _local.app = current_app._get_current_object() if has_app_context() else _app()
    try:
        contextvars.Context().run(huey.enqueue, task)
    finally:
        _local.app = previous


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session):
    for _transaction, task in session.info.pop(_PENDING, []):
        try:
            _enqueue(task)
        except Exception:  # the commit happened: a queue that is down must not undo it
            log.exception("could not enqueue %s", task)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session, previous_transaction):
    _drop_within(session, previous_transaction)


@event.listens_for(Session, "after_transaction_end")
def _drop_unfinished(session, transaction):
    if transaction.parent is None:  # closed without a commit (a commit has emptied the list)
        _drop_within(session, transaction)


def _drop_within(session, ended):
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [
            (transaction, task) for transaction, task in pending
            if not _is_within(transaction, ended)
        ]


def _is_within(transaction, ancestor):
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


# The app jobs run in.

def init_app(app):
    """In tests (JOBS_IMMEDIATE) jobs run at once, in memory, where they are enqueued."""
    if app.config["JOBS_IMMEDIATE"]:
        huey.immediate = True


def _app():
    app = getattr(_local, "app", None) or _process["app"]
    if app is not None:
        return app
    with _process_lock:
        if _process["app"] is None:
            from app import create_app

            _process["app"] = create_app()
        return _process["app"]


def use_app(app):
    """Run this process's jobs in `app` (the consumer command, and tests)."""
    _process["app"] = app


def load_tasks():
    """Import every module of this package, so that the consumer knows every job by name."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


def consumer(app, workers=2, **options):
    """A Huey consumer running this process's jobs in `app`; `.run()` serves until a signal.

    An idle worker looks at an SQLite queue at most every 2 s (Redis tells it at once).
    """
    use_app(app)
    load_tasks()
    options = {"max_delay": 2.0, **options}
    return Consumer(huey, workers=workers, worker_type="thread", **options)


def find(key):
    """The job registered under `key` (a JobFailure's task), or None."""
    load_tasks()
    return _jobs.get(key)


def label(key):
    """What a job is called for admins: its label, else its function's name."""
    job = find(key)
    return job.label if job is not None else key.rpartition(".")[2]


def retry(session, failure):
    """Enqueue a failed job again (once `session` commits) and forget its failure; False when
    it cannot be: its job is gone, or its arguments were not kept."""
    job = find(failure.task)
    if job is None or failure.arguments is None:
        return False
    args, kwargs = json.loads(failure.arguments)
    job(*args, **kwargs)
    session.delete(failure)
    return True
