"""The coaching template editor, in the admin area: templates, their sections by kind, each
reordered with up and down buttons, and the starter set in one click."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.access import get_coaching_template, get_template_section, roles_required
from blueprints.coaching_templates.forms import (
    KIND_HINTS,
    KIND_LABELS,
    PERIOD_LABELS,
    SectionForm,
    TemplateForm,
)
from blueprints.params import choice_arg
from blueprints.rendering import render, wants_fragment
from extensions import db
from models import SECTION_KINDS
from services import coaching_templates

bp = Blueprint("coaching_templates", __name__, url_prefix="/admin/coaching-templates")


@bp.context_processor
def labels():
    return dict(kind_labels=KIND_LABELS, kind_hints=KIND_HINTS, period_labels=PERIOD_LABELS)


def _saved(message, endpoint, **values):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


@bp.get("")
@roles_required("admin")
def index():
    organization_id = current_user.organization_id
    return render(
        "admin/coaching_templates.html",
        templates=coaching_templates.templates(db.session, organization_id),
        missing=coaching_templates.missing_starters(db.session, organization_id,
                                                    get_locale().language))


@bp.post("/starters")
@roles_required("admin")
def add_starters():
    """Add the starter templates the organisation lacks, in the admin's language."""
    added = coaching_templates.add_starters(db.session, current_user.organization,
                                            get_locale().language)
    message = (_("Added the starter templates: %(names)s.",
                 names=", ".join(template.name for template in added))
               if added else _("You have every starter template already."))
    return _saved(message, "coaching_templates.index")


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def create():
    form = TemplateForm()
    if form.validate_on_submit():
        template = coaching_templates.save_template(
            db.session, current_user.organization, None, **{**form.values(), "active": True})
        return _saved(_("Added %(name)s: now add its sections.", name=template.name),
                      "coaching_templates.edit", coaching_template_id=template.id)
    return render("admin/coaching_template_form.html", status=422 if form.errors else 200,
                  form=form, coaching_template=None)


@bp.route("/<int:coaching_template_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit(coaching_template_id):
    template = get_coaching_template(coaching_template_id)
    form = TemplateForm(obj=template)
    if form.validate_on_submit():
        coaching_templates.save_template(
            db.session, current_user.organization, template, **form.values())
        return _saved(_("Saved %(name)s.", name=template.name), "coaching_templates.edit",
                      coaching_template_id=template.id)
    return render("admin/coaching_template_form.html", status=422 if form.errors else 200,
                  form=form, coaching_template=template, kinds=SECTION_KINDS)


def _section_page(form, template, section):
    """The section form beside its preview; htmx asks for the preview alone as one types."""
    status = 422 if form.errors else 200
    context = dict(form=form, coaching_template=template, section=section, preview=form.preview())
    if wants_fragment() and request.form.get("preview"):
        return render("admin/coaching_template_section.html", block="preview", **context)
    return render("admin/coaching_template_section.html", status=status, **context)


def _previewing():
    """Whether the Preview button (or htmx, as one types) sent the form: nothing is saved."""
    return bool(request.form.get("preview"))


@bp.route("/<int:coaching_template_id>/sections/new", methods=["GET", "POST"])
@roles_required("admin")
def create_section(coaching_template_id):
    template = get_coaching_template(coaching_template_id)
    kind = choice_arg("kind", SECTION_KINDS, "text")
    form = SectionForm(kind=kind)
    if not _previewing() and form.validate_on_submit():
        coaching_templates.add_section(db.session, template, kind=kind, **form.values())
        return _saved(_("Added the section %(title)s.", title=form.title.data),
                      "coaching_templates.edit", coaching_template_id=template.id)
    return _section_page(form, template, None)


@bp.route("/<int:coaching_template_id>/sections/<int:template_section_id>",
          methods=["GET", "POST"])
@roles_required("admin")
def update_section(coaching_template_id, template_section_id):
    template = get_coaching_template(coaching_template_id)
    section = get_template_section(template, template_section_id)
    form = SectionForm(kind=section.kind, section=section)
    if not _previewing() and form.validate_on_submit():
        coaching_templates.update_section(section, **form.values())
        return _saved(_("Saved the section %(title)s.", title=section.title),
                      "coaching_templates.edit", coaching_template_id=template.id)
    return _section_page(form, template, section)


@bp.post("/<int:coaching_template_id>/sections/<int:template_section_id>/move")
@roles_required("admin")
def move_section(coaching_template_id, template_section_id):
    template = get_coaching_template(coaching_template_id)
    section = get_template_section(template, template_section_id)
    direction = "up" if request.form.get("direction") == "up" else "down"
    coaching_templates.move_section(template, section, direction)
    db.session.commit()
    return redirect(url_for("coaching_templates.edit", coaching_template_id=template.id,
                            _anchor=f"section-{section.id}"))


@bp.post("/<int:coaching_template_id>/sections/<int:template_section_id>/delete")
@roles_required("admin")
def delete_section(coaching_template_id, template_section_id):
    template = get_coaching_template(coaching_template_id)
    section = get_template_section(template, template_section_id)
    title = section.title
    coaching_templates.remove_section(db.session, template, section)
    return _saved(_("Removed the section %(title)s. Sessions already made keep it.",
                    title=title), "coaching_templates.edit", coaching_template_id=template.id)
