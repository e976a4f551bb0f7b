"""Settings, read from the environment only."""

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(instance_path):
    """DATABASE_URL, or an SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{Path(instance_path) / 'pacer.db'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(instance_path, development):
    """SECRET_KEY from the environment; in development, one kept in the instance folder.

    None outside development when it is not set: commands such as `flask db upgrade` still
    work, but the app refuses every request until it is set (see blueprints/core/errors.py),
    because a key made up on each machine would break sessions behind a load balancer.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not development:
        return None
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    DEVELOPMENT = os.environ.get("PACER_ENV", "production") == "development"
    # No ping before each use: it is a round trip on every request, as dear as the sign-in
    # check itself. A connection the database dropped (a restart, a failover) fails once, with
    # a 503 that asks to try again (blueprints/core/errors.py), and SQLAlchemy replaces the
    # whole pool; connections are renewed every half hour so idle timeouts never catch one.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False, "pool_recycle": 1800}
    # How long a write waits for another's lock before answering 503 with Retry-After: well
    # inside a request's time (gunicorn ends a worker's request after 30 s).
    DATABASE_LOCK_TIMEOUT_MS = int(os.environ.get("DATABASE_LOCK_TIMEOUT_MS", "10000"))
    # How many reverse proxies in front of Pacer append to X-Forwarded-For and set
    # X-Forwarded-Proto (Werkzeug's ProxyFix, blueprints/security.py). 0 ignores those headers:
    # anyone could write them. Too high, and a client's own X-Forwarded-For is believed.
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))
    # Content-Security-Policy, frame, sniffing and referrer headers on every response; HSTS
    # too outside development (blueprints/security.py). Off in development, where the
    # debugger's pages run inline scripts.
    SECURITY_HEADERS = not DEVELOPMENT
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = not DEVELOPMENT
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = not DEVELOPMENT
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("en", "it", "ja")
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a hash method, not a password
    SIGN_IN_MAX_FAILURES = int(os.environ.get("SIGN_IN_MAX_FAILURES", "5"))
    SIGN_IN_MAX_FAILURES_PER_IP = int(os.environ.get("SIGN_IN_MAX_FAILURES_PER_IP", "30"))
    SIGN_IN_WINDOW_SECONDS = int(os.environ.get("SIGN_IN_WINDOW_SECONDS", "60"))
    ASSETS_DEBUG = False
    # Checking the bundles' sources on every page costs ~0.7 ms a request: only where they
    # change. Elsewhere `flask assets build` (make assets) builds them once, before serving.
    ASSETS_AUTO_BUILD = _flag("ASSETS_AUTO_BUILD", DEVELOPMENT)
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Rendered scorecard pages (blueprints/page_cache.py): kept in each process by default;
    # any Flask-Caching backend works, NullCache turns it off. An entry outlives its minute
    # by nothing: its key names the minute, so older ones are only waiting to be pruned.
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "SimpleCache")
    CACHE_DEFAULT_TIMEOUT = 120
    CACHE_THRESHOLD = int(os.environ.get("CACHE_THRESHOLD", "500"))  # pages a process keeps
    # Every key also starts with this deployment's identity (blueprints/page_cache.py), so
    # deployments sharing one cache never serve each other's pages whatever the prefix.
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "pacer|")
    # Background jobs (jobs/): Huey on REDIS_URL when set, else on an SQLite file in the
    # instance folder (extensions.make_huey). A failing job is tried again JOBS_RETRIES times,
    # JOBS_RETRY_DELAY seconds later, each wait JOBS_RETRY_BACKOFF times the one before.
    JOBS_IMMEDIATE = False  # run each job at once, in the process that enqueues it (tests)
    JOBS_RETRIES = int(os.environ.get("JOBS_RETRIES", "3"))
    JOBS_RETRY_DELAY = float(os.environ.get("JOBS_RETRY_DELAY", "30"))
    JOBS_RETRY_BACKOFF = float(os.environ.get("JOBS_RETRY_BACKOFF", "4"))
    # Email (jobs/mail.py), sent by a job through Flask-Mail. With no MAIL_SERVER, each email
    # is written to the log instead (development).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "").strip() or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = _flag("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _flag("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Pacer <pacer@localhost>")
    # Where people reach Pacer: the links in emails, which jobs build with no request to go by.
    PACER_BASE_URL = os.environ.get("PACER_BASE_URL", "http://127.0.0.1:5000").rstrip("/")


class TestConfig(Config):
    TESTING = True
    DEVELOPMENT = True
    SECRET_KEY = "tests-only-secret"  # noqa: S105 - fixed so tests can forge and replay cookies
    ASSETS_AUTO_BUILD = _flag("ASSETS_AUTO_BUILD", True)
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    # Every test, the browser's above all, runs under the production Content-Security-Policy,
    # so a page that needs an inline script or style fails where it is written.
    SECURITY_HEADERS = True
    # Fast hashes keep the suite quick; production uses scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a hash method
    # Jobs run at once, in memory, in the process that enqueues them: no consumer needed.
    # Emails are captured (the `outbox` fixture), never sent. tests/test_jobs.py and
    # tests/test_mail.py run them through the real consumer, on SQLite and Redis, and SMTP.
    JOBS_IMMEDIATE = True
    JOBS_RETRY_DELAY = 0
    MAIL_SUPPRESS_SEND = True
    MAIL_SERVER = None
    PACER_BASE_URL = "http://localhost"  # the test client's host: links in emails open there
