"""Whether the roster lets a person in today, with the refusal audited where a journey asks."""

from __future__ import annotations

from staffgate.audit.services import record_event
from staffgate.core import timeutil
from staffgate.roster.eligibility import Ineligibility, check_eligibility, facts_of
from staffgate.roster.models import Person


def refused_access(person: Person, tag, *, request, user_id: str, outcome: str, **detail):
    """The reason ``person`` may not come in today, audited under ``tag``; ``None`` if they may."""
    reason: Ineligibility | None = check_eligibility(facts_of(person), timeutil.local_today())
    if reason is not None:
        record_event(
            tag,
            request=request,
            user_id=user_id,
            outcome=outcome,
            detail={"reason": reason.value, **detail},
        )
    return reason
