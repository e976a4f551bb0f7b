"""How requests reach Pacer and what every answer carries: the refusal while no secret key is
set, the reverse proxies trusted for the client's address, and the security headers.

The headers are a few lines of our own rather than flask-talisman 1.1.0: with its HTTPS
redirect and its session-cookie settings turned off (TLS ends at the proxy; config.py owns the
cookies) what is left is setting five constant headers, and it decides HSTS and the redirect
from X-Forwarded-Proto whether or not a proxy is trusted (TRUSTED_PROXY_HOPS).
"""

from werkzeug.middleware.proxy_fix import ProxyFix

# Everything comes from Pacer itself: the bundles, the stylesheet, the icons, the manifest, the
# service worker and what it fetches. No inline script, handler or style anywhere (htmx is
# told not to eval, run swapped-in scripts or insert its indicator styles: layout.html).
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",  # the one-tap forms must not be framed and clicked through
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: over https Flask-WTF refuses a form POST whose Referer is missing.
    "Referrer-Policy": "same-origin",
}
# Sent on every production answer, not only on those that look secure: behind a proxy that
# ends TLS, the app sees https only as far as it trusts the proxy, and browsers ignore HSTS
# that arrives over plain http anyway. Not includeSubDomains: Pacer may live at a host whose
# other subdomains are not its to decide for (the proxy can add it).
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def init_app(app):
    """Register before every extension: the refusal must be the first before_request hook
    (ahead of CSRF, the page cache and the sign-in check), and the headers the last
    after_request one, so they are on whatever answer the others made."""
    from blueprints.core.errors import refuse_requests_while_unconfigured

    if not app.config.get("SECRET_KEY"):
        app.before_request(refuse_requests_while_unconfigured)
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    if app.config["SECURITY_HEADERS"]:
        headers = dict(HEADERS)
        if not app.config["DEVELOPMENT"]:
            headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY

        @app.after_request
        def add_security_headers(response):
            response.headers.update(headers)
            return response
