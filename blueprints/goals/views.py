"""Goals: scorecard templates, company, team and person targets, and time off.

Managers change their teams' goals and their people's overrides and time off; executives and
administrators change everything, including the company's goals and role templates.
"""

from datetime import timedelta

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import (
    LEADS,
    can_edit_template,
    get_editable_person,
    get_editable_template,
    get_editable_time_off,
    get_visible_team,
    roles_required,
)
from blueprints.goals.forms import TemplateForm, TimeOffForm, goal_values, goals_form
from blueprints.params import choice_arg, period_arg
from blueprints.rendering import render
from extensions import db
from models.types import utcnow
from periods import PERIOD_KINDS, local_date
from services import goal_sheets, lines, target_settings, visibility

bp = Blueprint("goals", __name__, url_prefix="/goals")

SCOPE_ARGS = ("period", "kind")


@bp.get("")
@roles_required(*LEADS)
def index():
    organization = current_user.organization
    editable = [each for each in target_settings.templates(db.session, organization)
                if can_edit_template(each)]
    return render("goals/index.html", templates=editable,
                  teams=visibility.visible_teams(db.session, current_user))


@bp.route("/templates/new", methods=["GET", "POST"])
@roles_required(*LEADS)
def new_template():
    return _template_form(None)


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
def edit_template(template_id):
    return _template_form(get_editable_template(template_id))


def _template_form(template):
    organization = current_user.organization
    metrics = lines.active_metrics(db.session, organization.id)
    teams = visibility.visible_teams(db.session, current_user)
    form = TemplateForm(data=_template_data(template, metrics), teams=teams,
                        may_set_role=current_user.has_role("executive", "admin"))
    if form.validate_on_submit():
        known = {metric.id for metric in metrics}
        template = target_settings.save_template(
            db.session, organization, template, name=form.name.data, role=form.role.data,
            teams=[team for team in teams if team.id in form.team_ids.data],
            items=[item for item in form.item_values() if item["metric_id"] in known],
        )
        db.session.commit()
        flash(_("Saved the scorecard template %(name)s.", name=template.name), "success")
        return redirect(url_for("goals.index"))
    return render("goals/template.html", form=form, scorecard_template=template,
                  metrics={metric.id: metric for metric in metrics},
                  status=422 if form.errors else 200)


def _template_data(template, metrics):
    """What the form shows before anything is posted: a line per active metric."""
    items = {item.metric_id: item for item in (template.items if template else [])}
    lines = []
    for metric in metrics:
        item = items.get(metric.id)
        lines.append(dict(
            metric_id=metric.id, included=item is not None,
            weight=item.weight if item else 1, cap_percent=item.cap_percent if item else 150,
            period_kind=item.period_kind if item else "week",
            target=item.target if item else None,
        ))
    if template is None:
        return dict(role="", items=lines)
    return dict(name=template.name, role=template.role or "",
                team_ids=[team.id for team in template.teams], items=lines)


@bp.post("/templates/<int:template_id>/delete")
def delete_template(template_id):
    template = get_editable_template(template_id)
    db.session.delete(template)
    db.session.commit()
    flash(_("Deleted the scorecard template %(name)s.", name=template.name), "info")
    return redirect(url_for("goals.index"))


@bp.route("/company", methods=["GET", "POST"])
@roles_required("executive", "admin")
def company():
    return _sheet("company", current_user.organization)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def team(team_id):
    return _sheet("team", get_visible_team(team_id))


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
def person(person_id):
    return _sheet("person", get_editable_person(person_id))


def _sheet(level, subject):
    """The goals of one level and scope: shown, saved, or one suggestion accepted."""
    organization, now = current_user.organization, utcnow()
    kind, start = _scope(organization.calendar, now, "month" if level == "company" else "week")
    sheet = goal_sheets.sheet(db.session, organization, level, subject, kind, now, start)
    metrics = [row.metric for row in sheet.rows]
    form = goals_form(metrics, data={f"m{row.metric.id}": row.stored for row in sheet.rows})
    if form.validate_on_submit():
        values = _accepted(sheet) or goal_values(form, metrics)
        goal_sheets.save(db.session, organization, level, subject, kind, values, start,
                         by=current_user)
        db.session.commit()
        flash(_("Targets saved."), "success")
        return redirect(url_for(request.endpoint, **request.view_args, **_scope_args()))
    return render("goals/sheet.html", sheet=sheet, form=form, kinds=PERIOD_KINDS,
                  status=422 if form.errors else 200)


def _scope(calendar, now, default_kind):
    """(kind, first day or None): the standing goals of a kind, or those of one period."""
    if request.args.get("period"):
        period = period_arg(calendar, now)
        return period.kind, period.start
    return choice_arg("kind", PERIOD_KINDS, default_kind), None


def _scope_args():
    """The query parameters naming the sheet's scope, checked by _scope: the only ones the
    redirect after saving keeps (any other could collide with url_for's own arguments)."""
    return {name: request.args[name] for name in SCOPE_ARGS if request.args.get(name)}


def _accepted(sheet):
    """{metric: suggestion} when the Accept button of one suggestion was pressed."""
    chosen = request.form.get("accept", type=int)
    row = next((row for row in sheet.rows if row.metric.id == chosen), None)
    if row is None or row.suggestion is None:
        return None
    return {row.metric: row.suggestion}


@bp.route("/people/<int:person_id>/time-off", methods=["GET", "POST"])
def time_off(person_id):
    person = get_editable_person(person_id)
    form = TimeOffForm()
    if form.validate_on_submit():
        target_settings.add_time_off(db.session, person, form.first_day.data,
                                     form.last_day.data, form.note.data, by=current_user)
        db.session.commit()
        flash(_("Time off saved: %(name)s's targets shrink to match.", name=person.name),
              "success")
        return redirect(url_for("goals.time_off", person_id=person.id))
    since = local_date(utcnow(), person.organization.calendar) - timedelta(days=92)
    return render("goals/time_off.html", person=person, form=form,
                  entries=target_settings.time_off(db.session, person, since),
                  status=422 if form.errors else 200)


@bp.post("/time-off/<int:entry_id>/delete")
def delete_time_off(entry_id):
    entry = get_editable_time_off(entry_id)
    person_id = entry.user_id
    db.session.delete(entry)
    db.session.commit()
    flash(_("Time off removed."), "info")
    return redirect(url_for("goals.time_off", person_id=person_id))
