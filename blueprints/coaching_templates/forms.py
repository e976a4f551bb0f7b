"""The coaching template editor's forms: a template's own fields, and one section of a kind."""

from types import SimpleNamespace

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.form import Form
from wtforms.validators import DataRequired, Length, ValidationError

from blueprints.fields import options, plain_lines, plain_text, strip
from services.coaching_templates import MAX_ITEMS, MAX_POINTS, MIN_POINTS

KIND_LABELS = {
    "rating": _l("Rating scale"),
    "text": _l("Free text"),
    "checklist": _l("Checklist"),
    "talking_points": _l("Talking points"),
    "snapshot": _l("Scorecard snapshot"),
}
KIND_HINTS = {
    "rating": _l("Points from low to high, each with a written definition of what it looks "
                 "like, so every coach rates the same behaviour the same way."),
    "text": _l("A question answered in words."),
    "checklist": _l("Things to tick off in the conversation."),
    "talking_points": _l("Topics to go through, in order."),
    "snapshot": _l("The rep's scorecard for a period, frozen when the session is shared."),
}
PERIOD_LABELS = {"week": _l("The week"), "month": _l("The month"), "quarter": _l("The quarter")}
LONGEST_LINE = 200


class TemplateForm(FlaskForm):
    name = StringField(
        _l("Name"), filters=[strip], validators=[DataRequired(), Length(max=120), plain_text])
    description = TextAreaField(
        _l("What it is for"), filters=[strip], validators=[Length(max=1000), plain_lines])
    active = BooleanField(_l("Active: coaches can start sessions with it"), default=True)

    def values(self):
        return dict(name=self.name.data, description=self.description.data,
                    active=self.active.data)


class PointForm(Form):
    """One point of a rating scale; a row left blank is no point."""

    value = StringField(_l("Number"), filters=[strip], validators=[Length(max=3)])
    label = StringField(_l("Label"), filters=[strip], validators=[Length(max=40), plain_text])
    definition = TextAreaField(
        _l("What it looks like"), filters=[strip], validators=[Length(max=400), plain_lines])

    @property
    def blank(self):
        return not (self.value.data or self.label.data or self.definition.data)


class SectionForm(FlaskForm):
    title = StringField(
        _l("Title"), filters=[strip], validators=[DataRequired(), Length(max=160), plain_text])
    prompt = TextAreaField(
        _l("Guidance under the title"), filters=[strip],
        validators=[Length(max=1000), plain_lines])
    rep_answers = BooleanField(_l("The rep answers this section"))
    points = FieldList(FormField(PointForm), min_entries=5, max_entries=MAX_POINTS)
    lines = TextAreaField(
        _l("One per line"), filters=[strip],
        validators=[Length(max=MAX_ITEMS * (LONGEST_LINE + 2)), plain_lines])
    period = SelectField(_l("Period"), choices=options(PERIOD_LABELS.items()), default="week")

    def __init__(self, *args, kind, section=None, **kwargs):
        if section is not None and not kwargs.get("formdata"):
            kwargs.setdefault("obj", section)
            kwargs.update(_stored(section))
        super().__init__(*args, **kwargs)
        self.kind = kind
        # A row to spare after the points there are, when the form is first shown.
        while not self.is_submitted() and len(self.points) < min(
                MAX_POINTS, max(5, 1 + sum(not row.form.blank for row in self.points))):
            self.points.append_entry()

    def _filled_points(self):
        return [row.form for row in self.points if not row.form.blank]

    def validate_points(self, field):
        if self.kind != "rating":
            return
        filled, seen = self._filled_points(), set()
        for point in filled:
            number = _point_number(point.value.data)
            if not point.value.data:
                point.value.errors.append(_l("Give the point its number."))
            elif number is None:
                point.value.errors.append(_l("Use a whole number from 0 to 100."))
            elif number in seen:
                point.value.errors.append(_l("Another point has this number already."))
            else:
                seen.add(number)
            if not point.label.data:
                point.label.errors.append(_l("Give the point a label, such as Solid."))
            if not point.definition.data:
                point.definition.errors.append(
                    _l("Describe what a coach sees or hears at this point."))
        if any(point.errors for point in filled):
            raise ValidationError(_l("Some points need attention: see below."))
        if len(filled) < MIN_POINTS:
            raise ValidationError(_l("A rating scale needs at least 2 points."))

    def validate_lines(self, field):
        if self.kind not in ("checklist", "talking_points"):
            return
        lines = self.line_list()
        if not lines:
            raise ValidationError(_l("Write at least one line."))
        if len(lines) > MAX_ITEMS:
            raise ValidationError(_l("Keep it to 20 lines or fewer."))
        if any(len(line) > LONGEST_LINE for line in lines):
            raise ValidationError(_l("Keep each line to 200 characters or fewer."))

    def line_list(self):
        return [line.strip() for line in (self.lines.data or "").splitlines() if line.strip()]

    def options(self):
        """The section's options as the form holds them (checked by validate first)."""
        if self.kind == "rating":
            return {"points": [
                {"value": int(point.value.data), "label": point.label.data,
                 "definition": point.definition.data} for point in self._filled_points()]}
        if self.kind == "checklist":
            return {"items": self.line_list()}
        if self.kind == "talking_points":
            return {"points": self.line_list()}
        if self.kind == "snapshot":
            return {"period": self.period.data}
        return {}

    def values(self):
        return dict(title=self.title.data, prompt=self.prompt.data, options=self.options(),
                    rep_answers=self.rep_answers.data)

    def preview(self):
        """The section as typed so far, valid or not, for the preview beside the form."""
        points = [
            {"value": point.value.data, "label": point.label.data,
             "definition": point.definition.data} for point in self._filled_points()]
        lines = self.line_list()
        return SimpleNamespace(
            kind=self.kind, title=self.title.data or "", prompt=self.prompt.data or "",
            rep_answers=self.rep_answers.data,
            options={"points": points if self.kind == "rating" else lines, "items": lines,
                     "period": self.period.data})


def _point_number(text):
    """A point's number, 0 to 100, from what was typed; None for anything else."""
    if text and text.isascii() and text.isdigit() and int(text) <= 100:
        return int(text)
    return None


def _stored(section):
    """The form's fields as a saved section fills them."""
    stored = section.options or {}
    if section.kind == "rating":
        return {"points": [dict(point, value=str(point["value"]))
                           for point in stored.get("points", ())]}
    if section.kind in ("checklist", "talking_points"):
        lines = stored.get("items" if section.kind == "checklist" else "points", ())
        return {"lines": "\n".join(lines)}
    if section.kind == "snapshot":
        return {"period": stored.get("period", "week")}
    return {}
