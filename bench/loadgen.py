"""The load generator: a separate process that drives the portal over real HTTP.

``python -m bench.loadgen login …`` runs login journeys (GET the form, POST the
credentials with the CSRF token, follow to the home page) with a mix of right
passwords, wrong passwords and unknown IDs (with ``--totp-key``, a right password goes
on to the code step: GET it, POST the app's current code, follow to the home page),
either closed-loop (``--users`` journeys at a time, as fast as the server answers:
saturation) or open-loop (``--rate`` journeys a second on a fixed schedule, whatever the
server does: latency at a given load). ``python -m bench.loadgen get …`` requests one
page over keep-alive connections, as logged-in people (``--login``) or anonymously.
``python -m bench.loadgen sso …`` has logged-in people open an app registered with
``--client-id``/``--client-secret`` again and again: the authorization request
with PKCE, the code read from the redirect to the app, the code exchanged at the
token endpoint with the app's secret, userinfo with the access token.

It prints one JSON object: counts, rates, login-POST latencies, its own CPU use.
No ID is ever locked by the bench: wrong passwords go to IDs taken in turn from
``--wrong-range`` (each used once), unknown IDs are fresh for every attempt. A code is
good once per account and 30-second step, so with ``--totp-key`` right passwords go to the
accounts of ``--right-first`` … ``--right-last`` in turn, and the run stops if it comes
round to one within ``TOTP_REUSE_SECONDS`` of its last code.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import itertools
import json
import math
import random
import re
import secrets
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import pyotp

from bench import cpu
from bench.common import PASSWORD, TOTP_REUSE_SECONDS, WRONG_PASSWORD, account_id, unknown_id
from bench.httpclient import Connection

_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_CODE = re.compile(rb'data-code="([^"]+)"')
_CODE_FIELD = re.compile(rb'name="code"')
# The home page lists the person's applications, or says none is available yet.
_HOME = re.compile(rb'class="(?:no-)?apps"')
KINDS = ("right", "wrong", "unknown")


class RangeUsedUp(Exception):
    """The IDs given for a kind of journey cannot serve another one: the run stops."""


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
    journeys: int = 0
    journey_latencies: list[float] = field(default_factory=list)
    samples: list = field(default_factory=list)

    def inside(self, moment: float) -> bool:
        return self.start <= moment <= self.end

    def odd(self, what: str) -> None:
        self.unexpected[what] = self.unexpected.get(what, 0) + 1


class Journeys:
    """Chooses who logs in next, and with what, following the mix."""

    def __init__(self, args, clock=time.perf_counter):
        self.rng = random.Random(args.seed)
        self.clock = clock
        self.right = (args.right_first, args.right_last)
        self.wrong = itertools.count(args.wrong_first)
        self.wrong_last = args.wrong_last
        self.unknown = itertools.count(1)
        self.run = args.run
        weights = [float(w) for w in args.mix.split(",")]
        self.weights = weights
        # With a code step, accounts are taken in turn: each comes back as late as can be.
        self.in_turn = bool(args.totp_key)
        self.turn = itertools.cycle(range(args.right_first, args.right_last + 1))
        self.last_code: dict[int, float] = {}

    def next(self) -> tuple[str, str, str]:
        kind = self.rng.choices(KINDS, self.weights)[0]
        if kind == "right":
            number = self._next_in_turn() if self.in_turn else self.rng.randint(*self.right)
            return kind, account_id(number), PASSWORD
        if kind == "wrong":
            number = next(self.wrong)
            if number > self.wrong_last:
                raise RangeUsedUp("bench: --wrong-range is used up; give a wider one")
            return kind, account_id(number), WRONG_PASSWORD
        return kind, unknown_id(self.run, next(self.unknown)), PASSWORD

    def _next_in_turn(self) -> int:
        """The next account in turn; stops the run if its last code may still be of this step."""
        number = next(self.turn)
        now = self.clock()
        last = self.last_code.get(number)
        if last is not None and now - last < TOTP_REUSE_SECONDS:
            raise RangeUsedUp(
                f"bench: the right-password accounts came round to {account_id(number)} again "
                f"after {now - last:.0f} s, within {TOTP_REUSE_SECONDS} s of its last code: "
                "give a wider --right-first … --right-last"
            )
        self.last_code[number] = now
        return number


async def pass_code_step(
    connection: Connection, path: str, app: pyotp.TOTP, tally: Tally
) -> str | None:
    """GET the code page, POST the app's current code; where the server sends on, or None."""
    page = await connection.request("GET", path)
    match = _TOKEN.search(page.body)
    if page.status != 200 or match is None or _CODE_FIELD.search(page.body) is None:
        tally.odd(f"code page {path}: {page.status}")
        return None
    form = {"csrfmiddlewaretoken": match.group(1).decode(), "code": app.now()}
    answer = await connection.request("POST", path, form)
    if answer.status != 302:
        code = _CODE.search(answer.body)
        tally.odd(f"code: {answer.status} {code and code.group(1).decode()}")
        return None
    return answer.header("location") or "/"


