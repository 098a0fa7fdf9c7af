"""Passkeys and security keys (WebAuthn), through py_webauthn: the ceremonies' server side.

Every challenge is random, bound to the browser session that asked for it, used once
(taken from the session, and its digest inserted once into a table with a unique
constraint, so that two parallel answers cannot both spend it, on any server) and only
for the ceremony it was made for. Origin and
relying party ID come from the portal's public address (``webauthn_config``); user
verification is preferred, not required, so security keys without a PIN still work as a
second factor after the password. A signature counter that does not move forward is
refused (a cloned authenticator).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import secrets
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    options_to_json_dict,
    parse_authenticator_data,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from staffgate.core import timeutil
from staffgate.factors import webauthn_config
from staffgate.factors.models import PasskeyFactor, SpentChallenge

CHALLENGE_KEY = "staffgate.factors.passkey_challenge"
# How long a browser may take over one ceremony (also the hint given to it).
CEREMONY_SECONDS = 300
# A browser's answer is a few kilobytes; anything far larger is not one.
CREDENTIAL_MAX = 20_000
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


class Ceremony(enum.StrEnum):
    REGISTER = "register"  # adding a passkey
    LOGIN = "login"  # the login's factor step
    RECOVER = "recover"  # the second factor of a password recovery


class Failure(enum.StrEnum):
    """Why an answer from the browser was refused (kept in the audit log, never shown)."""

    NO_CHALLENGE = "no_challenge"  # none issued, expired, for another ceremony, or used
    MALFORMED = "malformed"
    UNKNOWN_CREDENTIAL = "unknown_credential"  # not one of this account's passkeys
    INVALID = "invalid"  # origin, RP ID, challenge, signature or flags wrong
    SIGN_COUNT = "sign_count"  # the counter did not move forward: a cloned authenticator?
    ALREADY_REGISTERED = "already_registered"


class Refused(Exception):
    def __init__(self, failure: Failure):
        super().__init__(failure.value)
        self.failure = failure


# --- Challenges ------------------------------------------------------------------------------


def _issue_challenge(session, ceremony: Ceremony, **extra) -> bytes:
    challenge = secrets.token_bytes(32)
    session[CHALLENGE_KEY] = {
        "ceremony": ceremony.value,
        "challenge": bytes_to_base64url(challenge),
        "issued": time.time(),
        **extra,
    }
    return challenge


def _take_challenge(session, ceremony: Ceremony) -> dict:
    """The challenge issued to this session for ``ceremony``, spent now whatever comes next."""
    stored = session.pop(CHALLENGE_KEY, None)
    if not isinstance(stored, dict) or stored.get("ceremony") != ceremony.value:
        raise Refused(Failure.NO_CHALLENGE)
    if time.time() - float(stored.get("issued", 0)) > CEREMONY_SECONDS:
        raise Refused(Failure.NO_CHALLENGE)
    # Two requests carrying the same session at once: only the first insert may spend it.
    now = timeutil.now()
    SpentChallenge.objects.filter(
        spent_at__lt=now - dt.timedelta(seconds=2 * CEREMONY_SECONDS)
    ).delete()
    try:
        with transaction.atomic():
            SpentChallenge.objects.create(
                digest=hashlib.sha256(stored["challenge"].encode()).hexdigest(), spent_at=now
            )
    except IntegrityError:
        raise Refused(Failure.NO_CHALLENGE) from None
    return stored


def forget_challenge(session) -> None:
    session.pop(CHALLENGE_KEY, None)


def _parse(credential_json: str) -> dict:
    if not credential_json or len(credential_json) > CREDENTIAL_MAX:
        raise Refused(Failure.MALFORMED)
    try:
        credential = json.loads(credential_json)
    except ValueError:
        raise Refused(Failure.MALFORMED) from None
    if not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
        raise Refused(Failure.MALFORMED)
    if not isinstance(credential.get("response"), dict):
        raise Refused(Failure.MALFORMED)
    return credential


def _descriptor(passkey: PasskeyFactor) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in passkey.transports.split(",") if t]
    return PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(passkey.credential_id), transports=transports or None
    )


def passkeys_of(account):
    return PasskeyFactor.objects.filter(user=account, confirmed=True)


def display_name(account) -> str:
    person = getattr(account, "person", None) if account.is_employee else None
    if person is not None:
        return f"{person.first_name} {person.last_name}".strip() or account.get_username()
    return account.get_username()


# --- Registration ----------------------------------------------------------------------------


def registration_options(request, account) -> dict:
    """The options for ``navigator.credentials.create()`` (JSON-ready), with a new challenge."""
    existing = list(passkeys_of(account))
    handle = existing[0].user_handle if existing else bytes_to_base64url(secrets.token_bytes(32))
    challenge = _issue_challenge(request.session, Ceremony.REGISTER, user_handle=handle)
    options = generate_registration_options(
        rp_id=webauthn_config.rp_id(request),
        rp_name=webauthn_config.RP_NAME,
        user_name=account.get_username(),
        user_id=base64url_to_bytes(handle),
        user_display_name=display_name(account),
        challenge=challenge,
        timeout=CEREMONY_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[_descriptor(p) for p in existing],
    )
    return options_to_json_dict(options)


@dataclass(frozen=True)
class NewPasskey:
    credential_id: str
    public_key: bytes
    sign_count: int
    user_handle: str
    transports: str
    backed_up: bool


def verify_registration(request, credential_json: str) -> NewPasskey:
    """Check the browser's answer to the registration challenge; raises :class:`Refused`."""
    stored = _take_challenge(request.session, Ceremony.REGISTER)
    credential = _parse(credential_json)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(stored["challenge"]),
            expected_rp_id=webauthn_config.rp_id(request),
            expected_origin=webauthn_config.expected_origin(request),
            require_user_verification=False,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError):
        raise Refused(Failure.INVALID) from None
    transports = credential["response"].get("transports") or []
    kept = [t for t in transports if isinstance(t, str) and t in _TRANSPORTS]
    return NewPasskey(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        user_handle=stored["user_handle"],
        transports=",".join(kept),
        backed_up=bool(verified.credential_backed_up),
    )


