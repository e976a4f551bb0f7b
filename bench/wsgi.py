"""The app as the benchmark serves it: create_app() from the environment, plus a trivial route.

The trivial route is the baseline every page is compared with: the same gunicorn, the same
app and middleware (sessions, CSRF, sign-in check, Babel), and no work of its own.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402 - needs the project on the path
from blueprints.access import public  # noqa: E402

TRIVIAL_PATH = "/_bench/trivial"
SIGNED_IN_PATH = "/_bench/signed-in"


@public
def trivial():
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


def signed_in():
    """The floor of every signed-in page: the sign-in check (a session row, the person, their
    organisation and roles) and nothing else."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


app = create_app()
app.add_url_rule(TRIVIAL_PATH, "bench_trivial", trivial)
app.add_url_rule(SIGNED_IN_PATH, "bench_signed_in", signed_in)
