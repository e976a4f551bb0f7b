"""gunicorn's settings for Pacer; gunicorn reads this file when started in the project folder."""

import gc

# Which forwarded headers to believe is the app's decision alone (TRUSTED_PROXY_HOPS, through
# Werkzeug's ProxyFix: blueprints/security.py), for the client's address and the scheme alike;
# gunicorn would otherwise take X-Forwarded-Proto from any peer on loopback.
forwarded_allow_ips = ""
# The access log, when asked for (--access-logfile), reads the request's environ after the app
# has seen it: its %(h)s is the address the app believed, the client's behind a trusted proxy.


def post_worker_init(worker):
    """Keep the app's start-up objects out of the garbage collector's full passes.

    A big page allocates enough to set off a full collection, which otherwise walks every
    object the app made at start-up (templates, models, translations) each time: ~30% of the
    executive view. They live as long as the worker anyway.
    """
    gc.collect()
    gc.freeze()
