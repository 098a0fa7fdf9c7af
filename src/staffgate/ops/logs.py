"""Structured logs: one JSON object per line (or readable lines for a console), via structlog.

Every line written while a request is handled carries that request's ID, so the
lines of one request, its response header and its audit events can be joined.
Django's and gunicorn's own loggers go through the same formatter. Values under
keys that name a secret are replaced before anything is written, and tracebacks
never carry local variables (which may hold a typed password).
"""

from __future__ import annotations

import re

import structlog

FORMATS = ("json", "console")
REDACTED = "[redacted]"
# Keys whose value is never written, wherever they appear in an event.
SECRET_KEY_PATTERN = re.compile(r"password|passwd|secret|token|answer|^pin$|cookie|csrf", re.I)


def redact_secrets(logger, method_name, event_dict: dict) -> dict:
    """Replace the value of any key that names a secret, in the event and in nested dicts."""
    return _redacted(event_dict)


def _redacted(value):
    if isinstance(value, dict):
        return {
            key: REDACTED if SECRET_KEY_PATTERN.search(str(key)) else _redacted(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


def _shared_processors() -> list:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets,
    ]


def _renderers(log_format: str) -> list:
    if log_format == "console":
        return [
            structlog.dev.ConsoleRenderer(
                colors=False, exception_formatter=structlog.dev.plain_traceback
            )
        ]
    return [
        structlog.processors.ExceptionRenderer(
            structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
        ),
        structlog.processors.JSONRenderer(ensure_ascii=False, sort_keys=True),
    ]


def logging_config(log_format: str, level: str) -> dict:
    """The ``LOGGING`` setting for ``log_format`` (``json`` or ``console``); sets up structlog."""
    structlog.configure(
        processors=[
            # A line below the level is dropped before any work is done on it.
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": _shared_processors(),
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    *_renderers(log_format),
                ],
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # Every request is logged once by the request-ID middleware, with its ID.
            "django.server": {"level": "WARNING"},
            # gunicorn's loggers have handlers of their own; here they use this format instead.
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }


def get_logger(name: str):
    """A structlog logger writing through the standard ``logging`` logger ``name``."""
    return structlog.stdlib.get_logger(name)


def gunicorn_logging(*, access_log: bool) -> dict:
    """gunicorn's ``logconfig_dict``: its loggers in the portal's format.

    Its access lines only with ``--access-log``: the portal logs every request itself.
    """
    from django.conf import settings

    config = dict(settings.LOGGING)
    config["root"] = {"handlers": ["console"], "level": config["root"]["level"]}
    config["loggers"] = dict(config["loggers"])
    config["loggers"]["gunicorn.access"] = {
        "handlers": ["console"] if access_log else [],
        "level": "INFO" if access_log else "CRITICAL",
        "propagate": False,
    }
    return config
