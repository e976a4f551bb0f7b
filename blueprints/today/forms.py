from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from blueprints.fields import (
    Between,
    DecimalNumberField,
    NumberRequired,
    plain_lines,
    plain_text,
)
from services import activity_times
from services.activities import parse_client_id

# Why a typed time is refused (services/activity_times.py decides).
TIME_ERRORS = {
    activity_times.IN_FUTURE: _l("That time is in the future."),
    activity_times.TOO_OLD: _l("That time is more than a year ago."),
}


class LogActivityForm(FlaskForm):
    metric = HiddenField(validators=[DataRequired()])
    client_id = HiddenField(validators=[DataRequired()])
    details = HiddenField()  # "1" from the Details form: a refusal opens it again
    quantity = DecimalNumberField(
        _l("How many"), default=1,
        validators=[NumberRequired(), Between(0.01, 1_000_000_000)],
    )
    value = DecimalNumberField(_l("Measured value"), validators=[Optional(), Between(0, 1_000_000)])
    occurred_at = DateTimeLocalField(
        _l("When"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()]
    )
    # Control characters are looked for first: Optional takes "\x1f" for blank space.
    note = TextAreaField(_l("Note"), validators=[plain_lines, Optional(), Length(max=1000)])
    account = StringField(_l("Account"), validators=[plain_text, Optional(), Length(max=120)])

    def validate_client_id(self, field):
        if parse_client_id(field.data) is None:
            raise ValidationError(_l("This form is damaged. Reload the page."))

    def occurred_at_utc(self, timezone, now):
        """When it happened, typed in the person's timezone; now when left empty."""
        if self.occurred_at.data is None:
            return now
        return activity_times.read(self.occurred_at.data, timezone)

    def check_time(self, timezone, now):
        """The typed time, refused (with the error on the field) if no activity can have it."""
        when = self.occurred_at_utc(timezone, now)
        problem = activity_times.problem(when, now)
        if problem:
            self.occurred_at.errors = [TIME_ERRORS[problem]]
            return None
        return when
