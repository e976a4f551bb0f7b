"""Continuous feedback: given within reach only, read by the two people and the receiver's
managers only, answered in a thread, and fed to the managers of the teams it lands in."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from extensions import db
from models import Feedback, FeedbackReply
from models.notifications import Notification
from services import feedback, values
from tests.conftest import PASSWORD, Auth, Factory, at


@pytest.fixture
def org(app, make):
    """HQ (led by Rosa, the regional manager) > Team A (Mia: Rita, Remo) and Team B (Bea:
    Bruno); an executive, an admin; another organisation's admin."""
    regional = make.user("rosa@example.com", roles=("manager",), name="Rosa Regional")
    mia = make.user("mia@example.com", roles=("manager",), name="Mia Manager")
    bea = make.user("bea@example.com", roles=("manager",), name="Bea Boss")
    hq = make.team("HQ", managers=[regional])
    team_a = make.team("Team A", parent=hq, managers=[mia])
    team_b = make.team("Team B", parent=hq, managers=[bea])
    mia.team = bea.team = hq
    rita = make.user("rita@example.com", team=team_a, name="Rita Rep")
    remo = make.user("remo@example.com", team=team_a, name="Remo Rep")
    bruno = make.user("bruno@example.com", team=team_b, name="Bruno Rep")
    executive = make.user("exec@example.com", roles=("executive",), name="Ed Exec")
    admin = make.user("admin@example.com", roles=("admin",), name="Ada Admin")
    elsewhere = Factory(app)
    stranger = elsewhere.user("admin@elsewhere.example", roles=("admin",), name="Sam Stranger")
    value = values.save_value(db.session, make.organization, None, name="Customer first",
                              description="", behaviours="Follows up within 24 hours",
                              active=True)
    db.session.commit()
    return SimpleNamespace(**locals())


def as_(app, email, password=PASSWORD):
    client = app.test_client()
    assert Auth(client).sign_in(email, password).status_code == 302
    return client


def post(client, url, data, page="/feedback"):
    return Auth(client).post(url, data, page=page)


def praise(giver, receiver, body="Great demo today.", kind="praise"):
    given = feedback.give(db.session, giver, receiver, kind=kind, body=body,
                          now=at(2026, 12, 1, 10))
    db.session.commit()
    return given


# Who is within reach


def test_a_rep_reaches_team_mates_and_every_manager_above_but_not_other_teams(org):
    reach = feedback.people_within_reach(db.session, org.rita)
    assert [person.name for person in reach] == ["Mia Manager", "Remo Rep", "Rosa Regional"]


def test_a_manager_reaches_the_people_they_lead_and_beneath(org):
    assert {p.name for p in feedback.people_within_reach(db.session, org.mia)} >= {
        "Rita Rep", "Remo Rep", "Rosa Regional"}
    assert not feedback.within_reach(db.session, org.mia, org.bruno)
    assert feedback.within_reach(db.session, org.regional, org.bruno)


def test_executives_and_admins_reach_anyone_of_their_organisation_only(org):
    for person in (org.executive, org.admin):
        reach = {each.id for each in feedback.people_within_reach(db.session, person)}
        assert {org.bruno.id, org.rita.id} <= reach and person.id not in reach
        assert org.stranger.id not in reach


def test_the_picker_lists_and_searches_the_people_within_reach(app, org):
    client = as_(app, "rita@example.com")
    page = client.get("/feedback/give")
    assert page.status_code == 200
    assert "Mia Manager" in page.text and "Remo Rep" in page.text
    assert "Bruno Rep" not in page.text
    found = client.get("/feedback/give?q=remo", headers={"HX-Request": "true"})
    assert "<html" not in found.text and "HX-Request" in found.headers["Vary"]
    assert "Remo Rep" in found.text and "Mia Manager" not in found.text


def test_giving_outside_reach_or_to_oneself_is_404(app, org):
    client = as_(app, "rita@example.com")
    for person in (org.bruno, org.rita, org.stranger, org.executive):
        assert client.get(f"/feedback/give?to={person.id}").status_code == 404
        answer = post(client, f"/feedback/give?to={person.id}",
                      {"kind": "praise", "body": "Hello"})
        assert answer.status_code == 404
    assert db.session.scalar(select(Feedback.id)) is None


# Giving and the receiver's notification


