"""Per-address throttling shared by every app server.

Fixed windows: each address may fail ``limit`` times per ``window`` seconds in
one scope (``login``, ``recover``, ``help``…); past that it is answered 429.
Counters live in Redis when ``STAFFGATE_CACHE_URL`` names one, otherwise in a
database table changed by one atomic upsert, so they are exact across servers.

An address is counted by the network one client controls: an IPv4 address on
its own, an IPv6 address by its /64 (``STAFFGATE_THROTTLE_IPV6_PREFIX``), an
IPv4-mapped IPv6 address as the IPv4 address it maps, a zone suffix dropped.
Work that may fail is charged *before* it is done (:meth:`Throttle.charge`),
like the lock of an ID, and refunded when it succeeds: however many requests
arrive at once, at most ``limit`` failures are processed per window.
"""

from __future__ import annotations

import ipaddress
import math
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from staffgate.core.models import ThrottleCount

TABLE = ThrottleCount._meta.db_table
# About one hit in this many also deletes expired counters.
PRUNE_ONE_IN = 500


@dataclass(frozen=True)
class Throttle:
    scope: str
    limit: int
    window: int

    def retry_after(self, address: str, *, now: float | None = None) -> int | None:
        """Seconds until ``address`` may try again, or ``None`` when it may now.

        A refusal is counted in the metrics; the first one of an address in a window
        is also audited, with its network, so a flood writes one event, not thousands.
        """
        now = time.time() if now is None else now
        slot = int(now // self.window)
        store = _store()
        if store.count(self._key(address), slot) < self.limit:
            return None
        from staffgate.ops import metrics

        metrics.count_throttle_refusal(self.scope)
        if store.add(f"{self.scope}-refused:{address}"[:200], slot, (slot + 1) * self.window) == 1:
            _audit_refusal(self.scope, address)
        return max(1, math.ceil((slot + 1) * self.window - now))

    def hit(self, address: str, *, now: float | None = None) -> int:
        """Count one failure for ``address``; returns the count in this window."""
        now = time.time() if now is None else now
        slot = int(now // self.window)
        return _store().add(self._key(address), slot, (slot + 1) * self.window)

    def charge(self, address: str, *, now: float | None = None) -> int | None:
        """Count one attempt before doing its work: ``None`` when it may go ahead.

        Otherwise the seconds until the address may try again; the work must not
        be done. An attempt that turns out not to be a failure is given back with
        :meth:`refund`.
        """
        now = time.time() if now is None else now
        if self.hit(address, now=now) <= self.limit:
            return None
        slot = int(now // self.window)
        return max(1, math.ceil((slot + 1) * self.window - now))

    def refund(self, address: str, *, now: float | None = None) -> None:
        """Give back an attempt :meth:`charge` counted that did not fail."""
        now = time.time() if now is None else now
        _store().subtract(self._key(address), int(now // self.window))

    def _key(self, address: str) -> str:
        return f"{self.scope}:{client_network(address)}"[:200]


def client_network(address: str, *, ipv6_prefix: int | None = None) -> str:
    """The part of ``address`` that names one client: what its counter is keyed by.

    ``203.0.113.9`` stays itself; ``2001:db8:1:2:aaaa::1`` becomes ``2001:db8:1:2::/64``;
    ``::ffff:203.0.113.9`` is read as ``203.0.113.9``; ``fe80::1%eth0`` loses ``%eth0``.
    Anything that is not an address is kept as it is (``unknown``).
    """
    text = (address or "").strip().strip("[]").split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        return str(ip)
    prefix = settings.STAFFGATE_THROTTLE_IPV6_PREFIX if ipv6_prefix is None else ipv6_prefix
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def network_of(address: str) -> str:
    """The network an address belongs to for reporting: its /24 (IPv4) or /64 (IPv6)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _audit_refusal(scope: str, address: str) -> None:
    from staffgate.audit.services import record_event
    from staffgate.audit.tags import EventTag

    known = address if address != "unknown" else None
    record_event(
        EventTag.Security.THROTTLED,
        ip=known,
        outcome="throttled",
        detail={"scope": scope, "network": network_of(address)},
    )


class CacheCounters:
    """Counters in Django's cache (Redis: ``add`` and ``incr`` are atomic)."""

    def count(self, key: str, slot: int) -> int:
        return cache.get(f"throttle:{key}:{slot}") or 0

    def add(self, key: str, slot: int, expires_at: int) -> int:
        name = f"throttle:{key}:{slot}"
        timeout = max(1, int(expires_at - time.time()) + 1)
        cache.add(name, 0, timeout=timeout)
        try:
            return cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.set(name, 1, timeout=timeout)
            return 1

    def subtract(self, key: str, slot: int) -> None:
        try:
            cache.decr(f"throttle:{key}:{slot}")
        except ValueError:  # the window ended meanwhile: nothing left to give back
            pass


class DatabaseCounters:
    """Counters in one table: a primary-key read to check, one upsert to count."""

    def count(self, key: str, slot: int) -> int:
        # Plain SQL: this read runs before every login, and the ORM would triple its cost.
        sql = f"SELECT hits FROM {TABLE} WHERE key = %s AND slot = %s"  # noqa: S608 - constant
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, slot])
            row = cursor.fetchone()
        return row[0] if row else 0

    def add(self, key: str, slot: int, expires_at: int) -> int:
        sql = f"""
            INSERT INTO {TABLE} AS t (key, slot, hits, expires_at) VALUES (%s, %s, 1, %s)
            ON CONFLICT (key) DO UPDATE SET
                hits = CASE WHEN t.slot = excluded.slot THEN t.hits + 1 ELSE 1 END,
                slot = excluded.slot,
                expires_at = excluded.expires_at
            RETURNING hits
        """  # noqa: S608 - the table name is a constant; values are parameters
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, slot, expires_at])
            (hits,) = cursor.fetchone()
        if random.randrange(PRUNE_ONE_IN) == 0:
            ThrottleCount.objects.filter(expires_at__lt=time.time()).delete()
        return hits

    def subtract(self, key: str, slot: int) -> None:
        sql = f"UPDATE {TABLE} SET hits = hits - 1 WHERE key = %s AND slot = %s AND hits > 0"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, slot])


def _store() -> CacheCounters | DatabaseCounters:
    return CacheCounters() if settings.STAFFGATE_CACHE_URL else DatabaseCounters()
