"""Prometheus metrics, correct across gunicorn's worker processes.

``staffgate serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at an empty folder before
the workers fork (:mod:`staffgate.ops.metrics_dir`); each process then keeps its
counts in files there, and ``/metrics`` adds them up. This module must not be
imported before that variable is set: prometheus-client decides at import where
values live, so everything that counts imports it lazily.

Most counts come from the audit log's own stream of events, so each security event
is counted once, in the same words: login and recovery outcomes by their code,
locks set and lifted. Roster imports are read from the audit log itself at scrape
time, since they run in a process of their own (``staffgate import-roster``).
"""

from __future__ import annotations

import contextlib
import time

from prometheus_client import Counter, Gauge, Histogram

LOGINS = Counter(
    "staffgate_login_outcomes",
    "Login attempts by where they were made (account: the portal, helpdesk) and outcome code.",
    ["entry", "code"],
)
RECOVERIES = Counter(
    "staffgate_recovery_outcomes", "Password recovery steps by outcome code.", ["code"]
)
LOCKS_SET = Counter(
    "staffgate_locks_set", "Locks set: login (temporary) or recovery (until unlocked).", ["kind"]
)
LOCKS_LIFTED = Counter(
    "staffgate_locks_lifted", "Locks lifted by the help desk or the unlock command.", ["by"]
)
HASH_SECONDS = Histogram(
    "staffgate_password_hash_seconds",
    "Time spent computing one password or answer hash (after getting a hash slot).",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
HASH_WAIT_SECONDS = Histogram(
    "staffgate_hash_slot_wait_seconds",
    "Time a hash waited for a free hash slot.",
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
HASH_WAITING = Gauge(
    "staffgate_hash_slots_waiting",
    "Hashes waiting for a free hash slot right now (all server processes).",
    multiprocess_mode="livesum",
)
THROTTLE_REFUSALS = Counter(
    "staffgate_throttle_refusals",
    "Requests answered 429 because their address failed too often, by scope.",
    ["scope"],
)

LOGIN_TAGS = {
    "account:login:failure",
    "account:login:locked",
    "account:login:not_eligible",
    "account:login:refused",
    "account:login:success",
    "helpdesk:login:denied",
    "helpdesk:login:failure",
    "helpdesk:login:refused",
    "helpdesk:login:success",
}
REGISTRATION_START = "account:register:start"
LOCK_TAGS = {
    "account:login:locked": "login",
    "account:recover:locked": "recovery",
}
UNLOCK = "account:unlock"


def _code(tag: str, outcome: str) -> str:
    return outcome or tag.rsplit(":", 1)[-1]


def count_audit_event(tag: str, outcome: str, actor: str = "") -> None:
    """Count one audit event in the metrics it belongs to."""
    if tag in LOGIN_TAGS:
        LOGINS.labels(tag.split(":", 1)[0], _code(tag, outcome)).inc()
    elif tag == REGISTRATION_START:
        # The right PIN of someone not yet registered: the login page starts the wizard.
        LOGINS.labels("account", "start_registration").inc()
    elif tag.startswith("account:recover:"):
        RECOVERIES.labels(_code(tag, outcome)).inc()
    if tag in LOCK_TAGS:
        LOCKS_SET.labels(LOCK_TAGS[tag]).inc()
    elif outcome in ("locked", "login.locked") and tag in (
        "helpdesk:login:failure",
        "account:profile:password_failure",
    ):
        LOCKS_SET.labels("login").inc()
    elif tag == UNLOCK and outcome == "unlocked":
        # Only an unlock that cleared something lifts a lock; ``agent:…`` is the help desk.
        LOCKS_LIFTED.labels("helpdesk" if actor.startswith("agent:") else "cli").inc()


def count_throttle_refusal(scope: str) -> None:
    THROTTLE_REFUSALS.labels(scope).inc()


@contextlib.contextmanager
def timed_hash(slots, operation: str):
    """Hold one hash slot of ``slots`` while hashing, counting the wait and the hash time."""
    HASH_WAITING.inc()
    waited = time.perf_counter()
    try:
        slots.acquire()
    finally:
        HASH_WAITING.dec()
    started = time.perf_counter()
    HASH_WAIT_SECONDS.observe(started - waited)
    try:
        yield
    finally:
        HASH_SECONDS.labels(operation).observe(time.perf_counter() - started)
        slots.release()
