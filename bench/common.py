"""Names shared by the bench's processes (no Django imports: the load generator uses it)."""

# Every bench account has this password and the same precomputed hash of it.
PASSWORD = "Bench-login-2026"
WRONG_PASSWORD = "Not-the-password-1"
ID_PREFIX = "BX"
# The authenticator-app key (base32) that every bench account with a factor shares.
TOTP_KEY = "BENCHSHAREDAUTHENTICATORAPPKEY23"
# A code is good once per account and 30-second step: an account logs in with one again
# only this long after its last code, so the step has surely moved on.
TOTP_REUSE_SECONDS = 60


def account_id(number: int) -> str:
    """The Employee ID of bench account ``number`` (1-based): ``BX0000001``."""
    return f"{ID_PREFIX}{number:07d}"


def unknown_id(run: str, number: int) -> str:
    """An ID that is in no roster, fresh for each attempt so it never locks."""
    tag = "".join(ch for ch in run.upper() if ch.isascii() and ch.isalnum())[:6]
    return f"NX{tag}{number:09d}"


# The bench's reference pages (bench/urls.py), served beside the portal.
BARE_PATH = "/bench/bare"
SESSION_PATH = "/bench/session"
FLOOR_LOGIN_PATH = "/bench/login"
FLOOR_HOME_PATH = "/bench/home"
# The floor of a login with an authenticator-app code: the floor login, then a code step.
FLOOR_TOTP_LOGIN_PATH = "/bench/totp/login"
FLOOR_CODE_PATH = "/bench/totp/code"
