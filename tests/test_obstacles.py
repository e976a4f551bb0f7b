"""The obstacles report: counts by category, team and month for the teams one may look into;
a note only where the viewer may see the session it was recorded in; never a private note."""

from types import SimpleNamespace

import pytest

from extensions import db
from services import coaching, obstacles
from tests.conftest import Auth, Factory, at


@pytest.fixture
def org(app, make, clock):
    """HQ (Rosa) > Team A (Mia: Rita, Remo) and Team B (Bea: Bruno). Mia coaches Rita and
    Remo, Bea coaches Bruno; obstacles recorded over three months (Europe/Rome)."""
    clock.at(at(2026, 12, 15, 12))
    regional = make.user("rosa@example.com", roles=("manager",), name="Rosa Regional")
    mia = make.user("mia@example.com", roles=("manager",), name="Mia Manager")
    bea = make.user("bea@example.com", roles=("manager",), name="Bea Boss")
    hq = make.team("HQ", managers=[regional])
    team_a = make.team("Team A", parent=hq, managers=[mia])
    team_b = make.team("Team B", parent=hq, managers=[bea])
    rita = make.user("rita@example.com", team=team_a, name="Rita Rep")
    remo = make.user("remo@example.com", team=team_a, name="Remo Rep")
    bruno = make.user("bruno@example.com", team=team_b, name="Bruno Rep")
    make.user("exec@example.com", roles=("executive",))
    make.user("admin@example.com", roles=("admin",))
    Factory(app).user("admin@elsewhere.example", roles=("admin",))

    def session_with(coach, rep, *found, private=None):
        started = coaching.start_session(db.session, coach=coach, rep=rep, title="1:1",
                                         now=at(2026, 10, 1))
        for category, note, when in found:
            coaching.record_obstacle(db.session, started, category=category, note=note,
                                     by=coach, now=when)
        if private:
            coaching.set_private_note(db.session, started, author=coach, body=private,
                                      now=at(2026, 10, 1))
        db.session.commit()
        return started

    session_with(mia, rita,
                 ("work_environment", "Car broke down twice", at(2026, 10, 5, 9)),
                 ("work_environment", "No parking at the depot", at(2026, 11, 30, 23, 30)),
                 private="PRIVATE: worried about Rita's health")
    session_with(mia, remo, ("policies", "Discount approval takes a week", at(2026, 12, 2)))
    session_with(bea, bruno, ("external", "Competitor price cut", at(2026, 12, 3)))
    session_with(bea, bruno, ("external", "Too old to count", at(2026, 6, 3)))
    return SimpleNamespace(**locals())


def as_(app, email):
    client = app.test_client()
    assert Auth(client).sign_in(email).status_code == 302
    return client


def test_counts_fall_by_category_team_and_local_month(org):
    report = obstacles.report(db.session, org.regional, span=3, now=at(2026, 12, 15, 12))
    assert [month.start.isoformat() for month in report.months] == [
        "2026-10-01", "2026-11-01", "2026-12-01"]
    counts = {each.category: each.cells for each in report.categories}
    # 23:30 UTC on 30 November is 1 December in Rome: the organisation's month.
    october, december = report.months[0].start, report.months[2].start
    assert counts["work_environment"] == {(org.team_a.id, october): 1,
                                          (org.team_a.id, december): 1}
    assert counts["policies"] == {(org.team_a.id, december): 1}
    assert counts["external"] == {(org.team_b.id, december): 1}  # June is outside 3 months
    assert counts["job_design"] == counts["personal"] == {}
    assert report.total == 4
    assert obstacles.report(db.session, org.regional, span=12,
                            now=at(2026, 12, 15, 12)).total == 5


def test_a_manager_counts_only_the_teams_they_lead(org):
    report = obstacles.report(db.session, org.mia, span=6, now=at(2026, 12, 15, 12))
    assert [team.name for team in report.teams] == ["Team A"]
    assert report.total == 3


def test_the_manager_reads_their_teams_notes_and_nothing_private(app, org):
    page = as_(app, "mia@example.com").get("/obstacles?months=3")
    assert page.status_code == 200
    assert "Car broke down twice" in page.text and "Discount approval" in page.text
    assert "Competitor price cut" not in page.text and "PRIVATE" not in page.text
    for heading in ("Work environment", "Job design", "Policies and practices",
                    "Personal problems", "External factors"):
        assert heading in page.text


def test_an_executive_sees_counts_but_no_note_and_no_private_note(app, org):
    page = as_(app, "exec@example.com").get("/obstacles?months=3")
    assert page.status_code == 200
    assert "Team A" in page.text and "Team B" in page.text
    assert "4 obstacles recorded in this period." in page.text
    for note in ("Car broke down", "No parking", "Discount approval", "Competitor", "PRIVATE"):
        assert note not in page.text
    admin = as_(app, "admin@example.com").get("/obstacles?months=3")
    assert "4 obstacles recorded" in admin.text and "Car broke down" not in admin.text


def test_another_manager_sees_neither_counts_nor_notes_of_a_team_they_do_not_lead(app, org):
    page = as_(app, "bea@example.com").get("/obstacles?months=3")
    assert "Competitor price cut" in page.text and "Team A" not in page.text
    assert "Car broke down" not in page.text
    assert as_(app, "bea@example.com").get(
        f"/obstacles?team={org.team_a.id}").status_code == 404


def test_the_team_filter_and_the_fragment(app, org):
    client = as_(app, "rosa@example.com")
    fragment = client.get(f"/obstacles?months=12&team={org.team_b.id}",
                          headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert "2 obstacles recorded" in fragment.text and "Car broke down" not in fragment.text


@pytest.mark.parametrize("query", ["months=5", "months=abc", "team=x", "team=99999999999"])
def test_a_bad_filter_is_a_400(app, org, query):
    assert as_(app, "rosa@example.com").get(f"/obstacles?{query}").status_code == 400


def test_reps_and_another_organisation_see_nothing(app, org):
    assert as_(app, "rita@example.com").get("/obstacles").status_code == 403
    foreign = as_(app, "admin@elsewhere.example").get("/obstacles?months=12")
    assert foreign.status_code == 200 and "0 obstacles recorded" in foreign.text
    assert "Team A" not in foreign.text
