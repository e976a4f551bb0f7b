"""Forms for coaching sessions: starting one, the coach's entries, the rep's answers."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from blueprints.fields import options, plain_lines, plain_text, strip
from services.coaching import LONGEST_LINE, LONGEST_TEXT

OBSTACLE_LABELS = {
    "work_environment": _l("Work environment"),
    "job_design": _l("Job design"),
    "policies": _l("Policies and practices"),
    "personal": _l("Personal"),
    "external": _l("External factors"),
}
PERIOD_LABELS = {
    "week": _l("The week's numbers"),
    "month": _l("The month's numbers"),
    "quarter": _l("The quarter's numbers"),
}
TOO_LONG = _l("That is too long: keep it to %(max)d characters.")


def _long(most):
    return Length(max=most, message=TOO_LONG)


class WhenFields:
    scheduled_date = DateField(_l("Date"), validators=[Optional()],
                               render_kw={"autocomplete": "off"})
    scheduled_time = TimeField(_l("Time"), validators=[Optional()])


class StartForm(FlaskForm, WhenFields):
    title = StringField(_l("Title"), filters=[strip], validators=[_long(160), plain_text])
    template_id = SelectField(_l("Template"), coerce=int, validate_choice=True)
    metric_id = SelectField(_l("Metric to work on"), coerce=int, validate_choice=True)
    period_kind = SelectField(_l("Scorecard snapshot"), choices=options(PERIOD_LABELS.items()),
                              default="week")
    # A day of the period the snapshot shows (from the grid's period); empty: the current one.
    period_start = DateField(widget=HiddenInput(), validators=[Optional()])


class SessionForm(FlaskForm, WhenFields):
    title = StringField(_l("Title"), filters=[strip],
                        validators=[DataRequired(), _long(160), plain_text])
    shared_notes = TextAreaField(_l("Notes for both of you"), filters=[strip],
                                 validators=[_long(LONGEST_TEXT), plain_lines])


class PrivateNoteForm(FlaskForm):
    body = TextAreaField(_l("Your private note"), filters=[strip],
                         validators=[_long(LONGEST_TEXT), plain_lines])


class AgendaForm(FlaskForm):
    text = StringField(_l("Talking point"), filters=[strip],
                       validators=[DataRequired(), _long(LONGEST_LINE), plain_text])


class ActionItemForm(FlaskForm):
    text = StringField(_l("Action item"), filters=[strip],
                       validators=[DataRequired(), _long(LONGEST_LINE), plain_text])
    owner = SelectField(_l("Who"), choices=[])
    due_on = DateField(_l("Due"), validators=[Optional()])


class ObstacleForm(FlaskForm):
    category = SelectField(_l("What holds them back"), choices=options(OBSTACLE_LABELS.items()))
    note = TextAreaField(_l("Note"), filters=[strip],
                         validators=[_long(LONGEST_LINE * 2), plain_lines])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Your answer"), filters=[strip],
                           validators=[_long(LONGEST_TEXT), plain_lines])


class ConfirmForm(FlaskForm):
    """A button and its CSRF token: share, acknowledge, tick an item."""
