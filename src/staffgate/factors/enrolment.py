"""Whether an account has a second factor, must get one, and is asked for it at login."""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from staffgate.accounts.models import Account
from staffgate.factors.models import PasskeyFactor, TotpFactor
from staffgate.factors.policy import current_mode, factor_asked, factor_required
from staffgate.helpdesk.services import is_agent

# Set when registration has just finished and the wizard's factor step follows.
REGISTERING_KEY = "staffgate.factors.registering"
# Where the person goes once that step is done (the app they came from, if any).
REGISTERING_NEXT_KEY = "staffgate.factors.registering_next"
# Where someone sent to enrol after logging in goes once that is done: the page (or the
# app's sign-in) they had asked for.
ENROLMENT_NEXT_KEY = "staffgate.factors.enrolment_next"


def enrolled_annotation() -> dict:
    """``factor_enrolled`` for a query of accounts or of people joined to their account.

    True when the account has a confirmed authenticator app or passkey. The login look-up
    learns it without a query more. Written as SQL because it runs on every login, and
    resolving the same ``Exists(OuterRef)`` costs several times the query itself; the
    account table must be in the query under its own name (its base table, or the one
    join of ``select_related("account")``).
    """
    quote = connection.ops.quote_name
    account = f"{quote(Account._meta.db_table)}.{quote(Account._meta.pk.column)}"

    def exists(model) -> str:
        table = quote(model._meta.db_table)
        user = quote(model._meta.get_field("user").column)
        confirmed = quote(model._meta.get_field("confirmed").column)
        return (
            f"EXISTS (SELECT 1 FROM {table} "  # noqa: S608 - names from the models
            f"WHERE {table}.{user} = {account} AND {table}.{confirmed})"
        )

    sql = f"({exists(TotpFactor)} OR {exists(PasskeyFactor)})"
    return {"factor_enrolled": RawSQL(sql, (), output_field=BooleanField())}  # noqa: S611


def has_factor(account) -> bool:
    """True when ``account`` has a confirmed authenticator app or a passkey."""
    known = getattr(account, "factor_enrolled", None)
    if known is None:
        known = account.factor_enrolled = (
            TotpFactor.objects.filter(user=account, confirmed=True).exists()
            or PasskeyFactor.objects.filter(user=account, confirmed=True).exists()
        )
    return known


def factor_follows(account) -> bool:
    """True when this account's login goes on to a second-factor step after the password."""
    return account is not None and factor_asked(
        current_mode(), is_employee=account.is_employee, enrolled=has_factor(account)
    )


def enrolment_required(account) -> bool:
    """True when the account must enrol a factor before using the portal."""
    privileged = not account.is_employee and (account.is_superuser or is_agent(account))
    mode = current_mode()
    return factor_required(
        mode, is_employee=account.is_employee, privileged=privileged
    ) and not has_factor(account)
