"""flask create-user: the person lands in the organisation asked for, with a team of it."""

from sqlalchemy import select

from extensions import db
from models import Organization, Team, User

PASSWORD = "a long enough password"


def create_user(runner, *args):
    return runner.invoke(args=[
        "create-user", "--email", "new@example.com", "--name", "New Person",
        "--password", PASSWORD, *args,
    ])


def created():
    return db.session.scalar(select(User).where(User.email == "new@example.com"))


def test_creates_the_first_organisation_when_there_is_none(runner):
    result = create_user(runner)

    assert result.exit_code == 0, result.output
    assert created().organization.name == "Pacer"


def test_a_team_is_found_in_the_persons_own_organisation(runner, make):
    other = Organization(name="Other Co")
    db.session.add(other)
    db.session.add(Team(name="Milan Field", organization=other))
    make.team("Milan Field")
    db.session.commit()

    result = create_user(runner, "--organization", "Acme", "--team", "Milan Field")

    assert result.exit_code == 0, result.output
    person = created()
    assert person.organization.name == "Acme"
    assert person.team.organization_id == person.organization_id


def test_a_team_of_another_organisation_is_refused(runner, make):
    other = Organization(name="Other Co")
    db.session.add_all([other, Team(name="Tokyo Inside", organization=other)])
    db.session.commit()

    result = create_user(runner, "--organization", "Acme", "--team", "Tokyo Inside")

    assert result.exit_code == 2
    assert "Acme has no team named 'Tokyo Inside'" in result.output
    assert created() is None


def test_with_several_organisations_one_must_be_named(runner, make):
    db.session.add(Organization(name="Other Co"))
    db.session.commit()

    result = create_user(runner)

    assert result.exit_code == 2
    assert "--organization" in result.output
    assert created() is None


def test_a_new_organisation_is_created_only_when_asked(runner, make):
    refused = create_user(runner, "--organization", "Fresh Start")
    assert refused.exit_code == 2
    assert "--new-organization" in refused.output
    assert created() is None

    result = create_user(runner, "--organization", "Fresh Start", "--new-organization")

    assert result.exit_code == 0, result.output
    assert created().organization.name == "Fresh Start"
    assert db.session.scalar(select(Organization).where(Organization.name == "Acme"))


def test_an_existing_organisation_is_not_created_twice(runner, make):
    result = create_user(runner, "--organization", "Acme", "--new-organization")

    assert result.exit_code == 2
    assert "exists already" in result.output
