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
    SSO_NOT_ELIGIBLE = "sso.not_eligible"


class ServiceOutcome(enum.Enum):
    """Base of every service's result enum: one family with the page codes above.

    Each member is its audit word (``.value``) and, when a page shows it, the page's
    :class:`Outcome` (``.page``); views read ``.page``, never convert strings.
    """

    def __new__(cls, value: str, page: Outcome | None = None):
        member = object.__new__(cls)
        member._value_ = value
        member.page = page
        return member
