"""Read staffgate's settings from the environment.

Every reader raises ``ImproperlyConfigured`` with a message that names the
variable and says what would be accepted, so a bad value stops start-up
instead of surfacing later as a confusing error.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


class Env:
    """Typed access to a mapping of environment variables."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        self.environ = os.environ if environ is None else environ

    def raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        return None if value is None else value.strip()

    def str(self, name: str, default: str) -> str:
        value = self.raw(name)
        return default if value in (None, "") else value

    def bool(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if not value:
            return default
        if value.lower() in TRUE_WORDS:
            return True
        if value.lower() in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(f"{name}={value!r} is not a yes/no value; use 1 or 0.")

    def int(self, name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
        value = self.raw(name)
        if value in (None, ""):
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if number < minimum or (maximum is not None and number > maximum):
            bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
            raise ImproperlyConfigured(f"{name}={number} is out of range; it must be {bound}.")
        return number

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.str(name, default).lower()
        if value not in choices:
            raise ImproperlyConfigured(
                f"{name}={value!r} is not allowed; choose one of: {', '.join(choices)}."
            )
        return value

    def list(self, name: str, default: list[str]) -> list[str]:
        value = self.raw(name)
        if value is None:
            return default
        return [item.strip() for item in value.split(",") if item.strip()]

    def links(self, name: str, default: str) -> list[tuple[str, str]]:
        """Parse ``Label|https://url,Label|https://url`` into (label, url) pairs."""
        links = []
        for item in self.str(name, default).split(","):
            if not item.strip():
                continue
            label, sep, url = item.partition("|")
            if not sep or not label.strip() or not url.strip().startswith(("https://", "http://")):
                raise ImproperlyConfigured(
                    f"{name}: {item.strip()!r} must read 'Label|https://address'."
                )
            links.append((label.strip(), url.strip()))
        return links

    def networks(self, name: str, default: list) -> list:
        """Comma-separated IP addresses or networks (``10.0.0.0/8,127.0.0.1``)."""
        import ipaddress

        nets = []
        for item in self.list(name, default):
            try:
                nets.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ImproperlyConfigured(
                    f"{name}: {item!r} is not an IP address or network."
                ) from None
        return nets

    def time_zone(self, name: str, default: str) -> str:
        value = self.str(name, default)
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ImproperlyConfigured(
                f"{name}={value!r} is not a known time zone (e.g. America/New_York)."
            ) from None
        return value


def database_config(url: str | None, default_sqlite_path: Path) -> dict:
    """Turn ``DATABASE_URL`` into Django's DATABASES['default'] entry."""
    import dj_database_url

    if not url:
        url = f"sqlite:///{default_sqlite_path}"
    scheme = url.split(":", 1)[0].lower()
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {scheme!r} is not supported; use sqlite:///path "
            "or postgres://user@host:port/name."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    except Exception as exc:  # the library raises several kinds for a malformed URL
        raise ImproperlyConfigured(f"DATABASE_URL could not be read: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite: take the write lock at BEGIN so counters change one writer at a time,
        # and wait for it rather than failing at once under concurrent logins.
        config.pop("CONN_HEALTH_CHECKS", None)
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        name = config.get("NAME") or ""
        if name and name != ":memory:":
            Path(name).parent.mkdir(parents=True, exist_ok=True)
    return config


def email_config(url: str | None) -> dict:
    """Turn ``EMAIL_URL`` into Django's EMAIL_* settings.

    ``console:`` (default), ``filemail:///abs/folder``, ``locmem:``,
    ``smtp://user:pass@host:port`` and ``smtp+tls://…`` are understood.
    """
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "filemail":
        folder = unquote(parts.path)
        # filemail://var/mail would parse "var" as a host and write to /mail.
        if parts.netloc or not folder.startswith("/"):
            raise ImproperlyConfigured(
                f"EMAIL_URL={url!r}: filemail needs an absolute folder, e.g. filemail:///var/mail."
            )
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": folder,
        }
    if scheme in {"smtp", "smtp+tls", "smtps"}:
        if not parts.hostname:
            # Not echoing the URL: it may hold the SMTP password.
            raise ImproperlyConfigured("EMAIL_URL: an SMTP URL needs a host name.")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured("EMAIL_URL has an invalid port number.") from None
        query = parse_qs(parts.query)
        timeout = query.get("timeout", ["10"])[0]
        if not timeout.isdigit():
            raise ImproperlyConfigured("EMAIL_URL timeout must be a whole number of seconds.")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port
            or (465 if scheme == "smtps" else 587 if scheme == "smtp+tls" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": scheme == "smtp+tls",
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_TIMEOUT": int(timeout),
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL scheme {scheme!r} is not supported; use console:, filemail:///folder, "
        "smtp://host:port or smtp+tls://host:port."
    )
