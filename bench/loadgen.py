"""The load generator: a separate process that drives the portal over real HTTP.

``python -m bench.loadgen login …`` runs login journeys (GET the form, POST the
credentials with the CSRF token, follow to the home page) with a mix of right
passwords, wrong passwords and unknown IDs, either closed-loop (``--users`` journeys
at a time, as fast as the server answers: saturation) or open-loop (``--rate``
journeys a second on a fixed schedule, whatever the server does: latency at a given
load). ``python -m bench.loadgen get …`` requests one page over keep-alive
connections, as logged-in people (``--login``) or anonymously.

It prints one JSON object: counts, rates, login-POST latencies, its own CPU use.
No ID is ever locked by the bench: wrong passwords go to IDs taken in turn from
``--wrong-range`` (each used once), unknown IDs are fresh for every attempt.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import random
import re
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench import cpu
from bench.common import PASSWORD, WRONG_PASSWORD, account_id, unknown_id
from bench.httpclient import Connection

_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_CODE = re.compile(rb'data-code="([^"]+)"')
KINDS = ("right", "wrong", "unknown")


def percentile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (0…1) by the nearest-rank method; ``None`` without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q * len(ordered))))
    return ordered[rank - 1]


@dataclass
class Tally:
    """What happened inside the measurement window."""

    start: float
    end: float
    posts: int = 0
    signed_in: int = 0
    invalid: int = 0
    pages: int = 0
    unexpected: dict[str, int] = field(default_factory=dict)
    post_latencies: list[float] = field(default_factory=list)
    samples: list = field(default_factory=list)

    def inside(self, moment: float) -> bool:
        return self.start <= moment <= self.end

    def odd(self, what: str) -> None:
        self.unexpected[what] = self.unexpected.get(what, 0) + 1


class Journeys:
    """Chooses who logs in next, and with what, following the mix."""

    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.right = (args.right_first, args.right_last)
        self.wrong = itertools.count(args.wrong_first)
        self.wrong_last = args.wrong_last
        self.unknown = itertools.count(1)
        self.run = args.run
        weights = [float(w) for w in args.mix.split(",")]
        self.weights = weights

    def next(self) -> tuple[str, str, str]:
        kind = self.rng.choices(KINDS, self.weights)[0]
        if kind == "right":
            return kind, account_id(self.rng.randint(*self.right)), PASSWORD
        if kind == "wrong":
            number = next(self.wrong)
            if number > self.wrong_last:
                raise SystemExit("bench: --wrong-range is used up; give a wider one")
            return kind, account_id(number), WRONG_PASSWORD
        return kind, unknown_id(self.run, next(self.unknown)), PASSWORD


async def login_journey(host: str, port: int, journey, tally: Tally, form_path: str) -> None:
    """GET the form, POST the credentials, follow the redirect: one person logging in."""
    kind, user_id, password = journey
    connection = Connection(host, port)
    try:
        page = await connection.request("GET", form_path)
        match = _TOKEN.search(page.body)
        if page.status != 200 or match is None:
            tally.odd(f"login form {page.status}")
            return
        form = {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "user_id": user_id,
            "password": password,
        }
        sent = time.perf_counter()
        answer = await connection.request("POST", form_path, form)
        done = time.perf_counter()
        counted = tally.inside(done)
        if counted:
            tally.posts += 1
            tally.post_latencies.append(done - sent)
        if kind == "right":
            if answer.status != 302:
                code = _CODE.search(answer.body)
                tally.odd(f"right password: {answer.status} {code and code.group(1).decode()}")
                return
            home = await connection.request("GET", answer.header("location") or "/")
            # The home page lists the apps, or says there is none yet.
            if home.status != 200 or not (
                b'class="apps"' in home.body or b'class="no-apps"' in home.body
            ):
                tally.odd(f"home after login: {home.status}")
                return
            if counted:
                tally.signed_in += 1
        else:
            code = _CODE.search(answer.body)
            if answer.status == 200 and code and code.group(1) == b"login.invalid":
                if counted:
                    tally.invalid += 1
            else:
                tally.odd(f"{kind}: {answer.status} {code and code.group(1).decode()}")
    except (OSError, asyncio.IncompleteReadError) as exc:
        tally.odd(f"connection: {type(exc).__name__}")
    finally:
        connection.close()


async def watch(args, tally: Tally) -> None:
    """Sample the server's CPU time (and the machine's) when the window opens and closes."""
    for moment in (tally.start, tally.end):
        await asyncio.sleep(max(0.0, moment - time.perf_counter()))
        tally.samples.append(cpu.sample(args.watch_pid, args.watch_db))


async def closed_loop(args, host, port, tally: Tally) -> None:
    journeys = Journeys(args)

    async def user():
        while time.perf_counter() < tally.end:
            await login_journey(host, port, journeys.next(), tally, args.login_path)

    await asyncio.gather(watch(args, tally), *(user() for _ in range(args.users)))


async def open_loop(args, host, port, tally: Tally) -> dict:
    """Start journeys on a fixed schedule (``--rate`` a second), never waiting for answers."""
    journeys = Journeys(args)
    watcher = asyncio.create_task(watch(args, tally))
    interval = 1.0 / args.rate
    begin = time.perf_counter()
    tasks: set[asyncio.Task] = set()
    started = late = 0
    for number in itertools.count():
        due = begin + number * interval
        if due > tally.end:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.01:
            late += 1
        task = asyncio.create_task(
            login_journey(host, port, journeys.next(), tally, args.login_path)
        )
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        started += 1
    if tasks:
        await asyncio.wait(tasks, timeout=30)
    await watcher
    return {"started": started, "started_late": late}


async def log_in(host: str, port: int, number: int) -> Connection:
    connection = Connection(host, port)
    page = await connection.request("GET", "/login/")
    token = _TOKEN.search(page.body).group(1).decode()
    form = {"csrfmiddlewaretoken": token, "user_id": account_id(number), "password": PASSWORD}
    answer = await connection.request("POST", "/login/", form)
    if answer.status != 302:
        raise SystemExit(f"bench: could not log in {account_id(number)}: {answer.status}")
    return connection


async def pages(args, host, port, tally: Tally) -> None:
    """Closed loop over one page; each user keeps its connection (and session) alive."""
    if args.login:
        connections = [await log_in(host, port, args.right_first + i) for i in range(args.users)]
    else:
        connections = [Connection(host, port) for _ in range(args.users)]
    if args.warm_path:
        for connection in connections:
            await connection.request("GET", args.warm_path)  # its cookies, not counted
    tally.start = time.perf_counter() + args.warmup
    tally.end = tally.start + args.duration

    async def user(connection: Connection):
        sent = 0
        while time.perf_counter() < tally.end:
            sent += 1
            if args.reconnect_every and sent % args.reconnect_every == 0:
                # Keep-alive pins a connection to the worker that accepted it; browsers come
                # and go, so new connections let the busy workers' load even out.
                connection.close()
            try:
                answer = await connection.request("GET", args.path)
            except (OSError, asyncio.IncompleteReadError):
                tally.odd("connection")
                continue
            if answer.status != 200:
                tally.odd(f"{args.path}: {answer.status}")
            elif tally.inside(time.perf_counter()):
                tally.pages += 1

    await asyncio.gather(watch(args, tally), *(user(c) for c in connections))
    for connection in connections:
        connection.close()


def cpu_use(tally: Tally) -> dict:
    """Cores used in the window by the server (with its database), the generator, the rest."""
    if len(tally.samples) != 2 or None in tally.samples:
        return {}
    first, last = tally.samples
    window = tally.end - tally.start
    server = last.server - first.server
    client = last.client - first.client
    use = {
        "server_cores": server / window,
        "client_cores": client / window,
        "other_cores": max(0.0, (last.machine - first.machine - server - client) / window),
    }
    if tally.posts:
        use["server_cpu_ms_per_post"] = 1000 * server / tally.posts
    if tally.pages:
        use["server_cpu_ms_per_page"] = 1000 * server / tally.pages
    return use


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("login", "get"))
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=8, help="journeys or connections at once")
    parser.add_argument("--rate", type=float, help="open loop: journeys started per second")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--mix", default="60,20,20", help="right,wrong,unknown weights")
    parser.add_argument("--right-first", type=int, default=1)
    parser.add_argument("--right-last", type=int, default=1000)
    parser.add_argument("--wrong-first", type=int, default=0)
    parser.add_argument("--wrong-last", type=int, default=0)
    parser.add_argument("--run", default="A", help="tag making unknown IDs unique per phase")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--login-path", default="/login/", help="login: the form's address")
    parser.add_argument("--path", default="/", help="get: the page to request")
    parser.add_argument("--warm-path", help="get: a page each connection requests first")
    parser.add_argument("--login", action="store_true", help="get: as logged-in people")
    parser.add_argument(
        "--reconnect-every", type=int, default=25, help="get: requests per connection"
    )
    parser.add_argument("--watch-pid", type=int, help="the server's pid, to count its CPU")
    parser.add_argument("--watch-db", default="", help="PostgreSQL database to count too")
    args = parser.parse_args(argv)
    base = urlsplit(args.base)
    host, port = base.hostname, base.port or 80

    now = time.perf_counter()
    tally = Tally(start=now + args.warmup, end=now + args.warmup + args.duration)
    started_cpu = time.process_time()
    extra: dict = {}
    if args.what == "get":
        asyncio.run(pages(args, host, port, tally))
    elif args.rate:
        extra = asyncio.run(open_loop(args, host, port, tally))
    else:
        asyncio.run(closed_loop(args, host, port, tally))
    wall = time.perf_counter() - now
    lat = tally.post_latencies
    result = {
        "window_s": tally.end - tally.start,
        "posts": tally.posts,
        "posts_per_s": tally.posts / (tally.end - tally.start),
        "signed_in_per_s": tally.signed_in / (tally.end - tally.start),
        "invalid": tally.invalid,
        "signed_in": tally.signed_in,
        "pages": tally.pages,
        "pages_per_s": tally.pages / (tally.end - tally.start),
        "post_p50_ms": 1000 * percentile(lat, 0.50) if lat else None,
        "post_p95_ms": 1000 * percentile(lat, 0.95) if lat else None,
        "post_p99_ms": 1000 * percentile(lat, 0.99) if lat else None,
        "unexpected": tally.unexpected,
        "client_cpu_share": (time.process_time() - started_cpu) / wall,
        **extra,
        **cpu_use(tally),
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
