"""Access that has run out: people the roster no longer lets in lose their app tokens."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from staffgate.accounts.models import Account
from staffgate.core import timeutil
from staffgate.oidc import access, logout


def expire_access(today: dt.date | None = None) -> int:
    """Withdraw the access of every person who holds app tokens, a sign-in or a session but
    whom the roster no longer lets in on ``today``; return how many people."""
    today = today or timeutil.local_today()
    holders = (
        Account.objects.filter(person__isnull=False)
        .filter(
            Q(sign_ins__ended_at__isnull=True)
            | Q(oauth2_provider_refreshtoken__revoked__isnull=True)
            | Q(sessions__isnull=False)
        )
        .select_related("person")
        .distinct()
    )
    count = 0
    for account in holders.iterator():
        if not access.may_sign_in(account, today):
            logout.withdraw_access(account, reason="not_eligible")
            count += 1
    return count


def on_roster_imported(sender, report, **kwargs) -> None:
    expire_access()


def next_run(now: dt.datetime) -> dt.datetime:
    """Five minutes past the next midnight in the portal's time zone."""
    local = timezone.localtime(now)
    return (local + dt.timedelta(days=1)).replace(hour=0, minute=5, second=0, microsecond=0)


@task()
def expire_access_daily():
    """The worker's daily run of ``expire-access``; it books the next one itself."""
    count = expire_access()
    schedule_daily()
    return count


def schedule_daily() -> None:
    """Book the next daily run unless one is already waiting."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=expire_access_daily.module_path, status=TaskResultStatus.READY
    ).exists()
    if not waiting:
        expire_access_daily.using(run_after=next_run(timeutil.now())).enqueue()
