"""Prometheus metrics, correct across gunicorn's worker processes.

``staffgate serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at an empty folder before
the workers fork (:mod:`staffgate.ops.metrics_dir`); each process then keeps its
counts in files there, and ``/metrics`` adds them up. This module must not be
imported before that variable is set: prometheus-client decides at import where
values live, so everything that counts imports it lazily.

Most counts come from the audit log's own stream of events, so each security event
is counted once, in the same words: login, recovery and second-factor outcomes by their
code, locks set and lifted, token refusals. Tokens issued and refreshed are counted from
django-oauth-toolkit's ``app_authorized`` signal. What other processes do (roster
imports, the worker's queue, revocations by the worker or a command) is read from the
database at scrape time (:mod:`staffgate.ops.collectors`).
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
FACTORS = Counter(
    "staffgate_factor_outcomes",
    "Second-factor codes typed at sign-in, by outcome code (right, code.invalid, login.locked, "
    "account.locked).",
    ["code"],
)
FACTOR_CHANGES = Counter(
    "staffgate_factor_changes",
    "Second factors added, removed or reset by the help desk, and recovery codes replaced.",
    ["change"],
)
TOKENS = Counter(
    "staffgate_token_outcomes",
    "Token endpoint outcomes by code: issued (for a code), refreshed, refresh_refused (not "
    "eligible any more), invalid_client, code_replayed.",
    ["code"],
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
FACTOR_CODE_TAGS = {"account:login:code_failure", "account:login:code_locked"}
FACTOR_CHANGE_TAGS = {
    "account:factor:added": "added",
    "account:factor:removed": "removed",
    "account:factor:reset": "reset",
    "account:factor:recovery_codes": "recovery_codes",
}
TOKEN_REFUSAL_TAGS = {"sso:not_eligible", "sso:client:auth_failure", "sso:code:replayed"}
GRANTS = {"authorization_code": "issued", "refresh_token": "refreshed"}


def _code(tag: str, outcome: str) -> str:
    return outcome or tag.rsplit(":", 1)[-1]


def count_audit_event(tag: str, outcome: str, actor: str = "", detail: dict | None = None) -> None:
    """Count one audit event in the metrics it belongs to."""
    _count_factor_or_token(tag, outcome, detail or {})
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


def _count_factor_or_token(tag: str, outcome: str, detail: dict) -> None:
    if tag == "account:login:code_success" or (
        tag == "helpdesk:login:success" and detail.get("factor")
    ):
        FACTORS.labels("right").inc()
    elif tag in FACTOR_CODE_TAGS:
        FACTORS.labels(outcome).inc()
    elif tag in FACTOR_CHANGE_TAGS:
        FACTOR_CHANGES.labels(FACTOR_CHANGE_TAGS[tag]).inc()
    elif tag in TOKEN_REFUSAL_TAGS and outcome != "authorize_refused":
        TOKENS.labels(
            "code_replayed" if tag == "sso:code:replayed" else outcome or tag.rsplit(":", 1)[-1]
        ).inc()


def count_tokens_issued(sender, request, token, **kwargs) -> None:
    """django-oauth-toolkit's ``app_authorized``: the token endpoint gave an app its tokens."""
    grant = request.POST.get("grant_type", "") if request is not None else ""
    TOKENS.labels(GRANTS.get(grant, "issued")).inc()


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
