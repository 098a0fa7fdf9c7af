"""Staffgate's own settings, plus one bare view to compare the home page with.

The bench serves the portal with ``DJANGO_SETTINGS_MODULE=bench.settings`` so the bare
view runs in the same server, with the same middleware, in the same run.
"""

import os

from staffgate.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_VERIFY_LOG"):
    # The burst's server: its hasher counts every verification (bench/verify_count.py).
    PASSWORD_HASHERS = ["bench.verify_count.CountingStaffgateHasher", *PASSWORD_HASHERS[1:]]  # noqa: F405
