"""Coaching templates as admins keep them: ordered sections of five kinds, the starter set.

A session copies its template's sections when it starts (services.coaching), so nothing here
ever changes a session already made.
"""

from sqlalchemy import func, select

from models import CoachingTemplate, CoachingTemplateSection
from services import coaching_starters

SNAPSHOT_PERIODS = ("week", "month", "quarter")
MIN_POINTS = 2
MAX_POINTS = 10
MAX_ITEMS = 20


class InvalidSection(ValueError):
    """Options that do not fit the section's kind (the forms say why to people first)."""


def templates(session, organization_id):
    """The organisation's coaching templates: active ones first, then by name."""
    return session.scalars(
        select(CoachingTemplate)
        .where(CoachingTemplate.organization_id == organization_id)
        .order_by(CoachingTemplate.active.desc(), CoachingTemplate.name, CoachingTemplate.id)
    ).all()


def active_templates(session, organization_id):
    return [template for template in templates(session, organization_id) if template.active]


def save_template(session, organization, template, *, name, description, active):
    """Create (template None) or update a template's own fields; the template."""
    if template is None:
        template = CoachingTemplate(organization_id=organization.id)
        session.add(template)
    template.name, template.description, template.active = name, description or "", active
    session.flush()
    return template


def clean_options(kind, options):
    """The options a section of `kind` keeps, normalised (rating points by value); raises
    InvalidSection for what no section of that kind can hold."""
    options = options or {}
    if kind == "rating":
        points = sorted(
            ({"value": int(point["value"]), "label": point["label"].strip(),
              "definition": point["definition"].strip()} for point in options.get("points", ())),
            key=lambda point: point["value"])
        values = [point["value"] for point in points]
        if not MIN_POINTS <= len(points) <= MAX_POINTS or len(set(values)) != len(values):
            raise InvalidSection("a rating needs 2 to 10 points with distinct values")
        if not all(point["label"] and point["definition"] for point in points):
            raise InvalidSection("every point needs a label and a definition")
        return {"points": points}
    if kind in ("checklist", "talking_points"):
        name = "items" if kind == "checklist" else "points"
        lines = [line.strip() for line in options.get(name, ()) if line.strip()]
        if not 1 <= len(lines) <= MAX_ITEMS:
            raise InvalidSection(f"a {kind} needs 1 to {MAX_ITEMS} lines")
        return {name: lines}
    if kind == "snapshot":
        period = options.get("period", "week")
        if period not in SNAPSHOT_PERIODS:
            raise InvalidSection(f"no snapshot period {period!r}")
        return {"period": period}
    if kind == "text":
        return {}
    raise InvalidSection(f"no section kind {kind!r}")


def add_section(session, template, *, kind, title, prompt="", options=None, rep_answers=False):
    """A new section at the end of the template."""
    section = CoachingTemplateSection(
        kind=kind, title=title, prompt=prompt or "", options=clean_options(kind, options),
        rep_answers=rep_answers, position=len(template.sections))
    template.sections.append(section)
    session.flush()
    return section


def update_section(section, *, title, prompt, options, rep_answers):
    """Change a section's words and options; its kind stays what it was made as."""
    section.title, section.prompt, section.rep_answers = title, prompt or "", rep_answers
    section.options = clean_options(section.kind, options)


def move_section(template, section, direction):
    """Swap a section with the one above ("up") or below ("down"); nothing at either end."""
    sections = sorted(template.sections, key=lambda each: each.position)
    index = sections.index(section)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(sections):
        sections[index], sections[other] = sections[other], sections[index]
    _number(sections)
    template.sections = sections  # the loaded list in its new order, as a reload would have


def remove_section(session, template, section):
    template.sections.remove(section)
    session.flush()
    _number(template.sections)


def _number(sections):
    for position, section in enumerate(sections):
        section.position = position


def missing_starters(session, organization_id, language):
    """The starter templates in `language` the organisation has no template of that name for."""
    names = set(session.scalars(
        select(func.lower(CoachingTemplate.name))
        .where(CoachingTemplate.organization_id == organization_id)))
    return [starter for starter in coaching_starters.starters(language)
            if starter["name"].lower() not in names]


def add_starters(session, organization, language):
    """Add the starter templates the organisation lacks, written in `language`; those added.
    Once added they are the organisation's own, to change as it likes."""
    added = []
    for starter in missing_starters(session, organization.id, language):
        added.append(create_from(session, organization, starter))
    return added


def create_from(session, organization, spec):
    """A template made from a spec such as the starters are: name, description, sections."""
    template = save_template(session, organization, None, name=spec["name"],
                             description=spec["description"], active=True)
    for section in spec["sections"]:
        add_section(session, template, **section)
    return template
