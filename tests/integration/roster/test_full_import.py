"""``staffgate import-roster --full``: the file is the whole roster; people missing lose access."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from staffgate.accounts.models import AccountSession
from staffgate.audit.models import AuditEvent
from staffgate.roster.models import Person
from staffgate.roster.removal import person_removed
from staffgate.roster.rows import COLUMNS
from tests.conftest import PASSWORD, login, outcome_code

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ",".join(COLUMNS)


def row(employee_id: str, last_name: str = "Jones") -> str:
    return f"{employee_id},Pat,{last_name},,1970,US,active,no,,,en"


def roster_file(tmp_path, ids, name="roster.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *(row(i) for i in ids), ""]), encoding="utf-8")
    return path


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_roster", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


IDS = [f"{5000000 + n}" for n in range(100)]


def test_people_missing_from_a_full_file_are_kept_marked_removed_audited_and_signed_out(
    tmp_path, client, make_account
):
    run(roster_file(tmp_path, IDS))
    leaving = make_account(person=Person.objects.get(employee_id=IDS[0]))
    staying = make_account(person=Person.objects.get(employee_id=IDS[2]))
    assert login(client, leaving.user_id, PASSWORD).status_code == 302
    assert AccountSession.objects.filter(account=leaving).count() == 1
    told = []
    person_removed.connect(lambda sender, **kw: told.append(kw), weak=False, dispatch_uid="t")
    try:
        out = run(roster_file(tmp_path, IDS[2:]), "--full")
    finally:
        person_removed.disconnect(dispatch_uid="t")

    assert out == "created: 0, updated: 0, unchanged: 98, removed: 2"
    gone = Person.objects.filter(employee_id__in=IDS[:2])
    assert gone.count() == 2 and all(p.removed_at is not None for p in gone)
    assert Person.objects.filter(removed_at__isnull=True).count() == 98
    # Their session ended: the next page is the login page, and they cannot log in again.
    assert AccountSession.objects.filter(account=leaving).count() == 0
    assert client.get("/").status_code == 302
    assert outcome_code(login(client, leaving.user_id, PASSWORD)) == "login.not_eligible"
    assert login(client, staying.user_id, PASSWORD).status_code == 302
    removed = AuditEvent.objects.filter(tag="roster:person:removed").order_by("user_id")
    assert [(e.user_id, e.actor, e.outcome) for e in removed] == [
        (IDS[0], "cli", "removed"),
        (IDS[1], "cli", "removed"),
    ]
    assert removed[0].detail == {"registered": True, "sessions_ended": 1}
    assert removed[1].detail == {"registered": False, "sessions_ended": 0}
    imported = AuditEvent.objects.filter(tag="roster:import").order_by("-id").first()
    assert imported.outcome == "imported"
    assert imported.detail == {
        "rows": 98, "created": 0, "updated": 0, "unchanged": 98, "full": True, "removed": 2
    }  # fmt: skip
    assert told == [{"employee_ids": IDS[:2], "actor": "cli", "signal": person_removed}]
    # A later plain import leaves removed people removed; listing them again lets them back in.
    run(roster_file(tmp_path, IDS[2:10]))
    assert Person.objects.filter(removed_at__isnull=False).count() == 2
    assert run(roster_file(tmp_path, IDS[:1])) == "created: 0, updated: 1, unchanged: 0"
    assert Person.objects.get(employee_id=IDS[0]).removed_at is None
    assert login(client, leaving.user_id, PASSWORD).status_code == 302


def test_more_removals_than_the_threshold_are_refused_without_force(tmp_path, settings):
    run(roster_file(tmp_path, IDS))
    before = list(Person.objects.order_by("id").values_list("employee_id", "removed_at"))
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_roster",
            str(roster_file(tmp_path, IDS[3:])),
            "--full",
            stdout=io.StringIO(),
            stderr=err,
        )
    message = str(refused.value)
    assert "would remove 3 of the 100 people" in message
    assert "STAFFGATE_ROSTER_MAX_REMOVALS (2%)" in message and "--force" in message
    assert list(Person.objects.order_by("id").values_list("employee_id", "removed_at")) == before
    event = AuditEvent.objects.filter(tag="roster:import").order_by("-id").first()
    assert (event.outcome, event.detail) == (
        "refused",
        {"rows": 97, "would_remove": 3, "roster": 100},
    )
    assert not AuditEvent.objects.filter(tag="roster:person:removed").exists()

    # Exactly at the threshold is allowed; the threshold is a setting.
    assert run(roster_file(tmp_path, IDS[2:]), "--full").endswith("removed: 2")
    settings.STAFFGATE_ROSTER_MAX_REMOVALS = 50.0
    assert run(roster_file(tmp_path, IDS[50:]), "--full").endswith("removed: 48")


def test_force_removes_beyond_the_threshold_and_dry_run_writes_nothing(tmp_path):
    run(roster_file(tmp_path, IDS))
    out = run(roster_file(tmp_path, IDS[:10] + ["5999999"]), "--full", "--dry-run", "--force")
    assert out == "created: 1, updated: 0, unchanged: 10, removed: 90 (dry run: nothing written)"
    assert Person.objects.filter(removed_at__isnull=False).count() == 0
    out = run(roster_file(tmp_path, IDS[:10] + ["5999999"]), "--full", "--force")
    assert out == "created: 1, updated: 0, unchanged: 10, removed: 90"
    assert Person.objects.filter(removed_at__isnull=False).count() == 90
    assert AuditEvent.objects.filter(tag="roster:person:removed").count() == 90


def test_force_without_full_and_a_bad_threshold_are_refused_clearly(tmp_path):
    with pytest.raises(CommandError, match="--force only applies to --full"):
        run(roster_file(tmp_path, IDS[:1]), "--force")


def test_a_full_file_with_errors_removes_nobody(tmp_path):
    run(roster_file(tmp_path, IDS[:5]))
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\n{row(IDS[0])}\nnot,a,row\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_roster", str(path), "--full", "--force", stdout=io.StringIO(),
            stderr=io.StringIO(),
        )  # fmt: skip
    assert Person.objects.filter(removed_at__isnull=False).count() == 0


def signed_in_at_app(make_account, employee_id, app=None):
    """A person signed in at the portal and at an app, holding the app's tokens."""
    from django.test import Client

    from tests.oidc_client import AppClient

    account = make_account(person=Person.objects.get(employee_id=employee_id))
    browser = Client()
    assert login(browser, account.user_id, PASSWORD).status_code == 302
    if app is None:
        app = AppClient.register(browser, backchannel_logout_uri="https://app.example.com/bc")
    else:
        app = AppClient(browser, app.app)
    tokens = app.token(Client(), app.code()).json()
    assert "refresh_token" in tokens
    return account, app, tokens


