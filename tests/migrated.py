"""A migrated SQLite file for the tests that serve a portal of their own.

`staffgate migrate` on an empty file takes several seconds (every migration of every app);
the tests that start `staffgate serve` on a file of their own would each pay it. It runs
once per test process instead, into a file of this process's own, and each portal gets a
copy: the same database the command makes, since no migration reads the environment.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

STAFFGATE = str(Path(sys.executable).with_name("staffgate"))

_lock = threading.Lock()
_template: Path | None = None


def migrated_copy(destination: Path, env: dict[str, str]) -> None:
    """Write a freshly migrated SQLite database at ``destination``.

    ``env`` is the portal's environment (its secret key, folders); the first call migrates
    the template with it."""
    global _template
    with _lock:
        if _template is None:
            folder = Path(tempfile.mkdtemp(prefix="staffgate-migrated-"))
            atexit.register(shutil.rmtree, folder, True)
            template = folder / "migrated.sqlite3"
            subprocess.run(
                [STAFFGATE, "migrate", "--noinput", "-v", "0"],
                env={**env, "DATABASE_URL": f"sqlite:///{template}"},
                check=True,
            )
            # Everything in the main file, no write-ahead log beside it: one file to copy.
            with sqlite3.connect(template) as database:
                database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            database.close()
            _template = template
    shutil.copyfile(_template, destination)
