"""B, the hash bound: how many password verifications a second this machine can do.

``python -m bench.hashbound [--seconds S] [--threads T]`` verifies one password again
and again with the production hasher (staffgate's settings, so its Argon2 parameters)
for S seconds in each of T threads, and prints one JSON object: verifies a second per
thread, the single verify time, and B = cores × verifies a second of one thread.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time


def cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def verify_rate(seconds: float, threads: int = 1) -> dict:
    """Verifies a second of each thread, and in all, for ``seconds`` of verifying."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import check_password, get_hasher, make_password

    from bench.common import PASSWORD

    hashed = make_password(PASSWORD)
    if not check_password(PASSWORD, hashed):
        raise SystemExit("bench: the production hasher does not verify its own hash")
    counts = [0] * threads
    cpu = [0.0] * threads

    def spin(slot: int, until: float) -> None:
        started = time.thread_time()
        while time.perf_counter() < until:
            check_password(PASSWORD, hashed)
            counts[slot] += 1
        cpu[slot] = time.thread_time() - started

    spin(0, time.perf_counter() + 0.2)  # warm up caches and the allocator
    counts[0] = 0
    begin = time.perf_counter()
    workers = [threading.Thread(target=spin, args=(i, begin + seconds)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - begin
    per_thread = sum(counts) / threads / elapsed
    hasher = get_hasher("default")
    return {
        "hasher": f"{type(hasher).__module__}.{type(hasher).__qualname__}",
        "params": hashed.split("$")[3],
        "threads": threads,
        "cores": cores(),
        "verifies_per_s_per_thread": per_thread,
        "verify_ms": 1000 / per_thread,
        # CPU time, unlike the rate, does not change when other work shares the cores.
        "verify_cpu_ms": 1000 * sum(cpu) / sum(counts),
        "verifies_per_s": sum(counts) / elapsed,
        "B": cores() * per_thread,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    json.dump(verify_rate(args.seconds, args.threads), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
