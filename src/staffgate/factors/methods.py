"""Which authentication methods signed a session in, as RFC 8176 ``amr`` values."""

from __future__ import annotations

from collections.abc import Iterable

# The methods of the current login, kept in the session from the moment it starts.
METHODS_KEY = "staffgate.factors.methods"

PASSWORD = "pwd"
ONE_TIME_CODE = "otp"  # an authenticator-app code or a single-use recovery code
HARDWARE_KEY = "hwk"  # a passkey or security key (WebAuthn)
MULTI_FACTOR = "mfa"


def amr_values(methods: Iterable[str]) -> list[str]:
    """The ``amr`` list for ``methods``: each once, plus ``mfa`` when more than one was used."""
    values = list(dict.fromkeys(methods))
    if len(values) > 1:
        values.append(MULTI_FACTOR)
    return values


def record_methods(session, methods: Iterable[str]) -> None:
    """Note in a freshly logged-in session how it was signed in."""
    session[METHODS_KEY] = list(dict.fromkeys(methods))


def amr_for(session) -> list[str]:
    """The methods used to sign this session in: ``["pwd"]`` or ``["pwd", "otp", "mfa"]``.

    Empty for a session that is not signed in (or was signed in before methods were noted,
    which can only have been with a password).
    """
    methods = session.get(METHODS_KEY)
    if methods is None:
        return [PASSWORD] if session.get("_auth_user_id") else []
    return amr_values(methods)


def used_second_factor(session) -> bool:
    """True when this session's login passed a second factor."""
    return any(m in (ONE_TIME_CODE, HARDWARE_KEY) for m in session.get(METHODS_KEY) or ())
