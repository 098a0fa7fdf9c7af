"""Headers a proxy sets cannot be forged by the client (ASVS 5.0 V4.1.3).

Without trusted proxies nothing a request says about HTTPS is believed, not by
gunicorn (which would switch the request to HTTPS) and not by the portal. From a
trusted proxy only ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are read.
"""

from __future__ import annotations

import ipaddress

import pytest
from django.test import RequestFactory, override_settings

from staffgate.core.middleware import TrustedProxyMiddleware
from tests.served import served

PROTO_VARIANTS = [
    {"X-Forwarded-Proto": "https"},
    {"X-Forwarded-Ssl": "on"},
    {"X-Forwarded-Protocol": "ssl"},
    {"X-Forwarded-Scheme": "https"},
    {"X-Url-Scheme": "https"},
    {"Front-End-Https": "on"},
    {"Forwarded": "for=192.0.2.1;proto=https"},
]
SECURE = {"STAFFGATE_SECURE_COOKIES": "1", "STAFFGATE_ALLOWED_HOSTS": "127.0.0.1"}


def _meta_seen(remote: str, headers: dict) -> dict:
    seen = {}

    def view(request):
        seen.update(request.META)
        return None

    meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    TrustedProxyMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR=remote, **meta))
    return seen


@pytest.mark.parametrize("headers", PROTO_VARIANTS, ids=lambda h: next(iter(h)))
def test_v4_1_3_no_forwarded_proto_variant_reaches_the_portal_without_trusted_proxies(headers):
    with override_settings(STAFFGATE_TRUSTED_PROXIES=[]):
        seen = _meta_seen("127.0.0.1", {**headers, "X-Forwarded-For": "192.0.2.1"})
    assert not [k for k in seen if "FORWARDED" in k or k.endswith("SCHEME") or "HTTPS" in k]
    assert seen["REMOTE_ADDR"] == "127.0.0.1"


def test_v4_1_3_a_trusted_proxy_is_believed_for_proto_and_for_only():
    trusted = [ipaddress.ip_network("10.0.0.0/8")]
    with override_settings(STAFFGATE_TRUSTED_PROXIES=trusted):
        every = {k: v for h in PROTO_VARIANTS for k, v in h.items()}
        seen = _meta_seen("::ffff:10.1.2.3", {**every, "X-Forwarded-For": "192.0.2.1"})
    assert seen["HTTP_X_FORWARDED_PROTO"] == "https"
    assert seen["REMOTE_ADDR"] == "192.0.2.1"
    assert "HTTP_X_FORWARDED_SSL" not in seen and "HTTP_FORWARDED" not in seen


@pytest.mark.sqlite_portal
def test_v4_1_3_serve_trusts_no_proxy_by_default(tmp_path):
    with served(tmp_path, **SECURE) as server:
        for headers in PROTO_VARIANTS:
            status, response_headers, _ = server.request("GET", "/login/", headers=headers)
            # Still plain HTTP: redirected to HTTPS, and no HSTS on a plain answer.
            assert status == 301, headers
            assert response_headers["Location"].startswith("https://"), headers
            assert "Strict-Transport-Security" not in response_headers


@pytest.mark.sqlite_portal
def test_v4_1_3_serve_believes_the_trusted_proxy_and_its_one_header(tmp_path):
    with served(tmp_path, STAFFGATE_TRUSTED_PROXIES="127.0.0.1", **SECURE) as server:
        status, headers, _ = server.request(
            "GET", "/login/", headers={"X-Forwarded-Proto": "https"}
        )
        assert status == 200
        assert "Strict-Transport-Security" in headers
        for other in PROTO_VARIANTS[1:]:
            status, _, _ = server.request("GET", "/login/", headers=other)
            assert status == 301, other
