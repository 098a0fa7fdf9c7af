"""Staffgate's own settings, plus one bare view to compare the home page with.

The bench serves the portal with ``DJANGO_SETTINGS_MODULE=bench.settings`` so the bare
view runs in the same server, with the same middleware, in the same run.
"""

from staffgate.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
