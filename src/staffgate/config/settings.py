"""Django settings for staffgate, read from the environment (see README)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from staffgate.config.env import StaffgateEnv
from staffgate.ops.logs import FORMATS, logging_config

# Every variable may also be read from a file: STAFFGATE_SECRET_KEY_FILE=/run/secrets/key.
env = StaffgateEnv()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("STAFFGATE_VAR_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env.bool("STAFFGATE_DEBUG", False)
SECRET_KEY = env.str("STAFFGATE_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "STAFFGATE_SECRET_KEY is not set. Set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set STAFFGATE_DEBUG=1 for a local trial."
        )
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"  # noqa: S105
elif len(SECRET_KEY) < 50 and not DEBUG:
    raise ImproperlyConfigured("STAFFGATE_SECRET_KEY must be at least 50 characters long.")
# Former keys, still accepted when checking signatures, so that rotating the key keeps
# sessions and signed links alive; new signatures use SECRET_KEY only.
SECRET_KEY_FALLBACKS = env.list("STAFFGATE_SECRET_KEY_FALLBACKS", [])
if not DEBUG and any(len(key) < 50 for key in SECRET_KEY_FALLBACKS):
    raise ImproperlyConfigured(
        "STAFFGATE_SECRET_KEY_FALLBACKS: every former key must be at least 50 characters long."
    )

ALLOWED_HOSTS = env.list(
    "STAFFGATE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "STAFFGATE_ALLOWED_HOSTS is empty; list the host names the portal answers to, "
        "separated by commas (e.g. portal.example.com)."
    )

INSTALLED_APPS = [
    # Django's admin on a site that audits every change (accounts/adminsite.py).
    "staffgate.accounts.admin_app.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "staffgate.core",
    "staffgate.audit",
    "staffgate.roster",
    "staffgate.accounts",
    "staffgate.helpdesk",
    "staffgate.ops",
    "staffgate.factors",
    "oauth2_provider",
    "django_tasks",
    "django_tasks_db",
    "staffgate.oidc",
]

MIDDLEWARE = [
    "staffgate.ops.middleware.RequestIdMiddleware",
    "staffgate.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "staffgate.core.middleware.NoStoreMiddleware",
    "staffgate.core.middleware.RejectNulMiddleware",
    "staffgate.core.middleware.MalformedBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "staffgate.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "staffgate.accounts.middleware.SessionLimitsMiddleware",
    "staffgate.factors.middleware.FactorEnrolmentMiddleware",
    "staffgate.factors.middleware.EmailConfirmationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "staffgate.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "staffgate.config.urls"
CSRF_FAILURE_VIEW = "staffgate.core.views.csrf_failure"
WSGI_APPLICATION = "staffgate.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% link %}: {% url %} remembered per process (core/templatetags/links.py).
            "builtins": ["staffgate.core.templatetags.links", "staffgate.core.templatetags.brand"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "staffgate.core.context_processors.portal",
            ],
        },
    },
]

# Form widgets are drawn with Django's Jinja2 widget templates: the same HTML, half the CPU
# of its Django-template ones (the login page is the busiest page of the portal); the
# admin's widgets, which exist only as Django templates, fall back to those.
FORM_RENDERER = "staffgate.core.renderers.PortalFormRenderer"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'staffgate.sqlite3'}")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id with the OWASP minimum parameters by default; raise them with these settings.
STAFFGATE_ARGON2_TIME_COST = env.int("STAFFGATE_ARGON2_TIME_COST", 2, minimum=1, maximum=20)
STAFFGATE_ARGON2_MEMORY_KIB = env.int(
    "STAFFGATE_ARGON2_MEMORY_KIB", 19456, minimum=8, maximum=4 * 1024 * 1024
)
STAFFGATE_ARGON2_PARALLELISM = env.int("STAFFGATE_ARGON2_PARALLELISM", 1, minimum=1, maximum=16)
# Hashes one process computes at once; 0 = one per core (`staffgate serve` divides by workers).
STAFFGATE_HASH_CONCURRENCY = env.int("STAFFGATE_HASH_CONCURRENCY", 0, minimum=0, maximum=256)
# The subclass keeps the algorithm name "argon2", so it alone must claim it: it verifies
# hashes made with any Argon2 parameters and upgrades them at the next login.
PASSWORD_HASHERS = [
    "staffgate.accounts.hashers.StaffgateArgon2Hasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Employees, help-desk agents and operators are one user model, signed in by one backend
# that charges every attempt to the exact per-ID lock before any hash is computed.
AUTH_USER_MODEL = "accounts.Account"
AUTHENTICATION_BACKENDS = ["staffgate.accounts.backends.PortalBackend"]
# Staff passwords (employees' follow the portal's own password policy).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("user_id", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
# Formats of our own where Django's read badly (src/staffgate/formats/).
FORMAT_MODULE_PATH = ["staffgate.formats"]
USE_TZ = True
TIME_ZONE = env.time_zone("STAFFGATE_TIME_ZONE", "America/New_York")

STATIC_URL = "/static/"
# Collected by `staffgate serve` when missing or out of date, or by `staffgate collectstatic`.
STATIC_ROOT = Path(env.str("STAFFGATE_STATIC_ROOT", str(VAR_DIR / "static"))).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = DEBUG
# The brand's logo file is collected and served with the portal's own static files.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "staffgate.core.brand.BrandLogoFinder",
]

# Sessions: Django's, server-side, rotated at login; idle and absolute limits on top.
SESSION_ENGINE = "staffgate.accounts.session_stores.db"
STAFFGATE_SESSION_IDLE_SECONDS = env.int("STAFFGATE_SESSION_IDLE_SECONDS", 1800, minimum=60)
STAFFGATE_SESSION_MAX_SECONDS = env.int("STAFFGATE_SESSION_MAX_SECONDS", 43200, minimum=60)
SESSION_COOKIE_AGE = STAFFGATE_SESSION_MAX_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
STAFFGATE_SECURE_COOKIES = env.bool("STAFFGATE_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = STAFFGATE_SECURE_COOKIES
CSRF_COOKIE_SECURE = STAFFGATE_SECURE_COOKIES
if STAFFGATE_SECURE_COOKIES:
    # The __Host- prefix makes browsers refuse these cookies unless Secure, host-only, Path=/.
    SESSION_COOKIE_NAME = "__Host-staffgate_session"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS is sent only on HTTPS responses; one year, subdomains included.
SECURE_HSTS_SECONDS = env.int("STAFFGATE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("STAFFGATE_HSTS_PRELOAD", False)
# Joining the browsers' preload list binds the whole domain for years: the operator's call,
# so its absence is not reported as a deployment problem.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_SSL_REDIRECT = env.bool("STAFFGATE_SSL_REDIRECT", STAFFGATE_SECURE_COOKIES)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# X-Forwarded-For / -Proto are believed only from these addresses or networks.
STAFFGATE_TRUSTED_PROXIES = env.networks("STAFFGATE_TRUSTED_PROXIES", [])
if STAFFGATE_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Throttling counters live in Redis when STAFFGATE_CACHE_URL names one (shared by every app
# server), otherwise in their own database table (core/throttle.py).
STAFFGATE_CACHE_URL = env.str("STAFFGATE_CACHE_URL", "")
CACHES = {"default": env.cache_url("STAFFGATE_CACHE_URL")}
if STAFFGATE_CACHE_URL:
    try:
        import redis  # noqa: F401 - Django's RedisCache imports it only at the first request
    except ImportError:
        raise ImproperlyConfigured(
            "STAFFGATE_CACHE_URL names a Redis server, but the redis package is not installed; "
            "install staffgate with its redis extra: pip install 'staffgate[redis]'."
        ) from None
    # Sessions are read from Redis and written through to the database, so none is lost.
    SESSION_ENGINE = "staffgate.accounts.session_stores.cached_db"

# Per-address throttling of failed attempts across all IDs (credential stuffing).
STAFFGATE_IP_MAX_FAILURES = env.int("STAFFGATE_IP_MAX_FAILURES", 20, minimum=1)
STAFFGATE_IP_WINDOW_SECONDS = env.int("STAFFGATE_IP_WINDOW_SECONDS", 300, minimum=1)
# One IPv6 client usually holds a whole /64: its addresses share one counter.
STAFFGATE_THROTTLE_IPV6_PREFIX = env.int(
    "STAFFGATE_THROTTLE_IPV6_PREFIX", 64, minimum=16, maximum=128
)
STAFFGATE_HELP_MAX_TICKETS = env.int("STAFFGATE_HELP_MAX_TICKETS", 5, minimum=1)
STAFFGATE_HELP_WINDOW_SECONDS = env.int("STAFFGATE_HELP_WINDOW_SECONDS", 3600, minimum=1)

# Portal policy: login and recovery locks, the password policy, the terms in force.
STAFFGATE_LOGIN_MAX_FAILURES = env.int("STAFFGATE_LOGIN_MAX_FAILURES", 3, minimum=1, maximum=100)
STAFFGATE_LOGIN_LOCK_SECONDS = env.int("STAFFGATE_LOGIN_LOCK_SECONDS", 900, minimum=1)
STAFFGATE_RECOVERY_MAX_FAILURES = env.int(
    "STAFFGATE_RECOVERY_MAX_FAILURES", 3, minimum=1, maximum=100
)
# How long the new-password page of recovery stays open after the right answers.
STAFFGATE_RECOVERY_RESET_SECONDS = env.int("STAFFGATE_RECOVERY_RESET_SECONDS", 600, minimum=60)
# How a person shows who they are in password recovery: their challenge questions (the
# employer's rule), and/or a code mailed to the account's verified address.
STAFFGATE_RECOVERY_METHODS = env.choice_list(
    "STAFFGATE_RECOVERY_METHODS", ("questions",), ("questions", "email")
)
STAFFGATE_PASSWORD_POLICY = env.choice(
    "STAFFGATE_PASSWORD_POLICY", "classic", ("classic", "strict")
)
# Second factors for employees: off, optional or required (staff always need one).
STAFFGATE_MFA = env.choice("STAFFGATE_MFA", "optional", ("off", "optional", "required"))
# A code mailed to the account's address as a fallback at the factor step (off by default).
STAFFGATE_MFA_EMAIL = env.bool("STAFFGATE_MFA_EMAIL", False)
# Keys that encrypt factor secrets at rest, newest first (default: derived from the secret key).
STAFFGATE_FIELD_KEYS = env.fernet_keys("STAFFGATE_FIELD_KEYS")
STAFFGATE_TERMS_VERSION = env.str("STAFFGATE_TERMS_VERSION", "2026-01")
# The public "How do I find my PIN?" page, linked from the login page (off: neither exists).
STAFFGATE_PIN_HELP = env.bool("STAFFGATE_PIN_HELP", True)

# The employer's brand and help desk: in page titles, page headers and every e-mail.
STAFFGATE_BRAND_NAME = env.str("STAFFGATE_BRAND_NAME", "staffgate")
# An image file (SVG, PNG, JPEG or WebP) served as the static file brand/<its name>.
STAFFGATE_BRAND_LOGO = env.image_file("STAFFGATE_BRAND_LOGO")
STAFFGATE_HELPDESK_PHONE = env.str("STAFFGATE_HELPDESK_PHONE", "")
STAFFGATE_HELPDESK_EMAIL = env.email_address("STAFFGATE_HELPDESK_EMAIL", "")

globals().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.email_address(
    "STAFFGATE_FROM_EMAIL", f"{STAFFGATE_BRAND_NAME} <no-reply@localhost>", named=True
)

# Logs: JSON lines for a log collector, or readable lines (`make run`), with request IDs.
LOGGING = logging_config(
    env.choice("STAFFGATE_LOG_FORMAT", "json", FORMATS),
    env.str("STAFFGATE_LOG_LEVEL", "INFO").upper(),
)
# /metrics answers these networks, or whoever sends `Authorization: Bearer <token>`.
STAFFGATE_METRICS_NETWORKS = env.networks("STAFFGATE_METRICS_NETWORKS", [])
STAFFGATE_METRICS_TOKEN = env.str("STAFFGATE_METRICS_TOKEN", "")
STAFFGATE_METRICS_DIR = VAR_DIR / "metrics"
# A full roster import that would remove more than this share of people needs --force.
STAFFGATE_ROSTER_MAX_REMOVALS = env.percentage("STAFFGATE_ROSTER_MAX_REMOVALS", 2.0)
# A folder where HR drops roster files; the worker imports each and moves it to done/ or
# failed/. Files are imported as the whole roster (--full) unless ..._DROP_FULL=0.
STAFFGATE_ROSTER_DROP_DIR = env.str("STAFFGATE_ROSTER_DROP_DIR", "")
STAFFGATE_ROSTER_DROP_FULL = env.bool("STAFFGATE_ROSTER_DROP_FULL", True)
# A dropped file is left alone until it has not changed for this long (still being written).
STAFFGATE_ROSTER_DROP_SETTLE_SECONDS = env.int(
    "STAFFGATE_ROSTER_DROP_SETTLE_SECONDS", 30, minimum=0
)
# /readyz is unavailable when no background worker has beaten for this long (they beat
# four times as often).
STAFFGATE_WORKER_HEARTBEAT_TIMEOUT = env.int(
    "STAFFGATE_WORKER_HEARTBEAT_TIMEOUT", 60, minimum=4, maximum=3600
)

# Single sign-on: staffgate is the OpenID Connect provider of the employer's applications
# (django-oauth-toolkit), authorization code flow only. Without a signing key it is off.
# The portal's public address: the issuer, and the address every e-mail gives (never the
# Host header of a request, which anyone can forge).
STAFFGATE_PUBLIC_URL = env.public_url("STAFFGATE_PUBLIC_URL")
# Passkeys (WebAuthn): the relying party ID, by default the host name of STAFFGATE_PUBLIC_URL;
# it may be a parent domain of that host (example.com for portal.example.com).
STAFFGATE_WEBAUTHN_RP_ID = env.str("STAFFGATE_WEBAUTHN_RP_ID", "").strip().lower()
if STAFFGATE_WEBAUTHN_RP_ID:
    from staffgate.factors.webauthn_config import check_rp_id

    check_rp_id(STAFFGATE_WEBAUTHN_RP_ID, STAFFGATE_PUBLIC_URL)
STAFFGATE_OIDC_KEY = env.str("STAFFGATE_OIDC_KEY", "")
if STAFFGATE_OIDC_KEY:
    from staffgate.oidc.keys import check_private_key

    STAFFGATE_OIDC_KEY = check_private_key(STAFFGATE_OIDC_KEY, "STAFFGATE_OIDC_KEY_FILE")
from staffgate.oidc.policy import pkce_required  # noqa: E402

STAFFGATE_OIDC_ACCESS_TOKEN_SECONDS = env.int(
    "STAFFGATE_OIDC_ACCESS_TOKEN_SECONDS", 600, minimum=60, maximum=86400
)
# Keys published beside the signing one (the next key, and former keys until their tokens
# expire), when the key comes from a file that `staffgate rotate-signing-key` manages.
STAFFGATE_OIDC_KEY_PATH = env.str("STAFFGATE_OIDC_KEY_FILE", "")
STAFFGATE_OIDC_PUBLISHED_KEYS = []
if STAFFGATE_OIDC_KEY and STAFFGATE_OIDC_KEY_PATH:
    import time as _time

    from staffgate.oidc.keys import published_key_pems

    STAFFGATE_OIDC_PUBLISHED_KEYS = published_key_pems(
        Path(STAFFGATE_OIDC_KEY_PATH),
        now=_time.time(),
        keep_seconds=STAFFGATE_OIDC_ACCESS_TOKEN_SECONDS + 3600,
    )
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": bool(STAFFGATE_OIDC_KEY),
    "OIDC_RSA_PRIVATE_KEY": STAFFGATE_OIDC_KEY,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": STAFFGATE_OIDC_PUBLISHED_KEYS,
    "OIDC_ISS_ENDPOINT": STAFFGATE_PUBLIC_URL,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_SUBJECT_TYPES_SUPPORTED": ["pairwise"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_JWKS_MAX_AGE_SECONDS": 3600,
    "OAUTH2_VALIDATOR_CLASS": "staffgate.oidc.validators.PortalValidator",
    "SCOPES_BACKEND_CLASS": "staffgate.oidc.scopes.AppScopes",
    "SCOPES": {
        "openid": "Sign you in",
        "profile": "Your name and language",
        "email": "Your e-mail address",
        "employee": "Your Employee ID, status, country and access end date",
    },
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": pkce_required,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": STAFFGATE_OIDC_ACCESS_TOKEN_SECONDS,
    "ID_TOKEN_EXPIRE_SECONDS": STAFFGATE_OIDC_ACCESS_TOKEN_SECONDS,
    "REFRESH_TOKEN_EXPIRE_SECONDS": STAFFGATE_SESSION_MAX_SECONDS,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "REQUEST_APPROVAL_PROMPT": "auto",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if STAFFGATE_SECURE_COOKIES else ["https", "http"],
    "ALLOWED_SCHEMES": ["https"] if STAFFGATE_SECURE_COOKIES else ["https", "http"],
    "ALLOW_URI_WILDCARDS": False,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
}

# Background work (security e-mails, back-channel logout deliveries): Django's Tasks API
# with its database backend; a task is a row written in the transaction of the event that
# causes it, and `staffgate worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# The security e-mails go through the same queue (an alias of TASKS).
STAFFGATE_MAIL_TASK_BACKEND = "default"
