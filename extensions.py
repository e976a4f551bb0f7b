"""Flask extensions, created unbound here and bound to the app in create_app."""

import os
from pathlib import Path

from flask_assets import Environment
from flask_babel import Babel
from flask_caching import Cache
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from huey import PriorityRedisHuey, SqliteHuey
from huey.storage import SqliteStorage
from sqlalchemy import MetaData, event, text
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
assets = Environment()
cache = Cache()  # rendered scorecard pages (blueprints/page_cache.py)
mail = Mail()  # sent only by a job: jobs/mail.py


class InstanceSqliteStorage(SqliteStorage):
    """Huey's SQLite storage, its folder and tables made on first use rather than at import:
    importing the app must not write a file (a fresh clone has no instance folder yet)."""

    def __init__(self, name="huey", **kwargs):
        super().__init__(name, create_tables=False, **kwargs)

    def _create_connection(self):
        Path(self.filename).parent.mkdir(parents=True, exist_ok=True)
        connection = super()._create_connection()
        for statement in self.ddl:
            connection.execute(statement)
        return connection


class InstanceSqliteHuey(SqliteHuey):
    storage_class = InstanceSqliteStorage


def make_huey(environ=os.environ):
    """The job queue (jobs/): Redis when REDIS_URL is set, else an SQLite file in the instance
    folder (HUEY_SQLITE_PATH overrides it), so that nothing needs installing or starting.

    Made at import, from the environment alone, because the consumer process (`flask jobs
    run`, or `huey_consumer jobs.huey`) finds its tasks through this very object.
    """
    redis_url = environ.get("REDIS_URL", "").strip()
    # No results kept: nothing waits for a job's return value, and kept ones would pile up.
    if redis_url:
        return PriorityRedisHuey("pacer", results=False, url=redis_url)
    default = Path(__file__).resolve().parent / "instance" / "jobs.db"
    return InstanceSqliteHuey("pacer", results=False,
                              filename=str(environ.get("HUEY_SQLITE_PATH") or default))


huey = make_huey()

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# A transaction begun with this execution option takes SQLite's write lock up front.
IMMEDIATE = {"pacer_begin_immediate": True}


def configure_sqlite(engine, busy_timeout_ms=10000):
    """WAL, a busy timeout and foreign keys on every SQLite connection; we emit BEGIN ourselves.

    pysqlite's own transaction handling starts transactions late and cannot take the write lock
    up front, so a read-then-write transaction could fail with "database is locked" instead of
    waiting. With isolation_level=None we issue BEGIN (or BEGIN IMMEDIATE) on SQLAlchemy's
    begin event, as the SQLAlchemy documentation recommends for pysqlite. A writer waits for
    the lock at most busy_timeout_ms, well inside a request's time (gunicorn gives a worker
    30 s); one that still cannot start answers 503 with Retry-After (blueprints/core/errors.py).
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        immediate = connection.get_execution_options().get("pacer_begin_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def configure_postgresql(engine, lock_timeout_ms=10000):
    """Let reads (GET and HEAD requests) run without a transaction on PostgreSQL, and bound
    how long a statement waits for a lock.

    Under READ COMMITTED every statement sees its own snapshot anyway, so a transaction around
    a page's reads adds only its BEGIN and ROLLBACK: two round trips on every page, more than
    the statement a cached page runs. Requests that change state, commands and tests keep their
    transactions. psycopg lets autocommit change only between transactions, which is where
    SQLAlchemy's begin event finds the connection. A lock not granted within lock_timeout_ms
    fails the statement (55P03), and the request answers 503 with Retry-After, as on SQLite.
    """
    from flask import has_request_context, request

    @event.listens_for(engine, "do_connect")
    def on_connect(_dialect, _record, _cargs, cparams):
        # A connection option, not a SET: no round trip of its own.
        options = cparams.get("options", "")
        cparams["options"] = f"{options} -c lock_timeout={int(lock_timeout_ms)}".strip()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return  # asked for by name (VACUUM, CREATE DATABASE): not ours to undo
        reading = has_request_context() and request.method in READ_METHODS
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.autocommit != reading:
            dbapi_connection.autocommit = reading


def take_write_lock_for_writes(app):
    """Begin every state-changing request's transaction with SQLite's write lock held.

    A request that reads and then writes would otherwise hold a read snapshot and fail at once
    with "database is locked" when another writer got in first; waiting for the lock up front
    lets the busy timeout serialise writers instead. PostgreSQL needs nothing of the sort.
    A view marked @takes_write_lock_itself does its slow work first and calls begin_write.
    """
    from flask import request

    @app.before_request
    def begin_immediate():
        if request.method in READ_METHODS:
            return
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "takes_write_lock_itself", False):
            return
        begin_write(db.session)


def takes_write_lock_itself(view):
    """Mark a view that must not hold the write lock through slow work that needs none (a
    password hash): it ends its reads, does that work, then calls begin_write."""
    view.takes_write_lock_itself = True
    return view


def begin_write(session):
    """Begin a write transaction now, with SQLite's write lock taken up front.

    (A session already inside a transaction is one a test shares with its requests, or one
    whose writes have begun.)
    """
    if session.get_bind().dialect.name == "sqlite" and not session().in_transaction():
        session.connection(execution_options=IMMEDIATE)


def end_reads(session):
    """End a request's reads before its writes, keeping what they loaded. On SQLite a read
    transaction cannot turn into a write one (it would fail at once if another writer went
    first), so a view marked @takes_write_lock_itself ends it before begin_write; PostgreSQL
    needs nothing of the sort (and reads run without a transaction there)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def on_conflict(statement, clause):
    """A plain INSERT with an ON CONFLICT clause written out (both databases read it alike).

    SQLAlchemy never caches the compiled form of its PostgreSQL and SQLite inserts, whose
    `on_conflict_do_*` builds this clause (they set inherit_cache = False): every batch would
    compile its statements anew, about as long as running them. A plain insert carrying the
    clause as text is cached like any statement. The clause goes where those inserts put
    theirs, SQLAlchemy 2.0's private `_post_values_clause`: tests/test_write_batches.py checks
    that the cache is hit and the duplicate tests that the clause is there, should an upgrade
    move it.
    """
    statement = statement._generate()
    statement._post_values_clause = text(clause)
    return statement



# SQLite's primary result codes for "another connection holds the lock".
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_SQLITE_CONSTRAINT_UNIQUE, _SQLITE_CONSTRAINT_PRIMARYKEY = 2067, 1555
# PostgreSQL: lock_not_available (lock_timeout), deadlock_detected, serialization_failure.
_PG_BUSY = frozenset({"55P03", "40P01", "40001"})


def is_busy(error):
    """Whether a DBAPIError means the database was too busy to let this write in: tried again
    a moment later, the same request goes through."""
    original = getattr(error, "orig", None)
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return getattr(original, "sqlstate", None) in _PG_BUSY


def is_unique_violation(error):
    """Whether an IntegrityError is a uniqueness constraint, i.e. a concurrent writer won a
    race; NOT NULL, foreign-key and check violations are bugs."""
    original = getattr(error, "orig", None)
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return code in (_SQLITE_CONSTRAINT_UNIQUE, _SQLITE_CONSTRAINT_PRIMARYKEY)
    return getattr(original, "sqlstate", None) == "23505"
