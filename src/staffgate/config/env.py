"""Read staffgate's settings from the environment, through django-environ.

:class:`StaffgateEnv` is django-environ's ``FileAwareEnv`` (so every variable
``X`` may instead be read from the file that ``X_FILE`` names), made strict:
a bad value raises ``ImproperlyConfigured`` with a message that names the
variable and says what would be accepted, so it stops start-up instead of
surfacing later as a confusing error. What django-environ lacks is added here:
range checks, choices, time zones, link lists and proxy networks.
"""

from __future__ import annotations

import builtins
import ipaddress
import os
import re
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}
NOTSET = environ.Env.NOTSET

DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}
# Connections are kept between requests (and checked before reuse) on every database.
CONN_MAX_AGE = 600
# SQLite: take the write lock at BEGIN so counters change one writer at a time,
# and wait for it rather than failing at once under concurrent logins.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
CACHE_SCHEMES = {"redis", "rediss", "unix"}

EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "filemail": "django.core.mail.backends.filebased.EmailBackend",
}
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
SMTP_PORTS = {"smtp": 25, "smtp+tls": 587, "smtps": 465}
EMAIL_TIMEOUT = 10
IMAGE_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".webp"}


class StaffgateEnv(environ.FileAwareEnv):
    """Typed, strict access to the environment, or to ``source`` (a mapping) when given."""

    def __init__(self, source: Mapping[str, str] | None = None, **scheme):
        super().__init__(**scheme)
        # A mapping of its own, reading X from the file X_FILE names (its cache is its own).
        self.ENVIRON = environ.FileAwareMapping(env=os.environ if source is None else source)

    def _value(self, var: str) -> builtins.str | None:
        """The trimmed value of ``var`` (or of the file ``var_FILE`` names); None if unset."""
        try:
            # Not get_value(): it reads a value starting with "$" as the name of another
            # variable, and a generated secret key may start with "$".
            value = self.ENVIRON[var]
        except KeyError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise ImproperlyConfigured(f"{var}_FILE cannot be read: {exc}") from None
        return value.strip()

    def str(self, var: str, default=NOTSET) -> builtins.str:
        """The trimmed value; ``default`` when unset or blank (required without one)."""
        value = self._value(var)
        if not value:
            if default is NOTSET:
                raise ImproperlyConfigured(f"Set the {var} environment variable.")
            return default
        return value

    def bool(self, var: str, default: bool) -> bool:
        """``1/true/yes/on`` or ``0/false/no/off``, any case; anything else is refused."""
        value = self._value(var)
        if not value:
            return default
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(f"{var}={value!r} is not a yes/no value; use 1 or 0.")

    def int(self, var: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
        """A whole number between ``minimum`` and ``maximum`` (inclusive)."""
        value = self._value(var)
        if not value:
            return default
        try:
            number = builtins.int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{var}={value!r} is not a whole number.") from None
        if number < minimum or (maximum is not None and number > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
            raise ImproperlyConfigured(f"{var}={number} is out of range; it must be {bound}.")
        return number

    def percentage(self, var: str, default: float) -> float:
        """A share between 0 and 100, written ``2``, ``2%`` or ``0.5%``."""
        value = self._value(var)
        if not value:
            return default
        try:
            number = float(value.strip().removesuffix("%").strip())
        except ValueError:
            number = -1.0
        if not 0 <= number <= 100:  # also refuses nan
            raise ImproperlyConfigured(
                f"{var}={value!r} is not a percentage between 0 and 100 (e.g. 2%)."
            )
        return number

    def choice(self, var: str, default: builtins.str, choices: tuple[builtins.str, ...]):
        """One of ``choices``, compared without case."""
        value = self.str(var, default).lower()
        if value not in choices:
            raise ImproperlyConfigured(
                f"{var}={value!r} is not allowed; choose one of: {', '.join(choices)}."
            )
        return value

    def list(self, var: str, default: builtins.list) -> builtins.list[builtins.str]:
        """Items separated by commas (or lines, for a file); set but blank means none."""
        value = self._value(var)
        if value is None:
            return default
        return [item.strip() for item in re.split(r"[,\n]", value) if item.strip()]

    def choice_list(
        self, var: str, default: tuple[builtins.str, ...], choices: tuple[builtins.str, ...]
    ) -> tuple[builtins.str, ...]:
        """One or more of ``choices``, separated by commas, without case; each kept once.

        ``default`` when unset; set but naming none is refused, as is anything not listed.
        """
        items = self.list(var, builtins.list(default))
        allowed = ", ".join(choices)
        if not items:
            raise ImproperlyConfigured(f"{var} names nothing; list one or more of: {allowed}.")
        chosen: builtins.list[builtins.str] = []
        for item in items:
            value = item.lower()
            if value not in choices:
                raise ImproperlyConfigured(
                    f"{var}: {item!r} is not allowed; list one or more of: {allowed}."
                )
            if value not in chosen:
                chosen.append(value)
        return tuple(chosen)

    def fernet_keys(self, var: str) -> builtins.list[builtins.str]:
        """Comma-separated Fernet keys (32 bytes in URL-safe base64 each), newest first."""
        import base64
        import binascii

        keys = self.list(var, [])
        for position, key in enumerate(keys, start=1):
            try:
                raw = base64.urlsafe_b64decode(key.encode())
            except (binascii.Error, ValueError):
                raw = b""
            if len(raw) != 32:
                raise ImproperlyConfigured(
                    f"{var}: key number {position} is not a Fernet key (32 bytes in URL-safe "
                    "base64; make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())')."
                )
        return keys

    def links(self, var: str, default: builtins.str) -> builtins.list[tuple[str, str]]:
        """Parse ``Label|https://url,Label|https://url`` into (label, url) pairs."""
        links = []
        for item in self.str(var, default).split(","):
            if not item.strip():
                continue
            label, sep, url = item.partition("|")
            if not sep or not label.strip() or not url.strip().startswith(("https://", "http://")):
                raise ImproperlyConfigured(
                    f"{var}: {item.strip()!r} must read 'Label|https://address'."
                )
            links.append((label.strip(), url.strip()))
        return links

    def networks(self, var: str, default: builtins.list) -> builtins.list:
        """Comma-separated IP addresses or networks (``10.0.0.0/8,127.0.0.1``)."""
        nets = []
        for item in self.list(var, default):
            try:
                nets.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ImproperlyConfigured(
                    f"{var}: {item!r} is not an IP address or network."
                ) from None
        return nets

    def time_zone(self, var: str, default: builtins.str) -> builtins.str:
        """An IANA time zone name known to this machine (e.g. ``America/New_York``)."""
        value = self.str(var, default)
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ImproperlyConfigured(
                f"{var}={value!r} is not a known time zone (e.g. America/New_York)."
            ) from None
        return value

    def public_url(self, var: str) -> builtins.str:
        """An absolute ``https://`` (or ``http://``) address without a path; blank when unset."""
        value = self.str(var, "").rstrip("/")
        if not value:
            return ""
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname or parts.path or parts.query:
            raise ImproperlyConfigured(
                f"{var}={value!r} is not an address like https://portal.example.com."
            )
        return value

    def email_address(self, var: str, default: builtins.str, *, named: bool = False):
        """One e-mail address (``Name <a@b.example>`` too when ``named``); blank default allowed."""
        from email.utils import parseaddr

        value = self.str(var, default)
        if not value:
            return value
        name, address = parseaddr(value)
        if "@" not in address or (name and not named) or any(c in value for c in "\r\n"):
            shape = "an address like Portal <no-reply@example.com>" if named else "one address"
            raise ImproperlyConfigured(f"{var}={value!r} is not {shape}.")
        return value

    def image_file(self, var: str) -> builtins.str:
        """The absolute path of an existing SVG, PNG, JPEG or WebP file; blank when unset."""
        value = self.str(var, "")
        if not value:
            return ""
        path = Path(value).expanduser().resolve()
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            raise ImproperlyConfigured(
                f"{var}={value!r} is not an image file ({', '.join(sorted(IMAGE_SUFFIXES))})."
            )
        if not path.is_file():
            raise ImproperlyConfigured(f"{var}={value!r}: no such file.")
        return builtins.str(path)

    def db_url(self, var: str = "DATABASE_URL", default=NOTSET, engine=None) -> dict:
        """``DATABASES['default']`` from a SQLite or PostgreSQL URL, tuned for the portal.

        Connections are kept (and health-checked on PostgreSQL); SQLite serialises
        writers at BEGIN, and the folder of its file is created.
        """
        url = self.str(var, default)
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme not in DATABASE_SCHEMES:
            raise ImproperlyConfigured(
                f"{var} scheme {scheme!r} is not supported; use sqlite:///path "
                "or postgres://user@host:port/name."
            )
        try:
            config = self.db_url_config(url, engine=engine)
        except ValueError as exc:  # not echoing the URL: it may hold the password
            raise ImproperlyConfigured(f"{var} could not be read: {exc}") from None
        config.setdefault("CONN_MAX_AGE", CONN_MAX_AGE)
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
            name = config.get("NAME") or ""
            if name and name != ":memory:":
                Path(name).parent.mkdir(parents=True, exist_ok=True)
        else:
            config.setdefault("CONN_HEALTH_CHECKS", True)
            # A socket folder written postgres://%2Fvar%2Frun%2Fpostgresql/name.
            config["HOST"] = unquote(builtins.str(config.get("HOST") or ""))
        return config

    def cache_url(self, var: str = "STAFFGATE_CACHE_URL", default=NOTSET, backend=None) -> dict:
        """``CACHES['default']`` from a Redis URL; per-process memory when unset.

        Memory is enough then: nothing that must be shared between servers or survive a
        restart is kept in Django's cache (sessions, locks and counters have their tables).
        """
        url = self.str(var, "" if default is NOTSET else default)
        if not url:
            return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        scheme = url.split(":", 1)[0].lower()
        if scheme not in CACHE_SCHEMES:
            raise ImproperlyConfigured(
                f"{var} must be a redis:// URL (or unset to use the database)."
            )
        if scheme == "unix":
            # django-environ spells a socket redis:///path; redis-py reads unix:///path.
            url = "redis://" + url.split("://", 1)[-1]
        try:
            return self.cache_url_config(url, backend=backend or REDIS_CACHE)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{var} could not be read: {exc}") from None

    def email_url(self, var: str = "EMAIL_URL", default=NOTSET, backend=None) -> dict:
        """Django's ``EMAIL_*`` settings from a mail URL.

        ``console:`` (default), ``filemail:///abs/folder``, ``locmem:``,
        ``smtp://user:pass@host:port``, ``smtp+tls://…`` (STARTTLS, port 587) and
        ``smtps://…`` (implicit TLS, port 465) are understood.
        """
        url = self.str(var, "console:" if default is NOTSET else default)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in ("console", "locmem"):
            return {"EMAIL_BACKEND": EMAIL_BACKENDS[scheme]}
        if scheme == "filemail":
            folder = unquote(parts.path)
            # filemail://var/mail would parse "var" as a host and write to /mail.
            if parts.netloc or not folder.startswith("/"):
                raise ImproperlyConfigured(
                    f"{var}={url!r}: filemail needs an absolute folder, e.g. filemail:///var/mail."
                )
            return {"EMAIL_BACKEND": EMAIL_BACKENDS[scheme], "EMAIL_FILE_PATH": folder}
        if scheme not in SMTP_PORTS:
            raise ImproperlyConfigured(
                f"{var} scheme {scheme!r} is not supported; use console:, filemail:///folder, "
                "smtp://host:port or smtp+tls://host:port."
            )
        try:
            # django-environ reads host, port and credentials; its smtps means STARTTLS,
            # so the portal's own scheme decides the TLS mode below.
            config = self.email_url_config("smtp:" + url.split(":", 1)[1])
        except ValueError:
            raise ImproperlyConfigured(f"{var} has an invalid port number.") from None
        if not config["EMAIL_HOST"]:
            # Not echoing the URL: it may hold the SMTP password.
            raise ImproperlyConfigured(f"{var}: an SMTP URL needs a host name.")
        timeout = config.get("OPTIONS", {}).get("TIMEOUT", EMAIL_TIMEOUT)
        if not isinstance(timeout, builtins.int):
            raise ImproperlyConfigured(f"{var} timeout must be a whole number of seconds.")
        return {
            "EMAIL_BACKEND": backend or SMTP_BACKEND,
            "EMAIL_HOST": config["EMAIL_HOST"],
            "EMAIL_PORT": config["EMAIL_PORT"] or SMTP_PORTS[scheme],
            "EMAIL_HOST_USER": config["EMAIL_HOST_USER"] or "",
            "EMAIL_HOST_PASSWORD": config["EMAIL_HOST_PASSWORD"] or "",
            "EMAIL_USE_TLS": scheme == "smtp+tls",
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_TIMEOUT": timeout,
        }
