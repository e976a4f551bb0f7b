"""The migrations build exactly the schema the models describe."""

import os
import subprocess
import sys


def test_upgrade_from_empty_then_check_finds_no_difference(empty_database_url):
    environment = {**os.environ, "DATABASE_URL": empty_database_url, "FLASK_APP": "app",
                   "PACER_ENV": "development"}
    flask = [sys.executable, "-m", "flask"]
    upgrade = subprocess.run([*flask, "db", "upgrade"], env=environment,
                             capture_output=True, text=True)
    assert upgrade.returncode == 0, upgrade.stderr
    check = subprocess.run([*flask, "db", "check"], env=environment,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr + check.stdout
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_downgrade_to_base_and_back_works(empty_database_url):
    environment = {**os.environ, "DATABASE_URL": empty_database_url, "FLASK_APP": "app",
                   "PACER_ENV": "development"}
    flask = [sys.executable, "-m", "flask"]
    for step in (["upgrade"], ["downgrade", "base"], ["upgrade"]):
        result = subprocess.run([*flask, "db", *step], env=environment,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def test_upgrading_a_database_in_use_keeps_its_data(empty_database_url):
    """An organisation with its teams and metrics upgrades across table rebuilds (SQLite copies
    a table to change its constraints, which the teams' foreign keys once refused)."""
    environment = {**os.environ, "DATABASE_URL": empty_database_url, "FLASK_APP": "app",
                   "PACER_ENV": "development"}
    flask = [sys.executable, "-m", "flask"]

    def run(*arguments):
        result = subprocess.run([*flask, *arguments], env=environment, capture_output=True,
                                text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def run_python(code):
        program = "from app import create_app\nwith create_app().app_context():\n" + "".join(
            f"    {line}\n" for line in code.strip().splitlines()
        )
        result = subprocess.run([sys.executable, "-c", program], env=environment,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout

    run("db", "upgrade", "53b0069f7ce9")  # before working hours and metric translations
    run_python(_OLD_ROWS)
    run("db", "upgrade")
    out = run_python(_READ_BACK)
    assert "hours 09:00:00 18:00:00" in out
    assert "team None None" in out
    assert "teams 1" in out and "translations {}" in out


_OLD_ROWS = """
from sqlalchemy import text
from extensions import db
for statement in (
    "INSERT INTO organizations (id, name, timezone, week_start, fiscal_year_start_month,"
    " working_weekdays, settings_version, created_at)"
    " VALUES (1, 'Old', 'Europe/Rome', 0, 1, '01234', 0, '2026-01-01 00:00:00')",
    "INSERT INTO teams (id, organization_id, name, active) VALUES (1, 1, 'Field', TRUE)",
    "INSERT INTO metrics (id, organization_id, key, name, kind, aggregation, unit, direction,"
    " position, active) VALUES (1, 1, 'calls', 'Calls', 'leading', 'count', '', 'higher', 0, TRUE)",
):
    db.session.execute(text(statement))
db.session.commit()
"""

_READ_BACK = """
from sqlalchemy import select, func
from extensions import db
from models import Metric, Organization, Team
organization = db.session.get(Organization, 1)
print("hours", organization.workday_start, organization.workday_end)
team = db.session.get(Team, 1)
print("team", team.workday_start, team.workday_end)
print("teams", db.session.scalar(select(func.count()).select_from(Team)))
print("translations", db.session.get(Metric, 1).translations)
"""
