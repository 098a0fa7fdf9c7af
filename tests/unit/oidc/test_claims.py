"""The pure parts of single sign-on: subjects, session IDs, claims, retry timing, scopes."""

from __future__ import annotations

import datetime as dt

import pytest

from staffgate.oidc import backchannel, claims
from staffgate.oidc.registry import AppError, parse_scopes


def test_pairwise_subjects_differ_per_app_and_per_key_and_hide_the_account():
    one = claims.pairwise_subject("k1", "app-a", 42)
    assert one == claims.pairwise_subject("k1", "app-a", 42)
    assert one != claims.pairwise_subject("k1", "app-b", 42)
    assert one != claims.pairwise_subject("k2", "app-a", 42)
    assert one != claims.pairwise_subject("k1", "app-a", 43)
    assert "42" not in one and len(one) == 43


def test_session_ids_never_show_the_session_key():
    sid = claims.session_id("key", "abcdef1234567890")
    assert "abcdef" not in sid
    assert sid == claims.session_id("key", "abcdef1234567890")
    assert sid != claims.session_id("key", "abcdef1234567891")


@pytest.mark.parametrize("verified", [True, False])
def test_person_claims_by_name(verified):
    data = claims.person_claims(
        first_name="Ana",
        last_name="Lima",
        language="fr",
        email="ana@example.com",
        email_verified=verified,
        employee_id="E123",
        status="separated",
        country="CA",
        eligible_until=dt.date(2027, 6, 30),
    )
    assert data["name"] == "Ana Lima"
    assert data["locale"] == "fr"
    assert data["eligible_until"] == "2027-06-30"
    assert data["email_verified"] is verified


def test_code_digest_is_sha256_hex():
    assert len(claims.code_digest("abc")) == 64
    assert claims.code_digest("abc") != claims.code_digest("abd")


def test_retry_delays_double_up_to_an_hour():
    assert [backchannel.retry_delay(n) for n in (1, 2, 3)] == [5, 10, 20]
    assert backchannel.retry_delay(30) == backchannel.MAX_DELAY


@pytest.mark.parametrize(
    ("text", "scopes"),
    [
        ("openid profile", ["openid", "profile"]),
        ("profile email", ["openid", "profile", "email"]),
        ("openid,employee", ["openid", "employee"]),
        ("openid openid", ["openid"]),
    ],
)
def test_scopes_are_parsed_with_openid_always(text, scopes):
    assert parse_scopes(text) == scopes


def test_unknown_scopes_are_refused_by_name():
    with pytest.raises(AppError, match="'admin'"):
        parse_scopes("openid admin")
