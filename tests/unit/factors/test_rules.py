"""The pure rules of second factors: who needs one, amr values, codes and keys."""

from __future__ import annotations

import pyotp
import pytest

from staffgate.factors import methods, recovery_codes, totp
from staffgate.factors.policy import Mode, factor_asked, factor_required


@pytest.mark.parametrize(
    ("mode", "is_employee", "privileged", "expected"),
    [
        (Mode.OFF, True, False, False),
        (Mode.OPTIONAL, True, False, False),
        (Mode.REQUIRED, True, False, True),
        (Mode.OFF, False, True, True),
        (Mode.OPTIONAL, False, True, True),
        (Mode.OFF, False, False, False),
    ],
)
def test_who_must_have_a_factor(mode, is_employee, privileged, expected):
    assert factor_required(mode, is_employee=is_employee, privileged=privileged) is expected


def test_a_login_asks_for_the_factor_once_enrolled_unless_off_for_employees():
    assert factor_asked(Mode.OPTIONAL, is_employee=True, enrolled=True)
    assert not factor_asked(Mode.OPTIONAL, is_employee=True, enrolled=False)
    assert not factor_asked(Mode.OFF, is_employee=True, enrolled=True)
    assert factor_asked(Mode.OFF, is_employee=False, enrolled=True)


def test_amr_values():
    assert methods.amr_for({}) == []
    assert methods.amr_for({"_auth_user_id": "1"}) == ["pwd"]
    session = {"_auth_user_id": "1"}
    methods.record_methods(session, ["pwd", "otp", "otp"])
    assert methods.amr_for(session) == ["pwd", "otp", "mfa"]
    assert methods.used_second_factor(session)
    methods.record_methods(session, ["pwd"])
    assert methods.amr_for(session) == ["pwd"] and not methods.used_second_factor(session)


def test_recovery_codes_are_80_bits_and_read_back_forgivingly():
    code = recovery_codes.new_code()
    assert len(code) == 19 and code.count("-") == 3
    assert len(recovery_codes.ALPHABET) == 32
    assert recovery_codes.digest(code) == recovery_codes.digest(code.upper().replace("-", " "))
    assert recovery_codes.normalise("OIL0") == "0110"
    assert not recovery_codes.looks_like_code("123456")


def test_the_key_is_grouped_and_the_uri_is_what_apps_read():
    key = bytes(range(20))
    text = totp.base32_key(key)
    assert totp.grouped(text) == " ".join(text[i : i + 4] for i in range(0, 32, 4))
    uri = totp.provisioning_uri(key, "0112233")
    assert uri.startswith("otpauth://totp/staffgate%3A0112233?") and f"secret={text}" in uri
    assert pyotp.parse_uri(uri).secret == text


def test_codes_match_their_step_with_one_step_of_drift():
    key = bytes(range(20))
    phone = pyotp.TOTP(totp.base32_key(key))
    now = 1_800_000_015.0
    step = int(now) // 30
    assert totp.matching_step(key, phone.at(now), now=now, min_t=0) == step
    assert totp.matching_step(key, phone.at(now - 30), now=now, min_t=0) == step - 1
    assert totp.matching_step(key, phone.at(now + 30), now=now, min_t=0) == step + 1
    assert totp.matching_step(key, phone.at(now + 60), now=now, min_t=0) is None
    # A step at or before the last one used is refused.
    assert totp.matching_step(key, phone.at(now), now=now, min_t=step + 1) is None
    assert totp.matching_step(key, "12345", now=now, min_t=0) is None
    assert totp.matching_step(key, "abcdef", now=now, min_t=0) is None


def test_the_qr_code_is_inline_svg_without_script():
    svg = totp.qr_svg("otpauth://totp/x?secret=AAAA", "QR code")
    assert svg.startswith("<svg") and "<script" not in svg and "<title>QR code</title>" in svg


def test_the_passkey_rp_id_is_the_public_host_or_a_parent_domain_of_it():
    from django.core.exceptions import ImproperlyConfigured

    from staffgate.factors.webauthn_config import check_rp_id

    check_rp_id("portal.example.com", "https://portal.example.com")
    check_rp_id("example.com", "https://portal.example.com:8443/")
    check_rp_id("example.com", "")  # no public address: nothing to check against
    for wrong in ("other.example.com", "ample.com", "portal.example.com.evil.test"):
        with pytest.raises(ImproperlyConfigured, match="STAFFGATE_WEBAUTHN_RP_ID"):
            check_rp_id(wrong, "https://portal.example.com")
