"""Administration: people, teams, metrics and the organisation's settings."""

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import get_in_organization, roles_required
from blueprints.admin.forms import (
    AGGREGATION_LABELS,
    DIRECTION_LABELS,
    KIND_LABELS,
    NOT_A_PERSON,
    ROLE_LABELS,
    OrganizationForm,
    TeamForm,
    UserForm,
    metric_form_class,
    parse_ids,
)
from blueprints.auth.links import email_invitation, link_lifetime
from blueprints.params import bad_request, int_arg, text_arg
from blueprints.rendering import render, wants_fragment
from extensions import db
from models import Metric, Team, User
from models.types import utcnow
from services import directory, invitations
from services.accounts import MIN_PASSWORD_LENGTH

bp = Blueprint("admin", __name__, url_prefix="/admin")

@bp.context_processor
def labels():
    return dict(
        role_labels=ROLE_LABELS, kind_labels=KIND_LABELS,
        aggregation_labels=AGGREGATION_LABELS, direction_labels=DIRECTION_LABELS,
        timezone_names=directory.timezone_names, min_password_length=MIN_PASSWORD_LENGTH,
    )


def _form_page(template, form, **context):
    """A form page, with 422 when what was sent did not validate."""
    return render(template, status=422 if form.errors else 200, form=form, **context)


def _teams():
    return directory.team_tree(db.session, current_user.organization_id)


