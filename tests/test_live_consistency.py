"""While the whole organisation logs (phones syncing, the Today form, removals, a CRM feed) the
team grids and the executive view keep answering; once the writes stop, every number they show
equals a recount from the raw activity rows within SHARED_LAG (5 s) on the app's clock."""

import random
import re
import threading
import traceback
import uuid
from collections import defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from blueprints.scorecards.views import amount
from extensions import begin_write, db
from models import Activity, Metric, Team, User, UserRole
from periods import period_at
from services import activities, freshness, scorecards, target_settings
from tests.conftest import Auth, at

NOW = at(2026, 11, 25, 15, 42, 1)  # a Wednesday afternoon in Rome
STREAM_SECONDS = 2.5
TICK = timedelta(seconds=1)  # the app's clock moves a second every tenth of a real one
CELL = re.compile(r'data-cell="([^"]+)"\s+data-actual="([^"]*)"')


class Recount:
    """What counts, straight from the activity rows: counted and not deleted, each person's
    day taken in the organisation's timezone from when it happened (not from the stored
    local day) and capped at the metric's daily cap; only active reps, as scorecards add up."""

    def __init__(self, session, organization):
        zone = ZoneInfo(organization.timezone)
        metrics = session.scalars(
            select(Metric).where(Metric.organization_id == organization.id)).all()
        self.metrics = {metric.key: metric for metric in metrics}
        caps = {metric.id: metric.daily_cap for metric in metrics}
        days = defaultdict(float)
        for row in session.scalars(select(Activity)):
            if row.counted and row.deleted_at is None:
                days[(row.user_id, row.metric_id, row.occurred_at.astimezone(zone).date())] += (
                    row.quantity)
        self.days = {key: min(total, caps[key[1]]) if caps[key[1]] is not None else total
                     for key, total in days.items()}
        people = session.scalars(select(User).where(User.organization_id == organization.id,
                                                    User.active.is_(True))).all()
        rep_ids = set(session.scalars(select(UserRole.user_id).where(UserRole.role == "rep")))
        self.reps = {person.id: person.team_id for person in people if person.id in rep_ids}
        teams = session.scalars(select(Team).where(Team.organization_id == organization.id,
                                                   Team.active.is_(True))).all()
        self.parents = {team.id: team.parent_id for team in teams}

    def members(self, team_id):
        """The active reps of a team and of every active team beneath it."""
        found = []
        for person_id, team_id_of in self.reps.items():
            seen = team_id_of
            while seen is not None and seen in self.parents:
                if seen == team_id:
                    found.append(person_id)
                    break
                seen = self.parents[seen]
        return found

    def actual(self, user_ids, key, period):
        metric_id = self.metrics[key].id
        return sum(self.days.get((user_id, metric_id, day), 0.0)
                   for user_id in user_ids for day in period.days)

    def expected(self, cell, period):
        """The recount for a page's data-cell name: person-<id>-<metric>, team-<id>-<metric>
        or company-<metric>."""
        kind, rest = cell.split("-", 1)
        if kind == "company":
            return self.actual(list(self.reps), rest, period)
        subject, key = rest.split("-", 1)
        ids = [int(subject)] if kind == "person" else self.members(int(subject))
        return self.actual(ids, key, period)


def shows(html, cell, value):
    """The cell's visible text carries the number as the page formats it."""
    start = html.index(f'data-cell="{cell}"')
    return f">{amount(value)}<" in html[start:start + 1200]


class Writers:
    """Threads, each with its own app context (so its own database session and connection),
    running until told to stop; what goes wrong in any of them is kept to fail the test."""

    def __init__(self, app):
        self.app, self.stop, self.failures, self.threads = app, threading.Event(), [], []

    def start(self, loop, at_least):
        """Run `loop` until told to stop, and at least `at_least` times: SQLite's one writer
        at a time may leave a thread waiting most of the stream."""

        def run():
            with self.app.app_context():
                try:
                    done = 0
                    while not (self.stop.is_set() and done >= at_least) and not self.failures:
                        loop()
                        done += 1
                except BaseException:
                    self.failures.append(traceback.format_exc())
                finally:
                    db.session.remove()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.threads.append(thread)

    def join(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in self.threads), "a thread hangs"
        assert not self.failures, "\n".join(self.failures)


