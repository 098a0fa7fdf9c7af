"""The bench's logins with an authenticator-app code are the ones the portal serves.

``make bench`` measures them with apps seeded by ``bench.seed totp``: the seeded apps must
be ones the portal's own login step accepts.
"""

from __future__ import annotations

import base64

import pyotp
import pytest
from django.test import Client

from bench import seed
from bench.common import PASSWORD, TOTP_KEY, account_id
from staffgate.factors import crypto
from staffgate.factors.models import TotpFactor


def test_seeded_apps_are_stored_encrypted_and_the_portal_login_asks_for_their_code(db):
    seed.add_accounts(0, 3)
    assert seed.add_totp_factors(2, 3) == 2

    factors = TotpFactor.objects.order_by("user__user_id")
    assert [f.user.user_id for f in factors] == [account_id(2), account_id(3)]
    for factor in factors:
        assert factor.confirmed
        assert TOTP_KEY not in factor.encrypted_key
        assert crypto.decrypt(factor.encrypted_key) == base64.b32decode(TOTP_KEY)

    with_app = Client()
    answer = with_app.post("/login/", {"user_id": account_id(2), "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == "/login/verify/"
    answer = with_app.post("/login/verify/", {"code": pyotp.TOTP(TOTP_KEY).now()})
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert with_app.get("/").status_code == 200

    # The password-only accounts of the other rows are not asked for a code.
    without = Client()
    answer = without.post("/login/", {"user_id": account_id(1), "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_seeding_again_leaves_one_app_per_account_and_missing_accounts_change_nothing(db):
    seed.add_accounts(0, 2)
    seed.add_totp_factors(1, 2)
    seed.add_totp_factors(1, 2)
    assert TotpFactor.objects.filter(user__user_id=account_id(1)).count() == 1
    before = sorted(TotpFactor.objects.values_list("encrypted_key", flat=True))

    with pytest.raises(SystemExit, match="seed them first"):
        seed.add_totp_factors(2, 4)
    assert sorted(TotpFactor.objects.values_list("encrypted_key", flat=True)) == before