def _saved(message, endpoint):
    """Commit the view's change, say so, and go back to the list (POST, then redirect)."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint))


@bp.get("")
@roles_required("admin")
def index():
    return redirect(url_for("admin.users"))


@bp.get("/users")
@roles_required("admin")
def users():
    return _people_page(text_arg("q"))


def _people_page(search):
    page = directory.people(db.session, current_user.organization_id, search, int_arg("page"))
    return render("admin/users.html", block="people", page=page, search=search)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def create_user():
    form = UserForm(actor=current_user, teams=_teams())
    if form.validate_on_submit():
        method = current_app.config["PASSWORD_HASH_METHOD"]
        user = directory.save_user(
            db.session, current_user.organization, None, **form.values(),
            password_method=method,
        )
        if not form.password.data:  # invited by email to choose their own
            invitations.unusable_password(user, method)
            _invite(user)
            return _saved(_("Added %(name)s and emailed them an invitation.", name=user.name),
                          "admin.users")
        return _saved(_("Added %(name)s.", name=user.name), "admin.users")
    return _form_page("admin/user_form.html", form, user=None)


def _invite(user):
    db.session.flush()
    token = invitations.issue(db.session, user, invitations.INVITATION,
                              lifetime=link_lifetime(invitations.INVITATION), now=utcnow(),
                              created_by=current_user)
    email_invitation(user, token, current_user)


@bp.post("/users/<int:user_id>/invite")
@roles_required("admin")
def invite(user_id):
    """Email the person a new invitation (the earlier links stop working)."""
    user = get_in_organization(User, user_id)
    if not user.active:
        flash(_("%(name)s is deactivated: activate them before inviting them.", name=user.name),
              "error")
        return redirect(url_for("admin.update_user", user_id=user.id))
    _invite(user)
    db.session.commit()
    flash(_("Emailed %(name)s a new invitation.", name=user.name), "success")
    return redirect(url_for("admin.update_user", user_id=user.id))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def update_user(user_id):
    user = get_in_organization(User, user_id)
    form = UserForm(obj=user, user=user, actor=current_user, teams=_teams(),
                    managed_team_ids=[team.id for team in user.managed_teams])
    if form.validate_on_submit():
        directory.save_user(
            db.session, current_user.organization, user, **form.values(),
            password_method=current_app.config["PASSWORD_HASH_METHOD"],
        )
        return _saved(_("Saved %(name)s.", name=user.name), "admin.users")
    return _form_page("admin/user_form.html", form, user=user)


@bp.get("/teams")
@roles_required("admin")
def teams():
    return render("admin/teams.html", block="teams", rows=_teams())


def _team_form_page(form, team):
    """The team form. Sent by a button of its manager search, it comes back with what was
    typed, the managers added or removed and the people found: nothing is saved."""
    found = None
    if form.searching():
        valid = form.search()
        if form.manager_search.data and not form.manager_search.errors:
            found = directory.find_people(
                db.session, current_user.organization_id, form.manager_search.data)
    else:
        valid = not form.errors
    return render("admin/team_form.html", status=200 if valid else 422, form=form, team=team,
                  found=found, search=form.manager_search.data,
                  chosen=set(form.manager_ids.data))


@bp.route("/teams/new", methods=["GET", "POST"])
@roles_required("admin")
def create_team():
    form = TeamForm(teams=_teams(), organization_id=current_user.organization_id)
    if not form.searching() and form.validate_on_submit():
        team = directory.save_team(db.session, current_user.organization, None, **form.values())
        return _saved(_("Added the team %(name)s.", name=team.name), "admin.teams")
    return _team_form_page(form, team=None)


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def update_team(team_id):
    team = get_in_organization(Team, team_id)
    form = TeamForm(obj=team, team=team, teams=_teams(),
                    organization_id=current_user.organization_id,
                    manager_ids=[user.id for user in team.managers])
    if not form.searching() and form.validate_on_submit():
        directory.save_team(db.session, current_user.organization, team, **form.values())
        return _saved(_("Saved the team %(name)s.", name=team.name), "admin.teams")
    return _team_form_page(form, team=team)


@bp.get("/teams/managers")
@roles_required("admin")
def find_managers():
    """The team form's search as you type: the people found, to add as managers (an htmx
    fragment). Opened as a page, it is the People list, searched."""
    search = text_arg("manager_search")
    if not wants_fragment():
        return _people_page(search)
    chosen, bad = parse_ids(request.args.getlist("manager_ids"))
    if bad:
        bad_request(NOT_A_PERSON)
    found = directory.find_people(db.session, current_user.organization_id, search)
    return render("admin/_manager_results.html", block="manager_results", found=found,
                  search=search, chosen=set(chosen))


def _metric_form(**kwargs):
    """The metric form, asking for its words in every language but the default."""
    config = current_app.config
    languages = tuple(language for language in config["LANGUAGES"]
                      if language != config["BABEL_DEFAULT_LOCALE"])
    return metric_form_class(languages)(**kwargs)


@bp.get("/metrics")
@roles_required("admin")
def metrics():
    found = directory.metrics(db.session, current_user.organization_id)
    return render("admin/metrics.html", block="metrics", metrics=found)


@bp.route("/metrics/new", methods=["GET", "POST"])
@roles_required("admin")
def create_metric():
    form = _metric_form(organization_id=current_user.organization_id)
    if form.validate_on_submit():
        metric = directory.save_metric(
            db.session, current_user.organization, None, **form.values()
        )
        return _saved(_("Added the metric %(name)s.", name=metric.name), "admin.metrics")
    return _form_page("admin/metric_form.html", form, metric=None)


@bp.route("/metrics/<int:metric_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def update_metric(metric_id):
    """Edit a metric; a changed quality gate recounts its roll-up in the same transaction."""
    metric = get_in_organization(Metric, metric_id)
    form = _metric_form(obj=metric, metric=metric,
                        organization_id=current_user.organization_id)
    if form.validate_on_submit():
        directory.save_metric(db.session, current_user.organization, metric, **form.values())
        return _saved(_("Saved the metric %(name)s.", name=metric.name), "admin.metrics")
    return _form_page("admin/metric_form.html", form, metric=metric)


@bp.route("/organization", methods=["GET", "POST"])
@roles_required("admin")
def organization():
    organization = current_user.organization
    form = OrganizationForm(obj=organization)
    if form.validate_on_submit():
        directory.save_organization(db.session, organization, **form.values())
        return _saved(_("Saved the organisation's settings."), "admin.organization")
    return _form_page("admin/organization.html", form)
