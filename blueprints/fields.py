"""Form fields and validators every blueprint's forms share.

Text comes with invisible control characters, which PostgreSQL refuses outright in the case of
NUL: every free-text field has `plain_text` (one line) or `plain_lines` (a note), which stop
the field's checks, so neither the database nor a check that queries it ever sees one.

Numbers come from people and from anyone posting a form: "NaN", "sNaN", "Infinity", "1e400"
and a thousand digits all parse as a Decimal or a float, and then break comparisons, the
database or a page. Every number field in the app is one of the fields below, which accept
only a finite number written in ASCII digits and of a sane size, and `Between` checks its range
with a message that is shown as written (WTForms' NumberRange %-formats its message, so a
message such as "from 100% to 1000%" crashed it).
"""

import re
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectChoice
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import NumberInput

from services import directory

# A plain decimal number, optionally with an exponent (what <input type="number"> sends). ASCII
# only: Python's \d and Decimal() also take other scripts' digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
# Beyond these, a number is a typing accident or an attack, whatever the field's own range.
LONGEST = 40
LARGEST = Decimal(10) ** 15
# What a note may hold besides visible characters.
_NOTE_SPACING = frozenset("\n\r\t")


def has_control_characters(text, allowed=frozenset()):
    """Whether the text holds a control character (NUL, tab, line break...) not in `allowed`."""
    return any((ord(char) < 32 or ord(char) == 127) and char not in allowed for char in text)


def plain_text(form, field):
    """One line of visible text: no control characters (tabs and line breaks included)."""
    if isinstance(field.data, str) and has_control_characters(field.data):
        raise StopValidation(_("Remove the invisible control characters (such as tabs)."))


def plain_lines(form, field):
    """Visible text over several lines: line breaks and tabs, no other control characters."""
    if isinstance(field.data, str) and has_control_characters(field.data, _NOTE_SPACING):
        raise StopValidation(_("Remove the invisible control characters."))


def parse_number(text):
    """A finite Decimal from what a person typed; None for nothing; ValueError (with a message
    for the person) for anything else."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > LONGEST or not _NUMBER.fullmatch(text):
        raise ValueError(_("Enter a number, such as 12 or 2.5."))
    number = Decimal(text)
    if abs(number) > LARGEST:
        raise ValueError(_("That number is too large."))
    return number


def _decimal(number):
    return number if isinstance(number, Decimal) else Decimal(str(number))


class DecimalNumberField(Field):
    """A finite number, as a Decimal (exact, for amounts shown back as typed)."""

    widget = NumberInput(step="any")

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        self.data = self.convert(parse_number(valuelist[0]))

    @staticmethod
    def convert(number):
        return number

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        # Written out in full, without a trailing ".0": 12 rather than 12.0, never 1e-05.
        text = format(Decimal(str(self.data)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text


class NumberField(DecimalNumberField):
    """A finite number, as a float (what the Float columns it is stored in hold)."""

    @staticmethod
    def convert(number):
        return None if number is None else float(number)


class NumberRequired:
    """A number must be given. Unlike DataRequired, 0 is a number, and a number that could not
    be read keeps its own message instead of "This field is required"."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        if field.data is not None:
            return
        if field.errors:
            raise StopValidation()
        raise StopValidation(_("This field is required."))


class Between:
    """The number, when there is one, lies in [min, max] (either may be None).

    The message is shown as written, never %-formatted; the default one names the range in
    the person's number format. Sets the input's min and max, as NumberRange does.
    """

    def __init__(self, min=None, max=None, message=None):  # noqa: A002 - WTForms' names
        self.min, self.max, self.message = min, max, message
        self.field_flags = {name: value for name, value in (("min", min), ("max", max))
                            if value is not None}

    def __call__(self, form, field):
        if field.data is None:
            return
        # Compared as decimals, as written: Decimal("0.01") is less than the float 0.01.
        data = _decimal(field.data)
        if ((self.min is None or data >= _decimal(self.min))
                and (self.max is None or data <= _decimal(self.max))):
            return
        raise ValidationError(self.message or self._default_message())

    def _default_message(self):
        if self.max is None:
            return _("Enter a number of at least %(min)s.", min=format_decimal(self.min))
        if self.min is None:
            return _("Enter a number of at most %(max)s.", max=format_decimal(self.max))
        return _("Enter a number from %(min)s to %(max)s.",
                 min=format_decimal(self.min), max=format_decimal(self.max))


# Settings a person has wherever they are set (by an admin, or on their own Account page).

LOCALE_LABELS = {"en": "English", "it": "Italiano", "ja": "日本語"}  # each in its own name


def strip(value):
    return value.strip() if isinstance(value, str) else value


def optional_str(value):
    return None if value in (None, "") else str(value)


def options(pairs):
    """(value, label) pairs as the choices a select or a group of checkboxes offers."""
    return [SelectChoice(value, label) for value, label in pairs]


def iana_timezone(form, field):
    if field.data and not directory.is_timezone(field.data):
        raise ValidationError(
            _l("Unknown timezone. Use a name from the list, such as Europe/Rome.")
        )
