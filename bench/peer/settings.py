"""The peer's settings: what ``django-admin startproject`` gives, plus django-axes.

Only what is not about the login comes from staffgate's settings (read from the same
environment): the secret key, the host names, the database (its URL, connection reuse,
SQLite's write-ahead log), the Argon2 parameters, logging and what ``staffgate serve``
reads. Everything a request goes through is Django's stock: its middleware, its
``LoginView`` and ``AuthenticationForm``, its ``User``, its database sessions, its
templates; django-axes counts the failures.
"""

import datetime as dt
import os

from staffgate.config import settings as portal

SECRET_KEY = portal.SECRET_KEY
DEBUG = False
ALLOWED_HOSTS = portal.ALLOWED_HOSTS

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "bench.peer",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes: last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bench.peer.urls"
WSGI_APPLICATION = "staffgate.config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = portal.DATABASES
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id with staffgate's parameters (STAFFGATE_ARGON2_*, so a raised cost applies to both).
STAFFGATE_ARGON2_TIME_COST = portal.STAFFGATE_ARGON2_TIME_COST
STAFFGATE_ARGON2_MEMORY_KIB = portal.STAFFGATE_ARGON2_MEMORY_KIB
STAFFGATE_ARGON2_PARALLELISM = portal.STAFFGATE_ARGON2_PARALLELISM
PASSWORD_HASHERS = ["bench.peer.hashers.PeerArgon2Hasher"]
if os.environ.get("BENCH_VERIFY_LOG"):
    PASSWORD_HASHERS = ["bench.verify_count.CountingPeerHasher"]

# django-axes, as close to staffgate's lock as it goes: 3 failures per username lock it
# for the same 15 minutes, a success clears the count, refused attempts do not extend it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = portal.STAFFGATE_LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = dt.timedelta(seconds=portal.STAFFGATE_LOGIN_LOCK_SECONDS)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
USE_I18N = True
USE_TZ = True
TIME_ZONE = portal.TIME_ZONE

STATIC_URL = "/static/"
STATIC_ROOT = portal.VAR_DIR / "peer-static"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = portal.STAFFGATE_SECURE_COOKIES

LOGGING = portal.LOGGING
# What `staffgate serve` reads; a metrics folder of its own (the server empties it at start).
STAFFGATE_METRICS_DIR = portal.VAR_DIR / "peer-metrics"
STAFFGATE_HASH_CONCURRENCY = 0
STAFFGATE_TRUSTED_PROXIES = []
# Locked by username alone, as staffgate locks an ID (its per-address throttle is apart).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
