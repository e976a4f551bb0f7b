"""Every route answers every kind of caller as blueprints/authorization_matrix.py declares.

The walk asks each route of app.url_map, by every method it takes, as each kind of caller,
with its URL naming the objects of "the team" and a POST carrying the caller's own CSRF
token, so what is tested is who may reach the route, not the form. One organisation is built
for the whole module; a request that may use up its object (a delete, an undo) gets one made
for it.

A route that names an object by id is walked again with an id no row has: whoever the matrix
lets past the sign-in and role checks must then get 404, as for an object they may not see,
so that an answer never tells whether an id exists.
"""

import uuid
from datetime import UTC, date, datetime
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

import pytest

from app import create_app
from blueprints.authorization_matrix import CALLERS, MATRIX, OK, SIGN_IN, expected
from config import TestConfig
from extensions import db
from models import CoachingSessionSection
from services import activities, coaching, feedback, notifications, target_settings, values
from tests.conftest import Auth, Factory, IsolatedClient, _empty_tables, csrf_token

# Flask answers OPTIONS itself from the URL map, running no view and saying nothing of any
# object: only which methods the URL takes.
UNWALKED_METHODS = {"OPTIONS"}


def signed_out(client):
    return csrf_token(client.get("/sign-in").text)


def signed_in_as(email):
    def sign_in(client):
        assert Auth(client).sign_in(email).status_code == 302, f"{email} cannot sign in"
        return csrf_token(client.get("/account/password").text)

    return sign_in


# How a fresh test client becomes each kind of caller; each returns the CSRF token its POSTs
# carry. A kind that is not a person (a TV display, an API token) sets what it sends on every
# request here, e.g. client.environ_base["HTTP_AUTHORIZATION"].
BECOMING = {
    "signed_out": signed_out,
    "rep": signed_in_as("rep@example.com"),
    "new_hire": signed_in_as("new-hire@example.com"),
    "team_manager": signed_in_as("team-manager@example.com"),
    "other_manager": signed_in_as("other-manager@example.com"),
    "executive": signed_in_as("executive@example.com"),
    "admin": signed_in_as("admin@example.com"),
    "foreign_admin": signed_in_as("admin@elsewhere.example"),
}

# What each URL argument names. Objects a request may use up are made afresh for each one,
# so that a delete one caller may make does not turn the next caller's answer into a 404.
ARGUMENTS = {
    "team_id": lambda org: org.team.id,
    "person_id": lambda org: org.rep.id,
    "user_id": lambda org: org.rep.id,
    "metric_id": lambda org: org.calls.id,
    "template_id": lambda org: _new_template(org).id,
    "entry_id": lambda org: _new_time_off(org).id,
    "activity_id": lambda org: _new_activity(org).id,
    "filename": lambda org: "css/pacer.css",
    "notification_id": lambda org: _new_notification(org).id,
    "invitation_token": lambda org: _new_link(org, "invitation"),
    "reset_token": lambda org: _new_link(org, "password_reset"),
    "feedback_id": lambda org: _new_feedback(org).id,
    "value_id": lambda org: _new_value(org).id,
    "coaching_template_id": lambda org: _coaching_template(org).id,
    "template_section_id": lambda org: _new_template_section(org).id,
    "request_id": lambda org: _new_coaching_request(org).id,
    "series_id": lambda org: _new_coaching_series(org).id,
    "session_id": lambda org: _new_coaching_session(org).id,
    "session_section_id": lambda org: _new_coaching_session(org).sections[0].id,
    "action_item_id": lambda org: _new_action_item(org).id,
    "failure_id": lambda org: _new_job_failure(org).id,
}

# An id no row has: a route answers it as it answers an object the caller may not see, so
# that no one learns from an answer whether an id exists.
NOTHING = 999_999

# What a route needs in its query string to get past the checks that are not about access;
# `named(argument)` is what ARGUMENTS names (or NOTHING, when the walk names nothing).
QUERIES = {
    "scorecards.company_team": lambda named: {"metric": "calls"},
    "scorecards.activities": lambda named: {"person": named("person_id"), "metric": "calls"},
    "feedback.give": lambda named: {"to": named("person_id")},
}

