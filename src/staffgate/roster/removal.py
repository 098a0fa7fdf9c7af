"""People a full roster import no longer lists: they lose access, and everyone is told.

Removed people are kept (their history, tickets and audit trail stay readable) and
marked ``removed_at``; eligibility then turns them away everywhere. Each removal is
audited and ends the person's sessions at once.

Apps that rely on the portal learn of removals through :data:`person_removed`, sent
once the import has committed: the single sign-on part connects to it to revoke the
person's tokens and tell the apps. Nothing else is done here for them.
"""

from __future__ import annotations

import django.dispatch
from django.db import transaction

from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag

CHUNK = 500
# Sent after commit with ``employee_ids`` (a list) and ``actor``.
person_removed = django.dispatch.Signal()


def people_removed(employee_ids: list[str], *, actor: str) -> int:
    """Audit each removal and end the removed people's sessions; return sessions ended."""
    from staffgate.accounts.models import Account
    from staffgate.accounts.sessions import end_sessions

    ended = 0
    accounts = {}
    for start in range(0, len(employee_ids), CHUNK):
        chunk = employee_ids[start : start + CHUNK]
        rows = Account.objects.filter(person__employee_id__in=chunk).select_related("person")
        accounts |= {account.person.employee_id: account for account in rows}
    for employee_id in employee_ids:
        account = accounts.get(employee_id)
        count = end_sessions(account) if account is not None else 0
        ended += count
        record_event(
            EventTag.Roster.PERSON_REMOVED,
            user_id=employee_id,
            actor=actor,
            outcome="removed",
            detail={"registered": account is not None, "sessions_ended": count},
        )
    transaction.on_commit(
        lambda: person_removed.send(sender=None, employee_ids=employee_ids, actor=actor)
    )
    return ended
