"""The one place that decides between a whole page and one of its blocks (an htmx partial)."""

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block


def wants_fragment():
    """An htmx request for part of a page, not a boosted navigation nor a history restore."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(template, block=None, status=200, **context):
    """Render the page, or only `block` of it for htmx; the answer varies on HX-Request."""
    if block and wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
