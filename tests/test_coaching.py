"""Coaching sessions: who sees them, the snapshot frozen at share, action items carried forward
and closed once, the rep's answers and the access log."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from extensions import db
from models import (
    ActionItem,
    CoachingTemplate,
    CoachingTemplateSection,
    SessionRead,
    User,
)
from services import coaching
from tests import test_scorecards as screens
from tests.conftest import at

fixed_clock, log = screens.fixed_clock, screens.log
NOW = screens.NOW


@pytest.fixture
def org(make):
    """HQ (led by the executive) > Sales (Mara) > Field (Ada, Bo); HQ > Other (Olga, Cy)."""
    base = screens.org.__wrapped__(make)
    executive = db.session.scalar(select(User).where(
        User.email == "exec@example.com"))
    admin = db.session.scalar(select(User).where(
        User.email == "admin@example.com"))
    template = CoachingTemplate(organization_id=base.organization.id, name="Weekly 1:1")
    template.sections = [
        CoachingTemplateSection(position=0, kind="snapshot", title="Your numbers"),
        CoachingTemplateSection(
            position=1, kind="rating", title="Prospecting",
            options={"points": [{"value": 1, "label": "Starting", "definition": "Needs help"},
                                {"value": 2, "label": "Solid", "definition": "On their own"}]}),
        CoachingTemplateSection(position=2, kind="text", title="What went well?",
                                rep_answers=True),
        CoachingTemplateSection(position=3, kind="checklist", title="Basics",
                                options={"items": ["CRM updated", "Calls logged"]}),
    ]
    db.session.add(template)
    db.session.commit()
    return SimpleNamespace(**vars(base), executive=executive, admin=admin, template=template)


def start(org, coach=None, rep=None, **fields):
    made = coaching.start_session(db.session, coach=coach or org.mara, rep=rep or org.ada,
                                  template=fields.pop("template", org.template), now=NOW,
                                  **fields)
    db.session.commit()
    return made


# Who sees a session


def test_a_session_is_seen_by_its_coach_the_reps_managers_and_the_rep_once_shared(org):
    made = start(org)
    see = coaching.can_see_session
    assert see(db.session, org.mara, made)
    assert not see(db.session, org.ada, made)  # a draft: not yet
    coaching.share(db.session, made, now=NOW)
    assert see(db.session, org.ada, made)
    for outsider in (org.bo, org.cy, org.olga, org.executive, org.admin):
        assert not see(db.session, outsider, made), outsider.email


def test_an_executive_who_leads_the_company_team_sees_the_sessions_beneath_it(org):
    org.hq.managers = [org.executive]
    db.session.commit()
    made = start(org)
    assert coaching.can_see_session(db.session, org.executive, made)
    assert coaching.can_coach(db.session, org.executive, org.cy)
    assert not coaching.can_coach(db.session, org.admin, org.cy)


def test_a_session_copies_its_templates_sections(org):
    made = start(org)
    assert [section.kind for section in made.sections] == [
        "snapshot", "rating", "text", "checklist"]
    org.template.sections[1].title = "Changed later"
    db.session.commit()
    assert made.sections[1].title == "Prospecting"
    assert made.title == "Weekly 1:1" and made.status == "draft"


def test_a_session_refuses_another_organisations_template(org, make):
    foreign = CoachingTemplate(organization_id=org.organization.id + 1000, name="Theirs")
    with pytest.raises(coaching.CoachingError):
        coaching.start_session(db.session, coach=org.mara, rep=org.ada, template=foreign,
                               now=NOW)


# Done-when 2: the snapshot is frozen when shared


def test_a_shared_sessions_snapshot_stays_put_when_the_live_numbers_change(org):
    log(org.ada, org.calls, NOW - timedelta(hours=1), quantity=3)
    made = start(org)
    live = coaching.snapshot(db.session, made, NOW)
    calls = next(row for row in live["rows"] if row["key"] == "calls")
    assert calls["actual"] == 3
    coaching.share(db.session, made, now=NOW)
    db.session.commit()
    log(org.ada, org.calls, NOW - timedelta(minutes=30), quantity=4)
    later = NOW + timedelta(hours=1)
    frozen = coaching.snapshot(db.session, made, later)
    assert next(row for row in frozen["rows"] if row["key"] == "calls")["actual"] == 3
    fresh = coaching.live_snapshot(db.session, made, later)
    assert next(row for row in fresh["rows"] if row["key"] == "calls")["actual"] == 7


def test_the_shared_snapshot_on_the_page_stays_while_the_scorecard_moves(org, auth, client):
    log(org.ada, org.calls, NOW - timedelta(hours=1), quantity=3)
    made = start(org)
    coaching.share(db.session, made, now=NOW)
    db.session.commit()
    log(org.ada, org.calls, NOW - timedelta(minutes=30), quantity=4)
    auth.sign_in("ada@example.com")
    assert 'data-snapshot="calls" data-actual="3.0"' in client.get(f"/coaching/{made.id}").text
    assert screens.cell(client.get("/scorecard").text, f"person-{org.ada.id}-calls")[0] == 7


# Done-when 3: action items carry forward and close once


def test_an_open_action_item_carries_forward_and_closes_once(org):
    first = start(org)
    item = coaching.add_action_item(db.session, first, owner=org.ada, text="Call ten leads",
                                    now=NOW)
    done = coaching.add_action_item(db.session, first, owner=org.ada, text="Done already",
                                    now=NOW)
    coaching.close_action_item(db.session, done, by=org.mara, in_session=first, now=NOW)
    coaching.share(db.session, first, now=NOW)
    db.session.commit()
    second = start(org)
    assert coaching.carried_items(db.session, second) == [item]
    assert coaching.close_action_item(db.session, item, by=org.mara, in_session=second,
                                      now=NOW)
    assert not coaching.close_action_item(db.session, item, by=org.ada, now=NOW)
    db.session.commit()
    assert item.closed_by_id == org.mara.id and item.closed_in_session_id == second.id
    assert coaching.carried_items(db.session, second) == [item]  # shown closed, where it was
    third = start(org)
    assert coaching.carried_items(db.session, third) == []
    assert db.session.scalar(select(func.count()).select_from(ActionItem)) == 2


# The rep's side and the log


def test_the_rep_answers_acknowledges_and_only_others_reads_are_logged(org):
    made = start(org)
    text_section = made.sections[2]
    with pytest.raises(coaching.CoachingError):
        coaching.answer(db.session, text_section, rep=org.ada, text="Early", now=NOW)
    coaching.share(db.session, made, now=NOW)
    coaching.answer(db.session, text_section, rep=org.ada, text="Demos", now=NOW)
    with pytest.raises(coaching.CoachingError):
        coaching.answer(db.session, made.sections[1], rep=org.ada, text="No", now=NOW)
    assert coaching.acknowledge(db.session, made, rep=org.ada, now=NOW)
    assert not coaching.acknowledge(db.session, made, rep=org.ada, now=at(2026, 12, 1))
    coaching.record_read(db.session, made, org.ada, "page", NOW)
    coaching.record_read(db.session, made, org.mara, "page", NOW)
    db.session.commit()
    assert [read.reader_id for read in db.session.scalars(select(SessionRead))] == [org.mara.id]
    assert list(coaching.reads_of(db.session, org.ada)) == [made.id]


def test_a_private_note_is_its_authors_alone(org):
    made = start(org)
    coaching.set_private_note(db.session, made, author=org.mara, body="Seems tired", now=NOW)
    db.session.commit()
    assert coaching.private_note(db.session, made, org.mara).body == "Seems tired"
    assert coaching.private_note(db.session, made, org.ada) is None


def test_a_coach_sees_reps_not_coached_lately(org):
    start(org)
    quiet = [rep.name for rep, _ in coaching.quiet_reps(db.session, org.mara, NOW)]
    assert quiet == ["Bo"]


# The pages


def page_of(auth, client, email, url):
    auth.sign_in(email)
    answer = client.get(url)
    auth.sign_out()
    return answer


def test_only_those_who_may_see_a_session_open_it(org, auth, client):
    made = start(org)
    url = f"/coaching/{made.id}"
    assert page_of(auth, client, "mara@example.com", url).status_code == 200
    assert page_of(auth, client, "ada@example.com", url).status_code == 404  # a draft
    coaching.share(db.session, made, now=NOW)
    db.session.commit()
    assert page_of(auth, client, "ada@example.com", url).status_code == 200
    for email in ("bo@example.com", "cy@example.com", "olga@example.com", "exec@example.com",
                  "admin@example.com"):
        for path in (url, f"{url}/print", f"/people/{org.ada.id}/coaching"):
            assert page_of(auth, client, email, path).status_code == 404, (email, path)
    assert page_of(auth, client, "mara@example.com", "/coaching/999999").status_code == 404


def test_a_coach_starts_fills_and_shares_a_session_and_the_rep_answers(org, auth, client):
    auth.sign_in("mara@example.com")
    form = client.get(f"/people/{org.ada.id}/coaching/new?metric={org.calls.id}")
    assert form.status_code == 200 and "Europe/Rome" in form.text
    answer = auth.post(f"/people/{org.ada.id}/coaching/new", {
        "template_id": org.template.id, "metric_id": org.calls.id, "period_kind": "week",
        "title": "", "scheduled_date": "2026-11-30", "scheduled_time": "10:00",
    }, page="/coaching")
    assert answer.status_code == 302
    made = db.session.scalar(select(coaching.CoachingSession))
    assert made.scheduled_for == at(2026, 11, 30, 9)  # 10:00 in Rome
    assert made.metric_id == org.calls.id and made.title == "Weekly 1:1"
    url = f"/coaching/{made.id}"
    rating, text_section, checklist = made.sections[1], made.sections[2], made.sections[3]
    assert auth.post(url, {
        "title": "Week 48", f"section-{rating.id}": "2", f"section-{checklist.id}": "CRM updated",
        "shared_notes": "Great demos", "scheduled_date": "2026-11-30", "scheduled_time": "10:00",
    }, page=url).status_code == 302
    auth.post(f"{url}/private-note", {"body": "Watch her energy"}, page=url)
    auth.post(f"{url}/action-items", {"text": "Book 3 demos", "owner": str(org.ada.id),
                                      "due_on": "2026-12-04"}, page=url)
    auth.post(f"{url}/share", page=url)
    db.session.expire_all()
    assert made.is_shared and made.title == "Week 48" and rating.value == 2
    assert checklist.value == ["CRM updated"]
    auth.sign_out()

    auth.sign_in("ada@example.com")
    page = client.get(url)
    assert "Great demos" in page.text and "Watch her energy" not in page.text
    auth.post(f"{url}/acknowledge", page=url)
    auth.post(f"/coaching/sections/{text_section.id}/answer", {"answer": "The demo at Rossi"},
              page=url)
    item = db.session.scalar(select(ActionItem))
    assert auth.post(f"/coaching/action-items/{item.id}/close", {"back": "index"},
                     page="/coaching").headers["Location"] == "/coaching"
    mine = client.get("/coaching").text
    reads = db.session.scalars(select(SessionRead)).all()
    assert reads and {read.reader_id for read in reads} == {org.mara.id}
    assert f"Opened {len(reads)} times by others" in mine and "Mara ·" in mine
    auth.sign_out()

    db.session.expire_all()
    assert made.acknowledged_at is not None and item.closed_by_id == org.ada.id
    auth.sign_in("mara@example.com")
    assert "The demo at Rossi" in client.get(url).text
    # The coach's own page and fragment show her note; the fragment is a block, not a page.
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Watch her energy" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]


def test_a_rep_cannot_answer_or_acknowledge_for_someone_else(org, auth, client):
    made = start(org)
    coaching.share(db.session, made, now=NOW)
    db.session.commit()
    auth.sign_in("bo@example.com")
    assert auth.post(f"/coaching/{made.id}/acknowledge", page="/coaching").status_code == 404
    assert auth.post(f"/coaching/sections/{made.sections[2].id}/answer", {"answer": "x"},
                     page="/coaching").status_code == 404
    auth.sign_out()
    auth.sign_in("ada@example.com")
    assert auth.post(f"/coaching/{made.id}/share", page="/coaching").status_code == 403
    assert auth.post(f"/coaching/{made.id}", {"title": "Mine"},
                     page="/coaching").status_code == 403


def test_bad_input_gets_a_clear_4xx(org, auth, client):
    made = start(org)
    url = f"/coaching/{made.id}"
    foreign = CoachingTemplate(organization_id=org.organization.id, name="Later foreign")
    db.session.add(foreign)
    db.session.commit()
    foreign.organization_id = org.organization.id  # same org, then checked below with bad ids
    auth.sign_in("mara@example.com")
    new = f"/people/{org.ada.id}/coaching/new"
    for data in ({"template_id": "999999", "metric_id": "0", "period_kind": "week"},
                 {"template_id": "0", "metric_id": "0", "period_kind": "century"},
                 {"template_id": "0", "metric_id": "0", "period_kind": "week",
                  "scheduled_date": "2026-13-45"},
                 {"template_id": "x", "metric_id": "0", "period_kind": "week"},
                 {"template_id": "0", "metric_id": "0", "period_kind": "week",
                  "title": "x" * 500}):
        answer = auth.post(new, data, page="/coaching")
        assert answer.status_code == 422, data
    huge = "x" * 20_000
    assert auth.post(f"{url}/private-note", {"body": huge}, page=url).status_code == 400
    assert auth.post(f"{url}/agenda", {"text": huge}, page=url).status_code == 400
    assert auth.post(url, {"title": "T", f"section-{made.sections[1].id}": "7"},
                     page=url).status_code == 400
    assert "rating scale" in auth.post(url, {"title": "T", f"section-{made.sections[1].id}":
                                             "7"}, page=url).text
    assert auth.post(url, {"title": "T", "shared_notes": huge}, page=url).status_code == 422
    assert auth.post(f"{url}/obstacles", {"category": "aliens"}, page=url).status_code == 400
    assert auth.post("/coaching/action-items/99999999999/close",
                     page=url).status_code == 404
    assert client.get(f"/people/{org.cy.id}/coaching/new").status_code == 404


# The ways in: a rep's scorecard and the team grid


def test_whoever_coaches_the_rep_starts_from_their_scorecard_or_a_cell_that_is_behind(
        org, auth, client):
    auth.sign_in("mara@example.com")
    card = client.get(f"/people/{org.ada.id}/scorecard").text
    assert f"/people/{org.ada.id}/coaching/new" in card
    grid = client.get(f"/teams/{org.field.id}?period={screens.WEEK_KEY}").text
    # Nothing logged by Wednesday noon: every call target is behind, so each rep has a way in.
    assert (f"/people/{org.ada.id}/coaching/new?metric={org.calls.id}"
            f"&amp;period={screens.WEEK_KEY}") in grid
    form = client.get(f"/people/{org.ada.id}/coaching/new?metric={org.calls.id}"
                      "&period=month-2026-11-01").text
    assert f'<option selected value="{org.calls.id}">' in form
    assert 'value="2026-11-01"' in form and '<option selected value="month">' in form
    auth.sign_out()
    auth.sign_in("exec@example.com")  # sees every scorecard, leads no team: coaches nobody
    assert "/coaching/new" not in client.get(f"/people/{org.ada.id}/scorecard").text


# Reminders


def test_an_owner_is_reminded_the_day_before_and_once_overdue_through_the_job(org, clock):
    from datetime import date

    from jobs.action_items import remind_action_items
    from models import Notification

    made = start(org)
    tomorrow = coaching.add_action_item(db.session, made, owner=org.ada, text="Send the quote",
                                        due_on=date(2026, 11, 26), now=NOW)
    late = coaching.add_action_item(db.session, made, owner=org.mara, text="Ask finance",
                                    due_on=date(2026, 11, 20), now=NOW)
    coaching.add_action_item(db.session, made, owner=org.ada, text="Ancient",
                             due_on=date(2026, 10, 1), now=NOW)
    coaching.share(db.session, made, now=NOW)
    db.session.commit()

    clock.at(at(2026, 11, 25, 6, 30))  # 07:30 in Rome: too early
    remind_action_items()
    assert db.session.scalars(select(Notification).where(
        Notification.kind == "action_item_due")).all() == []
    db.session.rollback()  # end the test's read: the job writes through its own
    clock.at(NOW)
    remind_action_items()
    remind_action_items()  # once each
    db.session.rollback()
    sent = db.session.scalars(select(Notification).where(
        Notification.kind == "action_item_due").order_by(Notification.id)).all()
    assert [(entry.recipient_id, entry.params["title"], entry.params["overdue"])
            for entry in sent] == [(org.ada.id, "Send the quote", False),
                                   (org.mara.id, "Ask finance", True)]
    coaching.close_action_item(db.session, tomorrow, by=org.ada, now=NOW)
    db.session.commit()
    clock.at(at(2026, 11, 27, 9))  # the quote was sent; finance was asked about already
    remind_action_items()
    db.session.rollback()
    assert len(db.session.scalars(select(Notification).where(
        Notification.kind == "action_item_due")).all()) == 2
    assert late.is_open


def test_the_rep_adds_to_the_agenda_of_a_planned_draft_without_seeing_it(org, auth, client):
    planned = start(org, scheduled_for=at(2026, 11, 30, 9), title="Monday 1:1")
    unplanned = start(org)
    coaching.set_private_note(db.session, planned, author=org.mara, body="Not for Ada", now=NOW)
    coaching.add_agenda_item(db.session, planned, author=org.mara, text="Pipeline", now=NOW)
    db.session.commit()
    auth.sign_in("ada@example.com")
    mine = client.get("/coaching").text
    assert "Monday 1:1" in mine and "Pipeline" in mine and "Not for Ada" not in mine
    answer = auth.post(f"/coaching/{planned.id}/agenda", {"text": "My pricing question",
                                                          "back": "index"}, page="/coaching")
    assert answer.status_code == 302 and answer.headers["Location"] == "/coaching"
    assert "My pricing question" in client.get("/coaching").text
    assert client.get(f"/coaching/{planned.id}").status_code == 404
    assert auth.post(f"/coaching/{unplanned.id}/agenda", {"text": "x"},
                     page="/coaching").status_code == 404
    auth.sign_out()
    auth.sign_in("bo@example.com")
    assert auth.post(f"/coaching/{planned.id}/agenda", {"text": "x"},
                     page="/coaching").status_code == 404
