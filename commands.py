"""Command-line tasks: flask create-user, flask seed-demo, flask jobs run|failures."""

import logging
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

import demo.coaching
import demo.feedback
import demo.organization
import demo.scorecards
from extensions import IMMEDIATE, db
from models import ROLES, Organization, Team, User
from services import accounts


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), default=["rep"],
              show_default=True)
@click.option("--organization", "organization_name",
              help="Name of the person's organisation; needed when there are several.")
@click.option("--new-organization", is_flag=True,
              help="Create the organisation named by --organization for this person.")
@click.option("--team", "team_name", help="Name of a team of the person's organisation.")
@with_appcontext
def create_user(email, name, password, roles, organization_name, new_organization, team_name):
    """Create a person who can sign in (and their organisation, if there is none yet or
    --new-organization asks for one)."""
    email = accounts.normalise_email(email)
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"at least {accounts.MIN_PASSWORD_LENGTH} characters", param_hint="--password"
        )
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.BadParameter(f"{email} already exists", param_hint="--email")
    organization = _organization_for(organization_name, new_organization)
    team = None
    if team_name:
        team = db.session.scalar(select(Team).where(
            Team.organization_id == organization.id, Team.name == team_name
        )) if organization.id is not None else None
        if team is None:
            raise click.BadParameter(
                f"{organization.name} has no team named {team_name!r}", param_hint="--team"
            )
    user = User(email=email, name=name, organization=organization, team=team)
    user.roles = roles
    accounts.set_password(user, password, current_app.config["PASSWORD_HASH_METHOD"])
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {email} ({', '.join(sorted(roles))}) in {organization.name}.")


def _organization_for(name, create):
    """The organisation a new person joins: named, created on request, or the only one."""
    if create:
        if not name:
            raise click.BadParameter("name the new organisation with --organization",
                                     param_hint="--new-organization")
        if db.session.scalar(select(Organization).where(Organization.name == name)):
            raise click.BadParameter(f"an organisation named {name!r} exists already",
                                     param_hint="--organization")
        return Organization(name=name)
    organizations = db.session.scalars(select(Organization).order_by(Organization.id)).all()
    if name:
        named = [organization for organization in organizations if organization.name == name]
        if len(named) != 1:
            raise click.BadParameter(
                f"no organisation named {name!r} (add --new-organization to create it)"
                if not named else f"{len(named)} organisations are named {name!r}",
                param_hint="--organization")
        return named[0]
    if not organizations:
        return Organization(name="Pacer")
    if len(organizations) > 1:
        raise click.BadParameter(
            "there are several organisations: name one with --organization",
            param_hint="--organization")
    return organizations[0]


@click.command("seed-demo")
@click.option("--days", default=demo.organization.DEFAULT_DAYS, show_default=True,
              type=click.IntRange(1, 366), help="Days of activity up to now.")
@with_appcontext
def seed_demo(days):
    """Create the Northwind Supplies demo organisation, or top up its activities to now."""
    # Every demo login has a published password: never let one into a real deployment.
    if not current_app.config["DEVELOPMENT"]:
        raise click.ClickException(
            "seed-demo creates accounts with a published password; "
            "it runs only with PACER_ENV=development."
        )
    if db.engine.dialect.name == "sqlite":
        db.session.connection(execution_options=IMMEDIATE)
    try:
        summary = demo.organization.seed(
            db.session, datetime.now(UTC), current_app.config["PASSWORD_HASH_METHOD"], days=days
        )
        click.echo(demo.scorecards.seed(db.session, datetime.now(UTC), days=days))
        click.echo(demo.feedback.seed(db.session, datetime.now(UTC)))
        click.echo(demo.coaching.seed(db.session, datetime.now(UTC)))
    except demo.organization.DemoConflict as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Demo logins (password: {demo.organization.PASSWORD}):")
    for email, what in demo.organization.LOGINS:
        click.echo(f"  {email:<22} {what}")
    click.echo(str(summary))


jobs_cli = AppGroup("jobs", help="Background jobs: run the consumer, list the failed ones.")


@jobs_cli.command("run")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Jobs run side by side (threads).")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Also start the periodic jobs (digests, reminders): in one consumer only.")
def run_jobs(workers, periodic):
    """Run the job consumer with this app's settings, until Ctrl+C or SIGTERM."""
    import jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    jobs.consumer(current_app._get_current_object(), workers=workers, periodic=periodic).run()


@jobs_cli.command("failures")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
def list_failures(limit):
    """The most recent jobs that failed for good, every organisation's and the deployment's."""
    from models import JobFailure

    failures = db.session.scalars(
        select(JobFailure).order_by(JobFailure.failed_at.desc(), JobFailure.id.desc())
        .limit(limit)
    ).all()
    for failure in failures:
        organization = failure.organization_id or "-"
        click.echo(f"{failure.failed_at:%Y-%m-%d %H:%M} UTC  org {organization}  {failure.task}"
                   f"  ({failure.attempts} attempts)  {failure.summary}\n    {failure.error}")
    if not failures:
        click.echo("No failed jobs.")


def register(app):
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(jobs_cli)
