"""Collected static files: tell when ``STATIC_ROOT`` lags behind the installed package.

``staffgate serve`` collects only when something is missing or changed, so a start
after the first one writes nothing, and an upgrade that changes a stylesheet is
picked up at the next start.
"""

from __future__ import annotations

import filecmp
import os
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management import call_command


def source_static_files() -> Iterator[tuple[str, Path]]:
    """Yield (path under STATIC_ROOT, source file) for every file collectstatic would copy."""
    ignore_patterns = apps.get_app_config("staticfiles").ignore_patterns
    seen = set()
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore_patterns):
            prefix = getattr(storage, "prefix", None)
            collected = os.path.join(prefix, path) if prefix else path
            if collected not in seen:  # the first finder to list a path wins, as in collectstatic
                seen.add(collected)
                yield collected, Path(storage.path(path))


def stale_static_files() -> list[str]:
    """Paths whose collected copy is missing, differs from its source, or is not in the manifest."""
    root = Path(settings.STATIC_ROOT)
    manifest = None
    if isinstance(staticfiles_storage, ManifestFilesMixin):
        manifest, _ = staticfiles_storage.load_manifest()
    stale = []
    for collected, source in source_static_files():
        copy = root / collected
        listed = manifest is None or collected.replace(os.sep, "/") in manifest
        if not listed or not copy.is_file() or not filecmp.cmp(source, copy, shallow=False):
            stale.append(collected)
    return stale


def collect_static_files() -> list[str]:
    """Collect the stale files into STATIC_ROOT (and rebuild the manifest); return their paths."""
    stale = stale_static_files()
    if stale:
        root = Path(settings.STATIC_ROOT)
        for collected in stale:
            # collectstatic skips a copy newer than its source: remove the outdated ones first.
            (root / collected).unlink(missing_ok=True)
        call_command("collectstatic", interactive=False, verbosity=0)
    return stale
