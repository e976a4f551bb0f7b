"""Forms for feedback and its replies."""

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from blueprints.fields import options, plain_lines, strip


def kind_labels():
    """Praise and suggestion, in context: "Suggestion" alone is a suggested target elsewhere
    (提案値 in Japanese). Called per request: pybabel extracts pgettext, not a lazy alias."""
    return {
        "praise": pgettext("feedback kind", "Praise"),
        "suggestion": pgettext("feedback kind", "Suggestion"),
    }


KIND_HINTS = {
    "praise": _l("Something they did well: say what, and why it mattered."),
    "suggestion": _l("Something they could try: say what, and how it would help."),
}
LONGEST_MESSAGE = 2000


class FeedbackForm(FlaskForm):
    kind = RadioField(_l("Kind"), choices=[], default="praise",
                      validators=[InputRequired(message=_l("Choose praise or suggestion."))])
    value_id = SelectField(_l("Company value (optional)"), coerce=str, default="")
    body = TextAreaField(
        _l("Your feedback"), filters=[strip],
        validators=[DataRequired(message=_l("Write a few words.")),
                    Length(max=LONGEST_MESSAGE), plain_lines])

    def __init__(self, *args, values=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = options(kind_labels().items())
        self.known_values = {str(value.id): value for value in values}
        self.value_id.choices = options(
            [("", _l("None")), *((str(value.id), value.name) for value in values)])

    def chosen_value(self):
        return self.known_values.get(self.value_id.data)


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Your reply"), filters=[strip],
        validators=[DataRequired(message=_l("Write a few words.")),
                    Length(max=LONGEST_MESSAGE), plain_lines])
