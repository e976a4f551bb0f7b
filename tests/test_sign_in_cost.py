"""A sign-in costs one password hash whatever the email, and holds no lock while hashing."""

import sqlite3

import pytest
import werkzeug.security
from sqlalchemy import func, select, text

from extensions import db
from models import SignInFailure


def _others_can_write():
    """Whether another connection could take the write lock right now, without waiting."""
    if db.engine.dialect.name == "sqlite":
        other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()
    with db.engine.connect() as other:
        try:
            other.execute(text("LOCK TABLE users, sign_in_failures, login_sessions "
                               "IN ACCESS EXCLUSIVE MODE NOWAIT"))
            return True
        except Exception:  # noqa: BLE001 - lock_not_available, whatever its class
            return False
        finally:
            other.rollback()


@pytest.fixture
def hashes(monkeypatch):
    """Every password hash computed, with whether the request held a transaction meanwhile
    and whether another writer could have written."""
    computed = []
    real = werkzeug.security._hash_internal

    def counted(method, salt, password):
        computed.append((db.session().in_transaction(), _others_can_write()))
        return real(method, salt, password)

    monkeypatch.setattr(werkzeug.security, "_hash_internal", counted)
    return computed


def test_known_and_unknown_emails_cost_the_same_number_of_hashes(make, auth, hashes):
    make.user("rep@example.com")
    hashes.clear()

    assert auth.sign_in("rep@example.com", "wrong password").status_code == 401
    known = len(hashes)
    hashes.clear()
    assert auth.sign_in("nobody@example.com", "wrong password").status_code == 401
    unknown = len(hashes)
    hashes.clear()
    assert auth.sign_in("rep@example.com").status_code == 302
    right = len(hashes)

    assert known == unknown == right == 1


def test_an_inactive_persons_right_password_costs_one_hash_and_fails(make, auth, hashes):
    make.user("gone@example.com", active=False)
    hashes.clear()

    assert auth.sign_in("gone@example.com").status_code == 401
    assert len(hashes) == 1


@pytest.mark.parametrize("email", ["rep@example.com", "nobody@example.com"])
def test_a_failed_sign_in_holds_no_lock_while_it_hashes(make, auth, hashes, email):
    make.user("rep@example.com")
    hashes.clear()

    assert auth.sign_in(email, "wrong password").status_code == 401

    assert hashes == [(False, True)]  # no transaction of its own, nothing in anyone's way
    assert db.session.scalar(select(func.count(SignInFailure.id))) == 1  # still recorded


def test_a_successful_sign_in_holds_no_lock_while_it_hashes(make, auth, hashes):
    make.user("rep@example.com")
    hashes.clear()

    assert auth.sign_in("rep@example.com").status_code == 302
    assert hashes == [(False, True)]
    assert auth.client.get("/today").status_code == 200
