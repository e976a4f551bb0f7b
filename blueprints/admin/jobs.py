"""Background jobs that failed for good, in the admin area: listed, run again or dismissed.

An admin sees their own organisation's failures only; a job that named no organisation is
the deployment's, for whoever runs it (`flask jobs failures`, and the log).
"""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

import jobs
from blueprints.access import get_in_organization, roles_required
from blueprints.admin.views import bp
from blueprints.rendering import render
from extensions import db
from models import JobFailure
from services import job_failures


@bp.get("/jobs")
@roles_required("admin")
def jobs_list():
    failures = job_failures.recent(db.session, current_user.organization_id)
    return render("admin/jobs.html", block="failures", failures=failures,
                  labels={failure.task: jobs.label(failure.task) for failure in failures})


@bp.post("/jobs/<int:failure_id>/retry")
@roles_required("admin")
def retry_job(failure_id):
    """Enqueue the job again (once this commits) and forget its failure."""
    failure = get_in_organization(JobFailure, failure_id)
    if not jobs.retry(db.session, failure):
        flash(_("This job can no longer run again. Dismiss it instead."), "error")
        return redirect(url_for("admin.jobs_list"))
    db.session.commit()
    flash(_("The job will run again shortly."), "success")
    return redirect(url_for("admin.jobs_list"))


@bp.post("/jobs/<int:failure_id>/dismiss")
@roles_required("admin")
def dismiss_job(failure_id):
    db.session.delete(get_in_organization(JobFailure, failure_id))
    db.session.commit()
    flash(_("Dismissed."), "success")
    return redirect(url_for("admin.jobs_list"))
