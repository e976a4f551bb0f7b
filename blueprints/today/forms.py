from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from blueprints.fields import Between, DecimalNumberField, NumberRequired
from services.activities import parse_client_id

# A phone's clock may run a little fast; more than this ahead is a typing mistake.
FUTURE_TOLERANCE = timedelta(minutes=5)
# Older than this is not a late entry any more but a data import.
OLDEST = timedelta(days=366)


class LogActivityForm(FlaskForm):
    metric = HiddenField(validators=[DataRequired()])
    client_id = HiddenField(validators=[DataRequired()])
    quantity = DecimalNumberField(
        _l("How many"), default=1,
        validators=[NumberRequired(), Between(0.01, 1_000_000_000)],
    )
    value = DecimalNumberField(_l("Measured value"), validators=[Optional(), Between(0, 1_000_000)])
    occurred_at = DateTimeLocalField(
        _l("When"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
    account = StringField(_l("Account"), validators=[Optional(), Length(max=120)])

    def validate_client_id(self, field):
        if parse_client_id(field.data) is None:
            raise ValidationError(_l("This form is damaged. Reload the page."))

    def occurred_at_utc(self, timezone, now):
        """When it happened, typed in the person's timezone; now when left empty."""
        if self.occurred_at.data is None:
            return now
        return self.occurred_at.data.replace(tzinfo=ZoneInfo(timezone))

    def check_time(self, timezone, now):
        """The typed time, refused if it lies in the future."""
        when = self.occurred_at_utc(timezone, now)
        if when - now > FUTURE_TOLERANCE:
            self.occurred_at.errors = [_l("That time is in the future.")]
            return None
        if now - when > OLDEST:
            self.occurred_at.errors = [_l("That time is more than a year ago.")]
            return None
        return when
