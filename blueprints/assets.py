"""Static bundles: third-party code from node_modules (pinned by package-lock.json) plus ours."""

from pathlib import Path

from flask_assets import Bundle


def register_bundles(app, assets):
    # The assets environment is shared by every app made in this process (tests make many).
    if "js_all" in assets:
        return
    node_modules = Path(app.root_path) / "node_modules"
    # idb-keyval's UMD build defines the global `idbKeyval`, in pages and in the service worker.
    idb_keyval = str(node_modules / "idb-keyval" / "dist" / "umd.js")
    assets.register(
        "js_all",
        Bundle(
            str(node_modules / "htmx.org" / "dist" / "htmx.min.js"),
            idb_keyval,
            "js/outbox.js",
            "js/pacer.js",
            "js/offline.js",
            output="gen/pacer.%(version)s.js",
        ),
    )
    # What the service worker imports for Background Sync: the outbox without any page code.
    assets.register(
        "js_sw",
        Bundle(idb_keyval, "js/outbox.js", output="gen/pacer-sw.%(version)s.js"),
    )
    assets.register(
        "css_all",
        Bundle(
            "css/pacer.css",
            "css/today.css",
            "css/admin.css",
            "css/scorecards.css",
            "css/coaching-templates.css",
            "css/coaching.css",
            "css/notifications.css",
            "css/jobs.css",
            "css/feedback.css",
            output="gen/pacer.%(version)s.css",
        ),
    )
