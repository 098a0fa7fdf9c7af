"""Response headers, cookies, proxies and per-address throttling, by ASVS 5.0 requirement."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.conftest import PASSWORD, login, outcome_code

pytestmark = pytest.mark.django_db

PAGES = ["/login/", "/register/terms/", "/", "/healthz", "/help/", "/recover/", "/helpdesk/login/"]


@pytest.mark.parametrize("path", PAGES)
def test_v3_4_3_content_security_policy_forbids_inline_code_and_framing(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy


@pytest.mark.parametrize("path", PAGES)
def test_v3_4_4_and_v3_4_5_nosniff_and_referrer_policy(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_v3_4_1_hsts_one_year_with_subdomains_over_https(client):
    response = client.get("/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_v3_4_1_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login/")


@pytest.mark.parametrize("path", PAGES)
def test_v14_3_2_pages_are_never_stored_by_caches(client, path):
    assert "no-store" in client.get(path)["Cache-Control"]


def test_v14_3_2_logged_in_pages_are_not_stored(client, make_account):
    account = make_account()
    login(client, account.user_id, PASSWORD)
    assert "no-store" in client.get("/")["Cache-Control"]


def test_v3_3_4_session_and_csrf_cookies_are_httponly_and_samesite_lax(client, make_account):
    page = client.get("/login/")
    csrf = page.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    account = make_account()
    response = login(client, account.user_id, PASSWORD)
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"


def test_v3_3_1_secure_cookies_use_the_host_prefix(tmp_path):
    """With STAFFGATE_SECURE_COOKIES=1 the settings name cookies __Host-… and mark them Secure."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [str(Path(sys.executable).with_name("staffgate")), "shell", "--no-imports", "-c", code],
        env={
            "PATH": "/usr/bin:/bin",
            "STAFFGATE_SECRET_KEY": "k" * 50,
            "STAFFGATE_ALLOWED_HOSTS": "portal.example.com",
            "STAFFGATE_SECURE_COOKIES": "1",
            "STAFFGATE_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "__Host-staffgate_session",
        "__Host-csrftoken",
        "True",
        "True",
        "True",
    ], result.stderr


def test_v3_5_1_login_without_csrf_token_is_refused(make_account):
    from django.test import Client

    account = make_account()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/login/", {"user_id": account.user_id, "password": PASSWORD})
    assert response.status_code == 403
    assert strict.get("/").status_code == 302


def test_v7_4_1_logout_is_post_only(client, make_account):
    account = make_account()
    login(client, account.user_id, PASSWORD)
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200


@override_settings(STAFFGATE_IP_MAX_FAILURES=20, STAFFGATE_IP_WINDOW_SECONDS=300)
def test_v6_3_1_failed_logins_across_many_ids_are_throttled_per_address(client):
    address = {"REMOTE_ADDR": "203.0.113.7"}
    for n in range(20):
        response = client.post(
            "/login/", {"user_id": f"{5000000 + n}", "password": "Wrong1pass"}, **address
        )
        assert outcome_code(response) == "login.invalid"
    response = client.post("/login/", {"user_id": "5999999", "password": "x1"}, **address)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 300
    assert "Too many attempts" in response.content.decode()
    other = client.post(
        "/login/", {"user_id": "5999999", "password": "x1"}, REMOTE_ADDR="203.0.113.8"
    )
    assert outcome_code(other) == "login.invalid"


@override_settings(STAFFGATE_IP_MAX_FAILURES=3)
def test_v6_3_1_throttle_counts_only_failures(client, make_account):
    account = make_account()
    for _ in range(5):
        assert login(client, account.user_id, PASSWORD).status_code == 302
        client.post("/logout/")


def test_v6_3_1_forwarded_for_is_ignored_from_untrusted_peers(client):
    from staffgate.audit.models import AuditEvent

    client.post(
        "/login/",
        {"user_id": "4000000", "password": "Wrong1pass"},
        REMOTE_ADDR="198.51.100.4",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert AuditEvent.objects.get().ip == "198.51.100.4"


def test_v6_3_1_forwarded_for_is_believed_from_a_trusted_proxy(client, settings):
    import ipaddress

    from staffgate.audit.models import AuditEvent

    settings.STAFFGATE_TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    client.post(
        "/login/",
        {"user_id": "4000000", "password": "Wrong1pass"},
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_FORWARDED_FOR="192.0.2.99, 10.9.9.9",
    )
    assert AuditEvent.objects.get().ip == "192.0.2.99"


def test_v13_4_deploy_check_with_production_settings_reports_nothing(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run(
        [str(Path(sys.executable).with_name("staffgate")), "check", "--deploy"],
        env={
            "PATH": "/usr/bin:/bin",
            "STAFFGATE_SECRET_KEY": __import__("secrets").token_urlsafe(50),
            "STAFFGATE_ALLOWED_HOSTS": "portal.example.com",
            "STAFFGATE_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_v6_3_1_the_admin_has_no_login_of_its_own(client):
    response = client.post("/admin/login/", {"username": "root", "password": "guess"})
    assert response.status_code in (301, 302)
    assert response["Location"] == "/helpdesk/login/"
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
