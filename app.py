"""The application factory: it reads as the table of contents of Pacer."""

from pathlib import Path

from flask import Flask
from flask_babel import get_locale

import config
from extensions import (
    assets,
    babel,
    cache,
    configure_postgresql,
    configure_sqlite,
    csrf,
    db,
    login_manager,
    mail,
    migrate,
    take_write_lock_for_writes,
)


def create_app(test_config=None):
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_object(test_config or config.Config)
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI", config.database_url(app.instance_path)
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(
            app.instance_path, app.config["DEVELOPMENT"]
        )
    register_security(app)  # first: its refusal and headers wrap every other hook
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_security(app):
    from blueprints import security

    security.init_app(app)


def register_extensions(app):
    import jobs
    import models  # noqa: F401 - registers every model with the metadata
    from blueprints import access, page_cache
    from blueprints.assets import register_bundles
    from blueprints.localization import select_locale, select_timezone
    from services import freshness, team_rollups

    db.init_app(app)
    freshness.watch()
    team_rollups.watch()
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["DATABASE_LOCK_TIMEOUT_MS"])
        elif db.engine.dialect.name == "postgresql":
            configure_postgresql(db.engine, app.config["DATABASE_LOCK_TIMEOUT_MS"])
    migrate.init_app(
        app, db, directory=str(Path(app.root_path) / "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    take_write_lock_for_writes(app)
    login_manager.init_app(app)
    page_cache.init_app(app)
    access.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.globals["current_locale"] = get_locale
    assets.init_app(app)
    cache.init_app(app)
    register_bundles(app, assets)
    mail.init_app(app)
    jobs.init_app(app)


def register_blueprints(app):
    from blueprints.account.views import bp as account
    from blueprints.admin import jobs as _jobs  # noqa: F401 - its routes join admin's
    from blueprints.admin import values as _values  # noqa: F401 - its routes join admin's
    from blueprints.admin.views import bp as admin
    from blueprints.api.views import bp as api
    from blueprints.auth.views import bp as auth
    from blueprints.coaching.views import bp as coaching
    from blueprints.coaching_requests.views import bp as coaching_requests
    from blueprints.coaching_series.views import bp as coaching_series
    from blueprints.coaching_templates.views import bp as coaching_templates
    from blueprints.core.views import bp as core
    from blueprints.feedback.obstacles import bp as obstacles
    from blueprints.feedback.views import bp as feedback
    from blueprints.goals.views import bp as goals
    from blueprints.notifications.views import bp as notifications
    from blueprints.pwa.views import bp as pwa
    from blueprints.scorecards.views import bp as scorecards
    from blueprints.today.views import bp as today

    for blueprint in (core, auth, account, today, admin, pwa, api, scorecards, goals,
                      feedback, obstacles, coaching, notifications):
        app.register_blueprint(blueprint)
    for blueprint in (coaching_templates, coaching_series, coaching_requests):
        app.register_blueprint(blueprint)


def register_errorhandlers(app):
    from blueprints.core.errors import register

    register(app)


def register_commands(app):
    from commands import register

    register(app)
