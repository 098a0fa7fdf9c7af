"""Who may use an app now, and taking access away: the portal's rules applied to tokens."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from staffgate.core import timeutil
from staffgate.roster.eligibility import check_eligibility, facts_of, separation_access_ends


def may_sign_in(account, today: dt.date | None = None) -> bool:
    """True when ``account`` is an employee the roster lets in today."""
    if account is None or not account.is_active or not account.is_employee:
        return False
    return check_eligibility(facts_of(account.person), today or timeutil.local_today()) is None


def eligible_until(person) -> dt.date | None:
    """The last day the roster lets a separated person in; None when it sets no end."""
    if person.status == "separated" and person.separation_date:
        return separation_access_ends(person.separation_date)
    return None


@transaction.atomic
def revoke_tokens(account, *, families=None) -> int:
    """Revoke the account's refresh tokens (only those ``families`` when given) and delete
    their access tokens; return how many refresh tokens were live."""
    refresh_tokens = get_refresh_token_model().objects.filter(user=account, revoked__isnull=True)
    if families is not None:
        refresh_tokens = refresh_tokens.filter(token_family__in=list(families))
    live = list(refresh_tokens.values_list("token_family", flat=True).distinct())
    count = refresh_tokens.count()
    model = get_refresh_token_model()
    for family in live:
        model.revoke_family(family)
    if families is None:
        get_access_token_model().objects.filter(user=account).delete()
    return count