def test_a_rep_gives_their_manager_a_suggestion_and_the_manager_is_told(app, org, outbox):
    client = as_(app, "rita@example.com")
    form = client.get(f"/feedback/give?to={org.mia.id}")
    assert form.status_code == 200 and "Feedback for Mia Manager" in form.text
    assert "Customer first" in form.text  # the values to tie it to
    answer = post(client, f"/feedback/give?to={org.mia.id}",
                  {"kind": "suggestion", "value_id": str(org.value.id),
                   "body": "  Could we plan the week on Monday?  "},
                  page=f"/feedback/give?to={org.mia.id}")
    given = db.session.scalars(select(Feedback)).one()
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/feedback/{given.id}"
    assert (given.giver_id, given.receiver_id, given.kind, given.value_id) == (
        org.rita.id, org.mia.id, "suggestion", org.value.id)
    assert given.body == "Could we plan the week on Monday?"
    assert given.receiver_team_id == org.hq.id and given.giver_team_id == org.team_a.id
    told = db.session.scalars(select(Notification)).one()
    assert (told.recipient_id, told.actor_id, told.kind, told.params["praise"]) == (
        org.mia.id, org.rita.id, "feedback_received", False)
    assert told.link_values == {"feedback_id": given.id}
    assert [message.recipients for message in outbox] == [["mia@example.com"]]


@pytest.mark.parametrize("fields", [
    {"kind": "praise", "body": ""},
    {"kind": "praise", "body": "Bad\x00byte"},
    {"kind": "praise", "body": "x" * 2001},
    {"kind": "applause", "body": "Hello"},
    {"kind": "praise", "body": "Hello", "value_id": "999999"},
    {"kind": "praise", "body": "Hello", "value_id": "not a number"},
])
def test_a_bad_form_is_refused_with_422_and_saves_nothing(app, org, fields):
    client = as_(app, "rita@example.com")
    answer = post(client, f"/feedback/give?to={org.remo.id}", fields)
    assert answer.status_code == 422
    assert db.session.scalar(select(Feedback.id)) is None


@pytest.mark.parametrize("query", ["to=abc", "to=99999999999", "to=-1", "q=%00"])
def test_a_bad_query_is_a_400(app, org, query):
    assert as_(app, "rita@example.com").get(f"/feedback/give?{query}").status_code == 400


def test_an_inactive_value_cannot_be_chosen(app, org):
    org.value.active = False
    client = as_(app, "rita@example.com")
    answer = post(client, f"/feedback/give?to={org.remo.id}",
                  {"kind": "praise", "body": "Hi", "value_id": str(org.value.id)})
    assert answer.status_code == 422


# Who reads it


def test_the_two_people_and_the_receivers_managers_read_it_nobody_else(app, org):
    given = praise(org.remo, org.rita, body="Thanks for covering my visit.")
    readers = {"rita@example.com": 200, "remo@example.com": 200, "mia@example.com": 200,
               "rosa@example.com": 200, "bea@example.com": 404, "bruno@example.com": 404,
               "exec@example.com": 404, "admin@example.com": 404,
               "admin@elsewhere.example": 404}
    for email, status in readers.items():
        page = as_(app, email).get(f"/feedback/{given.id}")
        assert page.status_code == status, email
        assert ("Thanks for covering my visit." in page.text) == (status == 200), email


