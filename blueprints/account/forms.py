from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from blueprints.fields import LOCALE_LABELS, iana_timezone, optional_str, options, plain_text, strip


class PreferencesForm(FlaskForm):
    """What a person sets for themselves: the same language and timezone the admin can set."""

    locale = SelectField(
        _l("Language"),
        coerce=optional_str,
        choices=options([("", _l("Same as my browser")), *LOCALE_LABELS.items()]),
    )
    timezone = StringField(
        _l("Timezone"),
        filters=[strip],
        validators=[Optional(), Length(max=64), plain_text, iana_timezone],
    )


def email_choices_form(kinds, labels, choices):
    """A checkbox per kind of email the person may choose, ticked as they chose."""

    class EmailChoicesForm(FlaskForm):
        pass

    for kind in kinds:
        setattr(EmailChoicesForm, kind, BooleanField(labels[kind]))
    return EmailChoicesForm(data={kind: choices[kind] for kind in kinds})
