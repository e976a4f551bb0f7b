"""gunicorn's settings for Pacer; gunicorn reads this file when started in the project folder."""

import gc


def post_worker_init(worker):
    """Keep the app's start-up objects out of the garbage collector's full passes.

    A big page allocates enough to set off a full collection, which otherwise walks every
    object the app made at start-up (templates, models, translations) each time: ~30% of the
    executive view. They live as long as the worker anyway.
    """
    gc.collect()
    gc.freeze()
