"""The folder where server processes keep their metrics (prometheus-client's multiprocess mode)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def prepare_for_server(default: Path) -> Path:
    """Point ``PROMETHEUS_MULTIPROC_DIR`` at an empty folder before workers fork.

    The operator's own value wins; otherwise ``default``. Files left by an earlier run
    are removed, so counts start again with the server, as Prometheus expects.
    """
    if "prometheus_client" in sys.modules:
        # Values would already live in this process's memory and never reach the files.
        raise RuntimeError("prometheus_client was imported before the metrics folder was set")
    folder = Path(os.environ.get(VARIABLE) or default)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, mode=0o700)
    os.environ[VARIABLE] = str(folder)
    return folder


def worker_exited(pid: int) -> None:
    """A worker is gone: its live gauges (hashes waiting) stop counting."""
    if os.environ.get(VARIABLE):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
