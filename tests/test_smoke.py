import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool

from extensions import db


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_rep_signs_in_and_sees_today(make, auth, client):
    make.metric("calls")
    make.user("rep@example.com")
    response = auth.sign_in("rep@example.com")
    assert response.status_code == 302
    page = client.get("/today")
    assert page.status_code == 200
    assert "Calls" in page.text


@pytest.mark.parametrize(
    ("environment", "auto_build"),
    [({"PACER_ENV": "development"}, "True True"),
     ({"PACER_ENV": "production"}, "False True"),
     ({"PACER_ENV": "production", "ASSETS_AUTO_BUILD": "1"}, "True True"),
     ({"PACER_ENV": "development", "ASSETS_AUTO_BUILD": "0"}, "False False")],
)
def test_bundles_are_checked_on_every_page_only_in_development_and_tests(environment,
                                                                          auto_build):
    """Elsewhere `make assets` builds them before serving: the check costs every page."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PACER_ENV", "ASSETS_AUTO_BUILD")}
    result = subprocess.run(
        [sys.executable, "-c", "import config; "
         "print(config.Config.ASSETS_AUTO_BUILD, config.TestConfig.ASSETS_AUTO_BUILD)"],
        cwd=Path(__file__).resolve().parent.parent, env={**env, **environment},
        capture_output=True, text=True, check=True,
    )
    assert result.stdout.split() == auto_build.split()


def test_without_a_secret_key_outside_development_commands_work_but_requests_get_503(tmp_path):
    import os
    import subprocess
    import sys

    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
                   "FLASK_APP": "app", "PACER_ENV": "production"}
    environment.pop("SECRET_KEY", None)
    upgrade = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], env=environment,
                             capture_output=True, text=True)
    assert upgrade.returncode == 0, upgrade.stderr
    probe = subprocess.run(
        [sys.executable, "-c",
         "from app import create_app; r = create_app().test_client().get('/healthz'); "
         "print(r.status_code)"],
        env=environment, capture_output=True, text=True,
    )
    assert probe.stdout.strip() == "503", probe.stderr


def test_a_dropped_database_connection_is_a_503_and_the_retry_goes_through(make, auth, client):
    make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    assert client.get("/today").status_code == 200
    _drop_pooled_connections()
    answer = client.get("/today")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert "not available right now" in answer.text
    assert client.get("/today").status_code == 200  # a new pool, and still signed in


def _drop_pooled_connections():
    """Really close what the pool keeps: the server ends them (PostgreSQL) or they are
    closed under SQLAlchemy's feet (SQLite), as a database restart would."""
    db.session.commit()
    engine = db.engine
    if engine.dialect.name == "postgresql":
        others = ("FROM pg_stat_activity WHERE datname = current_database() "
                  "AND pid <> pg_backend_pid()")
        killer = create_engine(engine.url, poolclass=NullPool)  # not one of the pool's
        with killer.connect() as connection:
            connection.execute(text(f"SELECT pg_terminate_backend(pid) {others}"))
            for _ in range(100):  # the backends end shortly after they are told to
                if not connection.execute(text(f"SELECT count(*) {others}")).scalar():
                    break
                time.sleep(0.05)
        killer.dispose()
        return

    @event.listens_for(engine, "checkout", once=True)
    def close(dbapi_connection, _record, _proxy):
        dbapi_connection.close()
