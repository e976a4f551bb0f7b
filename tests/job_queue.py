"""The real job queue in tests: Huey on SQLite or Redis storage, and its consumer in threads.

Elsewhere in the suite jobs run at once, in memory (TestConfig.JOBS_IMMEDIATE); these send
them through the storage and the consumer production uses.
"""

import os
import time
from contextlib import contextmanager

import pytest
from huey.consumer import Consumer
from huey.storage import PriorityRedisStorage

import jobs
from extensions import InstanceSqliteStorage, huey
from tests import redis_server
from tests.smtp_server import SMTPServer


class ThreadConsumer(Consumer):
    """Huey's consumer, workers in threads, without the signal handlers only a process's main
    thread may set (they would take Ctrl+C from pytest)."""

    def _set_signal_handlers(self):
        pass


def sqlite_storage(path):
    return InstanceSqliteStorage("pacer", filename=str(path))


def redis_storage(url):
    return PriorityRedisStorage("pacer", url=url, read_timeout=0.1)


def close(storage):
    storage.close()
    pool = getattr(storage, "pool", None)
    if pool is not None:
        pool.disconnect()


@contextmanager
def queued_on(storage):
    """Inside, jobs go to `storage` and wait there for a consumer; `storage` is closed after."""
    saved = huey._immediate, huey.storage
    huey._immediate, huey.storage = False, storage
    try:
        yield storage
    finally:
        huey._immediate, huey.storage = saved
        close(storage)


@contextmanager
def consuming(app, workers=2):
    """A consumer running the queued jobs in `app` (periodic jobs left out)."""
    jobs.use_app(app)
    jobs.load_tasks()
    consumer = ThreadConsumer(huey, workers=workers, worker_type="thread", periodic=False,
                              initial_delay=0.02, max_delay=0.05, check_worker_health=False)
    consumer.start()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        jobs.use_app(None)


def wait_for(condition, timeout=15, what="the job"):
    """Poll until condition() is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.02)


# Fixtures, imported by name by the tests that use them.

@pytest.fixture(scope="session")
def redis_url():
    """A throwaway redis-server on loopback; skipped where it is not installed, except in CI."""
    if not redis_server.installed():
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed: run `make system-deps` as root")
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    server = redis_server.RedisServer().start()
    yield server.url
    server.stop()


@pytest.fixture(params=["sqlite", "redis"])
def job_storage(request, tmp_path):
    """Makes the job queue's storage, as a web process or a consumer would open it: SQLite in a
    file, or Redis (emptied first). Call it again for a second process's view of the queue."""
    if request.param == "sqlite":
        return lambda: sqlite_storage(tmp_path / "jobs.db")
    url = request.getfixturevalue("redis_url")
    storage = redis_storage(url)
    storage.flush_all()
    close(storage)
    return lambda: redis_storage(url)


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback collecting what it receives (tests/smtp_server.py)."""
    server = SMTPServer().start()
    yield server
    server.stop()
