"""Passkeys (WebAuthn) on the server side, played by a software authenticator.

Origin and relying party ID come from the public address; challenges are single-use and
belong to the browser session that asked for them; counters must move forward; every
refused assertion is a strike of the login lock, like a wrong code.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from staffgate.audit.models import AuditEvent
from staffgate.factors import methods
from staffgate.factors.models import PasskeyFactor, RecoveryCode
from tests.authenticator import SoftwarePasskey, options_on
from tests.conftest import PASSWORD, login, outcome_code
from tests.integration.factors.conftest import (
    ORIGIN,
    enrol_passkey,
    recovery_codes_on,
    with_passkey,
)

pytestmark = pytest.mark.django_db

RP_ID = "portal.example.com"


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.STAFFGATE_PUBLIC_URL = ORIGIN


@pytest.fixture
def person_client(client, make_account):
    account = make_account()
    assert login(client, account.user_id, PASSWORD)["Location"] == "/"
    client.account = account
    return client


def start_login(client, account) -> dict:
    """Password right: the factor step's page, and the options it hands the browser."""
    assert login(client, account.user_id, PASSWORD)["Location"] == "/login/verify/"
    return options_on(client.get("/login/verify/").content.decode())


def answer(client, credential: str):
    return client.post("/login/verify/", {"credential": credential})


def failures(reason: str | None = None) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(
        tag__in=["account:login:code_failure", "account:login:code_locked"]
    ).order_by("pk")
    return [e for e in events if reason is None or e.detail.get("reason") == reason]


def test_enrol_a_passkey_from_the_profile(person_client):
    account = person_client.account
    page = person_client.get("/profile/factors/passkey/").content.decode()
    options = options_on(page)
    assert options["rp"]["id"] == RP_ID
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["user"]["name"] == account.user_id
    # Without JavaScript the form stays hidden and the page says why, with another way.
    assert 'data-passkey="create"' in page and "hidden" in page
    assert "data-passkey-unavailable" in page and 'href="/profile/factors/totp/"' in page

    passkey = SoftwarePasskey()
    response = person_client.post(
        "/profile/factors/passkey/",
        {
            "name": "Work laptop",
            "current_password": PASSWORD,
            "credential": passkey.register(options, ORIGIN),
        },
    )
    assert outcome_code(response) == "factor.added"
    assert len(recovery_codes_on(response.content.decode())) == 10
    stored = PasskeyFactor.objects.get(user=account)
    assert stored.name == "Work laptop" and stored.credential_id == passkey.id
    assert stored.transports == "internal"
    event = AuditEvent.objects.get(tag="account:factor:added")
    assert event.detail["kind"] == "passkey" and event.user_id == account.user_id
    assert mail.outbox[-1].extra_headers["X-Staffgate-Mail"] == "factor_added"
    # The same passkey is excluded from a second enrolment.
    options = options_on(person_client.get("/profile/factors/passkey/").content.decode())
    assert [c["id"] for c in options["excludeCredentials"]] == [passkey.id]
    overview = person_client.get("/profile/factors/").content.decode()
    assert "Work laptop" in overview and f'data-passkey-factor="{stored.pk}"' in overview


def test_enrolment_needs_the_current_password(person_client):
    options = options_on(person_client.get("/profile/factors/passkey/").content.decode())
    response = person_client.post(
        "/profile/factors/passkey/",
        {
            "current_password": "Wrong1pass",
            "credential": SoftwarePasskey().register(options, ORIGIN),
        },
    )
    assert outcome_code(response) == "form.invalid"
    assert not PasskeyFactor.objects.exists()


@pytest.mark.parametrize(
    ("origin", "rp_id"),
    [
        ("https://portal.example.com.evil.test", None),  # a look-alike site relaying
        ("http://portal.example.com", None),  # not the public scheme
        (ORIGIN, "evil.test"),  # another relying party
    ],
)
def test_a_registration_for_another_origin_or_rp_is_refused(person_client, origin, rp_id):
    response = enrol_passkey(person_client, SoftwarePasskey(), origin=origin, rp_id=rp_id)
    assert outcome_code(response) == "passkey.refused"
    assert not PasskeyFactor.objects.exists()
    assert AuditEvent.objects.get(tag="account:factor:refused").detail["reason"] == "invalid"