@pytest.fixture
def acme(app, make, clock):
    """A region of three teams and a rep of its own, a team outside it, seven reps, an
    inactive rep with activities, three metrics (a daily cap, a quality gate, a CRM feed),
    goals at every level, and activities from before the stream."""
    clock.at(NOW)
    italy = make.team("Italy")
    teams = {name: make.team(name, parent=italy) for name in ("Milan", "Rome", "Turin")}
    export = make.team("Export")
    reps = {
        "ada": make.user("ada@example.com", team=teams["Milan"]),
        "bo": make.user("bo@example.com", team=teams["Milan"]),
        "cy": make.user("cy@example.com", team=teams["Rome"]),
        "di": make.user("di@example.com", team=teams["Rome"]),
        "ed": make.user("ed@example.com", team=teams["Turin"]),
        "fay": make.user("fay@example.com", team=italy),
        "gus": make.user("gus@example.com", team=export),
    }
    gone = make.user("gone@example.com", team=teams["Milan"])
    make.user("exec@example.com", roles=("executive",))
    calls = make.metric("calls", daily_cap=6, position=1)
    demos = make.metric("demos", quality_min=30, quality_unit="minutes", position=2)
    revenue = make.metric("revenue", aggregation="sum", kind="lagging", unit="EUR", position=3)
    organization = make.organization
    for metric, value in ((calls, 400), (demos, 60), (revenue, 90_000)):
        target_settings.set_goal(db.session, organization, level="company", metric=metric,
                                 kind="month", value=value * 4)
        target_settings.set_goal(db.session, organization, level="team", metric=metric,
                                 kind="week", value=value, subject_id=italy.id)
    target_settings.set_goal(db.session, organization, level="team", metric=calls,
                             kind="week", value=60, subject_id=teams["Milan"].id)
    target_settings.set_goal(db.session, organization, level="person", metric=calls,
                             kind="week", value=25, subject_id=reps["ada"].id)
    for person in (*reps.values(), gone):
        for metric, quantity, value in ((calls, 1, None), (demos, 1, 45), (revenue, 900, None)):
            activities.record(db.session, user=person, metric=metric, quantity=quantity,
                              value=value, occurred_at=NOW - timedelta(days=2, hours=3),
                              calendar=organization.calendar)
    gone.active = False
    db.session.commit()
    return organization, italy, [*teams.values(), export], reps


def signed_in(app, email):
    client = app.test_client()
    assert Auth(client).sign_in(email).status_code == 302
    return client


def stamp(moment, rng):
    """An instant as a phone sends it: with its UTC offset, in Rome or in UTC."""
    return moment.astimezone(rng.choice([ZoneInfo("Europe/Rome"), ZoneInfo("UTC")])).isoformat()


def when(rng, now):
    """A moment of the last ten days, often close to local midnight (the day it counts for
    is the organisation's, not UTC's), never after `now`."""
    moment = now - timedelta(days=rng.randint(0, 9), minutes=rng.randint(0, 600))
    if rng.random() < 0.3:  # 22:30-23:30 UTC: the next day in Rome
        moment = moment.replace(hour=22, minute=rng.randint(30, 59)) - timedelta(days=1)
    return min(moment, now)


def item(rng, now):
    metric = rng.choice(["calls", "calls", "demos", "revenue"])
    fields = {"client_id": str(uuid.uuid4()), "metric": metric,
              "occurred_at": stamp(when(rng, now), rng)}
    if metric == "demos":
        fields["value"] = rng.choice([10, 29.99, 30, 45])
    if metric == "revenue":
        fields["quantity"] = round(rng.uniform(50, 5000), 2)
    return fields


