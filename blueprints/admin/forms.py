"""The admin area's forms: people, teams, metrics and the organisation's settings."""

from functools import lru_cache

from babel.dates import get_day_names, get_month_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TimeField,
)
from wtforms.form import Form
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.access import MAX_ID
from blueprints.fields import (
    LOCALE_LABELS,
    Between,
    NumberField,
    iana_timezone,
    optional_str,
    options,
    plain_text,
    strip,
)
from extensions import db
from models import ROLES
from services import directory
from services.accounts import MIN_PASSWORD_LENGTH

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "executive": _l("Executive"),
    "manager": _l("Manager"),
    "rep": _l("Sales rep"),
}
KIND_LABELS = {"leading": _l("Leading (an activity)"), "lagging": _l("Lagging (a result)")}
AGGREGATION_LABELS = {"count": _l("Count the entries"), "sum": _l("Add up the amounts")}
DIRECTION_LABELS = {"higher": _l("Higher is better"), "lower": _l("Lower is better")}
# Each language named in itself, so a person can find their own.
INDENT = "\u2003"  # an em space per level: option labels cannot be styled


def optional_int(value):
    return None if value in (None, "") else int(value)


def zero_if_empty(value):
    return 0 if value is None else value


# What an hour:minute field answers to anything but a time ("25:00", "9am", "x").
NOT_A_TIME = _l("Enter a time such as 09:00.")


def time_field(label, required):
    """A time of day, as <input type="time"> sends it (with or without seconds)."""
    return TimeField(
        label, format=["%H:%M", "%H:%M:%S"], invalid_value_message=NOT_A_TIME,
        validators=[DataRequired(message=NOT_A_TIME) if required else Optional()],
    )


BOTH_TIMES_OR_NEITHER = _l(
    "Give both times, or leave both empty for the same hours as the team it is part of."
)


def given(field):
    """Whether something was typed in the field (valid or not)."""
    return any(value.strip() for value in field.raw_data or () if isinstance(value, str))


def ends_after_start(form, field):
    """The working day's end, after its start on the same day: no shift past midnight."""
    start = form.workday_start.data
    if start is not None and field.data is not None and field.data <= start:
        raise ValidationError(
            _l("The working day must end after it starts, on the same day.")
        )


def capitalised(name):
    return name[:1].upper() + name[1:]