def test_a_registration_answer_is_used_once(person_client):
    options = options_on(person_client.get("/profile/factors/passkey/").content.decode())
    first, second = SoftwarePasskey(), SoftwarePasskey()
    data = {"current_password": PASSWORD}
    response = person_client.post(
        "/profile/factors/passkey/", {**data, "credential": first.register(options, ORIGIN)}
    )
    assert outcome_code(response) == "factor.added"
    # The same challenge, answered again by another authenticator: refused.
    response = person_client.post(
        "/profile/factors/passkey/", {**data, "credential": second.register(options, ORIGIN)}
    )
    assert outcome_code(response) == "passkey.refused"
    assert PasskeyFactor.objects.count() == 1


def test_no_answer_from_the_browser_adds_nothing(person_client):
    person_client.get("/profile/factors/passkey/")
    response = person_client.post(
        "/profile/factors/passkey/", {"current_password": PASSWORD, "credential": ""}
    )
    assert outcome_code(response) == "form.invalid"
    assert "did not answer" in response.content.decode()
    for junk in ["{", "[]", '{"id": 1}', "x" * 30_000]:
        response = person_client.post(
            "/profile/factors/passkey/", {"current_password": PASSWORD, "credential": junk}
        )
        assert response.status_code == 200
        assert outcome_code(response) in ("passkey.refused", "form.invalid")
    assert not PasskeyFactor.objects.exists()


def test_log_in_with_a_passkey_after_the_password(make_account):
    client, account, passkey = with_passkey(make_account)
    options = start_login(client, account)
    assert options["rpId"] == RP_ID
    assert options["userVerification"] == "preferred"
    assert [c["id"] for c in options["allowCredentials"]] == [passkey.id]
    # Half-way is not logged in.
    assert client.get("/")["Location"].startswith("/login/")

    response = answer(client, passkey.sign(options, ORIGIN))
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert methods.amr_for(client.session) == ["pwd", "hwk", "mfa"]
    event = AuditEvent.objects.get(tag="account:login:code_success")
    assert event.detail["factor"] == "passkey"
    stored = PasskeyFactor.objects.get()
    assert stored.sign_count == 1 and stored.last_used_at is not None


def test_the_factor_page_without_javascript_offers_the_codes(make_account):
    from staffgate.factors.recovery_codes import replace_codes

    client, account, _ = with_passkey(make_account)
    codes = replace_codes(account)
    start_login(client, account)
    page = client.get("/login/verify/").content.decode()
    # The passkey form is hidden until the script finds WebAuthn; the notice says what to do.
    assert '<form method="post" action="/login/verify/" data-passkey="get" hidden>' in page
    assert "data-passkey-unavailable" in page and "recovery code" in page
    response = client.post("/login/verify/", {"code": codes[0]})
    assert response["Location"] == "/"
    assert methods.amr_for(client.session) == ["pwd", "otp", "mfa"]


@pytest.mark.parametrize(
    ("origin", "rp_id", "reason"),
    [
        ("https://portal-example.com", None, "invalid"),
        (ORIGIN, "example.org", "invalid"),
    ],
)
def test_an_assertion_for_another_origin_is_refused_and_charged(
    make_account, origin, rp_id, reason
):
    client, account, passkey = with_passkey(make_account)
    options = start_login(client, account)
    response = answer(client, passkey.sign(options, origin, rp_id=rp_id))
    assert response.status_code == 200 and outcome_code(response) == "code.invalid"
    assert "2 tries left" in response.content.decode()
    assert client.get("/").status_code == 302
    assert [e.detail["reason"] for e in failures()] == [reason]


def test_a_replayed_assertion_is_refused(make_account):
    client, account, passkey = with_passkey(make_account)
    options = start_login(client, account)
    used = passkey.sign(options, ORIGIN)
    assert answer(client, used)["Location"] == "/"
    client.post("/logout/")

    # An eavesdropper's copy, at a later login: the challenge is not this one.
    start_login(client, account)
    response = answer(client, used)
    assert outcome_code(response) == "code.invalid"
    assert failures("invalid") or failures("sign_count")
    assert client.get("/").status_code == 302


