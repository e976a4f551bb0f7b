"""A rep asks for coaching on a metric or for a 1:1; their coaches see it and answer it by
starting a session; the rep may withdraw it."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from extensions import db
from models import CoachingRequest, CoachingSession, Notification
from services import coaching_requests, coaching_templates
from tests.conftest import Auth, Factory, at

NOW = at(2026, 11, 4, 9)


@pytest.fixture
def org(make):
    """North (Regina) > Milan (Bruno: Rita, Remo); North > Turin (Otto)."""
    regina = make.user("regina@example.com", roles=("manager",))
    bruno = make.user("bruno@example.com", roles=("manager",))
    otto = make.user("otto@example.com", roles=("manager",))
    north = make.team("North", managers=[regina])
    milan = make.team("Milan", parent=north, managers=[bruno])
    make.team("Turin", parent=north, managers=[otto])
    rita = make.user("rita@example.com", team=milan)
    remo = make.user("remo@example.com", team=milan)
    calls = make.metric("calls", name="Calls", translations={"it": {"name": "Chiamate"}})
    template = coaching_templates.create_from(db.session, make.organization, {
        "name": "Weekly", "description": "", "sections": [
            {"kind": "text", "title": "Wins", "rep_answers": True}]})
    db.session.commit()
    return SimpleNamespace(regina=regina, bruno=bruno, otto=otto, rita=rita, remo=remo,
                           calls=calls, template=template, organization=make.organization)


def signed_in(client, email):
    auth = Auth(client)
    auth.sign_in(email)
    return auth


def ask(auth, **fields):
    return auth.post("/coaching/ask", {"kind": "metric", "metric_id": "", "note": "", **fields},
                     page="/coaching/ask")


def open_request(org, rep=None, metric=None):
    made, _ = coaching_requests.ask(db.session, rep or org.rita,
                                    kind="metric" if metric else "one_on_one", metric=metric,
                                    now=NOW)
    db.session.commit()
    return made


def test_a_rep_asks_for_coaching_on_a_metric_and_their_manager_is_told(app, org, client):
    auth = signed_in(client, "rita@example.com")

    response = ask(auth, metric_id=str(org.calls.id), note="Calls drop on Fridays")

    assert response.status_code == 302
    made = db.session.scalar(select(CoachingRequest))
    assert (made.rep_id, made.kind, made.metric_id, made.status, made.note) == (
        org.rita.id, "metric", org.calls.id, "open", "Calls drop on Fridays")
    told = db.session.scalars(select(Notification)).all()
    assert [(n.recipient_id, n.kind, n.actor_id) for n in told] == [
        (org.bruno.id, "coaching_requested", org.rita.id)]
    assert (told[0].params["metric"], told[0].params["metric_it"]) == ("Calls", "Chiamate")
    assert told[0].link_endpoint == "coaching_requests.index"
    org.bruno.locale = "it"  # the inbox speaks the reader's language when read
    inbox = app.test_client()
    signed_in(inbox, "bruno@example.com")
    page = inbox.get("/inbox").text
    assert "Chiamate" in page and "Calls" not in page


def test_a_rep_asks_for_a_1_1_and_sees_it_waiting(org, client):
    auth = signed_in(client, "rita@example.com")

    ask(auth, kind="one_on_one", metric_id=str(org.calls.id))
    page = client.get("/coaching/ask")

    made = db.session.scalar(select(CoachingRequest))
    assert (made.kind, made.metric_id) == ("one_on_one", None)
    assert "A 1:1" in page.text and "waiting" in page.text
    assert "Bruno" in page.text  # whom it goes to
    assert db.session.scalar(select(Notification)).params["metric"] is None


def test_asking_again_for_what_is_open_makes_no_second_request(org, client):
    auth = signed_in(client, "rita@example.com")

    ask(auth, metric_id=str(org.calls.id))
    again = ask(auth, metric_id=str(org.calls.id))

    assert again.status_code == 302
    assert len(db.session.scalars(select(CoachingRequest)).all()) == 1
    assert len(db.session.scalars(select(Notification)).all()) == 1
    assert "You asked for this already" in client.get("/coaching/ask").text


@pytest.mark.parametrize("fields, message", [
    ({"metric_id": ""}, "Choose the metric you want help with."),
    ({"metric_id": "abc"}, "Choose one of the metrics on your scorecard."),
    ({"metric_id": "99999999999"}, "Choose one of the metrics on your scorecard."),
    ({"metric_id": "999"}, "Choose one of the metrics on your scorecard."),
    ({"kind": "everything"}, "Not a valid choice"),
    ({"kind": "one_on_one", "note": "x" * 1001}, "1000"),
    ({"kind": "one_on_one", "note": "bad\x00note"}, "Remove the invisible control characters"),
])
def test_a_request_that_does_not_hold_together_is_a_422_saying_why(org, client, fields,
                                                                   message):
    auth = signed_in(client, "rita@example.com")

    response = ask(auth, **fields)

    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(CoachingRequest)) is None


def test_another_organisations_metric_cannot_be_asked_about(app, org, client):
    elsewhere = Factory(app).metric("calls")
    auth = signed_in(client, "rita@example.com")

    response = ask(auth, metric_id=str(elsewhere.id))

    assert response.status_code == 422
    assert db.session.scalar(select(CoachingRequest)) is None


def test_the_scorecard_offers_to_ask_about_each_metric(org, client):
    signed_in(client, "rita@example.com")

    page = client.get("/scorecard")
    form = client.get("/coaching/ask?metric=calls")

    assert 'href="/coaching/ask?metric=calls"' in page.text
    assert 'href="/coaching/ask"' in page.text
    assert f'<option selected value="{org.calls.id}">' in form.text
    assert '<input checked id="kind-0" name="kind" type="radio" value="metric">' in form.text


def test_a_manager_looking_at_a_reps_scorecard_is_not_offered_to_ask(org, client):
    signed_in(client, "bruno@example.com")

    page = client.get(f"/people/{org.rita.id}/scorecard")

    assert page.status_code == 200
    assert "/coaching/ask" not in page.text


@pytest.mark.parametrize("email", ["bruno@example.com", "otto@example.com"])
def test_only_reps_ask_for_coaching(org, client, email):
    signed_in(client, email)

    assert client.get("/coaching/ask").status_code == 403


def test_a_rep_withdraws_their_own_open_request(org, client):
    made = open_request(org)
    auth = signed_in(client, "rita@example.com")

    response = auth.post(f"/coaching/requests/{made.id}/withdraw", page="/coaching/ask")

    assert response.status_code == 302
    assert made.status == "withdrawn"
    assert "withdrawn" in client.get("/coaching/ask").text


def test_nobody_withdraws_someone_elses_request(app, org):
    made = open_request(org)

    for email in ("remo@example.com", "bruno@example.com"):
        auth = signed_in(app.test_client(), email)
        response = auth.post(f"/coaching/requests/{made.id}/withdraw", page="/account/password")
        assert response.status_code == 404
    assert made.status == "open"


def test_those_who_may_coach_the_rep_see_the_open_request(app, org):
    made = open_request(org, metric=org.calls)
    open_request(org, rep=org.remo)

    for email in ("bruno@example.com", "regina@example.com", "otto@example.com"):
        client = app.test_client()
        signed_in(client, email)
        if email == "otto@example.com":
            assert "Rita" not in client.get("/coaching/requests").text
            continue
        page = client.get("/coaching/requests")
        assert page.status_code == 200
        assert "Rita" in page.text and "Remo" in page.text
        assert f'href="/coaching/requests/{made.id}/start"' in page.text


def test_the_coaching_index_fetches_the_requests(org, client):
    open_request(org)
    signed_in(client, "bruno@example.com")

    index = client.get("/coaching")
    fragment = client.get("/coaching/requests", headers={"HX-Request": "true"})

    assert 'hx-get="/coaching/requests"' in index.text
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert 'id="coaching-requests"' in fragment.text and "Rita" in fragment.text


def test_someone_who_leads_no_team_has_no_requests_to_see(org, client):
    signed_in(client, "rita@example.com")

    assert client.get("/coaching/requests").status_code == 403


def test_a_manager_starts_a_session_from_a_request_with_its_metric(org, client):
    made = open_request(org, metric=org.calls)
    auth = signed_in(client, "bruno@example.com")
    assert client.get(f"/coaching/requests/{made.id}/start").status_code == 200

    response = auth.post(f"/coaching/requests/{made.id}/start",
                         {"template_id": str(org.template.id)}, page="/coaching/requests")

    started = db.session.scalar(select(CoachingSession))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/coaching/{started.id}"
    assert (started.coach_id, started.rep_id, started.metric_id, started.status) == (
        org.bruno.id, org.rita.id, org.calls.id, "draft")
    assert [section.title for section in started.sections] == ["Wins"]
    assert (made.status, made.session_id) == ("answered", started.id)
    assert "Rita" not in client.get("/coaching/requests").text
    again = client.get(f"/coaching/requests/{made.id}/start")
    assert again.headers["Location"] == f"/coaching/{started.id}"


def test_a_withdrawn_request_cannot_be_answered(org, client):
    made = open_request(org)
    coaching_requests.withdraw(made, now=NOW)
    auth = signed_in(client, "bruno@example.com")

    response = auth.post(f"/coaching/requests/{made.id}/start", {"template_id": ""},
                         page="/coaching/requests")

    assert response.status_code == 400
    assert db.session.scalar(select(CoachingSession)) is None


@pytest.mark.parametrize("email", ["otto@example.com", "remo@example.com", "rita@example.com"])
def test_only_those_who_may_coach_the_rep_answer_a_request(org, client, email):
    made = open_request(org)
    auth = signed_in(client, email)

    assert client.get(f"/coaching/requests/{made.id}/start").status_code == 404
    response = auth.post(f"/coaching/requests/{made.id}/start", {"template_id": ""},
                         page="/account/password")
    assert response.status_code == 404
    assert made.status == "open"


def test_an_unknown_template_is_a_422(org, client):
    made = open_request(org)
    auth = signed_in(client, "bruno@example.com")

    response = auth.post(f"/coaching/requests/{made.id}/start", {"template_id": "99999"},
                         page="/coaching/requests")

    assert response.status_code == 422
    assert "Choose one of the templates." in response.text
