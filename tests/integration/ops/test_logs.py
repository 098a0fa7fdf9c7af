"""Structured logs: JSON lines joined to responses and audit events by the request ID."""

from __future__ import annotations

import io
import ipaddress
import json
import logging

import pytest
import structlog

from staffgate.audit.models import AuditEvent
from tests.conftest import ANSWERS, PASSWORD, login


@pytest.fixture
def log_lines():
    """What the portal's configured log handler writes during the test, one JSON per line."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if isinstance(h.formatter, structlog.stdlib.ProcessorFormatter)
    )
    buffer = io.StringIO()
    previous = handler.setStream(buffer)

    def read() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]

    yield read
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_login_journey_is_one_request_id_in_response_log_and_audit(
    client, make_account, log_lines
):
    account = make_account()
    wrong = login(client, account.user_id, "Wrong1pass")
    right = login(client, account.user_id, PASSWORD)
    assert right.status_code == 302
    lines = log_lines()
    for response, tag in ((wrong, "account:login:failure"), (right, "account:login:success")):
        request_id = response["X-Request-ID"]
        assert len(request_id) == 32
        event = AuditEvent.objects.get(tag=tag)
        assert event.request_id == request_id
        mine = [line for line in lines if line.get("request_id") == request_id]
        audit = [line for line in mine if line["event"] == "audit"]
        assert [(a["tag"], a["audit_id"], a["user_id"]) for a in audit] == [
            (tag, event.pk, account.user_id)
        ]
        (request_line,) = [line for line in mine if line["event"] == "request"]
        assert request_line["path"] == "/login/" and request_line["method"] == "POST"
        assert request_line["status"] == response.status_code
        assert all(line["timestamp"].endswith("Z") and "level" in line for line in mine)
    assert wrong["X-Request-ID"] != right["X-Request-ID"]


@pytest.mark.django_db
def test_no_secret_reaches_any_log_line(client, make_person, make_account, pin_for, log_lines):
    person = make_person()
    pin = pin_for(person)
    login(client, person.employee_id, pin)  # the PIN starts registration
    account = make_account()
    login(client, account.user_id, "Wrong1pass")
    login(client, account.user_id, PASSWORD)
    client.post("/recover/", {"user_id": account.user_id})
    client.post("/recover/questions/", {f"answer_{i}": a for i, (_, a) in enumerate(ANSWERS, 1)})
    written = "\n".join(json.dumps(line) for line in log_lines())
    assert "account:register:start" in written and "account:login:success" in written
    for secret in (pin, PASSWORD, "Wrong1pass", *(answer for _, answer in ANSWERS)):
        assert secret not in written


def test_values_under_secret_names_are_redacted():
    from staffgate.ops.logs import redact_secrets

    event = {"event": "x", "password": "p", "detail": {"new_pin": "1", "pin": "2", "ok": 3}}
    assert redact_secrets(None, "info", event) == {
        "event": "x",
        "password": "[redacted]",
        "detail": {"new_pin": "1", "pin": "[redacted]", "ok": 3},
    }


@pytest.mark.django_db
def test_error_pages_show_the_request_id(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["X-Request-ID"] in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("tests.ops_urls")
def test_a_server_error_page_shows_its_request_id_and_the_log_has_it(client, log_lines):
    client.raise_request_exception = False
    response = client.get("/fails/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert request_id in response.content.decode()
    mine = [line for line in log_lines() if line.get("request_id") == request_id]
    (error,) = [line for line in mine if line["level"] == "error"]
    assert "a bug in a view" in json.dumps(error["exception"])
    # Tracebacks name the frames, never their local variables.
    assert "locals" not in json.dumps(error["exception"])


@pytest.mark.django_db
def test_a_request_id_is_taken_only_from_a_trusted_proxy(settings):
    from django.test import Client

    given = "0123456789abcdef0123456789abcdef"
    anyone = Client(REMOTE_ADDR="198.51.100.7")
    assert anyone.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] != given
    settings.STAFFGATE_TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    proxy = Client(REMOTE_ADDR="127.0.0.1")  # a new client builds the middleware anew
    assert proxy.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    forged = "bad id; with spaces"
    assert proxy.get("/healthz", HTTP_X_REQUEST_ID=forged)["X-Request-ID"] != forged


@pytest.mark.sqlite_portal
def test_the_production_server_writes_json_lines_and_no_second_access_line(tmp_path):
    from tests.e2e.portal import start_portal

    with start_portal(tmp_path, 1, env_overrides={"STAFFGATE_LOG_LEVEL": "INFO"}) as portal:
        import urllib.request

        with urllib.request.urlopen(portal.base_url + "/login/", timeout=10) as response:
            request_id = response.headers["X-Request-ID"]
    written = [line for line in portal.log.read_text().splitlines() if line.strip()]
    # Besides the command's own "staffgate: serving on …" words, every line is JSON.
    assert all(line.startswith(("{", "staffgate: ")) for line in written)
    lines = [json.loads(line) for line in written if line.startswith("{")]
    assert any(line["logger"] == "gunicorn.error" for line in lines)
    mine = [line for line in lines if line.get("request_id") == request_id]
    assert [(line["event"], line["path"], line["status"]) for line in mine] == [
        ("request", "/login/", 200)
    ]
    assert not any(line["logger"] == "gunicorn.access" for line in lines)
