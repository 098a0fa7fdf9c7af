"""A database dump after enrolment holds no factor secret in readable form."""

from __future__ import annotations

import base64
import io

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection

from staffgate.factors import crypto
from staffgate.factors.models import TotpFactor
from tests.conftest import PASSWORD, login
from tests.integration.factors.conftest import enrol

pytestmark = pytest.mark.django_db


def raw_dump() -> str:
    """Every row of every table, as the database returns it."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            out.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(out)


def test_no_totp_key_or_recovery_code_in_a_dump(client, make_account, clock):
    account = make_account()
    login(client, account.user_id, PASSWORD)
    key, codes, _ = enrol(client, clock)
    raw_key = base64.b32decode(key + "=" * (-len(key) % 8))
    forms = [key, key.lower(), raw_key.hex(), base64.b64encode(raw_key).decode()]
    for code in codes:
        forms += [code, code.replace("-", ""), code.upper()]

    dumps = [raw_dump()]
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dumps.append(out.getvalue())
    # The session store too, decoded.
    dumps += [repr(s.get_decoded()) for s in Session.objects.all()]
    for dump in dumps:
        for secret in forms:
            assert secret not in dump

    # What is stored opens only with the configured keys.
    stored = TotpFactor.objects.get(user=account).encrypted_key
    assert crypto.decrypt(stored) == raw_key


def test_a_passkey_leaves_only_its_public_key_in_a_dump(settings, client, make_account):
    from cryptography.hazmat.primitives import serialization

    from staffgate.factors.models import PasskeyFactor
    from tests.authenticator import SoftwarePasskey, b64url, options_on
    from tests.integration.factors.conftest import ORIGIN, enrol_passkey

    settings.STAFFGATE_PUBLIC_URL = ORIGIN
    account = make_account()
    login(client, account.user_id, PASSWORD)
    passkey = SoftwarePasskey()
    enrol_passkey(client, passkey)
    client.post("/logout/")
    login(client, account.user_id, PASSWORD)
    options = options_on(client.get("/login/verify/").content.decode())
    assert (
        client.post("/login/verify/", {"credential": passkey.sign(options, ORIGIN)})["Location"]
        == "/"
    )

    private = passkey.private_key.private_numbers().private_value.to_bytes(32, "big")
    der = passkey.private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    forms = [private.hex(), b64url(private), base64.b64encode(der).decode(), der.hex()]
    forms.append(options["challenge"])  # spent: not kept in the session either
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    dumps = [raw_dump(), out.getvalue(), *(repr(s.get_decoded()) for s in Session.objects.all())]
    for dump in dumps:
        for secret in forms:
            assert secret not in dump
    assert bytes(PasskeyFactor.objects.get().public_key) == passkey.cose_key()


def test_field_keys_rotate(settings, make_account):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.STAFFGATE_FIELD_KEYS = [old]
    account = make_account()
    factor = TotpFactor.objects.create(
        user=account, name="Phone", encrypted_key=crypto.encrypt(b"k" * 20)
    )
    settings.STAFFGATE_FIELD_KEYS = [new, old]
    assert TotpFactor.objects.get(pk=factor.pk).bin_key == b"k" * 20
    call_command("rotate_field_keys", stdout=io.StringIO())
    settings.STAFFGATE_FIELD_KEYS = [new]
    assert TotpFactor.objects.get(pk=factor.pk).bin_key == b"k" * 20
    settings.STAFFGATE_FIELD_KEYS = [old]
    with pytest.raises(crypto.InvalidToken):
        TotpFactor.objects.get(pk=factor.pk).bin_key  # noqa: B018


def test_without_field_keys_the_key_comes_from_the_secret_key(make_account):
    assert settings.STAFFGATE_FIELD_KEYS == []
    token = crypto.encrypt(b"secret")
    assert crypto.decrypt(token) == b"secret"
    assert b"secret" not in base64.urlsafe_b64decode(token)