def test_a_challenge_is_used_once_even_for_a_counterless_passkey(settings, make_account):
    # Synced passkeys often keep their counter at zero: the challenge alone stops a replay.
    settings.STAFFGATE_LOGIN_MAX_FAILURES = 5
    client, account = Client(), make_account()
    login(client, account.user_id, PASSWORD)
    passkey = SoftwarePasskey(counter_step=0)
    assert outcome_code(enrol_passkey(client, passkey)) == "factor.added"
    client.post("/logout/")

    options = start_login(client, account)
    used = passkey.sign(options, ORIGIN)
    assert answer(client, used)["Location"] == "/"
    client.post("/logout/")
    start_login(client, account)
    assert outcome_code(answer(client, used)) == "code.invalid"
    assert failures("invalid")
    # Twice at the same challenge: the first answer spent it, right or wrong.
    options = options_on(client.get("/login/verify/").content.decode())
    stolen = passkey.sign(options, ORIGIN)
    assert answer(client, passkey.sign(options, "https://evil.test")).status_code == 200
    assert outcome_code(answer(client, stolen)) == "code.invalid"
    assert len(failures()) == 3 and client.get("/").status_code == 302


def test_a_challenge_belongs_to_the_session_that_asked_for_it(make_account):
    client, account, passkey = with_passkey(make_account)
    options = start_login(client, account)
    # Another browser at the factor step of the same account posts that answer.
    elsewhere = Client()
    login(elsewhere, account.user_id, PASSWORD)
    response = answer(elsewhere, passkey.sign(options, ORIGIN))
    assert outcome_code(response) == "code.invalid"
    assert elsewhere.get("/").status_code == 302
    assert failures("no_challenge")


def test_another_accounts_passkey_is_refused(make_account):
    client, account, _ = with_passkey(make_account)
    _, _, stranger_key = with_passkey(make_account, Client())
    options = start_login(client, account)
    response = answer(client, stranger_key.sign(options, ORIGIN))
    assert outcome_code(response) == "code.invalid"
    assert failures("unknown_credential")
    assert client.get("/").status_code == 302


def test_a_counter_that_does_not_move_forward_is_refused(make_account):
    client, account, passkey = with_passkey(make_account)
    options = start_login(client, account)
    assert answer(client, passkey.sign(options, ORIGIN))["Location"] == "/"
    client.post("/logout/")
    # A clone of the key signs a fresh challenge with the counter it had.
    options = start_login(client, account)
    response = answer(client, passkey.sign(options, ORIGIN, advance=False))
    assert outcome_code(response) == "code.invalid"
    assert failures("sign_count")
    assert PasskeyFactor.objects.get().sign_count == 1


def test_refused_assertions_share_the_lock_with_passwords_and_codes(make_account):
    client, account, passkey = with_passkey(make_account)
    assert login(client, account.user_id, "Wrong1pass").status_code == 200  # strike one
    options = start_login(client, account)
    response = answer(client, passkey.sign(options, "https://evil.test"))
    assert "1 try left" in response.content.decode()  # strike two
    options = options_on(response.content.decode())
    response = answer(client, passkey.sign(options, "https://evil.test"))
    assert outcome_code(response) == "login.locked"  # strike three
    # Locked: even the right passkey, at a new login, gets nowhere.
    response = login(client, account.user_id, PASSWORD)
    assert outcome_code(response) == "login.locked"
    assert AuditEvent.objects.filter(tag="account:login:code_locked").count() == 1


