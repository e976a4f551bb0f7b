"""The organisation's values, in the admin area: listed, added, changed, moved, deactivated."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from blueprints.access import get_in_organization, roles_required
from blueprints.admin.views import bp
from blueprints.fields import options, plain_lines, plain_text, strip
from blueprints.rendering import render
from extensions import db
from models import Value
from services import values


class ValueForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip],
                       validators=[DataRequired(), Length(max=80), plain_text])
    description = TextAreaField(_l("What it means"), filters=[strip],
                                validators=[Length(max=1000), plain_lines])
    behaviours = TextAreaField(_l("Behaviours that show it (one a line)"), filters=[strip],
                               validators=[Length(max=3000), plain_lines])
    active = BooleanField(_l("Active: offered in feedback and reviews"), default=True)

    def __init__(self, *args, name_taken=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.name_taken = name_taken

    def validate_name(self, field):
        if self.name_taken is not None and self.name_taken(field.data):
            raise ValidationError(_l("Another value already has this name."))

    def values(self):
        return dict(name=self.name.data, description=self.description.data or "",
                    behaviours=self.behaviours.data or "", active=self.active.data)


class MoveForm(FlaskForm):
    direction = RadioField(choices=options([("up", "up"), ("down", "down")]))


@bp.get("/values")
@roles_required("admin")
def values_list():
    return render("admin/values.html", block="values",
                  values=values.values(db.session, current_user.organization_id))


@bp.route("/values/new", methods=["GET", "POST"])
@roles_required("admin")
def create_value():
    return _value_form(None)


@bp.route("/values/<int:value_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def update_value(value_id):
    return _value_form(get_in_organization(Value, value_id))


def _value_form(value):
    organization = current_user.organization
    form = ValueForm(obj=value, name_taken=lambda name: values.name_taken(
        db.session, organization.id, name, except_value=value))
    if form.validate_on_submit():
        saved = values.save_value(db.session, organization, value, **form.values())
        db.session.commit()
        flash(_("Saved the value %(name)s.", name=saved.name), "success")
        return redirect(url_for("admin.values_list"))
    return render("admin/value_form.html", form=form, value=value,
                  status=422 if form.errors else 200)


@bp.post("/values/<int:value_id>/move")
@roles_required("admin")
def move_value(value_id):
    """Move a value one place up or down the list people see."""
    value = get_in_organization(Value, value_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return render("admin/values.html", status=422,
                      values=values.values(db.session, current_user.organization_id))
    values.move(db.session, value, -1 if form.direction.data == "up" else 1)
    db.session.commit()
    return redirect(url_for("admin.values_list", _anchor=f"value-{value.id}"))
