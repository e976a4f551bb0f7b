"""The organisation's values in the admin area: listed in order, added, changed, moved,
deactivated; admins only, each of their own organisation."""

import pytest
from sqlalchemy import select

from extensions import db
from models import Value
from services import values
from tests.conftest import Auth, Factory


@pytest.fixture
def admin(make, auth):
    user = make.user("admin@example.com", roles=("admin",), name="Ada Admin")
    auth.sign_in("admin@example.com")
    return user


def post(auth, url, data):
    return auth.post(url, data, page=url if not url.endswith("/move") else "/admin/values")


def value(organization, name, position):
    found = Value(organization_id=organization.id, name=name, position=position)
    db.session.add(found)
    db.session.commit()
    return found


def test_an_admin_adds_a_value_with_its_behaviours(admin, auth, client):
    answer = post(auth, "/admin/values/new", {
        "name": " Customer first ", "description": "We win when they do.",
        "behaviours": "Follows up within 24 hours\n\n  Knows the account's goals  \n",
        "active": "y"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/values"
    saved = db.session.scalars(select(Value)).one()
    assert saved.name == "Customer first" and saved.active
    assert saved.behaviour_list == ["Follows up within 24 hours", "Knows the account's goals"]
    page = client.get("/admin/values")
    assert page.status_code == 200
    assert "Customer first" in page.text and "Follows up within 24 hours" in page.text
    fragment = client.get("/admin/values", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Customer first" in fragment.text


@pytest.mark.parametrize("fields", [
    {"name": ""},
    {"name": "x" * 81},
    {"name": "Tab\there"},
    {"name": "Fine", "behaviours": "Bad\x00byte"},
    {"name": "customer FIRST"},  # taken, whatever its case
])
def test_a_bad_value_is_refused_with_422(admin, auth, make, fields):
    value(make.organization, "Customer first", 1)
    answer = post(auth, "/admin/values/new", fields)
    assert answer.status_code == 422
    assert db.session.scalar(select(Value.id).where(Value.name != "Customer first")) is None


def test_editing_keeps_its_own_name_and_deactivates(admin, auth, make):
    found = value(make.organization, "Ownership", 1)
    answer = post(auth, f"/admin/values/{found.id}/edit",
                  {"name": "Ownership", "behaviours": "Closes the loop"})
    assert answer.status_code == 302
    assert found.active is False and found.behaviours == "Closes the loop"
    assert [each.name for each in values.values(db.session, make.organization.id,
                                                active_only=True)] == []


def test_values_move_up_and_down(admin, auth, make):
    first, second, third = (value(make.organization, name, n)
                            for n, name in enumerate(("A", "B", "C"), start=1))
    assert post(auth, f"/admin/values/{third.id}/move", {"direction": "up"}).status_code == 302
    assert [v.name for v in values.values(db.session, make.organization.id)] == ["A", "C", "B"]
    post(auth, f"/admin/values/{first.id}/move", {"direction": "up"})  # already first
    post(auth, f"/admin/values/{first.id}/move", {"direction": "down"})
    assert [v.name for v in values.values(db.session, make.organization.id)] == ["C", "A", "B"]
    assert post(auth, f"/admin/values/{first.id}/move",
                {"direction": "sideways"}).status_code == 422


def test_only_admins_of_the_organisation(app, make, auth, client):
    found = value(make.organization, "Ownership", 1)
    make.user("manager@example.com", roles=("manager", "executive"))
    auth.sign_in("manager@example.com")
    assert client.get("/admin/values").status_code == 403
    assert auth.post("/admin/values/new", {"name": "Mine"}, page="/account").status_code == 403
    other = Factory(app)
    other.user("admin@elsewhere.example", roles=("admin",))
    foreign = app.test_client()
    Auth(foreign).sign_in("admin@elsewhere.example")
    assert foreign.get(f"/admin/values/{found.id}/edit").status_code == 404
    assert "Ownership" not in foreign.get("/admin/values").text
