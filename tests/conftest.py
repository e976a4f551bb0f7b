"""Fixtures: an app on SQLite or, with PACER_TEST_DB=postgresql, on a throwaway PostgreSQL."""

import contextvars
import os
import re
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from sqlalchemy import text
from werkzeug.routing import Rule

from app import create_app
from config import TestConfig
from extensions import db
from models import Metric, Organization, Team, User
from services import accounts

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def postgres():
    """The throwaway PostgreSQL cluster, when the suite runs on PostgreSQL; else None."""
    if os.environ.get("PACER_TEST_DB") != "postgresql":
        yield None
        return
    from tests.postgres import Cluster

    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def database_url(postgres, tmp_path_factory):
    if postgres is not None:
        return postgres.create_database("pacer_test")
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'pacer.db'}"


@pytest.fixture
def empty_database_url(postgres, tmp_path):
    """A database with nothing in it, of the kind the suite runs on."""
    if postgres is not None:
        return postgres.create_database("pacer_empty")
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture(scope="session")
def _schema(database_url):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return Config


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Without this a request would reuse the test's app context, and so its database session,
    `g`, the cached current user and CSRF token: bugs would hide and phantom ones appear.
    What the test set up is committed first, and its objects are expired afterwards so the
    test reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()
        return response


class CompiledTemplates(BytecodeCache):
    """The templates' compiled code, kept for the whole session in memory.

    Every test gets a new app, whose Jinja environment would compile each template it renders
    again (half a second a test). Jinja looks each template up by name and file and uses the
    code only while the source's checksum matches: an edited template is compiled afresh.
    """

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        checksum, code = self.compiled.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = (bucket.checksum, bucket.code)


COMPILED_TEMPLATES = CompiledTemplates()

# Werkzeug writes and compiles two URL-building functions for every route of every new app:
# nine tenths of create_app, which every test calls. The function depends only on the route's
# text, its parts, defaults and converters, and holds no reference to its rule or app (it gets
# the rule as its first argument), so each is compiled once a session.
_compile_builder = Rule._compile_builder
_builders = {}


def _compile_builder_once(rule, append_unknown=True):
    key = (type(rule), rule.rule, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())),
           tuple(sorted((name, type(each)) for name, each in rule._converters.items())),
           append_unknown)
    if key not in _builders:
        _builders[key] = _compile_builder(rule, append_unknown)
    return _builders[key]


Rule._compile_builder = _compile_builder_once


# The engine of the first test's app, lent to every later one. SQLAlchemy keeps each
# statement's compiled SQL in its engine, and a new engine a test compiled every statement it
# ran again (a third of a short test's time). It is configured as each app would configure it
# (same database, same settings: create_app's listeners are already on it), and emptied of
# connections after every test as before.
ENGINES = {}


def _shared_engine(app):
    engines = db._app_engines[app]  # Flask-SQLAlchemy's engines of this app, by bind key
    fresh = engines[None]
    key = (fresh.url.render_as_string(hide_password=False),
           app.config["DATABASE_LOCK_TIMEOUT_MS"],
           repr(sorted(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}).items())))
    shared = ENGINES.setdefault(key, fresh)
    if shared is not fresh:
        fresh.dispose()
        engines[None] = shared


@pytest.fixture
def app(_schema):
    app = create_app(_schema)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    _shared_engine(app)
    app.test_client_class = IsolatedClient
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


def _empty_tables():
    """Every table emptied, dependents first, and ids counting from 1 again.

    On the session's connection, not through the ORM: its hooks (services/freshness) would
    bump the settings of organisations being deleted, once a table. On PostgreSQL a DELETE of
    the few rows a test leaves is a tenth of a TRUNCATE's time (which makes new files for every
    table); the sequences then start again at 1, as TRUNCATE's RESTART IDENTITY did and as
    SQLite does by itself.
    """
    connection = db.session.connection()
    for table in reversed(db.metadata.sorted_tables):
        connection.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        connection.execute(text(
            "SELECT setval((quote_ident(schemaname) || '.' || quote_ident(sequencename))"
            "::regclass, 1, false) FROM pg_sequences WHERE schemaname = current_schema()"))
    db.session.commit()


class Clock:
    """What utcnow() answers in the app under test: every view, service and column default."""

    def __init__(self, app):
        self.app = app

    def at(self, moment):
        self.app.extensions["clock"] = lambda: moment


@pytest.fixture
def clock(app):
    """The app's clock, to set once for the whole app: `clock.at(moment)`."""
    return Clock(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    """The emails sent during the test (flask_mail.Message: recipients, subject, body, html).

    Jobs run at once in tests (TestConfig.JOBS_IMMEDIATE), so an email a request sends is here
    when the request returns; none leaves the machine (MAIL_SUPPRESS_SEND).
    """
    from extensions import mail

    with mail.record_messages() as messages:
        yield messages

def csrf_token(html):
    """The CSRF token a rendered page carries."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', html
    )
    assert match, "the page has no CSRF token"
    return match.group(1)


class Factory:
    """Builds an organisation, teams, people and metrics for a test."""

    def __init__(self, app):
        self.app = app
        self.organization = Organization(name="Acme", timezone="Europe/Rome")
        db.session.add(self.organization)
        db.session.commit()

    def team(self, name, parent=None, managers=()):
        team = Team(name=name, organization=self.organization, parent=parent)
        team.managers = list(managers)
        db.session.add(team)
        db.session.commit()
        return team

    def user(self, email, roles=("rep",), team=None, name=None, password=PASSWORD, **fields):
        user = User(
            email=email, name=name or email.split("@")[0].title(),
            organization=self.organization, team=team, **fields,
        )
        user.roles = roles
        accounts.set_password(user, password, self.app.config["PASSWORD_HASH_METHOD"])
        db.session.add(user)
        db.session.commit()
        return user

    def metric(self, key, name=None, **fields):
        metric = Metric(
            key=key, name=name or key.title(), organization=self.organization, **fields
        )
        db.session.add(metric)
        db.session.commit()
        return metric


@pytest.fixture
def make(app):
    return Factory(app)


class Auth:
    def __init__(self, client):
        self.client = client

    def sign_in(self, email, password=PASSWORD, remember=False):
        page = self.client.get("/sign-in")
        data = {"email": email, "password": password, "csrf_token": csrf_token(page.text)}
        if remember:
            data["remember"] = "y"
        return self.client.post("/sign-in", data=data)

    def sign_out(self):
        page = self.client.get("/account/password")
        return self.client.post("/sign-out", data={"csrf_token": csrf_token(page.text)})

    def post(self, url, data=None, page="/today", **kwargs):
        """POST with the CSRF token of a page the person can see."""
        token = csrf_token(self.client.get(page).text)
        return self.client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


@pytest.fixture
def auth(client):
    return Auth(client)


def at(*args):
    """An aware UTC datetime, for brevity."""
    return datetime(*args, tzinfo=UTC)