def test_every_number_on_the_team_grids_and_the_executive_view_is_a_recount_within_5_s(
        app, acme, clock):
    organization, region, teams, reps = acme
    calendar, clocks = organization.calendar, [NOW]
    writers, sent = Writers(app), defaultdict(int)
    phones = [(signed_in(app, f"{name}@example.com"), random.Random(seed))
              for seed, name in enumerate(("ada", "bo", "cy", "di", "ed"))]
    web, executive = signed_in(app, "fay@example.com"), signed_in(app, "exec@example.com")
    fay_id, crm_people = reps["fay"].id, [reps["gus"].id, reps["cy"].id]
    tokens = {id(client): client.get("/api/v1/session").json["csrf_token"]
              for client, _rng in phones}
    web_token = web.get("/api/v1/session").json["csrf_token"]

    def sync():
        for client, rng in phones:
            batch = [item(rng, clocks[-1]) for _ in range(rng.randint(1, 8))]
            for answer in range(1 + (rng.random() < 0.2)):  # now and then, a lost answer
                response = client.post("/api/v1/activities", json={"activities": batch},
                                       headers={"X-CSRFToken": tokens[id(client)]})
                assert response.status_code == 200, (response.status_code, response.text)
                statuses = [result["status"] for result in response.json["results"]]
                assert statuses == ["duplicate" if answer else "created"] * len(batch), statuses
            sent["sync"] += len(batch)

    web_rng = random.Random(7)

    def log_on_the_web():
        metric = web_rng.choice(["calls", "demos", "revenue"])
        typed = when(web_rng, clocks[-1]).astimezone(ZoneInfo("Europe/Rome"))
        data = {"csrf_token": web_token, "metric": metric, "client_id": str(uuid.uuid4()),
                "quantity": "1" if metric != "revenue" else str(web_rng.randint(10, 900)),
                "value": str(web_rng.choice([5, 30, 50])) if metric == "demos" else "",
                "occurred_at": typed.strftime("%Y-%m-%dT%H:%M")}
        response = web.post("/today/log", data=data)
        assert response.status_code == 302, (response.status_code, response.text[:2000])
        sent["web"] += 1
        if web_rng.random() < 0.35:  # take back the latest one, as the Today page offers
            latest = db.session.scalar(
                select(Activity.id).where(Activity.user_id == fay_id,
                                          Activity.deleted_at.is_(None))
                .order_by(Activity.created_at.desc(), Activity.id.desc()).limit(1))
            response = web.post(f"/today/activities/{latest}/undo",
                                data={"csrf_token": web_token})
            assert response.status_code == 302, (response.status_code, response.text[:2000])
            sent["undone"] += 1

    crm_rng = random.Random(11)

    def crm_feed():
        """The CRM's deals, as an import writes them: services.activities.record, in a write
        transaction begun as the app begins a request's (SQLite's write lock up front)."""
        db.session.commit()
        begin_write(db.session)
        person = db.session.get(User, crm_rng.choice(crm_people))
        revenue = db.session.scalar(select(Metric).where(Metric.key == "revenue"))
        deal = dict(quantity=round(crm_rng.uniform(100, 9000), 2),
                    occurred_at=when(crm_rng, clocks[-1]),
                    external_id=f"deal-{crm_rng.randint(0, 10**9)}")
        for _again in range(2):  # the feed sends each deal twice: it is stored once
            activities.record(db.session, user=person, metric=revenue, calendar=calendar,
                              source="crm", **deal)
            db.session.commit()
            begin_write(db.session)
        db.session.commit()
        sent["crm"] += 1

    def look():
        """The very pages checked at the end, so what the page cache keeps is what is checked."""
        for response, _period in every_page(executive, [region, *teams],
                                            ("calls", "demos", "revenue"), calendar,
                                            clocks[-1]):
            assert response.status_code == 200, (response.request.url, response.status_code)
            sent["looks"] += 1

    for loop, at_least in ((sync, 4), (log_on_the_web, 8), (crm_feed, 8), (look, 1)):
        writers.start(loop, at_least)
    pause = threading.Event()
    for _tick in range(int(STREAM_SECONDS * 10)):
        if pause.wait(0.1) or writers.failures:
            break
        clocks.append(clocks[-1] + TICK)
        clock.at(clocks[-1])
    writers.join()
    assert sent["sync"] >= 20 and sent["web"] >= 8 and sent["crm"] >= 8, sent

    # The last writes, at the start of a minute (so of a step of the clock): every page is
    # kept just before them, and must show them SHARED_LAG later, however long it is kept.
    stopped = (clocks[-1] + timedelta(minutes=1)).replace(second=0, microsecond=0)
    clock.at(stopped)
    clocks.append(stopped)
    look()
    client, rng = phones[0]
    last = [item(rng, stopped) | {"metric": "revenue", "quantity": 777.77} for _ in range(3)]
    response = client.post("/api/v1/activities", json={"activities": last},
                           headers={"X-CSRFToken": tokens[id(client)]})
    assert [result["status"] for result in response.json["results"]] == ["created"] * 3
    sent["sync"] += 3
    log_on_the_web()
    clock.at(stopped + freshness.SHARED_LAG)
    db.session.commit()  # end this test's own transaction: read what the threads wrote
    recount = Recount(db.session, organization)
    assert recount.days, "nothing was logged"
    gates = [(row.counted, row.metric.qualifies(row.value))
             for row in db.session.scalars(select(Activity))]
    assert all(counted == qualifies for counted, qualifies in gates)
    checked = check_pages(app, executive, recount, calendar, stopped + freshness.SHARED_LAG,
                          [region, *teams])
    assert checked >= 150
    check_services(recount, organization, calendar, stopped + freshness.SHARED_LAG)
    created = db.session.scalar(select(func.count(Activity.id)))
    assert created == 8 * 3 + sent["sync"] + sent["web"] + sent["crm"]  # each exactly once


