"""The admin site: every page renders, every change is audited, nothing skips a check.

ASVS 5.0 V16.2.1 (each change names who made it), V16.5.3 (no page fails), V6.3.1
(the admin's password change counts guesses of the current password) and V7.3.1 /
V7.3.2 (admin sessions end at the idle and absolute limits like every other).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client, override_settings
from django.urls import reverse

from staffgate.accounts.models import AccessLock, Account
from staffgate.audit.models import AuditEvent
from staffgate.audit.services import record_event
from staffgate.helpdesk import services as helpdesk
from tests.conftest import AGENT_PASSWORD, add_totp, outcome_code, pass_factor_step

pytestmark = pytest.mark.django_db

ROOT_PASSWORD = "Operator-pass-2026!"
NEW_AGENT_PASSWORD = "Brand-new-agent-2026!"


@pytest.fixture
def operator(db) -> Client:
    add_totp(Account.objects.create_superuser("root", password=ROOT_PASSWORD))
    browser = Client()
    response = browser.post(
        "/helpdesk/login/",
        {"username": "root", "password": ROOT_PASSWORD},
        REMOTE_ADDR="192.0.2.50",
    )
    response = pass_factor_step(browser, response, "root")
    assert response.status_code == 302
    return browser


def one_of_each(make_account, make_agent) -> None:
    account = make_account()
    make_agent("alice")
    _single_sign_on_rows(account)
    Group.objects.create(name="Help desk")
    record_event("account:login:failure", user_id="1234567", outcome="login.invalid")
    helpdesk.file_ticket(
        user_id="1234567",
        full_name="Pat Jones",
        email="pat@example.com",
        phone="",
        topic="unlock",
        message="Locked out.",
        language="en",
    )


def _single_sign_on_rows(account) -> None:
    """An app with a code, tokens and an ID token, and a queued task: their admin pages too."""
    import datetime as dt

    from django.utils import timezone
    from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

    from staffgate.oidc.expiry import expire_access_daily

    app = Application.objects.create(
        name="Benefits",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://benefits.example.com/callback",
        algorithm=Application.RS256_ALGORITHM,
    )
    later = timezone.now() + dt.timedelta(minutes=5)
    Grant.objects.create(
        user=account,
        application=app,
        code="admin-page-code",
        expires=later,
        redirect_uri="https://benefits.example.com/callback",
        scope="openid",
    )
    id_token = IDToken.objects.create(user=account, application=app, expires=later, scope="openid")
    access = AccessToken.objects.create(
        user=account,
        application=app,
        token="admin-page-token",
        expires=later,
        scope="openid",
        id_token=id_token,
    )
    RefreshToken.objects.create(
        user=account, application=app, token="admin-page-refresh", access_token=access
    )
    expire_access_daily.enqueue()


def test_v16_5_3_every_admin_add_and_change_page_renders(operator, make_account, make_agent):
    one_of_each(make_account, make_agent)
    opened = []
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        changelist = operator.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert changelist.status_code == 200, info
        add = operator.get(reverse("admin:{}_{}_add".format(*info)))
        may_add = model_admin.has_add_permission(add.wsgi_request)
        assert add.status_code == (200 if may_add else 403), info
        objects = model._default_manager.all()
        assert objects.exists(), info
        for obj in objects:
            page = operator.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            assert page.status_code == 200, (info, obj.pk)
            opened.append(info)
    # The password page of the user admin too.
    for account in Account.objects.all():
        page = operator.get(reverse("admin:auth_user_password_change", args=[account.pk]))
        assert page.status_code == 200
    assert {"auth", "audit", "accounts", "helpdesk"} <= {app for app, _ in opened}


def admin_events(tag: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(tag=tag).order_by("id"))


def test_v16_2_1_adding_an_agent_and_changing_its_password_are_audited(operator):
    response = operator.post(
        reverse("admin:accounts_account_add"),
        {
            "user_id": "bob.jones",
            "usable_password": "true",
            "password1": AGENT_PASSWORD,
            "password2": AGENT_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agent = Account.objects.get(user_id="bob.jones")
    (added,) = admin_events("admin:object:added")
    assert added.actor == "admin:root"
    assert added.ip == "127.0.0.1"
    assert added.detail["model"] == "accounts.account"
    assert added.detail["account"] == "bob.jones"

    response = operator.post(
        reverse("admin:auth_user_password_change", args=[agent.pk]),
        {
            "usable_password": "true",
            "password1": NEW_AGENT_PASSWORD,
            "password2": NEW_AGENT_PASSWORD,
        },
    )
    assert response.status_code == 302
    (changed,) = admin_events("admin:object:changed")
    assert changed.actor == "admin:root"
    assert changed.detail["account"] == "bob.jones"
    assert "password" in str(changed.detail["changes"]).lower()
    dumped = str(list(AuditEvent.objects.values()))
    assert AGENT_PASSWORD not in dumped and NEW_AGENT_PASSWORD not in dumped


def test_v16_2_1_permission_and_group_changes_are_audited(operator, make_agent):
    agent = make_agent("carol")
    permission = Permission.objects.get(codename="act_on_tickets")
    group = Group.objects.create(name="Desk")
    response = operator.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "Desk", "permissions": [permission.pk]},
    )
    assert response.status_code == 302
    page = operator.get(reverse("admin:accounts_account_change", args=[agent.pk]))
    assert page.status_code == 200
    response = operator.post(
        reverse("admin:accounts_account_change", args=[agent.pk]),
        {
            "user_id": "carol",
            "email": "",
            "language": "en",
            "is_active": "on",
            "is_staff": "on",
            "groups": [group.pk],
            "user_permissions": [],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    changes = [
        (e.detail["model"], str(e.detail.get("changes")))
        for e in admin_events("admin:object:changed")
    ]
    assert changes[0][0] == "auth.group" and "Permissions" in changes[0][1]
    assert changes[1][0] == "accounts.account"
    assert "Groups" in changes[1][1] and "User permissions" in changes[1][1]

    response = operator.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"})
    assert response.status_code == 302
    (deleted,) = admin_events("admin:object:deleted")
    assert (deleted.actor, deleted.detail["model"], deleted.detail["object"]) == (
        "admin:root",
        "auth.group",
        "Desk",
    )
    assert all(e.actor == "admin:root" for e in AuditEvent.objects.filter(tag__startswith="admin:"))


def change_own_password(browser, old: str):
    return browser.post(
        "/admin/password_change/",
        {
            "old_password": old,
            "new_password1": NEW_AGENT_PASSWORD,
            "new_password2": NEW_AGENT_PASSWORD,
        },
    )


def test_v6_3_1_the_admin_password_change_counts_guesses_of_the_current_password(operator):
    for attempt in (1, 2):
        response = change_own_password(operator, f"guess-{attempt}")
        assert response.status_code == 200
        assert "password was entered incorrectly" in response.content.decode()
    third = change_own_password(operator, "guess-3")
    assert "Too many failed attempts" in third.content.decode()
    # Locked now: even the right password is refused, and no hash is computed for it.
    refused = change_own_password(operator, ROOT_PASSWORD)
    assert "Too many failed attempts" in refused.content.decode()
    assert Account.objects.get(user_id="root").check_password(ROOT_PASSWORD)
    events = admin_events("admin:password:check_failed")
    assert [e.outcome for e in events] == ["invalid", "invalid", "locked", "refused"]
    assert all(e.actor == "admin:root" for e in events)
    assert ROOT_PASSWORD not in str(list(AuditEvent.objects.values()))
    # The same lock as the operator's help-desk sign-in from this network.
    assert AccessLock.objects.get(user_id="ROOT@127.0.0.1").locked_until is not None
    response = Client().post("/helpdesk/login/", {"username": "root", "password": ROOT_PASSWORD})
    assert outcome_code(response) == "login.locked"


def test_v6_3_1_the_right_current_password_changes_it(operator):
    change_own_password(operator, "guess-1")
    response = change_own_password(operator, ROOT_PASSWORD)
    assert response["Location"] == "/admin/password_change/done/"
    assert Account.objects.get(user_id="root").check_password(NEW_AGENT_PASSWORD)
    assert AccessLock.objects.get(user_id="ROOT@127.0.0.1").login_failures == 0


@override_settings(STAFFGATE_SESSION_IDLE_SECONDS=600)
def test_v7_3_1_an_idle_admin_session_ends(operator):
    assert operator.get("/admin/").status_code == 200
    session = operator.session
    session["staffgate.seen"] -= 601
    session.save()
    response = operator.get("/admin/accounts/account/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert operator.get("/admin/").status_code == 302
    assert AuditEvent.objects.filter(tag="helpdesk:session:end", outcome="expired").count() == 1


@override_settings(STAFFGATE_SESSION_MAX_SECONDS=7200)
def test_v7_3_2_an_admin_session_ends_at_the_absolute_limit(operator):
    session = operator.session
    session["staffgate.started"] -= 7201
    session.save()
    response = operator.post("/admin/auth/group/add/", {"name": "Late"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not Group.objects.filter(name="Late").exists()
