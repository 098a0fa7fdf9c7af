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
