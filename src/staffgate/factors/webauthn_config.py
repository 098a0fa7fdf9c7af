"""Which relying party and origin passkeys are bound to: from the portal's public address.

An assertion made for another origin (a look-alike site relaying the ceremony) or
another relying party ID is refused, so the public address must be the one people type.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

RP_NAME = "staffgate"


def check_rp_id(rp_id: str, public_url: str) -> None:
    """Stop start-up when the RP ID cannot serve the public address (WebAuthn's own rule)."""
    host = (urlsplit(public_url).hostname or "").lower() if public_url else ""
    if not host:
        return
    if host != rp_id and not host.endswith("." + rp_id):
        raise ImproperlyConfigured(
            f"STAFFGATE_WEBAUTHN_RP_ID={rp_id!r} is neither the host of STAFFGATE_PUBLIC_URL "
            f"({host!r}) nor a parent domain of it."
        )


def expected_origin(request) -> str:
    """``scheme://host[:port]`` the browser must report: the public address when configured.

    Without ``STAFFGATE_PUBLIC_URL`` (a local trial), the address the request came to,
    whose host ``ALLOWED_HOSTS`` has already checked.
    """
    if settings.STAFFGATE_PUBLIC_URL:
        parts = urlsplit(settings.STAFFGATE_PUBLIC_URL)
        return f"{parts.scheme}://{parts.netloc}".lower()
    return f"{request.scheme}://{request.get_host()}".lower()


def rp_id(request) -> str:
    """The relying party ID: configured, or the host name of the expected origin."""
    if settings.STAFFGATE_WEBAUTHN_RP_ID:
        return settings.STAFFGATE_WEBAUTHN_RP_ID
    return (urlsplit(expected_origin(request)).hostname or "").lower()
