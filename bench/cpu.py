"""CPU time from /proc (Linux): of the server's processes, of its database, of the machine.

Other work on the machine (a test suite, a build) slows the server down, but it does
not change how much CPU the server spends per login. So beside the rates, the bench
reports CPU per request — a figure that stays put on a busy machine — and how busy the
machine was with other work while it measured.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC = Path("/proc")


def available() -> bool:
    return (PROC / "stat").exists()


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of one process, all its threads included."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    # After the name: state, ppid, …; utime and stime are fields 14 and 15 of the line.
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def process_tree_seconds(root: int, database: str = "") -> float:
    """CPU seconds of ``root`` and its descendants, plus PostgreSQL backends of ``database``.

    A backend's process title reads ``postgres: … USER DATABASE HOST(PORT) STATE``.
    """
    stats = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                stats[int(entry.name)] = stat
    total, family, frontier = 0.0, set(), [root]
    while frontier:
        pid = frontier.pop()
        if pid in family or pid not in stats:
            continue
        family.add(pid)
        total += stats[pid][1]
        frontier.extend(child for child, (parent, _) in stats.items() if parent == pid)
    if database:
        needle = f" {database} "
        for pid in stats:
            if pid not in family:
                title = _cmdline(pid)
                if title.startswith("postgres:") and needle in title:
                    total += stats[pid][1]
    return total


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent on anything but idling and waiting for disks."""
    first = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in first]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    # guest time is already counted in user time
    return (sum(values[:8]) - idle) / _TICKS


@dataclass
class Sample:
    server: float
    machine: float
    client: float


def sample(server_pid: int | None, database: str = "") -> Sample | None:
    if server_pid is None or not available():
        return None
    own = os.times()
    return Sample(
        process_tree_seconds(server_pid, database),
        machine_busy_seconds(),
        own.user + own.system,
    )
