"""A software passkey authenticator: what a browser and its authenticator send, made by hand.

It builds WebAuthn registration and authentication answers (``fmt: none`` attestation,
ES256 keys from ``cryptography``) for any origin and RP ID, so tests can play an honest
browser, a look-alike site, a replay or a cloned key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def client_data(kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps(
        {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
    ).encode()


class SoftwarePasskey:
    """One credential: an EC P-256 key pair, its ID and its signature counter."""

    def __init__(self, *, counter_step: int = 1):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0
        self.counter_step = counter_step

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def cose_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _auth_data(self, rp_id: str, flags: int, attested: bytes = b"") -> bytes:
        rp_hash = hashlib.sha256(rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + struct.pack(">I", self.counter) + attested

    def register(self, options: dict, origin: str, *, rp_id: str | None = None) -> str:
        """The JSON a browser posts after ``navigator.credentials.create(options)``."""
        rp_id = rp_id or options["rp"]["id"]
        attested = (
            b"\x00" * 16  # AAGUID
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self.cose_key()
        )
        auth_data = self._auth_data(rp_id, UP | UV | AT, attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        data = client_data("webauthn.create", options["challenge"], origin)
        return json.dumps(
            {
                "id": self.id,
                "rawId": self.id,
                "type": "public-key",
                "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": b64url(data),
                    "attestationObject": b64url(attestation),
                    "transports": ["internal"],
                },
            }
        )

    def sign(
        self, options: dict, origin: str, *, rp_id: str | None = None, advance: bool = True
    ) -> str:
        """The JSON a browser posts after ``navigator.credentials.get(options)``."""
        if advance:
            self.counter += self.counter_step
        rp_id = rp_id or options["rpId"]
        auth_data = self._auth_data(rp_id, UP | UV)
        data = client_data("webauthn.get", options["challenge"], origin)
        signature = self.private_key.sign(
            auth_data + hashlib.sha256(data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return json.dumps(
            {
                "id": self.id,
                "rawId": self.id,
                "type": "public-key",
                "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": b64url(data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                },
            }
        )


def options_on(page: str) -> dict:
    """The WebAuthn options a page hands its script (``json_script`` as ``passkey-options``)."""
    import html
    import re

    found = re.search(
        r'<script id="passkey-options" type="application/json">(.*?)</script>', page, re.S
    )
    assert found, "the page offers no passkey ceremony"
    return json.loads(html.unescape(found.group(1)))
