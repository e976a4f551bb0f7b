"""Which pages the service worker keeps for a rep to open with no signal: the offline shell.

A view joins the shell by being marked @offline_shell (it must take no URL arguments). The rep
pages other features own are also picked up by path when they exist, so the shell grows with
the app without this module knowing every blueprint.
"""

from urllib.parse import urlsplit

from flask import current_app, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

# Rep pages other issues own (the scorecard, the onboarding checklist): in the shell once served.
SHELL_PATHS = ("/scorecard", "/onboarding")


def offline_shell(view):
    """Mark a rep page (GET, no URL arguments) as one the phone keeps for offline use."""
    view.offline_shell = True
    return view


def shell_urls():
    """The URLs of the offline shell, in a stable order."""
    urls = set()
    for rule in current_app.url_map.iter_rules():
        function = current_app.view_functions.get(rule.endpoint)
        if getattr(function, "offline_shell", False) and not rule.arguments:
            urls.add(url_for(rule.endpoint))
    adapter = current_app.url_map.bind("localhost")
    for path in SHELL_PATHS:
        try:
            adapter.match(path, method="GET")
        except RequestRedirect as redirect:  # e.g. the route ends in a slash
            path = urlsplit(redirect.new_url).path
        except HTTPException:
            continue
        urls.add(request.script_root + path)
    return sorted(urls)