def test_a_rep_lists_what_they_received_and_gave_never_others(app, org):
    praise(org.remo, org.rita, body="To Rita")
    praise(org.rita, org.mia, body="To Mia", kind="suggestion")
    praise(org.mia, org.remo, body="To Remo")
    client = as_(app, "rita@example.com")
    received = client.get("/feedback")
    assert "To Rita" in received.text and "To Mia" not in received.text
    assert "From Remo Rep" in received.text
    assert "To Remo" not in received.text
    given = client.get("/feedback?show=given")
    assert "To Mia" in given.text and "To Rita" not in given.text
    fragment = client.get("/feedback?show=given", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "To Mia" in fragment.text
    assert client.get("/feedback?show=everyone").status_code == 400


# The thread


def test_the_receiver_replies_and_the_giver_is_told(app, org, outbox):
    given = praise(org.remo, org.rita)
    client = as_(app, "rita@example.com")
    answer = post(client, f"/feedback/{given.id}/reply", {"body": "Thank you!"},
                  page=f"/feedback/{given.id}")
    assert answer.status_code == 302
    assert db.session.scalars(select(FeedbackReply.body)).all() == ["Thank you!"]
    replied = select(Notification).where(Notification.kind == "feedback_replied")
    told = db.session.scalars(replied).one()
    assert told.recipient_id == org.remo.id and told.actor_id == org.rita.id
    again = as_(app, "remo@example.com")
    post(again, f"/feedback/{given.id}/reply", {"body": "Any time."},
         page=f"/feedback/{given.id}")
    recipients = db.session.scalars(replied.with_only_columns(Notification.recipient_id)
                                    .order_by(Notification.id)).all()
    assert recipients == [org.remo.id, org.rita.id]
    thread = as_(app, "mia@example.com").get(f"/feedback/{given.id}")
    assert thread.text.index("Thank you!") < thread.text.index("Any time.")
    assert 'id="reply"' not in thread.text  # a manager reads, and does not take part


def test_a_manager_who_reads_it_cannot_reply_and_an_empty_reply_is_refused(app, org):
    given = praise(org.remo, org.rita)
    manager = as_(app, "mia@example.com")
    assert post(manager, f"/feedback/{given.id}/reply", {"body": "Me too"}).status_code == 403
    rep = as_(app, "rita@example.com")
    assert post(rep, f"/feedback/{given.id}/reply", {"body": "  "}).status_code == 422
    assert post(rep, f"/feedback/{given.id}/reply", {"body": "a\x07b"}).status_code == 422
    outsider = as_(app, "bruno@example.com")
    assert post(outsider, f"/feedback/{given.id}/reply", {"body": "Hi"}).status_code == 404
    assert db.session.scalar(select(FeedbackReply.id)) is None


# The managers' feed


def test_a_manager_sees_their_teams_feed_and_not_another_teams(app, org):
    praise(org.remo, org.rita, body="A to A")
    praise(org.rita, org.mia, body="Up to Mia", kind="suggestion")
    praise(org.bea, org.bruno, body="B to B")
    feed = as_(app, "mia@example.com").get("/feedback/team")
    assert feed.status_code == 200
    assert "A to A" in feed.text and "Up to Mia" in feed.text and "B to B" not in feed.text
    other = as_(app, "bea@example.com").get("/feedback/team")
    assert "B to B" in other.text and "A to A" not in other.text
    assert "Up to Mia" not in other.text
    regional = as_(app, "rosa@example.com").get(f"/feedback/team?team={org.team_b.id}")
    assert "B to B" in regional.text and "A to A" not in regional.text


def test_the_feed_filters_by_kind_and_answers_a_fragment(app, org):
    praise(org.remo, org.rita, body="Praise here")
    praise(org.mia, org.rita, body="Try this", kind="suggestion")
    client = as_(app, "mia@example.com")
    fragment = client.get("/feedback/team?kind=suggestion", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "HX-Request" in fragment.headers["Vary"]
    assert "Try this" in fragment.text and "Praise here" not in fragment.text
    assert client.get("/feedback/team?kind=gossip").status_code == 400
    assert client.get(f"/feedback/team?team={org.team_b.id}").status_code == 404
    assert client.get("/feedback/team?team=x").status_code == 400


def test_the_feed_is_for_managers_only(app, org):
    for email in ("rita@example.com", "exec@example.com", "admin@example.com"):
        assert as_(app, email).get("/feedback/team").status_code == 403, email


# The demo


def test_the_demo_seeds_values_and_feedback_once(app, outbox):
    import demo.feedback
    import demo.organization

    now = at(2026, 12, 3, 12)
    demo.organization.seed(db.session, now, app.config["PASSWORD_HASH_METHOD"], days=1)
    assert demo.feedback.seed(db.session, now) == (
        "Feedback: 4 values and 8 conversations added.")
    assert demo.feedback.seed(db.session, now) == (
        "Feedback: 0 values and 0 conversations added.")
    db.session.commit()
    told = db.session.scalars(select(Notification).where(
        Notification.kind == "feedback_received")).all()
    assert len(told) == 8 and all(entry.emailed_at is not None for entry in told)
    assert outbox == []  # nobody is mailed about the demo's past
    rep = as_(app, "rep@example.com", demo.organization.PASSWORD)
    received = rep.get("/feedback")
    assert "Verdi Logistica" in received.text
    upward = db.session.scalars(select(Feedback).where(Feedback.kind == "suggestion")
                                .order_by(Feedback.created_at.desc())).first()
    assert upward.receiver.email == "manager@example.com"  # a rep's suggestion to their manager
    # Francesca's suggestion to Matteo is theirs and their managers': not the rep's to read.
    private = db.session.scalar(select(Feedback).where(Feedback.body.like("When you send%")))
    assert rep.get(f"/feedback/{private.id}").status_code == 404


def test_feedback_pages_sit_under_account_and_the_feed_under_team(app, org):
    rep_page = as_(app, "rita@example.com").get("/feedback").text
    assert '<a href="/account" aria-current="page">' in rep_page
    feed = as_(app, "mia@example.com").get("/feedback/team").text
    assert '<a href="/teams" aria-current="page">' in feed