def every_page(executive, teams, keys, calendar, now):
    """(response, period) of every team grid and of the executive view (each metric's cascade,
    with every team's people opened), for the week and the month of `now`."""
    for kind in ("week", "month"):
        period = period_at(kind, now, calendar)
        for team in teams:
            yield executive.get(f"/teams/{team.id}?period={period.key}"), period
        for key in keys:
            company = executive.get(f"/company?period={period.key}&metric={key}")
            yield company, period
            for url in re.findall(r'hx-get="(/company/teams/[^"]+)"', company.text):
                yield executive.get(url.replace("&amp;", "&"),
                                    headers={"HX-Request": "true"}), period


def check_pages(app, executive, recount, calendar, now, teams):
    """Every data-cell of every page: each equals the recount, and shows it. Returns how many
    numbers were checked."""
    checked, seen = 0, defaultdict(set)
    with app.test_request_context():
        for response, period in every_page(executive, teams, recount.metrics, calendar, now):
            assert response.status_code == 200, response.request.path
            found = CELL.findall(response.text)
            assert found, response.request.path
            for cell, shown in found:
                expected = recount.expected(cell, period)
                assert float(shown) == pytest.approx(expected, abs=0.01), (
                    response.request.url, cell, period.key)
                assert shows(response.text, cell, float(shown)), (cell, period.key)
                if cell.startswith("person-"):
                    seen[period.kind].add(int(cell.split("-")[1]))
                checked += 1
        # Every active rep was on some page, in both periods.
        assert seen["week"] == seen["month"] == set(recount.reps)
    return checked


def check_services(recount, organization, calendar, now):
    """The objects the views render, straight from the services: each line of the company's
    cascade and of every team's grid, every metric."""
    period = period_at("month", now, calendar)
    view = scorecards.company_view(db.session, organization, period, now)
    for line in [view.company, *view.tree]:
        for metric in view.metrics:
            name = (f"company-{metric.key}" if line.kind == "company"
                    else f"{line.kind}-{line.subject.id}-{metric.key}")
            assert line.cell(metric).actual == pytest.approx(
                recount.expected(name, period), abs=0.01), name
