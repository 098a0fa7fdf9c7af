"""Bodies that cannot be parsed are a plain 400, with every security header (ASVS 5.0 V16.5.3).

Nothing failed on the server, so the log has one WARNING line and no traceback.
Checked through the test client and through `staffgate serve` (gunicorn), where the
CSRF check reads the body first.
"""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from tests.http import CSRF
from tests.served import served

pytestmark = pytest.mark.django_db

MALFORMED = [
    ("application/x-www-form-urlencoded; charset=utf-16", "user_id=1&password=x".encode("utf-16")),
    ("application/x-www-form-urlencoded; charset=utf-16", b"user_id=1&password=x"),
    ("multipart/form-data", b"user_id=1"),
    ("multipart/form-data; boundary=", b"--\r\n"),
]
PATHS = ["/login/", "/recover/", "/help/", "/helpdesk/login/"]


def _assert_security_headers(headers) -> None:
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store, max-age=0"


@pytest.mark.parametrize("content_type, body", MALFORMED)
@pytest.mark.parametrize("path", PATHS)
def test_v16_5_3_a_malformed_body_is_a_plain_400_logged_as_a_warning(
    path, content_type, body, caplog
):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = CSRF
    with caplog.at_level(logging.INFO):
        response = client.generic("POST", path, body, content_type=content_type)
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    _assert_security_headers(response.headers)
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert records, "the refusal is logged"
    assert all(r.levelno == logging.WARNING for r in records)
    assert all(r.exc_info is None for r in records)


@pytest.mark.django_db(transaction=True)
@pytest.mark.sqlite_portal
def test_v16_5_3_the_real_server_answers_400_with_headers_and_no_traceback(tmp_path):
    with served(tmp_path) as server:
        for content_type, body in MALFORMED:
            status, headers, page = server.request(
                "POST",
                "/login/",
                body=body,
                headers={"Content-Type": content_type, "Cookie": f"csrftoken={CSRF}"},
            )
            assert status == 400, (content_type, page[:200])
            _assert_security_headers(headers)
            assert b"Bad request" in page
        status, _, _ = server.request("GET", "/login/")
        assert status == 200
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert not [line for line in lines if line["level"] in ("error", "critical")]
    refusals = [
        line
        for line in lines
        if line["event"].startswith("refused a malformed request body")
        and line["level"] == "warning"
        and "exception" not in line
    ]
    assert len(refusals) == len(MALFORMED)