def test_a_full_import_revokes_the_removed_peoples_app_tokens_and_tells_the_apps(
    tmp_path, make_account
):
    from django.test import Client
    from django_tasks_db.models import DBTaskResult
    from oauth2_provider.models import RefreshToken, get_application_model

    from staffgate.oidc.models import SignIn
    from staffgate.oidc.tasks import deliver_logout_token

    run(roster_file(tmp_path, IDS))
    leaving, app, leaving_tokens = signed_in_at_app(make_account, IDS[0])
    staying, _, staying_tokens = signed_in_at_app(make_account, IDS[5], app)

    # Refused over the threshold: nobody loses anything.
    with pytest.raises(CommandError, match="would remove 3 of the 100"):
        run(roster_file(tmp_path, IDS[3:]), "--full")
    assert RefreshToken.objects.filter(revoked__isnull=True).count() == 2
    assert not AuditEvent.objects.filter(tag="sso:tokens:revoked").exists()

    run(roster_file(tmp_path, IDS[2:]), "--full")
    # The removed person's refresh token no longer works, nor their access token; the
    # person who stays keeps theirs.
    refused = app.refresh(Client(), leaving_tokens["refresh_token"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert app.userinfo(Client(), leaving_tokens["access_token"]).status_code == 401
    assert app.userinfo(Client(), staying_tokens["access_token"]).status_code == 200
    assert app.refresh(Client(), staying_tokens["refresh_token"]).status_code == 200
    assert not RefreshToken.objects.filter(user=leaving, revoked__isnull=True).exists()
    assert SignIn.objects.get(account=leaving).ended_at is not None
    assert SignIn.objects.get(account=staying).ended_at is None
    # Audited: the removal, the revocation; and the app is told by back-channel logout.
    assert AuditEvent.objects.filter(tag="roster:person:removed", user_id=IDS[0]).exists()
    revoked = AuditEvent.objects.filter(tag="sso:tokens:revoked")
    assert [event.user_id for event in revoked] == [leaving.user_id]
    assert revoked[0].detail["refresh_tokens"] >= 1 and revoked[0].detail["apps"] == 1
    deliveries = DBTaskResult.objects.filter(task_path=deliver_logout_token.module_path)
    assert deliveries.count() == 1
    application = get_application_model().objects.get(client_id=app.app.client_id)
    assert deliveries.get().args_kwargs["args"][0] == application.pk
