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
