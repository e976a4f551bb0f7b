"""Static bundles: third-party code from node_modules (pinned by package-lock.json) plus ours."""

from pathlib import Path

from flask_assets import Bundle


def register_bundles(app, assets):
    # The assets environment is shared by every app made in this process (tests make many).
    if "js_all" in assets:
        return
    node_modules = Path(app.root_path) / "node_modules"
    assets.register(
        "js_all",
        Bundle(
            str(node_modules / "htmx.org" / "dist" / "htmx.min.js"),
            "js/pacer.js",
            output="gen/pacer.%(version)s.js",
        ),
    )
    assets.register(
        "css_all",
        Bundle("css/pacer.css", output="gen/pacer.%(version)s.css"),
    )
