"""The peer's part of ``make bench``: its database and server, its rounds, the bursts.

``bench/run.py`` calls these at four points of each database's run: :func:`start` before
the saturation rounds, :func:`saturation_round` after each of staffgate's rounds (so the
two take turns on the same machine, each round between two measures of B),
:func:`finish` after the last one, and :func:`bursts` at the end.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import account_id

SETTINGS = "bench.peer.settings"
# Django's AuthenticationForm names the field "username"; the portal's is "user_id".
FORM = ("--user-field", "username")
BURST_REQUESTS = 50


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Peer:
    kind: str  # the database: "postgresql" or "sqlite"
    server: object  # bench.run.Server
    env: dict
    database: str  # PostgreSQL: its name (its backends' CPU is the server's)
    rounds: list[dict] = field(default_factory=list)


def _database(db) -> tuple[str, str]:
    """A fresh database for the peer beside ``db``: its URL and (PostgreSQL) name."""
    if db.kind == "postgresql":
        name = f"{db.name}_peer"
        db.create(name)  # dropped with the others at the end
        return db.url.rsplit("/", 1)[0] + "/" + name, name
    path = Path(db.workdir) / "peer.sqlite3"
    for end in ("", "-wal", "-shm"):
        Path(f"{path}{end}").unlink(missing_ok=True)
    return f"sqlite:///{path}", ""


def start(bench, db, accounts: int) -> Peer:
    """Migrate the peer's own database, seed ``accounts`` users, serve it."""
    url, name = _database(db)
    env = {**bench.env, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": SETTINGS}
    log(f"{db.kind}: the peer (Django's LoginView, django-axes): migrate, {accounts:,} users")
    bench.staffgate("migrate", "--noinput", "-v", "0", env=env)
    bench.run(sys.executable, "-m", "bench.peer.seed", str(accounts), env=env)
    server = bench.start_server(env, database=name)
    return Peer(db.kind, server, env, name)


def saturation_round(bench, peer: Peer, number: int, bounds: list[dict], staffgate: dict):
    """The peer under the load staffgate's round ``number`` just had, then B again."""
    load = bench.saturate(peer.server, number, extra=FORM)
    bounds.append(bench.hash_bound())
    b = (bounds[-2]["B"] + bounds[-1]["B"]) / 2
    peer.rounds.append(
        {
            **load,
            "B_before": bounds[-2]["B"],
            "B_after": bounds[-1]["B"],
            "B": b,
            "R": load["posts_per_s"] / b,
            # The two rounds of a pair run back to back, under the same conditions.
            "staffgate_ratio": staffgate["posts_per_s"] / (load["posts_per_s"] or float("nan")),
        }
    )
    log(
        f"{peer.kind}: peer L={load['posts_per_s']:.1f}/s "
        f"R={peer.rounds[-1]['R']:.3f} staffgate ÷ peer={peer.rounds[-1]['staffgate_ratio']:.2f}"
    )


def finish(bench, peer: Peer) -> dict:
    """Stop the peer's server; its rounds, the median one (by R, as staffgate's) and
    staffgate ÷ peer, the median of the rounds' ratios."""
    peer.server.stop()
    bench.servers.remove(peer.server)
    middle = sorted(peer.rounds, key=lambda r: r["R"])[len(peer.rounds) // 2]
    return {
        "rounds": peer.rounds,
        "median_round": peer.rounds.index(middle),
        "staffgate_ratio": statistics.median(r["staffgate_ratio"] for r in peer.rounds),
    }


def _bursts(bench, env: dict, database: str, accounts: list[int], tag: str, *form: str) -> dict:
    """A fresh server whose hasher counts; one burst of wrong passwords per account."""
    counter = Path(bench.workdir) / f"verifies-{tag}"
    server = bench.start_server({**env, "BENCH_VERIFY_LOG": str(counter)}, database=database)
    runs = []
    try:
        for number in accounts:
            counter.unlink(missing_ok=True)
            answers = bench.json_of(
                sys.executable, "-m", "bench.burst", "--base", server.base,
                "--user-id", account_id(number), "--requests", str(BURST_REQUESTS), *form,
            )  # fmt: skip
            marks = counter.read_bytes() if counter.exists() else b""
            runs.append({**answers, "verifies": marks.count(b"v"), "encodes": marks.count(b"e")})
    finally:
        server.stop()
        bench.servers.remove(server)
    return {"verifies": [run["verifies"] for run in runs], "bursts": runs}


def bursts(bench, db, peer: Peer, accounts: list[int]) -> dict:
    """Verifications each side spends on a burst of wrong passwords, for each of ``accounts``.

    A race shows only when requests overlap, and how they do changes from one burst to
    the next: several bursts, one account each, show its spread.
    """
    log(f"{db.kind}: bursts of {BURST_REQUESTS} wrong passwords for one account, both sides")
    staffgate_db = db.name if db.kind == "postgresql" else ""
    result = {
        "staffgate": _bursts(bench, bench.env, staffgate_db, accounts, "staffgate"),
        "peer": _bursts(bench, peer.env, peer.database, accounts, "peer", *FORM),
    }
    log(
        f"{db.kind}: verifies per burst: staffgate {result['staffgate']['verifies']}, "
        f"peer {result['peer']['verifies']}"
    )
    return result
