"""Forms for scorecard templates, goals and time off."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from blueprints.fields import Between, NumberField, plain_text

KIND_LABELS = {
    "day": _l("a day"),
    "week": _l("a week"),
    "month": _l("a month"),
    "quarter": _l("a quarter"),
    "year": _l("a year"),
}
ROLE_LABELS = {
    "": _l("No role: only the teams chosen below"),
    "rep": _l("Every sales rep without a team template"),
}
MOST = 1_000_000_000_000


def options(pairs):
    """(value, label) pairs as SelectChoices, as WTForms wants them."""
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value):
    return value.strip() if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ItemForm(Form):
    """One metric's line in a template (a sub-form: the template form carries the CSRF token)."""

    metric_id = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    included = BooleanField(_l("On the scorecard"))
    weight = NumberField(_l("Weight"), default=1, validators=[Optional(), Between(0, 1000)])
    cap_percent = NumberField(
        _l("Cap (%)"), default=150,
        validators=[Optional(), Between(100, 1000, message=_l("Use a cap from 100% to 1000%."))],
    )
    period_kind = SelectField(_l("Target per"), choices=options(KIND_LABELS.items()),
                              default="week")
    target = NumberField(_l("Default target"), validators=[Optional(), Between(0, MOST)])

    def values(self):
        return dict(
            metric_id=self.metric_id.data,
            weight=1.0 if self.weight.data is None else self.weight.data,
            cap_percent=150.0 if self.cap_percent.data is None else self.cap_percent.data,
            period_kind=self.period_kind.data,
            target=self.target.data,
        )


class TemplateForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip],
                       validators=[DataRequired(), Length(max=120), plain_text])
    role = SelectField(_l("Applies to"), choices=options(ROLE_LABELS.items()), default="")
    team_ids = CheckboxesField(_l("Teams (and the teams beneath them without their own)"),
                               coerce=int)
    items = FieldList(FormField(ItemForm))

    def __init__(self, *args, teams=(), may_set_role=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_set_role = may_set_role
        self.team_ids.choices = options((team.id, team.name) for team in teams)

    def validate_role(self, field):
        if field.data and not self.may_set_role:
            raise ValidationError(_l("Only executives and administrators set role templates."))

    def validate_team_ids(self, field):
        if not self.may_set_role and not field.data:
            raise ValidationError(_l("Choose at least one of your teams."))

    def item_values(self):
        return [entry.form.values() for entry in self.items if entry.form.included.data]


def goals_form(metrics, **kwargs):
    """A form with one optional number per metric, named m<metric id>."""

    class GoalsForm(FlaskForm):
        pass

    for metric in metrics:
        setattr(GoalsForm, f"m{metric.id}", NumberField(
            metric.label, validators=[Optional(), Between(0, MOST)]
        ))
    return GoalsForm(**kwargs)


def goal_values(form, metrics):
    """{metric: value or None} from a goals form."""
    return {metric: form[f"m{metric.id}"].data for metric in metrics}


class TimeOffForm(FlaskForm):
    first_day = DateField(_l("First day"), validators=[DataRequired()])
    last_day = DateField(_l("Last day"), validators=[DataRequired()])
    note = StringField(_l("Note"), filters=[strip],
                       validators=[Optional(), Length(max=200), plain_text])

    def validate_last_day(self, field):
        if self.first_day.data and field.data and field.data < self.first_day.data:
            raise ValidationError(_l("The last day cannot come before the first."))
        if self.first_day.data and field.data and (field.data - self.first_day.data).days > 366:
            raise ValidationError(_l("Enter at most a year at a time."))

