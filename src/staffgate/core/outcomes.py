"""The machine-readable outcome codes of every page, in one place.

Templates put ``outcome.value`` in ``data-code``; nothing else spells these strings.
"""

import enum


class Outcome(enum.Enum):
    LOGIN_INVALID = "login.invalid"
    LOGIN_LOCKED = "login.locked"
    ACCOUNT_LOCKED = "account.locked"
    LOGIN_NOT_ELIGIBLE = "login.not_eligible"
    RECOVER_INVALID = "recover.invalid"
    FORM_INVALID = "form.invalid"
    HELP_SUBMITTED = "help.submitted"
    SESSION_ENDED = "session.ended"
    REGISTRATION_DECLINED = "registration.declined"
    LOGGED_OUT = "logout.done"
    CODE_INVALID = "code.invalid"
    CODE_EXPIRED = "code.expired"
    EMAIL_VERIFIED = "email.verified"
    FACTOR_ADDED = "factor.added"
    PASSKEY_REFUSED = "passkey.refused"
    SSO_NOT_ELIGIBLE = "sso.not_eligible"

    @property
    def is_success(self) -> bool:
        """Good news (shown in green, no "Error:" in the page title)."""
        return self in SUCCESSES


SUCCESSES = frozenset(
    {Outcome.HELP_SUBMITTED, Outcome.FACTOR_ADDED, Outcome.EMAIL_VERIFIED, Outcome.LOGGED_OUT}
)


class ServiceOutcome(enum.Enum):
    """Base of every service's result enum: one family with the page codes above.

    Each member is its audit word (``.value``) and, when a page shows it, the page's
    :class:`Outcome` (``.page``); views read ``.page``, never convert strings.
    """

    def __new__(cls, value: str | Outcome, page: Outcome | None = None):
        member = object.__new__(cls)
        if isinstance(value, Outcome):  # shown as it is: its code is the audit word too
            value, page = value.value, value
        member._value_ = value
        member.page = page
        return member
