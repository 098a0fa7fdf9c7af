"""Whether an account has a second factor, must get one, and is asked for it at login."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from staffgate.factors.models import PasskeyFactor, TotpFactor
from staffgate.factors.policy import current_mode, factor_asked, factor_required
from staffgate.helpdesk.services import is_agent

# Set when registration has just finished and the wizard's factor step follows.
REGISTERING_KEY = "staffgate.factors.registering"
# Where the person goes once that step is done (the app they came from, if any).
REGISTERING_NEXT_KEY = "staffgate.factors.registering_next"


def enrolled_annotation(account_ref: str) -> dict:
    """``factor_enrolled`` for a query, so the login look-up learns it without a query more."""
    app = TotpFactor.objects.filter(user=OuterRef(account_ref), confirmed=True)
    passkey = PasskeyFactor.objects.filter(user=OuterRef(account_ref), confirmed=True)
    return {"factor_enrolled": Exists(app) | Exists(passkey)}


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
