"""Administration: people, teams, metrics and the organisation's settings."""

from flask import Blueprint, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import get_in_organization, roles_required
from blueprints.admin.forms import (
    AGGREGATION_LABELS,
    DIRECTION_LABELS,
    KIND_LABELS,
    ROLE_LABELS,
    MetricForm,
    OrganizationForm,
    TeamForm,
    UserForm,
)
from blueprints.params import text_arg
from blueprints.rendering import render
from extensions import db
from models import Metric, Team, User
from services import directory
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
    search = text_arg("q")
    people = directory.people(db.session, current_user.organization_id, search)
    return render("admin/users.html", block="people", people=people, search=search)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def create_user():
    form = UserForm(actor=current_user, teams=_teams())
    if form.validate_on_submit():
        user = directory.save_user(
            db.session, current_user.organization, None, **form.values(),
            password_method=current_app.config["PASSWORD_HASH_METHOD"],
        )
        return _saved(_("Added %(name)s.", name=user.name), "admin.users")
    return _form_page("admin/user_form.html", form, user=None)


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


@bp.route("/teams/new", methods=["GET", "POST"])
@roles_required("admin")
def create_team():
    people = directory.people(db.session, current_user.organization_id)
    form = TeamForm(teams=_teams(), people=people)
    if form.validate_on_submit():
        team = directory.save_team(db.session, current_user.organization, None, **form.values())
        return _saved(_("Added the team %(name)s.", name=team.name), "admin.teams")
    return _form_page("admin/team_form.html", form, team=None)


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def update_team(team_id):
    team = get_in_organization(Team, team_id)
    people = directory.people(db.session, current_user.organization_id)
    form = TeamForm(obj=team, team=team, teams=_teams(), people=people,
                    manager_ids=[user.id for user in team.managers])
    if form.validate_on_submit():
        directory.save_team(db.session, current_user.organization, team, **form.values())
        return _saved(_("Saved the team %(name)s.", name=team.name), "admin.teams")
    return _form_page("admin/team_form.html", form, team=team)


@bp.get("/metrics")
@roles_required("admin")
def metrics():
    found = directory.metrics(db.session, current_user.organization_id)
    return render("admin/metrics.html", block="metrics", metrics=found)


@bp.route("/metrics/new", methods=["GET", "POST"])
@roles_required("admin")
def create_metric():
    form = MetricForm(organization_id=current_user.organization_id)
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
    form = MetricForm(obj=metric, metric=metric, organization_id=current_user.organization_id)
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
