"""Asking for coaching, and starting a session from a request."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import Length, ValidationError

from blueprints.fields import options, plain_lines, strip
from services.coaching_requests import LONGEST_NOTE

KIND_LABELS = {
    "metric": _l("Coaching on a metric"),
    "one_on_one": _l("A 1:1 with my manager"),
}


NOT_AN_ID = -1  # what was sent was no id at all: no choice has it, so validation says so


def optional_id(value):
    """A chosen id, or None for "none" (0 or nothing); NOT_AN_ID for anything else."""
    if value in (None, "", "0", 0):
        return None
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return NOT_AN_ID
    return int(text)


class AskForm(FlaskForm):
    kind = RadioField(_l("What would help"), choices=options(KIND_LABELS.items()),
                      default="one_on_one")
    metric_id = SelectField(_l("Metric"), coerce=optional_id, validate_choice=False)
    note = TextAreaField(
        _l("Anything your manager should know first (optional)"), filters=[strip],
        validators=[Length(max=LONGEST_NOTE), plain_lines])

    def __init__(self, *args, metrics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.metrics = {metric.id: metric for metric in metrics}
        self.metric_id.choices = options(
            [("", _l("Choose a metric"))] + [(metric.id, metric.label) for metric in metrics])

    def validate_metric_id(self, field):
        if field.data is not None and field.data not in self.metrics:
            raise ValidationError(_l("Choose one of the metrics on your scorecard."))
        if self.kind.data == "metric" and field.data is None:
            raise ValidationError(_l("Choose the metric you want help with."))

    @property
    def metric(self):
        return self.metrics.get(self.metric_id.data) if self.kind.data == "metric" else None


class StartForm(FlaskForm):
    template_id = SelectField(_l("Template"), coerce=optional_id, validate_choice=False)

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = {template.id: template for template in templates}
        self.template_id.choices = options(
            [(template.id, template.name) for template in templates]
            + [("", _l("No template: a blank session"))])

    def validate_template_id(self, field):
        if field.data is not None and field.data not in self.templates:
            raise ValidationError(_l("Choose one of the templates."))

    @property
    def template(self):
        return self.templates.get(self.template_id.data)
