"""The example app beside ``staffgate serve`` and ``staffgate worker``, all running as an
operator starts them: when HR takes a person's access away the app is told within 60 s
and its refresh token is refused; an app that is down gets its logout token once back."""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from staffgate.audit.models import AuditEvent
from tests.conftest import PASSWORD
from tests.integration.oidc.browser import Browser
from tests.integration.oidc.processes import (
    ExampleApp,
    environment,
    register_example_app,
    staffgate,
    staffgate_serve,
    staffgate_worker,
)

DEADLINE = 60  # seconds: what the portal promises apps


@pytest.fixture
def running(transactional_db, tmp_path):
    """The portal and its worker, on this test's database, and the example app."""
    env = environment(tmp_path)
    registered, port = register_example_app()
    with staffgate_serve(env, tmp_path) as base, staffgate_worker(env, tmp_path):
        app = ExampleApp(base, registered, port).start()
        try:
            yield base, app, registered, env
        finally:
            app.stop()


def sign_in_at_the_app(base: str, app: ExampleApp, user_id: str) -> Browser:
    """A registered person opens the app, logs in at the portal and is back in the app."""
    browser = Browser(base)
    browser.get(app.base + "/login")
    browser.get(browser.location())  # the portal's authorization endpoint
    login_page = urlsplit(browser.location())
    assert login_page.path == "/login/"
    browser.log_in(user_id, PASSWORD, parse_qs(login_page.query)["next"][0])
    browser.follow()
    assert browser.last.url == app.base + "/", browser.last.url
    assert "Hello Pat Jones" in browser.last.text
    return browser


def wait_until(condition, seconds: float) -> float:
    """Poll ``condition`` until true; the seconds it took (fails after ``seconds``)."""
    begin = time.monotonic()
    while not condition():
        assert time.monotonic() - begin < seconds, "not within the time allowed"
        time.sleep(0.2)
    return time.monotonic() - begin


def refresh(base: str, registered, refresh_token: str) -> requests.Response:
    return requests.post(
        base + "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(registered.client_id, registered.client_secret),
        timeout=30,
    )


def test_an_hr_import_that_ends_access_reaches_the_app_within_60_seconds(
    running, make_account, tmp_path
):
    base, app, registered, env = running
    person = make_account().person
    sign_in_at_the_app(base, app, person.employee_id)
    [session] = app.module.SESSIONS.values()
    refresh_token = session["refresh_token"]

    # HR's import separates the person three years ago: their window has closed.
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "employee_id,first_name,last_name,birth_year,country,status,retirement_plan,"
        "separation_date\n"
        f"{person.employee_id},Pat,Jones,{person.birth_year},US,separated,false,"
        f"{dt.date.today().year - 3}-03-01\n"
    )
    imported = time.monotonic()
    staffgate(env, "import-roster", str(roster))
    took = wait_until(lambda: not app.module.SESSIONS, DEADLINE)
    assert time.monotonic() - imported < DEADLINE, took
    answer = refresh(base, registered, refresh_token)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    # The worker audits the delivery once the app has answered: a moment after it logged out.
    delivered = AuditEvent.objects.filter(tag="sso:backchannel:delivered")
    wait_until(lambda: delivered.exists(), 10)
    assert delivered.count() == 1


def test_a_logout_while_the_app_is_down_reaches_it_once_it_is_back(running, make_account):
    base, app, registered, env = running
    account = make_account()
    browser = sign_in_at_the_app(base, app, account.user_id)
    refresh_token = next(iter(app.module.SESSIONS.values()))["refresh_token"]

    app.stop()
    assert browser.post("/logout/", {}, from_page="/").status_code == 302
    # The worker tries, the app does not answer: the delivery is booked again, later.
    wait_until(lambda: worker_tried_and_failed(), 30)
    assert app.module.SESSIONS  # nothing reached the app yet
    assert refresh(base, registered, refresh_token).json()["error"] == "invalid_grant"

    app.start()  # back, on the same address
    wait_until(lambda: not app.module.SESSIONS, DEADLINE)
    # The worker audits the delivery once the app has answered: a moment after it logged out.
    delivered = AuditEvent.objects.filter(tag="sso:backchannel:delivered")
    wait_until(lambda: delivered.exists(), 10)
    assert delivered.count() == 1


def worker_tried_and_failed() -> bool:
    from django_tasks_db.models import DBTaskResult

    from staffgate.oidc.tasks import deliver_logout_token

    tries = DBTaskResult.objects.filter(task_path=deliver_logout_token.module_path)
    return tries.filter(return_value="retry").exists()
