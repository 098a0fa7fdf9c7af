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