async def login_journey(
    host: str,
    port: int,
    journey,
    tally: Tally,
    form_path: str,
    user_field: str = "user_id",
    app: pyotp.TOTP | None = None,
) -> None:
    """GET the form, POST the credentials, follow the redirect: one person logging in.

    With ``app`` (the person's authenticator app), a right password must lead to a code
    step, and the journey counts only when the code leads to the home page.
    """
    kind, user_id, password = journey
    connection = Connection(host, port)
    try:
        begun = time.perf_counter()
        page = await connection.request("GET", form_path)
        match = _TOKEN.search(page.body)
        if page.status != 200 or match is None:
            tally.odd(f"login form {page.status}")
            return
        form = {
            "csrfmiddlewaretoken": match.group(1).decode(),
            user_field: user_id,
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
            location = answer.header("location") or "/"
            if app is not None:
                location = await pass_code_step(connection, location, app, tally)
                if location is None:
                    return
            home = await connection.request("GET", location)
            if home.status != 200 or _HOME.search(home.body) is None:
                tally.odd(f"home after login: {home.status}")
                return
            if counted:
                tally.signed_in += 1
                if app is not None:
                    tally.journeys += 1
                    tally.journey_latencies.append(time.perf_counter() - begun)
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


def authenticator(args) -> pyotp.TOTP | None:
    """The app every person with a code step has, when ``--totp-key`` gives its key."""
    return pyotp.TOTP(args.totp_key) if args.totp_key else None


async def closed_loop(args, host, port, tally: Tally) -> None:
    journeys = Journeys(args)
    app = authenticator(args)

    async def user():
        while time.perf_counter() < tally.end:
            await login_journey(
                host, port, journeys.next(), tally, args.login_path, args.user_field, app
            )

    await asyncio.gather(watch(args, tally), *(user() for _ in range(args.users)))


async def open_loop(args, host, port, tally: Tally) -> dict:
    """Start journeys on a fixed schedule (``--rate`` a second), never waiting for answers."""
    journeys = Journeys(args)
    app = authenticator(args)
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
            login_journey(host, port, journeys.next(), tally, args.login_path, args.user_field, app)
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


@dataclass
class App:
    """The app people open: its registration, and the requests its back end makes."""

    client_id: str
    client_secret: str
    redirect_uri: str

    def basic_auth(self) -> dict[str, str]:
        pair = f"{self.client_id}:{self.client_secret}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


async def send(connection: Connection, *args, **kwargs):
    """A request; once more on a new connection when a kept-alive one turns out closed by
    the server before it answered (its idle timeout), as HTTP clients do."""
    reused = connection.writer is not None
    try:
        return await connection.request(*args, **kwargs)
    except (asyncio.IncompleteReadError, ConnectionError):
        if not reused:
            raise
        return await connection.request(*args, **kwargs)


async def open_app(browser: Connection, backend: Connection, app: App, tally: Tally) -> None:
    """One signed-in person opening the app: authorize → code → token → userinfo."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    state = secrets.token_urlsafe(12)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": app.redirect_uri,
            "scope": "openid profile email",
            "state": state,
            "nonce": secrets.token_urlsafe(12),
            "code_challenge": challenge.rstrip(b"=").decode(),
            "code_challenge_method": "S256",
        }
    )
    sent = time.perf_counter()
    answer = await send(browser, "GET", "/o/authorize/?" + query)
    location = answer.header("location")
    if answer.status != 302 or not location.startswith(app.redirect_uri + "?"):
        tally.odd(f"authorize: {answer.status} {location[:40]}")
        return
    # The browser is sent back to the app; the app's callback reads the code from it.
    returned = parse_qs(urlsplit(location).query)
    if returned.get("state") != [state] or "code" not in returned or "iss" not in returned:
        tally.odd("authorize: redirect without code, state or iss")
        return
    token = await send(
        backend,
        "POST",
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": returned["code"][0],
            "redirect_uri": app.redirect_uri,
            "code_verifier": verifier,
        },
        headers=app.basic_auth(),
    )
    if token.status != 200:
        tally.odd(f"token: {token.status}")
        return
    tokens = json.loads(token.body)
    if "id_token" not in tokens or "refresh_token" not in tokens:
        tally.odd("token: no ID token or refresh token")
        return
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    info = await send(backend, "GET", "/o/userinfo/", headers=bearer)
    done = time.perf_counter()
    if info.status != 200 or b'"sub"' not in info.body:
        tally.odd(f"userinfo: {info.status}")
        return
    if tally.inside(done):
        tally.journeys += 1
        tally.journey_latencies.append(done - sent)


async def apps(args, host, port, tally: Tally) -> None:
    """Closed loop: each logged-in person opens the app again as soon as it is open."""
    app = App(args.client_id, args.client_secret, args.redirect_uri)
    browsers = [await log_in(host, port, args.right_first + i) for i in range(args.users)]
    tally.start = time.perf_counter() + args.warmup
    tally.end = tally.start + args.duration

    async def person(browser: Connection):
        backend = Connection(host, port)  # the app's server: no cookies
        opened = 0
        while time.perf_counter() < tally.end:
            opened += 1
            if args.reconnect_every and opened % args.reconnect_every == 0:
                browser.close()
                backend.close()
            try:
                await open_app(browser, backend, app, tally)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                tally.odd(f"connection: {type(exc).__name__}")
        backend.close()

    await asyncio.gather(watch(args, tally), *(person(b) for b in browsers))
    for browser in browsers:
        browser.close()


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
    if tally.journeys:
        use["server_cpu_ms_per_journey"] = 1000 * server / tally.journeys
    return use


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("login", "get", "sso"))
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
    parser.add_argument(
        "--user-field", default="user_id", help="login: the form's name for the user's ID"
    )
    parser.add_argument(
        "--totp-key",
        help="login: the base32 key of the accounts' authenticator app; a right password "
        "goes on to the code step, and right-password accounts are taken in turn",
    )
    parser.add_argument("--path", default="/", help="get: the page to request")
    parser.add_argument("--warm-path", help="get: a page each connection requests first")
    parser.add_argument("--login", action="store_true", help="get: as logged-in people")
    parser.add_argument(
        "--reconnect-every", type=int, default=25, help="get: requests per connection"
    )
    parser.add_argument("--client-id", help="sso: the app's client ID")
    parser.add_argument("--client-secret", help="sso: the app's client secret")
    parser.add_argument("--redirect-uri", help="sso: the app's registered redirect URI")
    parser.add_argument("--watch-pid", type=int, help="the server's pid, to count its CPU")
    parser.add_argument("--watch-db", default="", help="PostgreSQL database to count too")
    args = parser.parse_args(argv)
    base = urlsplit(args.base)
    host, port = base.hostname, base.port or 80

    now = time.perf_counter()
    tally = Tally(start=now + args.warmup, end=now + args.warmup + args.duration)
    started_cpu = time.process_time()
    extra: dict = {}
    try:
        if args.what == "get":
            asyncio.run(pages(args, host, port, tally))
        elif args.what == "sso":
            asyncio.run(apps(args, host, port, tally))
        elif args.rate:
            extra = asyncio.run(open_loop(args, host, port, tally))
        else:
            asyncio.run(closed_loop(args, host, port, tally))
    except RangeUsedUp as exc:
        raise SystemExit(str(exc)) from None
    wall = time.perf_counter() - now
    lat = tally.post_latencies
    jl = tally.journey_latencies
    result = {
        "window_s": tally.end - tally.start,
        "posts": tally.posts,
        "posts_per_s": tally.posts / (tally.end - tally.start),
        "signed_in_per_s": tally.signed_in / (tally.end - tally.start),
        "invalid": tally.invalid,
        "signed_in": tally.signed_in,
        "pages": tally.pages,
        "pages_per_s": tally.pages / (tally.end - tally.start),
        "journeys": tally.journeys,
        "journeys_per_s": tally.journeys / (tally.end - tally.start),
        "journey_p50_ms": 1000 * percentile(jl, 0.50) if jl else None,
        "journey_p95_ms": 1000 * percentile(jl, 0.95) if jl else None,
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
