"""The ``staffgate`` command: Django's manage.py, plus the portal's own commands."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command; ``import-roster`` and ``import_roster`` are the same."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "staffgate.config.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "staffgate"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
        if argv[1] == "help" and len(argv) > 2:
            argv[2] = argv[2].replace("-", "_")

    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - loads settings so a bad value stops here
    except ImproperlyConfigured as exc:
        print(f"staffgate: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None

    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
