"""The rep's Today page and logging from it."""

import uuid

from sqlalchemy import func, select

from extensions import db
from models import Activity
from services import activities
from tests.conftest import at


def sign_in_rep(make, auth):
    calls = make.metric("calls", position=1)
    make.metric("revenue", aggregation="sum", kind="lagging", unit="EUR")
    rep = make.user("rep@example.com")
    auth.sign_in("rep@example.com")
    return rep, calls


def log(auth, **fields):
    data = {"metric": "calls", "client_id": str(uuid.uuid4()), "quantity": "1", **fields}
    return auth.post("/today/log", data)


def test_today_is_a_full_page(make, auth, client):
    sign_in_rep(make, auth)
    page = client.get("/today")
    assert page.status_code == 200
    assert "<html" in page.text and "Calls" in page.text and "Revenue" in page.text
    assert "HX-Request" in page.headers["Vary"]


def test_today_fragment_for_htmx_has_no_layout_and_varies(make, auth, client):
    sign_in_rep(make, auth)
    page = client.get("/today", headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "<html" not in page.text and 'id="today"' in page.text
    assert "HX-Request" in page.headers["Vary"]


def test_history_restore_gets_the_whole_page(make, auth, client):
    sign_in_rep(make, auth)
    page = client.get("/today", headers={"HX-Request": "true",
                                         "HX-History-Restore-Request": "true"})
    assert "<html" in page.text


def test_logging_without_javascript_posts_and_redirects(make, auth, client):
    rep, calls = sign_in_rep(make, auth)
    response = log(auth, quantity="3", note="Called back")
    assert response.status_code == 302 and response.headers["Location"] == "/today"
    page = client.get("/today")
    assert 'data-total="today">3<' in page.text
    assert "Called back" in page.text
    activity = db.session.scalar(select(Activity))
    assert (activity.quantity, activity.source, activity.user_id) == (3, "web", rep.id)


def test_submitting_the_same_form_twice_logs_once(make, auth):
    sign_in_rep(make, auth)
    client_id = str(uuid.uuid4())
    log(auth, client_id=client_id)
    log(auth, client_id=client_id)
    assert db.session.scalar(select(func.count(Activity.id))) == 1


def test_a_time_typed_in_is_read_in_the_persons_timezone(make, auth):
    sign_in_rep(make, auth)
    log(auth, occurred_at="2026-11-20T09:15")
    activity = db.session.scalar(select(Activity))
    assert activity.occurred_at == at(2026, 11, 20, 8, 15)  # Rome is UTC+1 in November


def test_a_time_in_the_future_is_refused_and_nothing_is_saved(make, auth):
    sign_in_rep(make, auth)
    response = log(auth, occurred_at="2099-01-01T10:00")
    assert response.status_code == 422
    assert "That time is in the future." in response.text
    assert db.session.scalar(select(func.count(Activity.id))) == 0


def test_bad_numbers_get_a_message_not_a_500(make, auth):
    sign_in_rep(make, auth)
    for quantity in ("-1", "abc", "0", ""):
        response = log(auth, quantity=quantity)
        assert response.status_code == 422, quantity
    assert db.session.scalar(select(func.count(Activity.id))) == 0


def test_a_damaged_client_id_is_refused(make, auth):
    sign_in_rep(make, auth)
    assert log(auth, client_id="not-a-uuid").status_code == 422


def test_an_unknown_or_inactive_metric_is_404(make, auth):
    sign_in_rep(make, auth)
    make.metric("retired", active=False)
    assert log(auth, metric="nope").status_code == 404
    assert log(auth, metric="retired").status_code == 404


def test_sum_metrics_log_an_amount(make, auth, client):
    sign_in_rep(make, auth)
    log(auth, metric="revenue", quantity="1250.50")
    page = client.get("/today")
    assert "1,250.5" in page.text


def test_undo_removes_the_entry_and_its_count(make, auth, client):
    sign_in_rep(make, auth)
    log(auth, quantity="2")
    activity = db.session.scalar(select(Activity))
    response = auth.post(f"/today/activities/{activity.id}/undo")
    assert response.status_code == 302
    page = client.get("/today")
    assert 'data-total="today">0<' in page.text
    db.session.refresh(activity)
    assert activity.is_deleted


def test_a_rep_cannot_undo_someone_elses_activity(make, auth):
    _, calls = sign_in_rep(make, auth)
    other = make.user("other@example.com")
    theirs = activities.record(db.session, user=other, metric=calls, occurred_at=at(2026, 11, 23),
                               calendar=other.organization.calendar).activity
    db.session.commit()
    assert auth.post(f"/today/activities/{theirs.id}/undo").status_code == 404
    db.session.refresh(theirs)
    assert not theirs.is_deleted


def test_manager_who_is_not_a_rep_gets_403_on_today(make, auth, client):
    make.user("manager@example.com", roles=("manager",))
    auth.sign_in("manager@example.com")
    assert client.get("/today").status_code == 403
