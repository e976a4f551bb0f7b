"""Two deployments sharing one cache (staging and production on one server) never serve each
other's pages, though each has a user 1 looking at the same URL."""

import pytest

from app import create_app
from extensions import db
from models import Metric, Organization, User
from services import accounts
from tests.conftest import PASSWORD, IsolatedClient, csrf_token


def deployment(base, url, secret, cache_dir):
    class Deployment(base):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = secret
        CACHE_TYPE = "FileSystemCache"  # one store both deployments see, as a shared Redis
        CACHE_DIR = str(cache_dir)

    app = create_app(Deployment)
    app.test_client_class = IsolatedClient
    return app


def first_rep(app, name, metric):
    """The deployment's first person: user 1, a rep, signed in on a client."""
    with app.app_context():
        db.create_all()
        organization = Organization(name=f"{name}'s company")
        user = User(email="rep@example.com", name=name, organization=organization)
        user.roles = ("rep",)
        accounts.set_password(user, PASSWORD, app.config["PASSWORD_HASH_METHOD"])
        db.session.add_all([user, Metric(key="calls", name=metric, organization=organization)])
        db.session.commit()
        user_id = user.id
    client = app.test_client()
    page = client.get("/sign-in")
    client.post("/sign-in", data={"email": "rep@example.com", "password": PASSWORD,
                                  "csrf_token": csrf_token(page.text)})
    return user_id, client


@pytest.mark.parametrize("same_secret", [False, True])
def test_another_deployments_user_1_never_gets_this_ones_page(
        app, _schema, empty_database_url, tmp_path, same_secret):
    production = deployment(_schema, _schema.SQLALCHEMY_DATABASE_URI, "production-secret",
                            tmp_path)
    staging = deployment(_schema, empty_database_url,
                         "production-secret" if same_secret else "staging-secret", tmp_path)
    with production.app_context():
        db.session.remove()
    ada_id, ada = first_rep(production, "Ada", "Production calls")
    bea_id, bea = first_rep(staging, "Bea", "Staging calls")
    # The same id, URL and stamps: only the deployment differs.
    assert ada_id == bea_id

    assert "Production calls" in ada.get("/scorecard").text
    assert "Production calls" in ada.get("/scorecard").text  # now kept in the shared store
    page = bea.get("/scorecard")

    assert page.status_code == 200
    assert "Staging calls" in page.text and "Production calls" not in page.text
    for app in (production, staging):
        with app.app_context():
            db.engine.dispose()