def store_passkey(account, new: NewPasskey, name: str) -> PasskeyFactor:
    try:
        with transaction.atomic():
            return PasskeyFactor.objects.create(
                user=account,
                name=name,
                confirmed=True,
                credential_id=new.credential_id,
                public_key=new.public_key,
                sign_count=new.sign_count,
                user_handle=new.user_handle,
                transports=new.transports,
                backed_up=new.backed_up,
            )
    except IntegrityError:
        raise Refused(Failure.ALREADY_REGISTERED) from None


# --- Authentication --------------------------------------------------------------------------


def authentication_options(request, account, ceremony: Ceremony) -> dict:
    """The options for ``navigator.credentials.get()`` (JSON-ready): this account's passkeys."""
    challenge = _issue_challenge(request.session, ceremony)
    options = generate_authentication_options(
        rp_id=webauthn_config.rp_id(request),
        challenge=challenge,
        timeout=CEREMONY_SECONDS * 1000,
        allow_credentials=[_descriptor(p) for p in passkeys_of(account)],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json_dict(options)


def verify_assertion(request, account, credential_json: str, ceremony: Ceremony) -> PasskeyFactor:
    """Check a signed challenge from one of ``account``'s passkeys; raises :class:`Refused`.

    On success the passkey's counter moves forward, atomically, so one assertion counts once.
    """
    stored = _take_challenge(request.session, ceremony)
    credential = _parse(credential_json)
    passkey = passkeys_of(account).filter(credential_id=credential["id"]).first()
    if passkey is None:
        raise Refused(Failure.UNKNOWN_CREDENTIAL)
    handle = credential["response"].get("userHandle")
    if handle and handle != passkey.user_handle:
        raise Refused(Failure.INVALID)  # made for another account of this relying party
    try:
        auth_data = parse_authenticator_data(
            base64url_to_bytes(credential["response"]["authenticatorData"])
        )
    except (WebAuthnException, ValueError, TypeError, KeyError):
        raise Refused(Failure.MALFORMED) from None
    current = passkey.sign_count
    if (auth_data.sign_count or current) and auth_data.sign_count <= current:
        raise Refused(Failure.SIGN_COUNT)
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(stored["challenge"]),
            expected_rp_id=webauthn_config.rp_id(request),
            expected_origin=webauthn_config.expected_origin(request),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=current,
            require_user_verification=False,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError):
        raise Refused(Failure.INVALID) from None
    moved = PasskeyFactor.objects.filter(pk=passkey.pk, sign_count=current).update(
        sign_count=verified.new_sign_count, last_used_at=timeutil.now()
    )
    if not moved:
        raise Refused(Failure.SIGN_COUNT)  # another assertion moved it meanwhile
    passkey.sign_count = verified.new_sign_count
    return passkey
