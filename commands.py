"""Command-line tasks: flask create-user, flask seed-demo."""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from extensions import db
from models import ROLES, Organization, Team, User
from services import accounts


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), default=["rep"],
              show_default=True)
@click.option("--team", "team_name", help="Name of the team the person belongs to.")
@with_appcontext
def create_user(email, name, password, roles, team_name):
    """Create a person who can sign in (and the organisation, if there is none yet)."""
    email = accounts.normalise_email(email)
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"at least {accounts.MIN_PASSWORD_LENGTH} characters", param_hint="--password"
        )
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.BadParameter(f"{email} already exists", param_hint="--email")
    organization = db.session.scalar(select(Organization)) or Organization(name="Pacer")
    team = None
    if team_name:
        team = db.session.scalar(select(Team).where(Team.name == team_name))
        if team is None:
            raise click.BadParameter(f"no team named {team_name!r}", param_hint="--team")
    user = User(email=email, name=name, organization=organization, team=team)
    user.roles = roles
    accounts.set_password(user, password, current_app.config["PASSWORD_HASH_METHOD"])
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {email} ({', '.join(sorted(roles))}).")


def register(app):
    app.cli.add_command(create_user)
