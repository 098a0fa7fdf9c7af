"""Settings for the test suite: production settings with test-friendly environment values."""

import os

os.environ.setdefault("STAFFGATE_SECRET_KEY", "test-secret-key-" + "x" * 40)
os.environ.setdefault("STAFFGATE_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("STAFFGATE_SECURE_COOKIES", "0")
os.environ.setdefault("EMAIL_URL", "locmem:")
# Cheap hashes keep the suite fast; production parameters are tested on their own.
os.environ.setdefault("STAFFGATE_ARGON2_MEMORY_KIB", "1024")
os.environ.setdefault("STAFFGATE_ARGON2_TIME_COST", "1")
# Most tests come from one address; the throttle's own tests lower this again.
os.environ.setdefault("STAFFGATE_IP_MAX_FAILURES", "100000")


def _signing_key_file() -> str:
    """One RSA key for the whole suite, made once under the var folder."""
    from pathlib import Path

    from staffgate.oidc.keys import write_private_key

    folder = Path(os.environ.get("STAFFGATE_VAR_DIR", Path.cwd() / "var"))
    path = folder / "test-oidc-key.pem"
    if not path.exists():
        try:
            write_private_key(path)
        except FileExistsError:
            pass  # another test process made it meanwhile
    return str(path)


os.environ.setdefault("STAFFGATE_OIDC_KEY_FILE", _signing_key_file())

from staffgate.config.settings import *  # noqa: E402,F403

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_AUTOREFRESH = True
# Security e-mails run at once in the test process, so tests read them straight after the
# request that queues them; tests of the queue itself set the database backend back, and
# tests against a live `staffgate serve` run a real worker.
TASKS = {**TASKS, "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # noqa: F405
STAFFGATE_MAIL_TASK_BACKEND = "immediate"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory, so live-server threads use their own connections as in production.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
