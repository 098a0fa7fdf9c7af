"""``make bench``: staffgate at employer scale, on PostgreSQL and SQLite, in one run.

For each database it creates a fresh database, migrates it, and then measures:

* the roster import of 1,000,000 rows (time, peak memory) beside a bare ``COPY``
  (PostgreSQL) or ``executemany`` (SQLite) of the same file, in a copy of the database;
* login latency with 1,000 accounts and, in turns, with 1,000,000 (a second copy of the
  database, served by a second server);
* with 100,000 accounts: B (the hash bound) and L (login POSTs a second at saturation)
  in rounds, B before and after each L; T, logins with an authenticator-app code a
  second at saturation, in rounds around one against its floor (a block of accounts of
  its own has the app); login latency at 70% of L (open loop); H, the
  home page against a bare view served by the same server; S, signed-in people opening
  an app registered for single sign-on (authorize → code → token → userinfo), beside
  that bare view;
* the peer — the login a Django developer would build instead (``bench/peer/``), on a
  database of its own with the same accounts — under the same load, in rounds taking
  turns with staffgate's; then a burst of 50 wrong passwords for one account against
  each side, counting the passwords each one verified.

The server is ``staffgate serve`` (gunicorn, its default layout) with the production
settings, and the load comes from ``bench.loadgen`` in its own process. Prints one table
and writes ``bench/results/latest.json``. See the README, "Reading ``make bench``".
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    BARE_PATH,
    FLOOR_LOGIN_PATH,
    FLOOR_TOTP_LOGIN_PATH,
    SESSION_PATH,
    TOTP_KEY,
    TOTP_REUSE_SECONDS,
)
from bench.peer import measure as peer_side
from staffgate.roster.rows import COLUMNS

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"

IMPORT_ROWS = 1_000_000
ACCOUNTS = 100_000
SMALL_ROSTER = 1_000
LARGE_ROSTER = 1_000_000
SEQUENTIAL_PARTS = 4  # a warm-up and three measured turns on each roster size
# Right passwords go to accounts 1…RIGHT_LAST; wrong ones to IDs above it, each used once.
RIGHT_LAST = 50_000
WRONG_BLOCK = 6_000
# The bench's app: the load generator reads the code from its redirect, nothing listens.
SSO_REDIRECT_URI = "http://127.0.0.1:9/bench/callback"
SSO_LAUNCH_URL = "http://127.0.0.1:9/bench/"
# The bursts' accounts (one each): they have had right passwords only, so no failure yet.
BURST_ACCOUNTS = [RIGHT_LAST, RIGHT_LAST - 1, RIGHT_LAST - 2]
# Logins with an app code: a code is good once per account and 30-second step, so each
# round takes accounts in turn from a slice of its own, which lasts TOTP_REUSE_SECONDS at
# 50 logins/s. Measured on 2 cores: 12-17/s on a busy machine; 58-81 ms of server CPU each
# caps them near 35/s on a quiet one. The load generator stops if it comes round sooner.
# The slices end just below the last account (the query count's wrong password), above
# the IDs of every password-only phase.
TOTP_SLICE = TOTP_REUSE_SECONDS * 50


@dataclass
class Timing:
    """How long each measurement runs (``--quick`` shortens them for trying the bench out)."""

    import_rows: int = IMPORT_ROWS
    rounds: int = 3
    b_seconds: float = 2.0
    l_warmup: float = 2.0
    l_seconds: float = 10.0
    latency_seconds: float = 12.0
    h_seconds: float = 5.0
    s_seconds: float = 10.0
    p50_seconds: float = 4.0
    users: int = 8
    totp_rounds: int = 2

    @property
    def totp_first(self) -> int:
        """The first account with an authenticator app (they run up to ACCOUNTS - 1)."""
        return ACCOUNTS - self.totp_rounds * TOTP_SLICE


QUICK = Timing(
    import_rows=100_000,
    rounds=1,
    totp_rounds=1,
    b_seconds=1.0,
    l_seconds=5.0,
    latency_seconds=5.0,
    h_seconds=3.0,
    s_seconds=5.0,
    p50_seconds=2.0,
)


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[bench {stamp}] {message}", file=sys.stderr, flush=True)


@dataclass
class Database:
    """One database under test: how to reach it, make a scratch copy, and clean up."""

    kind: str  # "postgresql" or "sqlite"
    url: str
    workdir: Path
    admin_url: str = ""
    name: str = ""
    made: list[str] = field(default_factory=list)

    @classmethod
    def postgres(cls, admin_url: str, workdir: Path, tag: str) -> Database:
        name = f"sg_bench_{tag}"
        base = admin_url.rsplit("/", 1)[0]
        db = cls("postgresql", f"{base}/{name}", workdir, admin_url, name)
        db.create(name)
        return db

    @classmethod
    def sqlite(cls, workdir: Path) -> Database:
        path = workdir / "bench.sqlite3"
        return cls("sqlite", f"sqlite:///{path}", workdir, name=str(path))

    def _admin(self):
        import psycopg

        url = self.admin_url.replace("postgres://", "postgresql://", 1)
        return psycopg.connect(url, autocommit=True)

    def create(self, name: str, template: str | None = None) -> None:
        from psycopg import sql

        with self._admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            admin.execute(statement)
        self.made.append(name)

    def scratch_copy(self, suffix: str) -> tuple[str, str]:
        """A copy of the database as it is now (just migrated): its URL and name."""
        if self.kind == "postgresql":
            name = f"{self.name}_{suffix}"
            self.create(name, template=self.name)
            return self.url.rsplit("/", 1)[0] + "/" + name, name
        copy = self.workdir / f"{suffix}.sqlite3"
        shutil.copyfile(self.name, copy)
        return f"sqlite:///{copy}", str(copy)

    def drop_scratch(self, suffix: str) -> None:
        if self.kind == "postgresql":
            self._drop(f"{self.name}_{suffix}")
        else:
            for end in ("", "-wal", "-shm"):
                (self.workdir / f"{suffix}.sqlite3{end}").unlink(missing_ok=True)

    def _drop(self, name: str) -> None:
        from psycopg import sql

        with self._admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        if name in self.made:
            self.made.remove(name)

    def drop_all(self) -> None:
        if self.kind == "postgresql":
            for name in reversed(list(self.made)):
                self._drop(name)


class Server:
    """``staffgate serve`` on one database, in its own process group."""

    def __init__(self, env: dict, serve_args: str, log_path: Path, database: str = ""):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.database = database  # PostgreSQL: its backends' CPU counts as the server's
        self.log_path = log_path
        serve = [str(BIN / "staffgate"), "serve", "--bind", f"127.0.0.1:{self.port}"]
        with open(log_path, "a") as log_file:
            self.process = subprocess.Popen(  # noqa: S603 - staffgate serve
                [*serve, *serve_args.split()],
                env=env,
                cwd=ROOT,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: the server stopped; see {log_path}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            time.sleep(0.3)
        self.stop()
        raise SystemExit("bench: the server did not answer /healthz within 90 s")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        # The server runs in its own session: its group id is its own pid.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class Bench:
    def __init__(self, args, workdir: Path):
        self.args = args
        self.timing = QUICK if args.quick else Timing()
        self.workdir = workdir
        self.base_env = {
            **os.environ,
            "STAFFGATE_SECRET_KEY": secrets.token_urlsafe(50),
            "STAFFGATE_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STAFFGATE_SECURE_COOKIES": "0",
            "STAFFGATE_VAR_DIR": str(workdir / "var"),
            "STAFFGATE_DEBUG": "0",
            # The load comes from one address; the per-address throttle would stop it. The
            # throttle still runs (and costs what it costs), it just never trips.
            "STAFFGATE_IP_MAX_FAILURES": "1000000000",
            "STAFFGATE_LOG_LEVEL": "WARNING",
            # Accounts with an authenticator app are asked for its code, whatever the shell.
            "STAFFGATE_MFA": "optional",
            "EMAIL_URL": "locmem:",
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
        for name in ("STAFFGATE_ARGON2_MEMORY_KIB", "STAFFGATE_ARGON2_TIME_COST"):
            self.base_env.pop(name, None)  # production hasher parameters, whatever the shell
        if args.hash_time_cost:  # an operator's raised cost, asked for on the command line
            self.base_env["STAFFGATE_ARGON2_TIME_COST"] = str(args.hash_time_cost)
        # Single sign-on on, with a signing key of its own, as `make run` sets it up.
        key_file = workdir / "var" / "oidc_key.pem"
        self.run(sys.executable, "-m", "staffgate.oidc.keys", str(key_file), env=self.base_env)
        self.base_env["STAFFGATE_OIDC_KEY_FILE"] = str(key_file)
        self.env = dict(self.base_env)
        self.servers: list[Server] = []

    # --- processes ---------------------------------------------------------------------

    def run(self, *argv: str, env: dict | None = None, quiet: bool = False) -> str:
        """Run a command to completion; its standard output, or stop the bench on failure."""
        done = subprocess.run(  # noqa: S603 - the bench's own commands
            argv, env=env or self.env, cwd=ROOT, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"bench: {' '.join(argv[:3])} … failed ({done.returncode})")
        if not quiet and done.stderr.strip():
            sys.stderr.write(done.stderr)
        return done.stdout

    def json_of(self, *argv: str) -> dict:
        return json.loads(self.run(*argv).strip().splitlines()[-1])

    def staffgate(self, *argv: str, env: dict | None = None) -> str:
        return self.run(str(BIN / "staffgate"), *argv, env=env)

    def python(self, *argv: str) -> str:
        return self.run(sys.executable, *argv)

    def start_server(self, env: dict | None = None, database: str = "") -> Server:
        server = Server(
            env or self.env, self.args.serve_args, self.workdir / "server.log", database
        )
        self.servers.append(server)
        return server

    def stop_servers(self) -> None:
        while self.servers:
            self.servers.pop().stop()

    def loadgen(self, server: Server, what: str, *options: str) -> dict:
        watch = ["--watch-pid", str(server.pid)]
        if server.database:
            watch += ["--watch-db", server.database]
        return self.json_of(
            sys.executable, "-m", "bench.loadgen", what, "--base", server.base, *watch, *options
        )

    # --- measurements --------------------------------------------------------------------

    def hash_bound(self, threads: int = 1) -> dict:
        return self.json_of(
            sys.executable, "-m", "bench.hashbound",
            "--seconds", str(self.timing.b_seconds), "--threads", str(threads),
        )  # fmt: skip

    def saturate(
        self, server: Server, round_number: int, form_path: str = "/login/", extra=()
    ) -> dict:
        first = RIGHT_LAST + 1 + round_number * WRONG_BLOCK
        t = self.timing
        return self.loadgen(
            server,
            "login",
            "--login-path", form_path,
            "--users", str(t.users),
            "--warmup", str(t.l_warmup),
            "--duration", str(t.l_seconds),
            "--right-first", "1", "--right-last", str(RIGHT_LAST),
            "--wrong-first", str(first), "--wrong-last", str(first + WRONG_BLOCK - 1),
            "--run", f"L{round_number}", "--seed", str(round_number + 1), *extra,
        )  # fmt: skip

    def sequential_logins(self, server: Server, accounts: int, tag: str, part: int) -> dict:
        """Login latency without contention, one journey at a time, across the roster.

        Right passwords go to the first 60% of the accounts; wrong ones to the rest, cut
        into SEQUENTIAL_PARTS blocks so that no run reuses another's IDs (no lock).
        """
        right_last = int(accounts * 0.6)
        block = (accounts - right_last) // SEQUENTIAL_PARTS
        wrong_first = right_last + 1 + part * block
        seconds = self.timing.p50_seconds if part else 1.5
        return self.loadgen(
            server,
            "login",
            "--users", "1", "--warmup", "0.5", "--duration", str(seconds),
            "--right-first", "1", "--right-last", str(right_last),
            "--wrong-first", str(wrong_first), "--wrong-last", str(wrong_first + block - 1),
            "--run", f"{tag}{part}", "--seed", str(7 + part),
        )  # fmt: skip

    def roster_size_latency(self, small: Server, large: Server) -> dict:
        """Login p50 with a small and a large roster, measured in turns.

        Taking turns cancels slow drifts of the machine (the hash speed moves by several
        per cent over minutes); each side's figure is the median of its turns.
        """
        turns: dict[str, list[dict]] = {"small_roster": [], "large_roster": []}
        for server, accounts, tag in ((small, SMALL_ROSTER, "S"), (large, LARGE_ROSTER, "M")):
            self.sequential_logins(server, accounts, tag + "W", 0)  # warm up
        for turn in range(1, SEQUENTIAL_PARTS):
            turns["small_roster"].append(self.sequential_logins(small, SMALL_ROSTER, "S", turn))
            turns["large_roster"].append(self.sequential_logins(large, LARGE_ROSTER, "M", turn))
        result = {}
        for side, runs in turns.items():
            result[side] = {
                key: statistics.median(run[key] for run in runs)
                for key in ("post_p50_ms", "post_p95_ms", "server_cpu_ms_per_post", "other_cores")
                if all(run.get(key) is not None for run in runs)
            }
            result[side]["posts"] = sum(run["posts"] for run in runs)
            result[side]["unexpected"] = {
                what: sum(run["unexpected"].get(what, 0) for run in runs)
                for what in {w for run in runs for w in run["unexpected"]}
            }
            result[side]["turns"] = runs
        return result

    def timed_import(self, url: str, csv_path: Path) -> dict:
        """``staffgate import-roster`` in its own process: wall time and peak RSS."""
        env = {**self.env, "DATABASE_URL": url}
        out_path = self.workdir / "import.out"
        with open(out_path, "w") as out:
            begin = time.perf_counter()
            process = subprocess.Popen(  # noqa: S603 - staffgate import-roster
                [str(BIN / "staffgate"), "import-roster", str(csv_path)],
                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - begin
            process.returncode = os.waitstatus_to_exitcode(status)
        output = out_path.read_text().strip()
        if process.returncode != 0:
            return {"error": output[-500:] or f"exit {process.returncode}"}
        return {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024, "output": output}

    # --- one database --------------------------------------------------------------------

    def bench_database(self, db: Database, csv_path: Path) -> dict:
        t = self.timing
        self.env = {**self.base_env, "DATABASE_URL": db.url}
        postgres = db.kind == "postgresql"
        result: dict = {"database": db.kind}
        log(f"{db.kind}: migrate")
        self.staffgate("migrate", "--noinput", "-v", "0")
        app = self.register_app()  # on the home page too, as in a portal with single sign-on

        log(f"{db.kind}: import-roster of {t.import_rows:,} rows")
        url, _ = db.scratch_copy("import")
        result["import"] = self.timed_import(url, csv_path)
        result["import"]["bare_load"] = bare_load(db.kind, url, csv_path, self.workdir)
        db.drop_scratch("import")
        log(f"{db.kind}: import {fmt(result['import'].get('seconds'), 1)} s")

        log(f"{db.kind}: a second database with {LARGE_ROSTER:,} accounts (INSERT … SELECT)")
        large_url, large_name = db.scratch_copy("large")
        large_env = {**self.env, "DATABASE_URL": large_url}
        self.run(sys.executable, "-m", "bench.seed", "add", "0", str(SMALL_ROSTER), env=large_env)
        self.run(sys.executable, "-m", "bench.seed", "grow", str(LARGE_ROSTER), env=large_env)
        self.python("-m", "bench.seed", "add", "0", str(SMALL_ROSTER))

        server = self.start_server(database=db.name if postgres else "")
        large = self.start_server(large_env, database=large_name if postgres else "")
        log(f"{db.kind}: login latency, {SMALL_ROSTER:,} and {LARGE_ROSTER:,} accounts in turns")
        result.update(self.roster_size_latency(server, large))
        large.stop()
        self.servers.remove(large)
        db.drop_scratch("large")

        log(f"{db.kind}: {ACCOUNTS:,} accounts (bulk_create, one precomputed hash)")
        begin = time.perf_counter()
        self.python("-m", "bench.seed", "add", str(SMALL_ROSTER), str(ACCOUNTS - SMALL_ROSTER))
        result["seed_seconds"] = time.perf_counter() - begin
        totp_first = t.totp_first
        log(f"{db.kind}: an authenticator app for accounts {totp_first:,}…{ACCOUNTS - 1:,}")
        self.python("-m", "bench.seed", "totp", str(totp_first), str(ACCOUNTS - 1))
        result["queries"] = self.json_of(
            sys.executable, "-m", "bench.profile_login", "queries",
            "--account", "2", "--wrong", str(ACCOUNTS), "--run", "Q",
        )  # fmt: skip

        peer = peer_side.start(self, db, ACCOUNTS)
        bounds = [self.hash_bound()]
        rounds = []
        for number in range(t.rounds):
            log(f"{db.kind}: saturation round {number + 1}/{t.rounds}")
            load = self.saturate(server, number)
            bounds.append(self.hash_bound())
            b = (bounds[-2]["B"] + bounds[-1]["B"]) / 2
            spread = abs(bounds[-2]["B"] - bounds[-1]["B"]) / b
            rounds.append(
                {
                    **load,
                    "B_before": bounds[-2]["B"],
                    "B_after": bounds[-1]["B"],
                    "B": b,
                    "B_spread": spread,
                    "B_flag": spread > 0.10,
                    "R": load["posts_per_s"] / b,
                }
            )
            log(f"{db.kind}: L={load['posts_per_s']:.1f}/s B={b:.1f}/s R={rounds[-1]['R']:.3f}")
            peer_side.saturation_round(self, peer, number, bounds, rounds[-1])
        result["peer"] = peer_side.finish(self, peer)
        log(f"{db.kind}: the same load against the floor (one verify, no portal work)")
        floor = self.saturate(server, t.rounds, form_path=FLOOR_LOGIN_PATH)
        bounds.append(self.hash_bound())
        b = (bounds[-2]["B"] + bounds[-1]["B"]) / 2
        result["floor"] = {**floor, "B": b, "R": floor["posts_per_s"] / b}
        log(f"{db.kind}: floor L={floor['posts_per_s']:.1f}/s R={result['floor']['R']:.3f}")
        result["hash"] = bounds[0]
        # Every core hashing at once: shared caches and memory make each hash slower.
        result["hash_parallel"] = self.hash_bound(threads=bounds[0]["cores"])
        result["rounds"] = rounds
        middle = sorted(rounds, key=lambda r: r["R"])[len(rounds) // 2]
        result["median_round"] = rounds.index(middle)

        result["totp"] = self.totp_logins(server, db.kind)

        rate = 0.7 * statistics.median(r["posts_per_s"] for r in rounds)
        log(f"{db.kind}: latency at 70% load ({rate:.1f} journeys/s, open loop)")
        result["latency"] = {
            "rate": rate,
            **self.loadgen(
                server,
                "login",
                "--rate", f"{rate:.3f}",
                "--warmup", "2", "--duration", str(t.latency_seconds),
                "--right-first", "1", "--right-last", str(RIGHT_LAST),
                "--wrong-first", str(RIGHT_LAST + 1 + (t.rounds + 1) * WRONG_BLOCK),
                "--wrong-last", str(t.totp_first - 1),
                "--run", "P", "--seed", "99",
            ),
        }  # fmt: skip

        log(f"{db.kind}: home page against the bare view")
        pages = ["--users", str(2 * t.users), "--warmup", "1", "--duration", str(t.h_seconds)]
        home = self.loadgen(server, "get", "--path", "/", "--login", *pages)
        bare = self.loadgen(server, "get", "--path", BARE_PATH, *pages)
        session = self.loadgen(
            server, "get", "--path", SESSION_PATH, "--warm-path", f"{SESSION_PATH}?start=1", *pages
        )
        per_bare = bare["pages_per_s"] or float("nan")
        result["pages"] = {
            "home": home,
            "bare": bare,
            "session": session,
            "ratio": home["pages_per_s"] / per_bare,
            "session_ratio": session["pages_per_s"] / per_bare,
        }

        log(f"{db.kind}: signed-in people opening an app (authorize → token → userinfo)")
        result["sso"] = self.open_apps(server, app, per_bare)
        result["burst"] = peer_side.bursts(self, db, peer, BURST_ACCOUNTS)
        self.stop_servers()
        return result

    def totp_logins(self, server: Server, kind: str) -> dict:
        """T: logins with an app code at saturation, all right passwords, in rounds, and the
        same load against its floor once, after the first round (between the two), so that a
        slow drift of the machine cancels in T ÷ floor."""
        t = self.timing

        def load(form_path: str, number: int) -> dict:
            first = t.totp_first + number * TOTP_SLICE
            return self.loadgen(
                server,
                "login",
                "--login-path", form_path, "--totp-key", TOTP_KEY, "--mix", "100,0,0",
                "--users", str(t.users),
                "--warmup", str(t.l_warmup), "--duration", str(t.l_seconds),
                "--right-first", str(first), "--right-last", str(first + TOTP_SLICE - 1),
                "--run", f"T{number}",
            )  # fmt: skip

        rounds, floor = [], {}
        for number in range(t.totp_rounds):
            log(f"{kind}: logins with an app code, round {number + 1}/{t.totp_rounds}")
            rounds.append(load("/login/", number))
            if number == 0:
                log(f"{kind}: the same load against their floor (one verify, one code check)")
                floor = load(FLOOR_TOTP_LOGIN_PATH, number)
        rate = statistics.mean(r["journeys_per_s"] for r in rounds)
        cpu = [r.get("server_cpu_ms_per_journey") for r in rounds]
        log(f"{kind}: T={rate:.1f}/s floor={floor['journeys_per_s']:.1f}/s")
        return {
            "rounds": rounds,
            "floor": floor,
            "journeys_per_s": rate,
            "floor_ratio": rate / (floor["journeys_per_s"] or float("nan")),
            "server_cpu_ms_per_journey": statistics.mean(cpu) if None not in cpu else None,
        }

    def register_app(self) -> dict:
        """The first-party app the bench's people open: its client ID and secret."""
        return json.loads(
            self.staffgate(
                "add-app", "Bench app", "--redirect-uri", SSO_REDIRECT_URI,
                "--scopes", "openid profile email", "--first-party",
                "--launch-url", SSO_LAUNCH_URL, "--json",
            )
        )  # fmt: skip

    def open_apps(self, server: Server, app: dict, bare_per_s: float) -> dict:
        """S: journeys a second of logged-in people opening an app, and the bare view's
        requests a second beside it (the same server, the same run)."""
        t = self.timing
        load = self.loadgen(
            server,
            "sso",
            "--client-id", app["client_id"], "--client-secret", app["client_secret"],
            "--redirect-uri", SSO_REDIRECT_URI,
            "--users", str(t.users), "--warmup", "2", "--duration", str(t.s_seconds),
            "--right-first", "1",
        )  # fmt: skip
        # Three requests reach the portal per journey: authorize, token, userinfo.
        return {**load, "requests_per_bare": 3 * load["journeys_per_s"] / bare_per_s}


