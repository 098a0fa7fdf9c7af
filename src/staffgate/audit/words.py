"""Audit tags, outcomes and roster codes in plain, translated words, for people to read.

The tags stay as they are stored (``account:recover:failure``); pages show these words
instead, and fall back to the stored text for anything not listed here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from staffgate.audit.tags import EventTag

A, H, Ad, Hp, S, R, Sec = (
    EventTag.Account,
    EventTag.Helpdesk,
    EventTag.Admin,
    EventTag.Help,
    EventTag.Sso,
    EventTag.Roster,
    EventTag.Security,
)

EVENT_WORDS = {
    A.FACTOR_ADDED: _("Authenticator app added"),
    A.FACTOR_REMOVED: _("Authenticator app removed"),
    A.FACTOR_RENAMED: _("Authenticator app renamed"),
    A.FACTOR_REFUSED: _("Wrong code when adding an authenticator app"),
    A.FACTORS_RESET: _("Second factors removed by the help desk"),
    A.RECOVERY_CODES_NEW: _("New recovery codes made"),
    A.LOGIN_CODE_FAILURE: _("Wrong second-factor code"),
    A.LOGIN_CODE_LOCKED: _("Wrong second-factor code; sign-in locked"),
    A.LOGIN_CODE_SUCCESS: _("Signed in with a second-factor code"),
    A.LOGIN_FAILURE: _("Wrong password or PIN at login"),
    A.LOGIN_PASSWORD_OK: _("Right password; a code was asked"),
    A.LOGIN_LOCKED: _("Wrong password; sign-in locked"),
    A.LOGIN_NOT_ELIGIBLE: _("Right password, but no access"),
    A.LOGIN_REFUSED: _("Login refused: the account was locked"),
    A.LOGIN_SUCCESS: _("Signed in"),
    A.LOGOUT: _("Logged out"),
    A.PROFILE_APP_ID_CHANGED: _("Application ID changed"),
    A.PROFILE_EMAIL_CHANGED: _("E-mail address changed"),
    A.PROFILE_LANGUAGE_CHANGED: _("Language changed"),
    A.PROFILE_TIME_ZONE_CHANGED: _("Time zone changed"),
    A.PROFILE_PASSWORD_CHANGED: _("Password changed in Edit My Profile"),
    A.PROFILE_PASSWORD_FAILURE: _("Wrong current password in Edit My Profile"),
    A.PROFILE_QUESTIONS_CHANGED: _("Challenge questions changed"),
    A.PROFILE_REFUSED: _("Profile change refused: the account was locked"),
    A.PROFILE_SESSIONS_ENDED: _("Other sessions ended by the person"),
    A.RECOVER_ANSWERS_OK: _("Right answers in password recovery"),
    A.RECOVER_CODE_ASKED: _("Code by e-mail asked for in password recovery"),
    A.RECOVER_CODE_FAILURE: _("Wrong e-mailed code in password recovery"),
    A.RECOVER_CODE_OK: _("Right e-mailed code in password recovery"),
    A.RECOVER_FACTOR_OK: _("Second factor passed in password recovery"),
    A.RECOVER_FAILURE: _("Wrong answer in password recovery"),
    A.RECOVER_LOCKED: _("Wrong answers; locked until the help desk unlocks it"),
    A.RECOVER_NOT_ELIGIBLE: _("Password recovery without access"),
    A.RECOVER_REFUSED: _("Password recovery refused: the account was locked"),
    A.RECOVER_RESET: _("New password chosen in password recovery"),
    A.REGISTER_COMPLETE: _("Registration completed"),
    A.REGISTER_DECLINED: _("Terms and Conditions declined"),
    A.REGISTER_START: _("Registration started with the PIN"),
    A.REGISTRATION_RESET: _("Registration reset by the help desk"),
    A.SESSION_END: _("Session ended"),
    A.EMAIL_CONFIRMED: _("E-mail address confirmed with a mailed code"),
    A.EMAIL_RELEASED: _("E-mail address given up: another account proved it"),
    A.LOGIN_EMAIL_CODE_SENT: _("Sign-in code sent by e-mail"),
    A.UNLOCK: _("Account unlocked"),
    H.AGENT_CREATED: _("Help-desk agent created"),
    H.LOGIN_DENIED: _("Help-desk login without help-desk access"),
    H.LOGIN_FAILURE: _("Wrong password at the help-desk login"),
    H.LOGIN_REFUSED: _("Help-desk login refused: locked"),
    H.LOGIN_SUCCESS: _("Signed in to the help desk"),
    H.LOGOUT: _("Logged out of the help desk"),
    H.SESSION_END: _("Help-desk session ended"),
    H.TICKET_CLOSED: _("Ticket closed"),
    H.TICKET_FACTORS: _("Ticket: second factors reset"),
    H.TICKET_RESET: _("Ticket: registration reset"),
    H.TICKET_UNLOCK: _("Ticket: account unlocked"),
    H.TICKET_REPLY: _("Ticket: reply sent to the person"),
    Ad.ADDED: _("Added in the admin site"),
    Ad.CHANGED: _("Changed in the admin site"),
    Ad.DELETED: _("Deleted in the admin site"),
    Ad.PASSWORD_CHECK_FAILED: _("Wrong password in the admin site"),
    Hp.TICKET_CREATED: _("Help request sent"),
    Hp.TICKET_RATE_LIMITED: _("Too many help requests from one address"),
    S.APP_ADDED: _("App registered for single sign-on"),
    S.APP_REMOVED: _("App removed from single sign-on"),
    S.AUTHORIZED: _("Opened an app"),
    S.BACKCHANNEL_DELIVERED: _("App told of a logout"),
    S.BACKCHANNEL_FAILED: _("App could not be told of a logout"),
    S.CLIENT_AUTH_FAILURE: _("App failed to authenticate"),
    S.CODE_REPLAYED: _("App sign-in code used twice"),
    S.REFRESH_REUSED: _("App used an old refresh token: its access ended"),
    S.CONSENT_DENIED: _("Refused to share details with an app"),
    S.NOT_ELIGIBLE: _("Opened an app without access"),
    S.TOKENS_REVOKED: _("App access ended"),
    R.IMPORT: _("Roster imported"),
    R.PERSON_REMOVED: _("Removed from the roster"),
    Sec.THROTTLED: _("Address refused after too many failures"),
}

OUTCOME_WORDS = {
    "added": _("added"),
    "answers_ok": _("right answers"),
    "asked": _("asked for"),
    "changed": _("changed"),
    "closed": _("closed"),
    "code_issued": _("code sent"),
    "code_ok": _("right code"),
    "declined": _("declined"),
    "denied": _("denied"),
    "ended": _("ended"),
    "invalid": _("wrong"),
    "locked": _("locked"),
    "logged_out": _("logged out"),
    "nothing_to_reset": _("nothing to reset"),
    "nothing_to_unlock": _("nothing was locked"),
    "not_registered": _("not registered"),
    "not_sent": _("could not be sent"),
    "pin_accepted": _("PIN accepted"),
    "rate_limited": _("too many requests"),
    "refused": _("refused"),
    "registered": _("registered"),
    "removed": _("removed"),
    "renamed": _("renamed"),
    "replaced": _("replaced"),
    "reset": _("reset"),
    "sent": _("sent"),
    "signed_in": _("signed in"),
    "submitted": _("submitted"),
    "throttled": _("refused for too many failures"),
    "unlocked": _("unlocked"),
    "login.invalid": _("wrong User ID, password or PIN"),
    "login.locked": _("locked for a while"),
    "account.locked": _("locked until the help desk unlocks it"),
    "login.not_eligible": _("no access"),
    "recover.invalid": _("wrong answer"),
    "form.invalid": _("form not filled in correctly"),
    "code.invalid": _("wrong code"),
    "code.expired": _("expired code"),
}

STATUS_WORDS = {
    "active": _("Active"),
    "inactive": _("Inactive"),
    "retired": _("Retired"),
    "separated": _("Separated"),
}

LANGUAGE_WORDS = {"en": _("English"), "fr": _("French"), "es": _("Spanish")}

COUNTRY_WORDS = {"US": _("United States"), "CA": _("Canada"), "PR": _("Puerto Rico")}


def event_words(tag: str) -> str:
    """What an audit tag means, in the current language (the tag itself when unknown)."""
    return str(EVENT_WORDS.get(tag, tag))


def outcome_words(outcome: str) -> str:
    """An event's outcome in words (the stored text when unknown)."""
    return str(OUTCOME_WORDS.get(outcome, outcome))


def status_words(status: str) -> str:
    return str(STATUS_WORDS.get(status, status))


def language_words(code: str) -> str:
    return str(LANGUAGE_WORDS.get(code, code))


def country_words(code: str) -> str:
    return str(COUNTRY_WORDS.get(code, code))
