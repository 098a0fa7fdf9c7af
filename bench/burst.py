"""A burst of wrong passwords for one account, sent at once from separate browsers.

``python -m bench.burst --base URL --user-id BX0000001 [--requests 50]`` GETs the login
form once per request (each its own browser: its own CSRF cookie and token), then
opens a connection for each and sends every POST together, the same wrong password.
It prints one JSON object: the answers by status and ``data-code``. How many passwords
the server verified is counted inside the server, by its hasher (``bench/verify_count.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections import Counter
from urllib.parse import urlsplit

from bench.common import WRONG_PASSWORD
from bench.httpclient import Connection

_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_CODE = re.compile(rb'data-code="([^"]+)"')


async def burst(host: str, port: int, args) -> Counter:
    connections = [Connection(host, port) for _ in range(args.requests)]
    forms = await asyncio.gather(*(c.request("GET", args.login_path) for c in connections))
    tokens = []
    for page in forms:
        match = _TOKEN.search(page.body)
        if page.status != 200 or match is None:
            raise SystemExit(f"bench: the login form answered {page.status}")
        tokens.append(match.group(1).decode())
    for connection in connections:
        # Each POST on a new connection (cookies kept): an idle keep-alive one may have
        # been closed by the server meanwhile.
        connection.close()

    async def post(connection: Connection, token: str) -> str:
        form = {"csrfmiddlewaretoken": token, args.user_field: args.user_id}
        form["password"] = WRONG_PASSWORD
        try:
            answer = await connection.request("POST", args.login_path, form)
        except (OSError, asyncio.IncompleteReadError) as exc:
            return f"connection: {type(exc).__name__}"
        finally:
            connection.close()
        code = _CODE.search(answer.body)
        return f"{answer.status} {code.group(1).decode() if code else ''}".strip()

    answers = await asyncio.gather(*(post(c, t) for c, t in zip(connections, tokens, strict=True)))
    return Counter(answers)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user-id", required=True, help="the one account every POST names")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--login-path", default="/login/")
    parser.add_argument("--user-field", default="user_id", help="the form's name for the ID")
    args = parser.parse_args(argv)
    base = urlsplit(args.base)
    answers = asyncio.run(burst(base.hostname, base.port or 80, args))
    json.dump({"requests": args.requests, "answers": dict(answers)}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