# The body a POST needs to get past the checks that are not about access (the CSRF token is
# added to every one).
FORMS = {
    "coaching.add_agenda": lambda org: {"text": "Pipeline"},
    "coaching.add_action_item": lambda org: {"text": "Call back", "owner": str(org.rep.id)},
    "coaching.add_obstacle": lambda org: {"category": "external"},
    "today.log": lambda org: {"metric": "calls", "client_id": str(uuid.uuid4()),
                              "quantity": "1"},
}
JSON_BODIES = {
    "api.activities": lambda org: {"device_id": "matrix", "pending": 0, "activities": [{
        "client_id": str(uuid.uuid4()), "metric": "calls", "quantity": 1,
        "occurred_at": datetime.now(UTC).isoformat().replace("+00:00", "Z")}]},
}

# Routes after which the caller is signed out, and signs in again for the next request.
ENDS_THE_SESSION = {"auth.sign_out"}


@pytest.fixture(scope="module")
def app(_schema):
    app = create_app(_schema)
    app.test_client_class = IsolatedClient
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def org(app):
    """HQ > the team (led by the team's manager: the rep, the new hire) and another team."""
    make = Factory(app)
    calls = make.metric("calls")
    hq = make.team("HQ")
    team_manager = make.user("team-manager@example.com", roles=("manager",))
    other_manager = make.user("other-manager@example.com", roles=("manager",))
    team = make.team("The team", parent=hq, managers=[team_manager])
    make.team("Another team", parent=hq, managers=[other_manager])
    rep = make.user("rep@example.com", team=team)
    make.user("new-hire@example.com", team=team, started_on=date.today())
    make.user("executive@example.com", roles=("executive",))
    make.user("admin@example.com", roles=("admin",))
    elsewhere = Factory(app)
    elsewhere.organization.name = "Elsewhere"
    elsewhere.metric("calls")
    elsewhere.user("admin@elsewhere.example", roles=("admin",))
    return SimpleNamespace(organization=make.organization, calls=calls, hq=hq, team=team,
                           team_manager=team_manager, rep=rep)


@pytest.fixture(autouse=True)
def standing(org):
    """Put back, before each case, what the walk's answers rest on.

    An admin's POST to an edit form that carries no fields is allowed and saves the form as
    sent: its unticked boxes deactivate the team or the metric, and take the team's managers.
    """
    org.team.parent, org.team.managers, org.team.active = org.hq, [org.team_manager], True
    org.calls.key, org.calls.active = "calls", True
    org.rep.team, org.rep.roles, org.rep.active = org.team, ("rep",), True
    db.session.commit()


def _new_template(org):
    template = target_settings.save_template(
        db.session, org.organization, None, name="The team's", role=None, teams=[org.team],
        items=[dict(metric_id=org.calls.id, weight=1, cap_percent=150, period_kind="week",
                    target=10)])
    db.session.commit()
    return template


def _new_time_off(org):
    entry = target_settings.add_time_off(db.session, org.rep, date(2026, 12, 24),
                                         date(2026, 12, 24))
    db.session.commit()
    return entry


def _new_activity(org):
    recorded = activities.record(db.session, user=org.rep, metric=org.calls,
                                 occurred_at=datetime.now(UTC),
                                 calendar=org.organization.calendar)
    db.session.commit()
    return recorded.activity


def _new_feedback(org):
    given = feedback.give(db.session, org.team_manager, org.rep, kind="praise",
                          body="Well done.", now=datetime.now(UTC))
    db.session.commit()
    return given


def _new_value(org):
    value = values.save_value(db.session, org.organization, None, name=f"Value {uuid.uuid4()}",
                              description="", behaviours="", active=True)
    db.session.commit()
    return value


def _new_notification(org):
    entry = notifications.notify(db.session, org.rep, "feedback_received",
                                 link=("core.index", {}), now=datetime.now(UTC))
    db.session.commit()
    return entry


def _new_coaching_session(org):
    """The team manager's session with the rep, shared, with a section the rep answers."""
    now = datetime.now(UTC)
    made = coaching.start_session(db.session, coach=org.team_manager, rep=org.rep, now=now)
    made.sections.append(CoachingSessionSection(kind="text", title="How did it go?",
                                                rep_answers=True))
    coaching.share(db.session, made, now=now)
    db.session.commit()
    return made


