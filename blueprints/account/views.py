"""A person's own page: who is signed in, their language and timezone, password and sign-out."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.account.forms import PreferencesForm, email_choices_form
from blueprints.notifications import kinds
from blueprints.rendering import render
from extensions import db
from services import directory, notifications

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("", methods=["GET", "POST"])
def index():
    user = current_user._get_current_object()
    form = PreferencesForm(obj=user)
    if form.validate_on_submit():
        directory.save_preferences(user, locale=form.locale.data, timezone=form.timezone.data)
        db.session.commit()
        flash(_("Saved."), "success")  # in the new language: the next page is rendered in it
        return redirect(url_for("account.index"))
    return render(
        "account/index.html", form=form, timezone_names=directory.timezone_names,
        organization_timezone=user.organization.timezone,
        status=422 if form.errors else 200,
    )


@bp.route("/notifications", methods=["GET", "POST"], endpoint="notifications")
def email_choices():
    """Which emails the person gets; the inbox shows everything whatever they choose."""
    user = current_user._get_current_object()
    offered = kinds.offered_to(user)
    form = email_choices_form(offered, kinds.LABELS,
                              notifications.email_choices(db.session, user))
    if form.validate_on_submit():
        notifications.set_email_choices(
            db.session, user, {kind: form[kind].data for kind in offered})
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("account.notifications"))
    return render("account/notifications.html", form=form, offered=offered,
                  status=422 if form.errors else 200)
