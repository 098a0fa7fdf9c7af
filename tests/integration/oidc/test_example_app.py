"""The example Benefits app (examples/benefits-app) against a live portal and its worker:
first sign-in through the PIN registration, back in the app with the person's name, and
logging out at the portal ends the app's session through back-channel logout."""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from unittest import mock
from wsgiref.simple_server import WSGIServer, make_server

import pytest
from django.core.management import call_command

from staffgate.oidc.registry import add_app
from staffgate.roster.pin import pin_of
from tests.integration.oidc.browser import Browser
from tests.integration.oidc.receiver import free_port

APP_FILE = Path(__file__).resolve().parents[3] / "examples" / "benefits-app" / "app.py"


@pytest.fixture
def benefits(live_server, transactional_db):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    registered = add_app(
        "Benefits",
        redirect_uris=[base + "/oidc/callback"],
        backchannel_logout_uri=base + "/oidc/backchannel-logout",
        post_logout_redirect_uris=[base + "/"],
        scopes="openid profile email employee",
        first_party=True,
        launch_url=base + "/",
    )
    environment = {
        "BENEFITS_ISSUER": live_server.url,
        "BENEFITS_CLIENT_ID": registered.client_id,
        "BENEFITS_CLIENT_SECRET": registered.client_secret,
        "BENEFITS_PORT": str(port),
    }
    with mock.patch.dict(os.environ, environment):
        spec = importlib.util.spec_from_file_location("benefits_app", APP_FILE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    server = make_server("127.0.0.1", port, module.application, WSGIServer, module.QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, module
    server.shutdown()
    server.server_close()


def test_the_example_app_signs_in_and_is_signed_out_by_back_channel(
    live_server, benefits, make_person
):
    base, module = benefits
    person = make_person(
        first_name="Zoë", last_name="D'Amico", status="retired", retirement_plan=True
    )
    browser = Browser(live_server.url)
    browser.get(base + "/login")
    authorize = browser.location()
    assert authorize.startswith(live_server.url + "/o/authorize/")
    browser.get(authorize)
    next_url = browser.location().split("next=", 1)[1]
    from urllib.parse import unquote

    browser.register_with_pin(
        person.employee_id, pin_of(person), "zoe@example.com", unquote(next_url)
    )
    browser.follow()  # the portal sends the browser back to the app, which signs it in
    assert browser.last.url == base + "/"
    assert "Hello Zoë D&#x27;Amico — retired" in browser.last.text
    assert len(module.SESSIONS) == 1

    # Logging out at the portal: the worker tells the app, which ends its session.
    assert browser.post("/logout/", {}, from_page="/").status_code == 302
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("worker", "--batch", verbosity=0)
    assert module.SESSIONS == {}
    assert "Sign in with staffgate" in browser.get(base + "/").text
