"""Recurring coaching sessions with a rep: set up from the rep's coaching history, changed or
stopped; jobs/coaching.py makes each draft on schedule."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import get_coachable_person, get_coaching_series
from blueprints.coaching_series.forms import SeriesForm
from blueprints.params import bad_request
from blueprints.rendering import render
from extensions import db
from models.types import utcnow
from services import coaching_series, coaching_templates

bp = Blueprint("coaching_series", __name__)

MESSAGES = {
    "weekday": lambda: _("Choose a day of the week."),
    "every_weeks": lambda: _("Choose how often."),
    "template": lambda: _("Choose one of the active templates."),
}


def _form(rep=None, **kwargs):
    templates = coaching_templates.active_templates(db.session, current_user.organization_id)
    if rep is not None:  # a new series: the template the rep's sessions use, first
        suggested = coaching_series.suggested_template(db.session, rep, templates)
        kwargs.setdefault("template_id", suggested.id if suggested else None)
    return SeriesForm(templates=templates, **kwargs)


def _refuse(error):
    bad_request(MESSAGES.get(error.reason, lambda: _("That cannot be saved."))())


@bp.route("/people/<int:person_id>/coaching/series", methods=["GET", "POST"])
def index(person_id):
    """The rep's recurring sessions, and a form to set one up (the history page shows it)."""
    rep = get_coachable_person(person_id)
    form = _form(rep)
    if form.validate_on_submit():
        try:
            coaching_series.start(db.session, coach=current_user, rep=rep, now=utcnow(),
                                  **form.values())
        except coaching_series.SeriesError as error:
            _refuse(error)
        db.session.commit()
        flash(_("Recurring sessions set up."), "success")
        return redirect(url_for("coaching.history", person_id=rep.id))
    return render("coaching/series.html", block="series", status=422 if form.errors else 200,
                  rep=rep, form=form, series_list=coaching_series.of_rep(db.session, rep),
                  days_ahead=coaching_series.DAYS_AHEAD)


@bp.route("/coaching/series/<int:series_id>", methods=["GET", "POST"])
def edit(series_id):
    series = get_coaching_series(series_id)
    form = _form(obj=series, template_id=series.template_id)
    if form.validate_on_submit():
        try:
            coaching_series.change(series, now=utcnow(), **form.values())
        except coaching_series.SeriesError as error:
            _refuse(error)
        db.session.commit()
        flash(_("Saved the recurring sessions."), "success")
        return redirect(url_for("coaching.history", person_id=series.rep_id))
    return render("coaching/series_form.html", status=422 if form.errors else 200,
                  series=series, form=form)


@bp.post("/coaching/series/<int:series_id>/stop")
def stop(series_id):
    series = get_coaching_series(series_id)
    coaching_series.stop(series)
    db.session.commit()
    flash(_("Stopped: no more drafts. Sessions already made stay."), "success")
    return redirect(url_for("coaching.history", person_id=series.rep_id))
