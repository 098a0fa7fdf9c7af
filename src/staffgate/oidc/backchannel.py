"""OpenID Connect Back-Channel Logout 1.0: the signed logout token, and retry timing."""

from __future__ import annotations

import json
import time
import uuid

from jwcrypto import jwt
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem

# The retry timing is the queue's own, shared with the security e-mails.
from staffgate.core.queue import MAX_ATTEMPTS, MAX_DELAY, retry_delay  # noqa: F401

LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
TOKEN_LIFETIME = 120


def logout_token(*, issuer: str, client_id: str, subject: str, sid: str, now: float | None = None):
    """A logout token for one app: RS256 with the current signing key, ``typ`` logout+jwt."""
    key = jwk_from_pem(oauth2_settings.OIDC_RSA_PRIVATE_KEY)
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": issuer,
        "aud": client_id,
        "iat": issued,
        "exp": issued + TOKEN_LIFETIME,
        "jti": str(uuid.uuid4()),
        "sub": subject,
        "events": {LOGOUT_EVENT: {}},
    }
    if sid:
        claims["sid"] = sid
    header = {"alg": "RS256", "typ": "logout+jwt", "kid": key.thumbprint()}
    token = jwt.JWT(header=json.dumps(header), claims=json.dumps(claims))
    token.make_signed_token(key)
    return token.serialize()
