"""What an app learns about a person, as pure functions over plain data.

``sub`` is pairwise: an HMAC of the account under the installation's key and the
app's client ID, so two apps cannot match their users by it, and it never
reveals the Employee ID (OpenID Connect Core, pairwise identifiers).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

# The two levels of assurance a sign-in can have, as ``acr`` values (OpenID Connect Core).
ACR_PASSWORD = "urn:staffgate:acr:password"
ACR_MULTI_FACTOR = "urn:staffgate:acr:mfa"
ACR_VALUES = (ACR_PASSWORD, ACR_MULTI_FACTOR)
PASSWORD, MULTI_FACTOR = "pwd", "mfa"  # RFC 8176 ``amr`` values


def acr_of(amr: list[str]) -> str:
    """The level of assurance of a sign-in made with the ``amr`` methods."""
    return ACR_MULTI_FACTOR if MULTI_FACTOR in amr else ACR_PASSWORD


def pairwise_subject(key: str, client_id: str, account_pk: int) -> str:
    """The subject identifier of one account as one app sees it."""
    digest = hmac.new(
        key.encode(), f"{client_id}\x00{account_pk}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def session_id(key: str, session_key: str) -> str:
    """The ``sid`` apps see for one portal session (never the session key itself)."""
    digest = hmac.new(key.encode(), session_key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).rstrip(b"=").decode("ascii")


def code_digest(code: str) -> str:
    """How an authorization code is remembered once exchanged: its SHA-256."""
    return hashlib.sha256(code.encode()).hexdigest()


def person_claims(
    *,
    first_name: str,
    last_name: str,
    language: str,
    email: str,
    email_verified: bool,
    employee_id: str,
    status: str,
    country: str,
    eligible_until: dt.date | None,
) -> dict[str, object]:
    """Every claim the portal can release, by name; scopes decide which an app gets."""
    return {
        "name": f"{first_name} {last_name}".strip(),
        "given_name": first_name,
        "family_name": last_name,
        "locale": language,
        "email": email,
        # True once the person typed the code mailed to this address (registration, or a
        # change in Edit My Profile); addresses kept from before e-mail codes are not.
        "email_verified": email_verified,
        "employee_id": employee_id,
        "status": status,
        "country": country,
        "eligible_until": eligible_until.isoformat() if eligible_until else None,
    }