def test_rename_and_remove_a_passkey(make_account):
    client, account, passkey = with_passkey(make_account)
    options = start_login(client, account)
    answer(client, passkey.sign(options, ORIGIN))
    stored = PasskeyFactor.objects.get()
    client.post(f"/profile/factors/passkeys/{stored.pk}/rename/", {"name": "Blue key"})
    assert PasskeyFactor.objects.get().name == "Blue key"
    assert AuditEvent.objects.get(tag="account:factor:renamed").detail["kind"] == "passkey"

    url = f"/profile/factors/passkeys/{stored.pk}/remove/"
    page = client.get(url).content.decode()
    assert "Remove Blue key" in page
    response = client.post(url, {"current_password": PASSWORD, "code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 200 and PasskeyFactor.objects.exists()
    # Someone else's passkey is not reachable by its number.
    other_client, _, _ = with_passkey(make_account, Client())
    theirs = PasskeyFactor.objects.exclude(pk=stored.pk).get()
    assert client.get(f"/profile/factors/passkeys/{theirs.pk}/remove/").status_code == 404

    codes = recovery_codes_on(
        client.post(
            "/profile/factors/recovery-codes/",
            {"current_password": PASSWORD, "code": "wrong"},
        ).content.decode()
    )
    assert codes == []  # a wrong code replaces nothing
    from staffgate.factors.recovery_codes import replace_codes

    code = replace_codes(account)[0]
    response = client.post(url, {"current_password": PASSWORD, "code": code})
    assert response.status_code == 302
    assert not PasskeyFactor.objects.filter(user=account).exists()
    assert not RecoveryCode.objects.filter(account=account).exists()  # no factor left
    event = AuditEvent.objects.get(tag="account:factor:removed")
    assert event.detail["kind"] == "passkey" and event.detail["last"] is True
    client.post("/logout/")
    assert login(client, account.user_id, PASSWORD)["Location"] == "/"


def test_a_passkey_is_a_factor_for_agents_and_required_mode(settings, make_agent):
    settings.STAFFGATE_MFA = "required"
    agent = make_agent("bob", factor=False)
    client = Client()
    client.post("/helpdesk/login/", {"username": "bob", "password": "Desk-agent-2026!"})
    assert client.get("/helpdesk/")["Location"] == "/profile/factors/totp/"
    # The page to add a passkey is open to an agent who must enrol.
    page = client.get("/profile/factors/passkey/")
    assert page.status_code == 200
    options = options_on(page.content.decode())
    passkey = SoftwarePasskey()
    response = client.post(
        "/profile/factors/passkey/",
        {"current_password": "Desk-agent-2026!", "credential": passkey.register(options, ORIGIN)},
    )
    assert outcome_code(response) == "factor.added"
    assert client.get("/helpdesk/").status_code == 200
    client.post("/helpdesk/logout/")

    response = client.post("/helpdesk/login/", {"username": "bob", "password": "Desk-agent-2026!"})
    assert response["Location"] == "/login/verify/"
    options = options_on(client.get("/login/verify/").content.decode())
    response = answer(client, passkey.sign(options, ORIGIN))
    assert response["Location"] == "/helpdesk/"
    assert client.get("/helpdesk/").status_code == 200
    assert agent.pk == PasskeyFactor.objects.get().user_id


def test_the_registration_wizard_may_end_with_a_passkey(settings, client, make_person, pin_for):
    from tests.conftest import walk_wizard_after_pin

    settings.STAFFGATE_MFA = "required"
    person = make_person()
    client.post("/login/", {"user_id": person.employee_id, "password": pin_for(person)})
    response = walk_wizard_after_pin(client, "pk@example.com")
    assert response["Location"] == "/register/factor/"
    assert 'href="/register/factor/passkey/"' in client.get("/register/factor/").content.decode()
    page = client.get("/register/factor/passkey/").content.decode()
    assert 'name="current_password"' not in page  # the password was just chosen
    passkey = SoftwarePasskey()
    response = client.post(
        "/register/factor/passkey/", {"credential": passkey.register(options_on(page), ORIGIN)}
    )
    assert outcome_code(response) == "factor.added"
    assert len(recovery_codes_on(response.content.decode())) == 10
    assert client.get("/").status_code == 200
    assert methods.amr_for(client.session) == ["pwd", "hwk", "mfa"]
    # Later, the wizard's step is closed: its page sends to the profile's.
    assert client.get("/register/factor/passkey/")["Location"] == "/profile/factors/passkey/"


def test_two_copies_of_a_session_cannot_both_spend_its_challenge(rf, make_account):
    """Two requests read the same session before either saves it: one insert wins."""
    from staffgate.factors import passkeys

    first = rf.get("/")
    first.session = {}
    passkeys.authentication_options(first, make_account(), passkeys.Ceremony.LOGIN)
    second = rf.get("/")
    second.session = dict(first.session)
    assert passkeys._take_challenge(first.session, passkeys.Ceremony.LOGIN)
    with pytest.raises(passkeys.Refused) as refused:
        passkeys._take_challenge(second.session, passkeys.Ceremony.LOGIN)
    assert refused.value.failure is passkeys.Failure.NO_CHALLENGE


def test_a_challenge_is_for_its_own_ceremony(rf, make_account):
    from staffgate.factors import passkeys

    request = rf.get("/")
    request.session = {}
    passkeys.registration_options(request, make_account())
    with pytest.raises(passkeys.Refused):
        passkeys._take_challenge(request.session, passkeys.Ceremony.LOGIN)
