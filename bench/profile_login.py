"""What a login costs besides the hash: SQL queries per request, and where the time goes.

``python -m bench.profile_login queries`` runs each kind of login journey (right password,
wrong password, unknown ID) once through Django's test client, with CSRF checks on,
against the bench database, and prints the SQL queries of each request as JSON.

``python -m bench.profile_login profile [--logins N]`` runs N journeys of the bench's mix
under pyinstrument and prints where the time went (``--html FILE`` writes the page).

Run with the bench's environment (``DATABASE_URL`` …); accounts must exist (``bench.seed``).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import re
import sys

from bench.common import PASSWORD, WRONG_PASSWORD, account_id, unknown_id

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_HOST = "127.0.0.1"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


@functools.cache
def _client():
    from django.test import Client

    # One client for every journey: a new one would load the middleware (and let
    # whitenoise scan the static files) again, which the server does only at start.
    return Client(enforce_csrf_checks=True, HTTP_HOST=_HOST)


def journey(user_id: str, password: str, capture=None) -> dict[str, int]:
    """One login through the test client; with ``capture``, the queries of each request."""
    client = _client()
    client.cookies.clear()  # a new visitor
    counts = {}

    def run(name, call):
        if capture is None:
            return call()
        with capture() as queries:
            response = call()
        counts[name] = len(queries.captured_queries)
        return response

    page = run("get_form", lambda: client.get("/login/"))
    token = _TOKEN.search(page.content.decode()).group(1)
    form = {"csrfmiddlewaretoken": token, "user_id": user_id, "password": password}
    answer = run("post", lambda: client.post("/login/", form))
    if answer.status_code == 302:
        run("home", lambda: client.get(answer["Location"]))
    return counts


def count_queries(number: int, wrong: int, run_tag: str) -> dict:
    """SQL queries per request of each kind of journey."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def capture():
        return CaptureQueriesContext(connection)

    return {
        "right": journey(account_id(number), PASSWORD, capture),
        "wrong": journey(account_id(wrong), WRONG_PASSWORD, capture),
        "unknown": journey(unknown_id(run_tag, 1), PASSWORD, capture),
    }


def profile(logins: int, html: str | None) -> None:
    """Run ``logins`` journeys of the 60/20/20 mix under pyinstrument and print the profile."""
    from pyinstrument import Profiler

    kinds = itertools.cycle(["right", "right", "wrong", "right", "unknown"])
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for number in range(1, logins + 1):
        kind = next(kinds)
        if kind == "right":
            journey(account_id(number), PASSWORD)
        elif kind == "wrong":
            journey(account_id(90_000 + number), WRONG_PASSWORD)
        else:
            journey(unknown_id("PR", number), PASSWORD)
    profiler.stop()
    sys.stdout.write(profiler.output_text(unicode=True, color=False, show_all=False))
    if html:
        with open(html, "w", encoding="utf-8") as out:
            out.write(profiler.output_html())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("queries", "profile"))
    parser.add_argument("--account", type=int, default=1, help="queries: right-password ID")
    parser.add_argument("--wrong", type=int, default=99_999, help="queries: wrong-password ID")
    parser.add_argument("--run", default="Q", help="tag making the unknown ID unique")
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--html")
    args = parser.parse_args(argv)
    _setup()
    if args.what == "queries":
        json.dump(count_queries(args.account, args.wrong, args.run), sys.stdout)
        sys.stdout.write("\n")
    else:
        profile(args.logins, args.html)


if __name__ == "__main__":
    main()
