"""HR eligibility in every app: at sign-in, at each refresh and userinfo, and when it ends."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from staffgate.audit.models import AuditEvent
from staffgate.oidc.models import SignIn
from staffgate.oidc.tasks import deliver_logout_token
from staffgate.roster.importer import import_roster
from tests.conftest import PASSWORD, days_ago, login, outcome_code
from tests.oidc_client import AppClient

pytestmark = pytest.mark.django_db


def queued_logouts() -> int:
    return DBTaskResult.objects.filter(
        status="READY", task_path=deliver_logout_token.module_path
    ).count()


@pytest.fixture
def browser(make_account):
    account = make_account()
    client = Client()
    assert login(client, account.user_id, PASSWORD)["Location"] == "/"
    client.account = account
    return client


def separate(person, *, years_ago: int) -> None:
    person.status = "separated"
    person.separation_date = dt.date(dt.date.today().year - years_ago, 3, 1)
    person.save()


def test_an_ineligible_person_sent_by_an_app_gets_the_clear_page_in_their_language(
    make_person, make_account
):
    person = make_person()
    account = make_account(person, language="fr")
    separate(person, years_ago=3)
    app = AppClient.register(Client())
    response = app.authorize()
    next_url = response["Location"].split("next=", 1)[1]
    from urllib.parse import unquote

    page = login(Client(), account.user_id, PASSWORD, next=unquote(next_url))
    assert page.status_code == 403
    assert outcome_code(page) == "sso.not_eligible"
    assert page["Content-Language"] == "fr"
    assert "Ressources humaines" in page.content.decode()
    assert AuditEvent.objects.filter(tag="sso:not_eligible", user_id=account.user_id).exists()


def test_a_separated_person_keeps_apps_until_30_june_of_the_next_year(browser):
    person = browser.account.person
    person.status = "separated"
    person.separation_date = days_ago(10)
    person.save()
    app = AppClient.register(browser, scopes="openid employee")
    tokens = app.token(Client(), app.code(scope="openid employee")).json()
    claims = app.userinfo(Client(), tokens["access_token"]).json()
    assert claims["status"] == "separated"
    assert claims["eligible_until"] == dt.date(days_ago(10).year + 1, 6, 30).isoformat()


def test_refresh_and_userinfo_recheck_the_roster(browser):
    app = AppClient.register(browser)
    tokens = app.token(Client(), app.code()).json()
    separate(browser.account.person, years_ago=3)
    assert app.userinfo(Client(), tokens["access_token"]).status_code == 401
    refused = app.refresh(Client(), tokens["refresh_token"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert AuditEvent.objects.filter(tag="sso:not_eligible", outcome="refresh_refused").exists()


def test_expire_access_withdraws_tokens_and_tells_the_apps(browser):
    app = AppClient.register(browser, backchannel_logout_uri="https://app.example.com/bc")
    tokens = app.token(Client(), app.code()).json()
    keep = AppClient.register(Client(), name="Other", backchannel_logout_uri="https://o.example/bc")
    separate(browser.account.person, years_ago=3)
    out = io.StringIO()
    call_command("expire_access", stdout=out)
    assert "1 person" in out.getvalue()
    assert queued_logouts() == 1
    assert SignIn.objects.get().ended_at is not None
    assert app.refresh(Client(), tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert browser.get("/").status_code == 302  # the portal session ended too
    assert keep  # an app where the person never signed in is not told anything
    call_command("expire_access", stdout=io.StringIO())
    assert queued_logouts() == 1  # nothing twice


def test_a_roster_import_that_separates_a_person_withdraws_their_access(browser):
    app = AppClient.register(browser, backchannel_logout_uri="https://app.example.com/bc")
    tokens = app.token(Client(), app.code()).json()
    person = browser.account.person
    old = dt.date(dt.date.today().year - 3, 3, 1).isoformat()
    csv = (
        "employee_id,first_name,last_name,birth_year,country,status,retirement_plan,"
        "separation_date\n"
        f"{person.employee_id},{person.first_name},{person.last_name},{person.birth_year},"
        f"US,separated,false,{old}\n"
    )
    report = import_roster(io.BytesIO(csv.encode()))
    assert report.ok and report.updated == 1
    assert queued_logouts() == 1
    assert app.refresh(Client(), tokens["refresh_token"]).json()["error"] == "invalid_grant"
