"""Scorecards: a rep's own, a team's grid, the company's goals, and the activities behind them.

Every screen takes ?period=<key> (the period switcher keeps its state in the URL) and answers
htmx requests with just its block.
"""

from functools import lru_cache

from babel.dates import format_skeleton
from babel.numbers import parse_pattern
from flask import Blueprint, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from blueprints import page_cache
from blueprints.access import (
    get_loggable_metric,
    get_number_scope,
    get_visible_person,
    get_visible_team,
    roles_required,
)
from blueprints.params import bad_request, int_arg, period_arg
from blueprints.rendering import render
from extensions import db
from models.types import utcnow
from services import (
    breadcrumbs,
    coaching,
    drill_down,
    freshness,
    pace,
    period_nav,
    scorecards,
    visibility,
)

bp = Blueprint("scorecards", __name__)


@bp.app_template_filter("amount")
def amount(value):
    """A number as a person reads it, in their locale: 2.5, 12, 1,250, 412,300.

    Always in full: a table never shows "14K" beside "8,913", and Italian and Japanese shorten
    at other places (mila, 万) than English, so a short form would mix formats in a column.
    """
    if value is None:
        return "–"
    return _amount(value, get_locale())


@bp.app_template_filter("target_amount")
def target_amount(value, metric):
    """A target as shown: of a metric that counts things, the whole number it takes.

    A prorated target of 2.7 proposals asks for 3 (reaching 3 meets it, 2 does not); the
    allowance of a lower-is-better count rounds down for the same reason. Pace already counts
    whole things (services.pace.due), so the number shown and the judgement agree.
    """
    if value is None:
        return "–"
    return _amount(pace.whole_target(value, metric), get_locale())


def _shown_target(cell):
    """The target as the page shows it (whole, for counted things), or None when there is
    nothing to measure against: bars and shares agree with the number beside them."""
    target = cell.target
    if not target or target <= 0:
        return None
    return pace.whole_target(target, cell.metric) or None


@bp.app_template_filter("progress")
def progress(cell):
    """How far the actual has come toward the target shown, 0 to 100, for a drawn bar."""
    target = _shown_target(cell)
    if target is None:
        return None
    return max(0.0, min(100.0, round(cell.actual / target * 100, 1)))


@bp.app_template_filter("of_target")
def of_target(cell):
    """The actual as a share of the target shown (1.0 is all of it), or None without one."""
    target = _shown_target(cell)
    return None if target is None else cell.actual / target


@bp.app_template_filter("due_mark")
def due_mark(cell):
    """Where on the bar (0 to 100) what is due by now sits; None when there is none."""
    target, expected = _shown_target(cell), cell.pace.expected
    if target is None or expected is None:
        return None
    return max(0.0, min(100.0, round(expected / target * 100, 1)))


@bp.app_template_filter("score")
def score(value):
    """A score as a whole number: 100 is on pace, and tenths of a point mean nothing to anyone."""
    if value is None:
        return "–"
    return _amount(float(round(value)), get_locale())


@bp.app_template_filter("score_band")
def score_band(value):
    """The status a score reads as, on the same bands as pace: 100 is on pace everywhere."""
    if value is None:
        return "no_target"
    ratio = value / 100
    return "ahead" if ratio >= pace.AHEAD_AT else "behind" if ratio < pace.BEHIND_BELOW \
        else "on_pace"


@bp.app_template_filter("dateskeleton")
def dateskeleton(value, skeleton):
    """A date in the person's language, from a CLDR skeleton (which fields, not their order):
    "yMMMM" is "December 2026", "dicembre 2026", "2026年12月"."""
    return format_skeleton(skeleton, value, locale=get_locale())


# A grid shows the same targets and small counts over and over, and Babel's formatting is
# a large share of rendering it: the text depends only on the number and the locale.
@lru_cache(maxsize=8192)
def _amount(value, locale):
    pattern = _WHOLE if abs(value) >= 100 else _ONE_DECIMAL
    return pattern.apply(value, locale)


_WHOLE, _ONE_DECIMAL = parse_pattern("#,##0"), parse_pattern("#,##0.#")


@bp.app_template_global()
def status_labels(ended):
    """{status: (words, icon)}: the same five for every cell, so translated once a page."""
    return {
        "ahead": (_("Beat target") if ended else _("Ahead"), "▲"),
        "on_pace": (_("On target") if ended else _("On pace"), "●"),
        "behind": (_("Missed") if ended else _("Behind"), "▼"),
        "not_started": (_("Nothing due yet"), "○"),
        "no_target": (_("No target"), "–"),
    }


