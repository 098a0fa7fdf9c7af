"""Authenticator apps: enrol, log in with, replay, recovery codes, remove."""

from __future__ import annotations

import pytest
from django.core import mail

from staffgate.accounts.models import AccessLock
from staffgate.audit.models import AuditEvent
from staffgate.factors.models import RecoveryCode, TotpFactor
from tests.conftest import PASSWORD, field_codes, login, outcome_code
from tests.integration.factors.conftest import code_at, enrol, key_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_client(client, make_account):
    account = make_account()
    assert login(client, account.user_id, PASSWORD).status_code == 302
    client.account = account
    return client


def test_enrolment_shows_a_server_drawn_qr_code_and_the_key_in_groups(person_client):
    page = person_client.get("/profile/factors/totp/").content.decode()
    key = key_on(page)
    assert len(key) == 32  # 160 bits in base32
    assert "<svg" in page and "<script" not in page
    assert " ".join(key[i : i + 4] for i in range(0, 32, 4)) in page
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page


def test_enrol_with_a_code_then_log_in_with_the_app(person_client, clock):
    account = person_client.account
    key, codes, response = enrol(person_client, clock)
    assert outcome_code(response) == "factor.added"
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'download="staffgate-recovery-codes.txt"' in response.content.decode()
    assert TotpFactor.objects.get(user=account).confirmed
    assert mail.outbox[-1].to == [account.email]
    assert "authenticator app" in mail.outbox[-1].subject.lower()

    person_client.post("/logout/")
    response = login(person_client, account.user_id, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/login/verify/"
    # Half-way is not logged in: the home page sends back to the login page.
    assert person_client.get("/").status_code == 302
    assert person_client.get("/")["Location"].startswith("/login/")
    clock.step()
    response = person_client.post("/login/verify/", {"code": code_at(key, clock.now)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert person_client.get("/").status_code == 200
    assert AuditEvent.objects.filter(tag="account:login:code_success").count() == 1
    # The password alone did not sign in: the audit log says a code was asked.
    assert AuditEvent.objects.filter(tag="account:login:password_ok").count() == 1
    assert not AuditEvent.objects.filter(
        tag="account:login:success", created_at__gt=TotpFactor.objects.get().created_at
    ).exists()


def test_a_code_used_once_is_refused_the_second_time(person_client, clock):
    account = person_client.account
    key, _codes, _ = enrol(person_client, clock)
    person_client.post("/logout/")
    clock.step()
    code = code_at(key, clock.now)
    login(person_client, account.user_id, PASSWORD)
    assert person_client.post("/login/verify/", {"code": code}).status_code == 302
    person_client.post("/logout/")
    login(person_client, account.user_id, PASSWORD)
    response = person_client.post("/login/verify/", {"code": code})
    assert outcome_code(response) == "code.invalid"
    assert "1 try left" not in response.content.decode()
    assert "2 tries left" in response.content.decode()


def test_the_enrolment_code_itself_cannot_be_replayed_at_login(person_client, clock):
    account = person_client.account
    key, _codes, _ = enrol(person_client, clock)
    person_client.post("/logout/")
    login(person_client, account.user_id, PASSWORD)
    response = person_client.post("/login/verify/", {"code": code_at(key, clock.now)})
    assert outcome_code(response) == "code.invalid"


@pytest.mark.parametrize("drift", [-1, 1])
def test_one_step_of_clock_drift_is_accepted(person_client, clock, drift):
    account = person_client.account
    key, _codes, _ = enrol(person_client, clock)
    person_client.post("/logout/")
    clock.step(3)
    login(person_client, account.user_id, PASSWORD)
    code = code_at(key, clock.now + 30 * drift)
    assert person_client.post("/login/verify/", {"code": code}).status_code == 302


def test_two_steps_of_drift_are_refused(person_client, clock):
    account = person_client.account
    key, _codes, _ = enrol(person_client, clock)
    person_client.post("/logout/")
    clock.step(3)
    login(person_client, account.user_id, PASSWORD)
    response = person_client.post("/login/verify/", {"code": code_at(key, clock.now + 60)})
    assert outcome_code(response) == "code.invalid"


def test_recovery_codes_work_once_each(person_client, clock):
    account = person_client.account
    _key, codes, _ = enrol(person_client, clock)
    for code in codes[:3]:
        person_client.post("/logout/")
        login(person_client, account.user_id, PASSWORD)
        # Typed in upper case with spaces: still the same code.
        typed = code.upper().replace("-", " ")
        assert person_client.post("/login/verify/", {"code": typed}).status_code == 302
    person_client.post("/logout/")
    login(person_client, account.user_id, PASSWORD)
    response = person_client.post("/login/verify/", {"code": codes[0]})
    assert outcome_code(response) == "code.invalid"
    assert RecoveryCode.objects.filter(account=account, used_at__isnull=True).count() == 7
    assert mail.outbox[-1].extra_headers["X-Staffgate-Mail"] == "recovery_code_used"


def test_three_strikes_across_password_and_codes(person_client, clock):
    account = person_client.account
    key, _codes, _ = enrol(person_client, clock)
    person_client.post("/logout/")
    assert outcome_code(login(person_client, account.user_id, "Wrong1pass")) == "login.invalid"
    # The right password neither clears the earlier failure nor counts as one.
    login(person_client, account.user_id, PASSWORD)
    page = person_client.get("/login/verify/").content.decode()
    assert "2 tries left" in page
    response = person_client.post("/login/verify/", {"code": "000000"})
    assert outcome_code(response) == "code.invalid"
    assert "1 try left" in response.content.decode()
    response = person_client.post("/login/verify/", {"code": "111111"})
    assert outcome_code(response) == "login.locked"
    assert AccessLock.objects.get(user_id=account.user_id).locked_until is not None
    # Locked: even the right password and code are refused.
    clock.step()
    assert outcome_code(login(person_client, account.user_id, PASSWORD)) == "login.locked"


def test_a_right_password_again_does_not_reset_the_code_strikes(person_client, clock):
    account = person_client.account
    enrol(person_client, clock)
    person_client.post("/logout/")
    for wrong in ("000000", "111111"):
        login(person_client, account.user_id, PASSWORD)
        assert outcome_code(person_client.post("/login/verify/", {"code": wrong})) == (
            "code.invalid"
        )
    login(person_client, account.user_id, PASSWORD)
    response = person_client.post("/login/verify/", {"code": "222222"})
    assert outcome_code(response) == "login.locked"


def test_the_factor_step_without_a_password_first_goes_to_login(client, db):
    response = client.get("/login/verify/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    response = client.post("/login/verify/", {"code": "123456"})
    assert response.status_code == 302


def test_a_wrong_first_code_at_enrolment_adds_nothing(person_client, clock):
    page = person_client.get("/profile/factors/totp/").content.decode()
    key = key_on(page)
    wrong = f"{(int(code_at(key, clock.now)) + 1) % 1000000:06d}"
    response = person_client.post(
        "/profile/factors/totp/", {"code": wrong, "current_password": PASSWORD}
    )
    assert outcome_code(response) == "code.invalid"
    assert "code.invalid" in field_codes(response)
    assert not TotpFactor.objects.filter(confirmed=True).exists()


def test_enrolment_needs_the_current_password(person_client, clock):
    page = person_client.get("/profile/factors/totp/").content.decode()
    key = key_on(page)
    response = person_client.post(
        "/profile/factors/totp/", {"code": code_at(key, clock.now), "current_password": "Nope12"}
    )
    assert "password.incorrect" in field_codes(response)
    assert not TotpFactor.objects.filter(confirmed=True).exists()


def test_rename_and_remove_a_factor(person_client, clock):
    account = person_client.account
    key, codes, _ = enrol(person_client, clock)
    factor = TotpFactor.objects.get(user=account)
    person_client.post(f"/profile/factors/{factor.pk}/rename/", {"name": "Work phone"})
    factor.refresh_from_db()
    assert factor.name == "Work phone"
    assert "renamed" in mail.outbox[-1].subject.lower()
    overview = person_client.get("/profile/factors/").content.decode()
    assert "Work phone" in overview and "10 unused recovery codes" in overview

    # Removing needs the password and a factor.
    clock.step()
    response = person_client.post(
        f"/profile/factors/{factor.pk}/remove/",
        {"current_password": PASSWORD, "code": "000000"},
    )
    assert "code.invalid" in field_codes(response)
    assert TotpFactor.objects.filter(pk=factor.pk).exists()
    response = person_client.post(
        f"/profile/factors/{factor.pk}/remove/",
        {"current_password": PASSWORD, "code": code_at(key, clock.now)},
    )
    assert response.status_code == 302
    assert not TotpFactor.objects.filter(user=account).exists()
    assert not RecoveryCode.objects.filter(account=account).exists()
    assert "removed" in mail.outbox[-1].subject.lower()
    # Back to a password-only login.
    person_client.post("/logout/")
    response = login(person_client, account.user_id, PASSWORD)
    assert response["Location"] == "/"


def test_regenerating_recovery_codes_ends_the_old_ones(person_client, clock):
    account = person_client.account
    key, old, _ = enrol(person_client, clock)
    clock.step()
    response = person_client.post(
        "/profile/factors/recovery-codes/",
        {"current_password": PASSWORD, "code": code_at(key, clock.now)},
    )
    page = response.content.decode()
    new = [c for c in page.split("data-recovery-code>")[1:]]
    new = [c.split("<")[0] for c in new]
    assert len(new) == 10 and not set(new) & set(old)
    assert "new recovery codes" in mail.outbox[-1].subject.lower()
    person_client.post("/logout/")
    login(person_client, account.user_id, PASSWORD)
    assert outcome_code(person_client.post("/login/verify/", {"code": old[0]})) == "code.invalid"
    assert person_client.post("/login/verify/", {"code": new[0]}).status_code == 302


def test_another_persons_factor_cannot_be_touched(person_client, clock, make_account):
    other = make_account()
    factor = TotpFactor.objects.create(user=other, name="Theirs", encrypted_key="x")
    response = person_client.post(f"/profile/factors/{factor.pk}/rename/", {"name": "Mine"})
    assert response.status_code == 404
    assert person_client.get(f"/profile/factors/{factor.pk}/remove/").status_code == 404