def _new_action_item(org):
    made = _new_coaching_session(org)
    item = coaching.add_action_item(db.session, made, owner=org.rep, text="Call back",
                                    now=datetime.now(UTC))
    db.session.commit()
    return item


def _new_job_failure(org):
    """An email to the rep that failed for good (a retry or a dismissal uses it up)."""
    import json

    from models import JobFailure

    failure = JobFailure(
        organization_id=org.rep.organization_id, task="jobs.mail.deliver_email",
        summary=f"{org.rep.email} — Hello", error="SMTPDataError: 451", attempts=4,
        arguments=json.dumps([[org.rep.email, "Hello", "Hello"], {}]),
    )
    db.session.add(failure)
    db.session.commit()
    return failure


def _coaching_template(org):
    """The organisation's coaching template, made once: its sections are made per request."""
    from services import coaching_templates

    if getattr(org, "coaching_template", None) is None:
        org.coaching_template = coaching_templates.save_template(
            db.session, org.organization, None, name="Ride-along", description="",
            active=True)
        db.session.commit()
    return org.coaching_template


def _new_template_section(org):
    from services import coaching_templates

    section = coaching_templates.add_section(db.session, _coaching_template(org), kind="text",
                                             title="What went well")
    db.session.commit()
    return section


def _new_link(org, purpose):
    from datetime import timedelta

    from services import invitations

    token = invitations.issue(db.session, org.rep, purpose, lifetime=timedelta(hours=1),
                              now=datetime.now(UTC))
    db.session.commit()
    return token


def _new_coaching_request(org):
    """The rep's open request for a 1:1."""
    from models import CoachingRequest

    made = CoachingRequest(organization_id=org.organization.id, rep=org.rep, kind="one_on_one")
    db.session.add(made)
    db.session.commit()
    return made


def _new_coaching_series(org):
    """The team manager's weekly sessions with the rep."""
    from models import CoachingSeries

    made = CoachingSeries(organization_id=org.organization.id, rep=org.rep,
                          coach=org.team_manager, weekday=0, next_on=date(2026, 12, 7))
    db.session.add(made)
    db.session.commit()
    return made


class Callers:
    """A test client, and its CSRF token, for each kind of caller, made when first asked for."""

    def __init__(self, app):
        self.app, self.signed_in = app, {}

    def __call__(self, kind):
        if kind not in self.signed_in:
            client = self.app.test_client()
            self.signed_in[kind] = client, BECOMING[kind](client)
        return self.signed_in[kind]

    def forget(self, kind):
        self.signed_in.pop(kind, None)


@pytest.fixture(scope="module")
def callers(app, org):
    return Callers(app)


def outcome(response, method):
    """The answer as the matrix names it: OK, SIGN_IN, or the status of a refusal."""
    status = response.status_code
    if status in (401, 403, 404):
        return status
    if 300 <= status < 400:
        # The sign-in check sends the caller to sign in and back where they were going; a
        # view may send them to the sign-in page as its answer (signing out does).
        target = urlsplit(response.headers["Location"])
        return SIGN_IN if target.path == "/sign-in" and "next=" in target.query else OK
    if 200 <= status < 300 or (method == "POST" and status == 422):
        return OK
    return status  # anything else is wrong for every caller


def ask(client, token, rule, method, org, nameless=False):
    """Request `rule` by `method`, its ids naming the team's objects (or, nameless, no row at
    all); (the URL, the response)."""

    def named(name):
        return NOTHING if nameless and name.endswith("_id") else ARGUMENTS[name](org)

    _, path = rule.build({name: named(name) for name in rule.arguments}, append_unknown=False)
    query = QUERIES.get(rule.endpoint, lambda named: {})(named)
    url = f"{path}?{urlencode(query)}" if query else path
    if method != "POST":
        return url, client.open(url, method=method)
    headers = {"X-CSRFToken": token}
    if rule.endpoint in JSON_BODIES:
        return url, client.post(url, json=JSON_BODIES[rule.endpoint](org), headers=headers)
    form = {"csrf_token": token, **FORMS.get(rule.endpoint, lambda org: {})(org)}
    return url, client.post(url, data=form, headers=headers)