class CheckboxesField(SelectMultipleField):
    """Several choices as a group of checkboxes: easier to tap on a phone than a multi-select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def parse_ids(values):
    """Whole-number ids from repeated form or query values: (the ids, in order and once each,
    whether any value was not an id any row can have)."""
    ids, bad = [], False
    for value in values:
        value = value.strip()
        if value.isascii() and value.isdigit() and len(value) <= 10 and 0 < int(value) <= MAX_ID:
            ids.append(int(value))
        else:
            bad = True
    return list(dict.fromkeys(ids)), bad


NOT_A_PERSON = _l("Someone chosen is not one of your organisation’s people. "
                  "Find them again with the search.")


class PeopleField(Field):
    """People chosen elsewhere on the page, as their ids: hidden inputs or a button's value.
    A value that is not an id is left out and is a form error, never a 500."""

    def process_data(self, value):
        self.data = list(value or [])

    def process_formdata(self, valuelist):
        self.data, bad = parse_ids(valuelist)
        if bad:
            raise ValueError(NOT_A_PERSON)


def team_choices(rows):
    """Teams as (id, label) pairs, indented by depth so the tree shows in a select."""
    inactive = _l("inactive")
    return options(
        (row.team.id, INDENT * row.depth + row.team.name
         + ("" if row.team.active else f" ({inactive})"))
        for row in rows
    )


class AdminForm(FlaskForm):
    def values(self):
        """The submitted values by field name, as the directory service takes them."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class UserForm(AdminForm):
    name = StringField(
        _l("Name"), filters=[strip], validators=[DataRequired(), Length(max=120), plain_text]
    )
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[
            DataRequired(),
            Length(max=254),
            plain_text,
            Email(message=_l("Enter an email address such as name@example.com.")),
        ],
    )
    roles = CheckboxesField(
        _l("Roles"),
        choices=options((role, ROLE_LABELS[role]) for role in ROLES),
        validators=[DataRequired(message=_l("Choose at least one role."))],
    )
    team_id = SelectField(_l("Team"), coerce=optional_int)
    managed_team_ids = CheckboxesField(_l("Manages these teams"), coerce=int)
    started_on = DateField(_l("Start date"), validators=[Optional()])
    locale = SelectField(
        _l("Language"),
        coerce=optional_str,
        choices=options([("", _l("The browser's language")), *LOCALE_LABELS.items()]),
    )
    timezone = StringField(
        _l("Timezone"), filters=[strip], validators=[Optional(), Length(max=64), iana_timezone]
    )
    active = BooleanField(_l("Active: can sign in"), default=True)
    password = PasswordField(_l("Password"), validators=[Length(max=200)])

    def __init__(self, *args, user=None, actor=None, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.actor = user, actor
        self.team_id.choices = options([("", _l("No team"))]) + team_choices(teams)
        self.managed_team_ids.choices = team_choices(teams)

    @property
    def is_self(self):
        return self.user is not None and self.actor is not None and self.user.id == self.actor.id

    def validate_email(self, field):
        if directory.email_taken(db.session, field.data, except_user=self.user):
            raise ValidationError(_l("Someone already has an account with this email address."))

    def validate_roles(self, field):
        if self.is_self and "admin" not in field.data:
            raise ValidationError(_l("You cannot remove your own administrator role."))

    def validate_active(self, field):
        if self.is_self and not field.data:
            raise ValidationError(_l("You cannot deactivate yourself."))

    def validate_password(self, field):
        if not field.data:
            return  # a new person is invited by email to choose theirs
        if self.is_self:
            raise ValidationError(_l("Change your own password on the Account page."))
        if len(field.data) < MIN_PASSWORD_LENGTH:
            raise ValidationError(_l("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH))


class TeamForm(AdminForm):
    name = StringField(
        _l("Name"), filters=[strip], validators=[DataRequired(), Length(max=120), plain_text]
    )
    parent_id = SelectField(_l("Part of"), coerce=optional_int)
    manager_ids = PeopleField(_l("Managers"))
    # The manager search: its buttons send the form to show it again, changed, not saved.
    manager_search = StringField(
        _l("Find people by name or email"),
        filters=[strip], validators=[Length(max=100), plain_text],
    )
    find_managers = SubmitField(_l("Find"))
    add_manager = PeopleField()
    remove_manager = PeopleField()
    active = BooleanField(_l("Active"), default=True)
    # Its own working hours, or none: those of the team above, else the organisation's.
    workday_start = time_field(_l("Working day starts at"), required=False)
    workday_end = time_field(_l("Working day ends at"), required=False)

    MANAGER_SEARCH = ("manager_search", "find_managers", "add_manager", "remove_manager")

    def __init__(self, *args, team=None, teams=(), organization_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team, self.teams, self.organization_id = team, list(teams), organization_id
        self.parent_id.choices = (
            options([("", _l("Nothing: a top-level team"))]) + team_choices(teams)
        )

    def values(self):
        values = super().values()
        for name in self.MANAGER_SEARCH:
            del values[name]
        return values

    @property
    def managers(self):
        """The people chosen as managers, by name: only ever this organisation's."""
        ids = tuple(self.manager_ids.data)
        if getattr(self, "_managers_of", None) != ids:
            self._managers = directory.people_with_ids(db.session, self.organization_id, ids)
            self._managers_of = ids
        return self._managers

    def searching(self):
        """Whether a button of the manager search sent the form, rather than Save."""
        return self.is_submitted() and any(
            self[name].raw_data for name in self.MANAGER_SEARCH if name != "manager_search")

    def search(self):
        """Apply the search's Add or Remove to the chosen managers and check what was sent,
        saving nothing; False when something needs a message."""
        removed = set(self.remove_manager.data)
        self.manager_ids.data = list(dict.fromkeys(
            [id_ for id_ in self.manager_ids.data if id_ not in removed]
            + self.add_manager.data))
        fields = (self.manager_search, self.add_manager, self.remove_manager)
        checked = [field.validate(self) for field in fields]
        checked.append(self.manager_ids.validate(self, [type(self).validate_manager_ids]))
        return all(checked)

    @property
    def manager_errors(self):
        """What is wrong with the managers chosen, added or removed, each message once."""
        fields = (self.manager_ids, self.add_manager, self.remove_manager)
        return list(dict.fromkeys(str(error) for field in fields for error in field.errors))

    def validate_manager_ids(self, field):
        if len(self.managers) != len(field.data):
            raise ValidationError(NOT_A_PERSON)

    def validate_name(self, field):
        """Two teams in the same place may not share a name: nobody could tell them apart."""
        name = (field.data or "").casefold()
        if any(row.team.parent_id == self.parent_id.data and row.team.name.casefold() == name
               and row.team is not self.team for row in self.teams):
            raise ValidationError(
                _l("Another team in the same place is already called that. Choose another name.")
            )

    def validate_parent_id(self, field):
        parent = next((row.team for row in self.teams if row.team.id == field.data), None)
        if directory.would_create_cycle(self.team, parent):
            raise ValidationError(
                _l("A team cannot be part of itself or of a team inside it. Choose another.")
            )

    # A team has its own working hours, both times, or none (each runs only when typed in).
    def validate_workday_start(self, field):
        if not given(self.workday_end):
            raise ValidationError(BOTH_TIMES_OR_NEITHER)

    def validate_workday_end(self, field):
        if not given(self.workday_start):
            raise ValidationError(BOTH_TIMES_OR_NEITHER)
        ends_after_start(self, field)


class MetricWordsForm(Form):
    """A metric's words in one more language; those left blank fall back to the default's."""

    name = StringField(_l("Name"), filters=[strip], validators=[Length(max=80), plain_text])
    unit = StringField(_l("Unit"), filters=[strip], validators=[Length(max=24), plain_text])
    quality_unit = StringField(
        _l("Quality gate unit"), filters=[strip], validators=[Length(max=24), plain_text]
    )


class MetricForm(AdminForm):
    key = StringField(_l("Key"), filters=[strip])
    name = StringField(
        _l("Name"), filters=[strip], validators=[DataRequired(), Length(max=80), plain_text]
    )
    kind = SelectField(_l("Kind"), choices=options(KIND_LABELS.items()))
    aggregation = SelectField(_l("How entries add up"), choices=options(AGGREGATION_LABELS.items()))
    unit = StringField(_l("Unit"), filters=[strip], validators=[Length(max=24), plain_text])
    direction = SelectField(_l("Direction"), choices=options(DIRECTION_LABELS.items()))
    quality_min = NumberField(
        _l("Quality gate: counts from"),
        validators=[Optional(), Between(0, 1_000_000)],
    )
    quality_unit = StringField(
        _l("Quality gate unit"), filters=[strip], validators=[Length(max=24), plain_text]
    )
    daily_cap = NumberField(
        _l("Daily cap"),
        validators=[
            Optional(),
            Between(
                0.01, 1_000_000_000,
                message=_l("Use a number above 0 (at least 0.01), or leave it empty."),
            ),
        ],
    )
    position = IntegerField(
        _l("Position"),
        default=0,
        filters=[zero_if_empty],
        validators=[Optional(), Between(0, 10_000)],
    )
    active = BooleanField(_l("Active: people can log it"), default=True)

    # The languages besides the default whose words the form asks for (see metric_form).
    languages = ()

    def __init__(self, *args, metric=None, organization_id=None, **kwargs):
        translations = (metric.translations or {}) if metric is not None else {}
        for language in self.languages:
            kwargs.setdefault(f"words_{language}", translations.get(language, {}))
        super().__init__(*args, **kwargs)
        self.metric, self.organization_id = metric, organization_id

    @property
    def words(self):
        """(language, its group of fields), in the order of the languages."""
        return [(language, self[f"words_{language}"]) for language in self.languages]

    def values(self):
        values = super().values()
        for language in self.languages:
            del values[f"words_{language}"]
        values["translations"] = {language: group.data for language, group in self.words}
        return values

    def validate_key(self, field):
        if self.metric is not None:
            if field.data and field.data != self.metric.key:
                raise ValidationError(_l("The key cannot be changed once the metric exists."))
            return
        if not field.data:
            raise ValidationError(_l("This field is required."))
        if not directory.is_metric_key(field.data):
            raise ValidationError(
                _l("Use 2 to 40 characters: lower-case letters, digits and _, "
                   "starting with a letter (for example calls_made).")
            )
        if directory.metric_key_taken(db.session, self.organization_id, field.data):
            raise ValidationError(_l("Another metric already has this key."))


@lru_cache(maxsize=4)
def metric_form_class(languages):
    """MetricForm with a group of words (name, units) for each of these languages."""
    groups = {f"words_{language}": FormField(MetricWordsForm, label=LOCALE_LABELS.get(
        language, language)) for language in languages}
    return type("MetricForm", (MetricForm,), {"languages": tuple(languages), **groups})


class OrganizationForm(AdminForm):
    name = StringField(
        _l("Name"), filters=[strip], validators=[DataRequired(), Length(max=120), plain_text]
    )
    timezone = StringField(
        _l("Timezone"),
        filters=[strip],
        validators=[DataRequired(), Length(max=64), iana_timezone],
    )
    week_start = SelectField(_l("Weeks start on"), coerce=int)
    fiscal_year_start_month = SelectField(_l("The fiscal year starts in"), coerce=int)
    working_weekdays = CheckboxesField(
        _l("Working days"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose at least one working day."))],
    )
    workday_start = time_field(_l("Working day starts at"), required=True)
    workday_end = time_field(_l("Working day ends at"), required=True)

    def validate_workday_end(self, field):
        ends_after_start(self, field)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = get_locale()
        days = get_day_names("wide", locale=locale)
        months = get_month_names("wide", context="format", locale=locale)
        # Monday first, as the stored numbers count (0 = Monday).
        self.week_start.choices = options((day, capitalised(days[day])) for day in range(7))
        self.working_weekdays.choices = self.week_start.choices
        self.fiscal_year_start_month.choices = options(
            (month, capitalised(months[month])) for month in range(1, 13)
        )