def _scorecard(person):
    now = utcnow()
    calendar = person.organization.calendar
    period = period_arg(calendar, now)
    return page_cache.serve(
        freshness.person_stamp(person), now,
        lambda: render("scorecards/scorecard.html", block="scorecard",
                       card=scorecards.rep_scorecard(db.session, person, period, now),
                       nav=period_nav.PeriodNav.of(period, now, calendar),
                       trail=breadcrumbs.trail(db.session, current_user, person),
                       may_coach=coaching.can_coach(db.session, current_user, person)))


@bp.get("/scorecard")
@roles_required("rep")
def mine():
    """The signed-in rep's own scorecard."""
    return _scorecard(current_user)


@bp.get("/people/<int:person_id>/scorecard")
def person(person_id):
    return _scorecard(get_visible_person(person_id))


@bp.get("/teams")
@roles_required("manager", "executive", "admin")
def teams():
    """The teams one may look into; a manager of one team goes straight to it."""
    visible = visibility.visible_teams(db.session, current_user)
    led = current_user.managed_teams
    if len(led) == 1 and not current_user.has_role("executive", "admin"):
        return redirect(url_for("scorecards.team", team_id=led[0].id))
    return render("scorecards/teams.html", teams=visible)


@bp.get("/teams/<int:team_id>")
def team(team_id):
    team = get_visible_team(team_id)
    now, calendar = utcnow(), team.organization.calendar
    period = period_arg(calendar, now)
    sort, order = request.args.get("sort", "name"), request.args.get("order", "asc")
    return page_cache.serve(freshness.team_stamp(team, now), now,
                            lambda: _team_grid(team, period, now, sort, order))


def _team_grid(team, period, now, sort, order):
    try:
        grid = scorecards.team_grid(db.session, team, period, now, sort, order)
    except scorecards.UnknownSort:
        bad_request(_("The team grid cannot be sorted that way."))
    return render("scorecards/team.html", block="grid", grid=grid,
                  may_coach=team.id in coaching.led_team_ids(db.session, current_user),
                  trail=breadcrumbs.trail(db.session, current_user, team),
                  nav=period_nav.PeriodNav.of(period, now, team.organization.calendar))


@bp.get("/company")
@roles_required("executive", "admin")
def company():
    now, organization = utcnow(), current_user.organization
    period = period_arg(organization.calendar, now, default_kind="month")
    metric = get_loggable_metric(request.args["metric"]) if request.args.get("metric") else None
    return page_cache.serve(
        freshness.organization_stamp(organization, now), now,
        lambda: render("scorecards/company.html", block="company",
                       view=scorecards.company_view(db.session, organization, period, now,
                                                    metric),
                       nav=period_nav.PeriodNav.of(period, now, organization.calendar)))


@bp.get("/company/teams/<int:team_id>")
@roles_required("executive", "admin")
def company_team(team_id):
    """A team's people in the executive view's cascade, fetched when the team is opened."""
    team = get_visible_team(team_id)
    if not request.args.get("metric"):
        bad_request(_("Say which metric: ?metric=calls, for example."))
    metric = get_loggable_metric(request.args["metric"])
    now, organization = utcnow(), current_user.organization
    period = period_arg(organization.calendar, now, default_kind="month")
    return page_cache.serve(
        freshness.organization_stamp(organization, now), now,
        lambda: render("scorecards/company_team.html", block="people",
                       view=scorecards.company_team(db.session, organization, team, period,
                                                    now, metric),
                       trail=breadcrumbs.trail(db.session, current_user, team)))


@bp.get("/activities")
def activities():
    """The activities behind one number: a person's, a team's or the company's."""
    scope = {name: int_arg(name) for name in ("person", "team") if int_arg(name) is not None}
    subject = get_number_scope(scope.get("person"), scope.get("team"))
    if not request.args.get("metric"):
        bad_request(_("Say which metric: ?metric=calls, for example."))
    metric = get_loggable_metric(request.args["metric"])
    now, calendar = utcnow(), current_user.organization.calendar
    period = period_arg(calendar, now)
    people = drill_down.people_of(db.session, subject)
    behind = drill_down.activities_behind(db.session, [p.id for p in people], metric, period,
                                          page=int_arg("page") or 1)
    return render("scorecards/activities.html", block="activities", behind=behind,
                  subject=subject, scope=scope, metric=metric, many=len(people) > 1,
                  trail=breadcrumbs.trail(db.session, current_user, subject),
                  nav=period_nav.PeriodNav.of(period, now, calendar))
