"""A recurring series: which weekday, how often, with which template."""

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import ValidationError

from blueprints.coaching_requests.forms import optional_id
from blueprints.fields import options
from services.coaching_series import MAX_EVERY_WEEKS


def whole(value):
    """A small whole number; -1 (no choice has it) for anything else."""
    text = str(value if value is not None else "")
    if not (text.isascii() and text.isdigit() and len(text) <= 2):
        return -1
    return int(text)


class SeriesForm(FlaskForm):
    weekday = SelectField(_l("Day"), coerce=whole, default=0)
    every_weeks = SelectField(_l("How often"), coerce=whole, default=1)
    template_id = SelectField(_l("Template"), coerce=optional_id, validate_choice=False)

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        days = get_day_names("wide", locale=get_locale())
        self.weekday.choices = options((day, days[day][:1].upper() + days[day][1:])
                                       for day in range(7))
        self.every_weeks.choices = options(
            (weeks, _("Every %(num)s weeks", num=weeks) if weeks > 1 else _("Every week"))
            for weeks in range(1, MAX_EVERY_WEEKS + 1))
        self.templates = {template.id: template for template in templates}
        self.template_id.choices = options(
            [(template.id, template.name) for template in templates]
            + [("", _l("No template: a blank session"))])

    def validate_template_id(self, field):
        if field.data is not None and field.data not in self.templates:
            raise ValidationError(_l("Choose one of the templates."))

    def values(self):
        return dict(weekday=self.weekday.data, every_weeks=self.every_weeks.data,
                    template=self.templates.get(self.template_id.data))