def fmt(value, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def bare_load(kind: str, url: str, csv_path: Path, workdir: Path) -> dict:
    """The same rows loaded the cheapest way: ``COPY`` (PostgreSQL) or ``executemany``."""
    if kind == "postgresql":
        return {"method": "COPY", "seconds": copy_load(url, csv_path)}
    return {"method": "executemany", "seconds": executemany_load(workdir, csv_path)}


COPY_TABLE = """
    CREATE TABLE bench_copy (
        id bigserial PRIMARY KEY,
        employee_id varchar(20) NOT NULL UNIQUE,
        first_name varchar(100) NOT NULL,
        last_name varchar(100) NOT NULL,
        pin_last_name varchar(100),
        birth_year smallint NOT NULL,
        country varchar(2) NOT NULL,
        status varchar(16) NOT NULL,
        retirement_plan boolean,
        separation_date date,
        email varchar(254),
        language varchar(5),
        updated_at timestamptz NOT NULL DEFAULT now()
    )
"""
COLUMN_LIST = ", ".join(COLUMNS)


def copy_load(url: str, csv_path: Path) -> float:
    """Seconds to ``COPY`` the file into a table shaped like the roster (same indexes)."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        begin = time.perf_counter()
        with conn.cursor() as cursor:
            cursor.execute(COPY_TABLE)
            # Django's unique CharField also gets a pattern index on PostgreSQL; so does this.
            cursor.execute(
                "CREATE INDEX bench_copy_like ON bench_copy (employee_id varchar_pattern_ops)"
            )
            copy_sql = f"COPY bench_copy ({COLUMN_LIST}) FROM STDIN WITH (FORMAT csv, HEADER true)"
            with cursor.copy(copy_sql) as copy, open(csv_path, "rb") as source:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
        conn.commit()
        return time.perf_counter() - begin


def executemany_load(workdir: Path, csv_path: Path) -> float:
    """Seconds to read the file with ``csv`` and ``executemany`` it into a fresh SQLite table."""
    path = workdir / "executemany.sqlite3"
    begin = time.perf_counter()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(
            "CREATE TABLE bench_copy (id integer PRIMARY KEY AUTOINCREMENT, "
            "employee_id varchar(20) NOT NULL UNIQUE, first_name varchar(100) NOT NULL, "
            "last_name varchar(100) NOT NULL, pin_last_name varchar(100), "
            "birth_year smallint NOT NULL, country varchar(2) NOT NULL, "
            "status varchar(16) NOT NULL, retirement_plan bool, separation_date date, "
            "email varchar(254), language varchar(5), updated_at datetime)"
        )
        with open(csv_path, newline="", encoding="utf-8") as source:
            rows = csv.reader(source)
            next(rows)
            with conn:
                conn.executemany(
                    f"INSERT INTO bench_copy ({COLUMN_LIST}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",  # noqa: S608
                    rows,
                )
        return time.perf_counter() - begin
    finally:
        conn.close()
        path.unlink(missing_ok=True)


# --- the table -------------------------------------------------------------------------------

LABELS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def _median_round(result: dict) -> dict:
    return result["rounds"][result["median_round"]]


def _unexpected(result: dict) -> int:
    """Answers the load generator did not expect (a lock, a 429, an error page…)."""
    parts = [*result["rounds"], result["latency"], result["small_roster"], result["large_roster"]]
    parts += [result["floor"], *(result["pages"][k] for k in ("home", "bare", "session"))]
    parts += [result["sso"]]
    parts += result.get("peer", {}).get("rounds", [])
    totp = result.get("totp", {})
    parts += [*totp.get("rounds", []), totp.get("floor", {})]
    return sum(sum(part.get("unexpected", {}).values()) for part in parts)


def _triple(values) -> str:
    return "/".join(fmt(v, 0) for v in values)


def summarise(results: dict[str, dict], import_rows: int = IMPORT_ROWS) -> list[dict]:
    """The rows of the table: one cell per database, the target, and whether it is met."""
    pg_copy = results.get("postgresql", {}).get("import", {}).get("bare_load", {}).get("seconds")
    m = _median_round
    # key, label, cell, target, check (None: no target)
    spec = [
        ("B", "B hash bound, verifies/s (before → after)",
         lambda r: f"{fmt(m(r)['B_before'], 1)} → {fmt(m(r)['B_after'], 1)}"
         + (" FLAG" if any(x["B_flag"] for x in r["rounds"]) else ""),
         "differ ≤ 10%", lambda r: not any(x["B_flag"] for x in r["rounds"])),
        ("verify_ms", "  one verify, one thread: wall / CPU (ms)",
         lambda r: f"{fmt(r['hash']['verify_ms'], 1)} / {fmt(r['hash']['verify_cpu_ms'], 1)}",
         "", None),
        ("B_par", "  all cores hashing at once: verifies/s (÷ B)",
         lambda r: f"{fmt(r['hash_parallel']['verifies_per_s'], 1)} "
         f"({fmt(r['hash_parallel']['verifies_per_s'] / m(r)['B'], 2)})", "", None),
        ("L", "L login POSTs/s at saturation (median)",
         lambda r: fmt(m(r)["posts_per_s"], 1), "", None),
        ("L_ok", "  of which successful logins/s",
         lambda r: fmt(m(r)["signed_in_per_s"], 1), "", None),
        ("R", "R = L / B (median; each round)",
         lambda r: f"{fmt(m(r)['R'], 3)} ({' '.join(fmt(x['R'], 2) for x in r['rounds'])})",
         "≥ 0.85", lambda r: m(r)["R"] >= 0.85),
        ("R_par", "  L ÷ all-cores hashing rate",
         lambda r: fmt(m(r)["posts_per_s"] / r["hash_parallel"]["verifies_per_s"], 3), "", None),
        ("R_floor", "  floor: same load, bare pages + 1 verify: R",
         lambda r: fmt(r["floor"]["R"], 3), "", None),
        ("R_of_floor", "  R ÷ floor R",
         lambda r: fmt(m(r)["R"] / r["floor"]["R"], 2), "", None),
        ("latency", "login POST p50/p95/p99 at 70% (ms)",
         lambda r: _triple(r["latency"][f"post_p{q}_ms"] for q in (50, 95, 99)),
         "p99 ≤ 4 × verify", lambda r: r["latency"]["post_p99_ms"] <= 4 * r["hash"]["verify_ms"]),
        ("T", "T login with an app code, all right passwords: logins/s (mean; each)",
         lambda r: f"{fmt(r['totp']['journeys_per_s'], 1)} "
         f"({' '.join(fmt(x['journeys_per_s'], 1) for x in r['totp']['rounds'])})", "", None),
        ("T_floor", "  floor: same load, bare pages + 1 verify + 1 code check",
         lambda r: fmt(r["totp"]["floor"]["journeys_per_s"], 1), "", None),
        ("T_of_floor", "  T ÷ floor",
         lambda r: fmt(r["totp"]["floor_ratio"], 2), "", None),
        ("T_cpu", "  server+DB CPU per journey: T / floor (ms)",
         lambda r: f"{fmt(r['totp']['server_cpu_ms_per_journey'], 1)} / "
         f"{fmt(r['totp']['floor']['server_cpu_ms_per_journey'], 1)}", "", None),
        ("H_home", "H home page, req/s",
         lambda r: fmt(r["pages"]["home"]["pages_per_s"], 0), "", None),
        ("H_bare", "  bare Django view, req/s",
         lambda r: fmt(r["pages"]["bare"]["pages_per_s"], 0), "", None),
        ("H_ratio", "  home ÷ bare",
         lambda r: fmt(r["pages"]["ratio"], 2), "≥ 0.60", lambda r: r["pages"]["ratio"] >= 0.6),
        ("H_floor", "  floor: bare view + DB session ÷ bare",
         lambda r: fmt(r["pages"]["session_ratio"], 2), "", None),
        ("S_open", "S signed-in person opening an app, journeys/s",
         lambda r: fmt(r["sso"]["journeys_per_s"], 1), "", None),
        ("S_latency", "  authorize → code → token → userinfo p50/p95 (ms)",
         lambda r: _triple(r["sso"][f"journey_p{q}_ms"] for q in (50, 95)), "", None),
        ("S_bare", "  its 3 requests/s ÷ bare view req/s (H)",
         lambda r: fmt(r["sso"]["requests_per_bare"], 3), "", None),
        ("S_cpu", "  server+DB CPU per journey (ms); secret verify share",
         lambda r: f"{fmt(r['sso']['server_cpu_ms_per_journey'], 1)}; "
         f"{fmt(r['hash']['verify_cpu_ms'] / r['sso']['server_cpu_ms_per_journey'], 2)}",
         "", None),
        ("import_s", f"import-roster {import_rows:,} rows (s)",
         lambda r: fmt(r["import"]["seconds"], 1) if "seconds" in r["import"] else "FAILED",
         "≤ 120", lambda r: r["import"]["seconds"] <= 120),
        ("import_mb", "  peak memory (MB)",
         lambda r: fmt(r["import"]["peak_rss_mb"], 0), "≤ 500",
         lambda r: r["import"]["peak_rss_mb"] <= 500),
        ("bare_load", "  COPY (PG) / executemany (SQLite) (s)",
         lambda r: fmt(r["import"]["bare_load"]["seconds"], 1), "", None),
        ("import_ratio", "  import ÷ PostgreSQL COPY",
         lambda r: fmt(r["import"]["seconds"] / pg_copy, 1), "≤ 4",
         lambda r: r["import"]["seconds"] / pg_copy <= 4),
        ("p50", "login POST p50, 1k → 1M accounts (ms)",
         lambda r: f"{fmt(r['small_roster']['post_p50_ms'], 1)} → "
         f"{fmt(r['large_roster']['post_p50_ms'], 1)}", "", None),
        ("p50_ratio", "  1M ÷ 1k",
         lambda r: fmt(r["large_roster"]["post_p50_ms"] / r["small_roster"]["post_p50_ms"], 2),
         "≤ 1.10",
         lambda r: r["large_roster"]["post_p50_ms"] <= 1.1 * r["small_roster"]["post_p50_ms"]),
        ("p50_cpu", "  server+DB CPU per journey, 1k → 1M (ms)",
         lambda r: f"{fmt(r['small_roster']['server_cpu_ms_per_post'], 1)} → "
         f"{fmt(r['large_roster']['server_cpu_ms_per_post'], 1)}", "", None),
        ("queries", "SQL queries: form / POST / home (right)",
         lambda r: "{get_form} / {post} / {home}".format(**r["queries"]["right"]), "", None),
        ("queries_fail", "  POST, wrong password / unknown ID",
         lambda r: f"{r['queries']['wrong']['post']} / {r['queries']['unknown']['post']}",
         "", None),
        ("cpu_journey", "server+DB CPU per login journey (ms)",
         lambda r: fmt(m(r)["server_cpu_ms_per_post"], 1), "", None),
        ("hash_share", "  hash share (verify CPU ÷ that)",
         lambda r: fmt(r["hash"]["verify_cpu_ms"] / m(r)["server_cpu_ms_per_post"], 2), "", None),
        ("cpu_floor", "  floor journey: server+DB CPU (ms)",
         lambda r: fmt(r["floor"]["server_cpu_ms_per_post"], 1), "", None),
        ("cpu_page", "server+DB CPU per page: home / session / bare (ms)",
         lambda r: " / ".join(fmt(r["pages"][k]["server_cpu_ms_per_page"], 2)
                              for k in ("home", "session", "bare")), "", None),
        ("cores", "cores at saturation: server / loadgen / other",
         lambda r: " / ".join(fmt(m(r)[k], 2) for k in ("server_cores", "client_cores",
                                                         "other_cores")), "", None),
        ("cores_floor", "  the floor's load: server / loadgen / other",
         lambda r: " / ".join(fmt(r["floor"][k], 2) for k in ("server_cores", "client_cores",
                                                              "other_cores")), "", None),
        ("unexpected", "unexpected answers (all phases)",
         lambda r: str(_unexpected(r)), "0", lambda r: _unexpected(r) == 0),
    ]  # fmt: skip
    spec = with_peer_rows(spec)
    rows = []
    for key, label, cell, target, check in spec:
        values, verdicts = {}, {}
        for kind, result in results.items():
            try:
                values[kind] = cell(result)
                if check is not None:
                    verdicts[kind] = bool(check(result))
            except (KeyError, TypeError, ZeroDivisionError, IndexError):
                values[kind] = None
        met = all(verdicts.values()) if verdicts else None
        rows.append(
            {
                "key": key,
                "label": label,
                "values": values,
                "target": target,
                "met": met,
                "met_by": verdicts,
            }
        )
    return rows


def _peer_round(result: dict) -> dict:
    return result["peer"]["rounds"][result["peer"]["median_round"]]


def _burst_verifies(result: dict) -> str:
    sides = (result["burst"][side]["verifies"] for side in ("staffgate", "peer"))
    return " / ".join(" ".join(str(count) for count in counts) for counts in sides)


def with_peer_rows(spec: list[tuple]) -> list[tuple]:
    """``spec`` with the peer's rows: its L after staffgate's floor rows, the burst last."""
    p = _peer_round
    peer = [
        ("peer_L", "peer (LoginView + django-axes): L login POSTs/s (median)",
         lambda r: fmt(p(r)["posts_per_s"], 1), "", None),
        ("peer_L_ok", "  of which successful logins/s",
         lambda r: fmt(p(r)["signed_in_per_s"], 1), "", None),
        ("peer_ratio", "  staffgate ÷ peer, L (median; each round)",
         lambda r: f"{fmt(r['peer']['staffgate_ratio'], 2)} "
         f"({' '.join(fmt(x['staffgate_ratio'], 2) for x in r['peer']['rounds'])})",
         "≥ 1.20", lambda r: r["peer"]["staffgate_ratio"] >= 1.2),
        ("peer_R", "  peer R = L / B",
         lambda r: fmt(p(r)["R"], 3), "", None),
        ("peer_cpu", "  peer: server+DB CPU per login journey (ms)",
         lambda r: fmt(p(r)["server_cpu_ms_per_post"], 1), "", None),
        ("peer_cpu_ratio", "  its CPU per journey ÷ staffgate's (steady on a busy machine)",
         lambda r: fmt(p(r)["server_cpu_ms_per_post"]
                       / _median_round(r)["server_cpu_ms_per_post"], 2), "", None),
        ("peer_cores", "  the peer's load: server / loadgen / other",
         lambda r: " / ".join(fmt(p(r)[k], 2) for k in ("server_cores", "client_cores",
                                                         "other_cores")), "", None),
    ]  # fmt: skip
    burst = [
        ("burst", f"{peer_side.BURST_REQUESTS} wrong passwords at once, one account: "
         "verifies staffgate / peer (each burst)",
         _burst_verifies, "staffgate = 3",
         lambda r: set(r["burst"]["staffgate"]["verifies"]) == {3}),
    ]  # fmt: skip
    keys = [row[0] for row in spec]
    after = keys.index("R_of_floor") + 1 if "R_of_floor" in keys else len(spec)
    before = keys.index("unexpected") if "unexpected" in keys else len(spec)
    return [*spec[:after], *peer, *spec[after:before], *burst, *spec[before:]]


def render(rows: list[dict], kinds: list[str], header: str) -> str:
    names = [LABELS[k] for k in kinds]
    width = max(len(r["label"]) for r in rows) + 2
    cells = [
        [str(r["values"].get(k) if r["values"].get(k) is not None else "n/a") for k in kinds]
        for r in rows
    ]
    col = max([len(n) for n in names] + [len(c) for line in cells for c in line]) + 2
    lines = [header, ""]
    lines.append("".ljust(width) + "".join(n.ljust(col) for n in names) + "target")
    for r, line in zip(rows, cells, strict=True):
        verdict = ""
        if r["met"] is True:
            verdict = "  ok"
        elif r["met"] is False:
            missed = [LABELS[k] for k, ok in r["met_by"].items() if not ok]
            verdict = "  MISSED" + ("" if len(missed) == len(r["met_by"]) else f" ({missed[0]})")
        lines.append(
            r["label"].ljust(width) + "".join(c.ljust(col) for c in line) + r["target"] + verdict
        )
    return "\n".join(lines)


def postgres_reachable(admin_url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(
            admin_url.replace("postgres://", "postgresql://", 1), connect_timeout=3
        ):
            return True
    except psycopg.OperationalError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--databases",
        default=os.environ.get("BENCH_DATABASES", "postgresql,sqlite"),
        help="which to bench, comma-separated (default: postgresql,sqlite)",
    )
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("BENCH_PG_ADMIN_URL", DEFAULT_ADMIN_URL),
        help="a PostgreSQL URL allowed to create databases (a fresh one is made and dropped)",
    )
    parser.add_argument(
        "--serve-args",
        default=os.environ.get("BENCH_SERVE_ARGS", ""),
        help="extra options for staffgate serve, e.g. '--workers 1 --threads 4'",
    )
    parser.add_argument("--quick", action="store_true", help="short phases, 100k-row import")
    parser.add_argument(
        "--hash-time-cost",
        type=int,
        help="bench with a raised Argon2 time cost (STAFFGATE_ARGON2_TIME_COST; default 2)",
    )
    parser.add_argument("--output", default=str(RESULTS / "latest.json"))
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    args = parser.parse_args(argv)  # fmt: skip

    kinds = [k.strip() for k in args.databases.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in LABELS]
    if unknown:
        parser.error(f"unknown database(s): {', '.join(unknown)}")
    if "postgresql" in kinds and not postgres_reachable(args.pg_admin_url):
        if os.environ.get("CI") == "true":
            raise SystemExit(f"bench: PostgreSQL at {args.pg_admin_url} is unreachable")
        print(f"NOTICE: PostgreSQL at {args.pg_admin_url} is unreachable: SQLite only.")
        kinds.remove("postgresql")

    # A plain kill still stops the server and drops the databases (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: stopped"))
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="staffgate-bench-"))
    bench = Bench(args, workdir)
    results: dict[str, dict] = {}
    try:
        size = bench.timing.import_rows
        log(f"writing a {size:,}-row roster file")
        csv_path = workdir / "roster.csv"
        bench.python(str(ROOT / "bench" / "gen_roster.py"), str(size), str(csv_path))
        for kind in kinds:
            if kind == "postgresql":
                db = Database.postgres(args.pg_admin_url, workdir, f"{os.getpid()}")
            else:
                db = Database.sqlite(workdir)
            try:
                results[kind] = bench.bench_database(db, csv_path)
            finally:
                bench.stop_servers()
                db.drop_all()
    finally:
        bench.stop_servers()
        if args.keep:
            log(f"work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    first = next(iter(results.values()), {})
    layout = args.serve_args or "default layout"
    hashing = first.get("hash", {})
    header = (
        f"staffgate bench — {dt.datetime.now():%Y-%m-%d %H:%M}, {hashing.get('cores')} cores, "
        f"Argon2id {hashing.get('params')}, staffgate serve ({layout}), "
        f"{ACCOUNTS:,} accounts, mix 60/20/20"
        + (" — QUICK RUN, not comparable" if args.quick else "")
    )
    rows = summarise(results, bench.timing.import_rows)
    table = render(rows, list(results), header)
    print(table)
    report = {
        "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": args.quick,
        "seconds": time.perf_counter() - started,
        "machine": {
            "cores": first.get("hash", {}).get("cores"),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "serve_args": args.serve_args,
        "timing": bench.timing.__dict__,
        "table": rows,
        "results": results,
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(
        f"\n{output.relative_to(ROOT) if output.is_relative_to(ROOT) else output} written "
        f"({report['seconds'] / 60:.1f} min)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