def _routes():
    """app.url_map as the tests are collected, from an app that never opens its database."""

    class Routes(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    return create_app(Routes).url_map


# The routes whose URL names an object by id: walked again with ids that name nothing.
NAMING = sorted({rule.endpoint for rule in _routes().iter_rules()
                 if any(name.endswith("_id") for name in rule.arguments)} | QUERIES.keys())

# Where an id that names nothing gets another answer than it should (issue 9). Each is
# expected to fail, strictly: once blueprints/access.py is put right, its line here must go.
NAMELESS_KNOWN_WRONG = {}


def _cases(endpoints, known_wrong=None):
    cases = []
    for endpoint in endpoints:
        for caller in CALLERS:
            reason = (known_wrong or {}).get((endpoint, caller))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(endpoint, caller, marks=marks, id=f"{endpoint}-{caller}"))
    return cases


def _walk(app, org, callers, endpoint, caller, wanted, nameless=False):
    """What went otherwise than `wanted`, asking every method of every rule of `endpoint` as
    `caller`."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]
    assert rules, f"{endpoint} is no longer a route: take its row out of the matrix"
    wrong = []
    for rule in rules:
        for method in sorted(rule.methods - UNWALKED_METHODS):
            client, token = callers(caller)
            url, response = ask(client, token, rule, method, org, nameless)
            if endpoint in ENDS_THE_SESSION:
                callers.forget(caller)
            response.close()  # a static file stays open until then
            got = outcome(response, method)
            if got != wanted:
                wrong.append(f"{method} {url} answered {got} ({response.status_code})")
    return wrong


@pytest.mark.parametrize("endpoint, caller", _cases(MATRIX))
def test_each_route_answers_each_caller_as_the_matrix_says(app, org, callers, endpoint,
                                                          caller):
    wanted = expected(endpoint, caller)
    wrong = _walk(app, org, callers, endpoint, caller, wanted)
    assert not wrong, f"as {caller}, the matrix says {wanted}, but: " + "; ".join(wrong)


@pytest.mark.parametrize("endpoint, caller", _cases(NAMING, NAMELESS_KNOWN_WRONG))
def test_an_id_that_names_nothing_is_answered_as_one_the_caller_may_not_see(
        app, org, callers, endpoint, caller):
    declared = expected(endpoint, caller)
    wanted = declared if declared in (SIGN_IN, 401, 403) else 404
    wrong = _walk(app, org, callers, endpoint, caller, wanted, nameless=True)
    assert not wrong, f"as {caller}, with ids naming nothing, {wanted} is due, but: " + (
        "; ".join(wrong))


def test_every_route_is_in_the_matrix_and_every_row_is_a_route(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(routes - MATRIX.keys()) == [], "routes the matrix does not declare"
    assert sorted(MATRIX.keys() - routes) == [], "rows of the matrix for routes now gone"


def test_every_row_says_what_each_kind_of_caller_gets():
    for endpoint, row in MATRIX.items():
        assert len(row) == len(CALLERS), f"{endpoint} needs one answer per kind of caller"
        assert set(row) <= {OK, SIGN_IN, 401, 403, 404}, endpoint


def test_the_walk_can_be_every_kind_of_caller_and_fill_every_url(app):
    assert set(BECOMING) == set(CALLERS)
    arguments = {name for rule in app.url_map.iter_rules() for name in rule.arguments}
    assert sorted(arguments - ARGUMENTS.keys()) == [], "URL arguments with nothing to name"


def test_the_walk_tells_each_answer_apart(app, org):
    """The classification itself: the sign-in check's redirect is not an allowed redirect."""
    nobody, token = Callers(app)("signed_out")
    assert outcome(nobody.get("/"), "GET") == SIGN_IN
    assert outcome(nobody.get("/api/v1/session"), "GET") == 401
    assert outcome(nobody.get("/healthz"), "GET") == OK
    unfilled = nobody.post("/sign-in", data={"csrf_token": token})
    assert unfilled.status_code == 422 and outcome(unfilled, "POST") == OK  # past the checks
    assert outcome(nobody.post("/sign-in", data={}), "POST") == 400  # no token: CSRF refused
    rep, token = Callers(app)("rep")
    ended = rep.post("/sign-out", data={"csrf_token": token})
    assert ended.headers["Location"] == "/sign-in" and outcome(ended, "POST") == OK
