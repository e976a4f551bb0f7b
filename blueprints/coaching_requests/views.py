"""A rep asks for coaching from their scorecard; their coaches see the open requests and
answer one by starting a session."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import (
    get_answerable_coaching_request,
    get_own_coaching_request,
    roles_required,
)
from blueprints.coaching_requests.forms import KIND_LABELS, AskForm, StartForm
from blueprints.params import bad_request
from blueprints.rendering import render
from extensions import db
from models.types import utcnow
from services import coaching_requests, coaching_series, coaching_templates, lines

bp = Blueprint("coaching_requests", __name__)

MESSAGES = {
    "kind": lambda: _("Choose coaching on a metric, or a 1:1."),
    "metric": lambda: _("Choose one of the metrics on your scorecard."),
    "too_long": lambda: _("Keep the note to 1,000 characters."),
    "closed": lambda: _("This request was withdrawn or answered already."),
}


@bp.context_processor
def labels():
    return dict(request_kind_labels=KIND_LABELS)


def _refuse(error):
    bad_request(MESSAGES.get(error.reason, lambda: _("That cannot be saved."))())


def _prefilled_metric(metrics):
    """The metric named by ?metric=<key> (the scorecard's "Ask for coaching on this")."""
    key = request.args.get("metric")
    return next((metric for metric in metrics if metric.key == key), None)


@bp.route("/coaching/ask", methods=["GET", "POST"])
@roles_required("rep")
def ask():
    """Ask for coaching on a metric, or for a 1:1; the rep's own requests below."""
    metrics = lines.active_metrics(db.session, current_user.organization_id)
    form = AskForm(metrics=metrics)
    if request.method == "GET" and (metric := _prefilled_metric(metrics)) is not None:
        form.kind.data, form.metric_id.data = "metric", metric.id
    if form.validate_on_submit():
        try:
            _made, new = coaching_requests.ask(
                db.session, current_user, kind=form.kind.data, metric=form.metric,
                note=form.note.data, now=utcnow())
        except coaching_requests.RequestError as error:
            _refuse(error)
        db.session.commit()
        flash(_("Sent: your manager will set up a time.") if new
              else _("You asked for this already: it is still open."), "success")
        return redirect(url_for("coaching_requests.ask"))
    return render("coaching/ask.html", status=422 if form.errors else 200, form=form,
                  mine=coaching_requests.of_rep(db.session, current_user),
                  managers=coaching_requests.managers_of(current_user))


@bp.post("/coaching/requests/<int:request_id>/withdraw")
def withdraw(request_id):
    found = get_own_coaching_request(request_id)
    if coaching_requests.withdraw(found, now=utcnow()):
        flash(_("Withdrawn."), "success")
    db.session.commit()
    return redirect(url_for("coaching_requests.ask"))


@bp.get("/coaching/requests")
def index():
    """Open requests from the reps one coaches (the coaching index shows them too)."""
    if not current_user.managed_teams:
        abort(403)
    return render("coaching/requests.html", block="requests",
                  requests=coaching_requests.open_for_coach(db.session, current_user))


@bp.route("/coaching/requests/<int:request_id>/start", methods=["GET", "POST"])
def start(request_id):
    """Answer a request: start a draft session with the rep, the metric filled in."""
    found = get_answerable_coaching_request(request_id)
    if found.status == "answered" and found.session_id is not None:
        return redirect(url_for("coaching.detail", session_id=found.session_id))
    templates = coaching_templates.active_templates(db.session, current_user.organization_id)
    suggested = coaching_series.suggested_template(db.session, found.rep, templates)
    form = StartForm(templates=templates, template_id=suggested.id if suggested else None)
    if form.validate_on_submit():
        try:
            made = coaching_requests.answer(db.session, found, coach=current_user,
                                            template=form.template, now=utcnow())
        except coaching_requests.RequestError as error:
            _refuse(error)
        db.session.commit()
        flash(_("Draft started for %(name)s's request.", name=found.rep.name), "success")
        return redirect(url_for("coaching.detail", session_id=made.id))
    return render("coaching/request_start.html", status=422 if form.errors else 200,
                  form=form, found=found)
