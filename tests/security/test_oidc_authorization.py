"""The authorization endpoint, by ASVS 5.0 chapter V10 (OAuth and OIDC) and RFC 9700."""

from __future__ import annotations

import pytest
from django.test import Client

from staffgate.audit.models import AuditEvent
from tests.conftest import AGENT_PASSWORD, PASSWORD, login, pass_factor_step
from tests.oidc_client import CALLBACK, AppClient, query_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(make_account):
    account = make_account()
    client = Client()
    assert login(client, account.user_id, PASSWORD)["Location"] == "/"
    client.account = account
    return client


@pytest.mark.parametrize(
    "offered",
    [
        CALLBACK + "/extra",  # a longer path
        CALLBACK + "?next=https://evil.example.com/",  # added query
        CALLBACK[:-1],  # a prefix
        "https://evil.example.com/oidc/callback",  # another host
        "https://app.example.com.evil.example.com/oidc/callback",
        CALLBACK.replace("https://", "http://"),  # another scheme
        CALLBACK.upper(),
    ],
)
def test_v10_4_1_redirect_uri_must_match_a_registered_one_exactly(browser, offered):
    app = AppClient.register(browser)
    response = app.authorize(redirect_uri=offered)
    # An error page on the portal itself: never a redirect to the offered address.
    assert response.status_code == 400
    assert "Location" not in response
    assert f'href="{offered}' not in response.content.decode()


def test_v10_4_1_errors_before_the_redirect_uri_is_trusted_never_redirect(browser):
    app = AppClient.register(browser)
    for params in (
        {"client_id": "no-such-app", "redirect_uri": "https://evil.example.com/"},
        {"redirect_uri": "https://evil.example.com/", "response_type": "token"},
    ):
        response = app.authorize(**params)
        assert response.status_code == 400
        assert "Location" not in response


def test_v10_4_1_errors_after_it_go_only_to_the_registered_uri(browser):
    app = AppClient.register(browser)
    response = app.authorize(scope="openid admin")
    assert response.status_code == 302
    assert response["Location"].startswith(CALLBACK + "?")
    assert query_of(response["Location"])["error"] == "invalid_scope"


def test_rfc9700_state_comes_back_unchanged_with_the_issuer(browser):
    app = AppClient.register(browser)
    state = "a+b/c=d&e?f~ü"
    response = app.authorize(state=state)
    returned = query_of(response["Location"])
    assert returned["state"] == state
    assert returned["iss"] == "http://testserver"  # RFC 9207: mix-up defence
    assert set(returned) == {"code", "state", "iss"}  # no token in the URL


def test_v10_4_x_implicit_and_hybrid_flows_are_refused(browser):
    app = AppClient.register(browser)
    for response_type in ("token", "id_token", "id_token token", "code id_token"):
        response = app.authorize(response_type=response_type)
        assert "access_token" not in response.get("Location", "")
        assert "id_token=" not in response.get("Location", "")
        assert "code=" not in response.get("Location", "")


def test_rfc9700_pkce_is_required_of_public_apps(browser):
    app = AppClient.register(browser, public=True)
    response = app.authorize(code_challenge=None, code_challenge_method=None)
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_request"
    assert "code" not in query_of(response["Location"])


def test_rfc9700_pkce_plain_is_refused(browser):
    app = AppClient.register(browser, public=True)
    response = app.authorize(code_challenge=app.verifier, code_challenge_method="plain")
    assert "code" not in query_of(response["Location"])
    assert query_of(response["Location"])["error"] == "invalid_request"


def test_v10_3_x_the_employee_scope_only_for_apps_allowed_it(browser):
    app = AppClient.register(browser, scopes="openid profile")
    response = app.authorize(scope="openid employee")
    assert query_of(response["Location"])["error"] == "invalid_scope"


def test_visitors_are_sent_to_the_portal_login_first(make_account):
    app = AppClient.register(Client())
    response = app.authorize()
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/o/authorize/")


def test_help_desk_staff_cannot_sign_in_to_apps(make_agent):
    agent = make_agent()
    client = Client()
    response = client.post(
        "/helpdesk/login/", {"username": agent.user_id, "password": AGENT_PASSWORD}
    )
    pass_factor_step(client, response, agent.user_id)
    assert client.get("/helpdesk/").status_code == 200
    app = AppClient.register(client)
    response = app.authorize()
    assert response["Location"].startswith("/login/?next=")


def test_consent_page_for_apps_that_are_not_first_party(browser):
    app = AppClient.register(browser, first_party=False, name="Partner")
    response = app.authorize()
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="allow"' in page and 'name="deny"' in page
    assert "Partner" in page
    form = {
        "client_id": app.app.client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid profile email",
        "state": "s1",
        "code_challenge": query_of(app.authorize_url())["code_challenge"],
        "code_challenge_method": "S256",
    }
    denied = browser.post("/o/authorize/", {**form, "deny": "on"})
    assert query_of(denied["Location"])["error"] == "access_denied"
    assert AuditEvent.objects.filter(tag="sso:consent:denied").exists()
    allowed = browser.post("/o/authorize/", {**form, "allow": "on"})
    assert "code" in query_of(allowed["Location"])


def test_the_consent_form_may_lead_only_to_the_registered_app(browser):
    app = AppClient.register(browser, first_party=False, name="Partner")
    policy = app.authorize()["Content-Security-Policy"]
    form_action = next(p for p in policy.split(";") if "form-action" in p).split()
    assert form_action[1:] == ["'self'", "https://app.example.com"]
    assert "form-action 'self';" in Client().get("/login/")["Content-Security-Policy"] + ";"


def test_the_login_form_may_continue_to_a_registered_app_only(browser):
    app = AppClient.register(browser)
    authorize = app.authorize_url()
    page = Client().get("/login/", {"next": authorize})
    assert "https://app.example.com" in page["Content-Security-Policy"]
    forged = authorize.replace("app.example.com", "evil.example.com")
    page = Client().get("/login/", {"next": forged})
    assert "evil.example.com" not in page["Content-Security-Policy"]
