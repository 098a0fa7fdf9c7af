"""Every audit tag, in one place, grouped by what the event is about.

A tag reads ``area:subject:what`` (``account:login:failure``) and is stored as it reads;
members are strings, so a tag compares equal to its text.
"""

import enum


class EventTag:
    """Namespace of the tag families: ``EventTag.Account.LOGIN_FAILURE``."""

    class Account(enum.StrEnum):
        """What happens to an employee account: sign-in, registration, recovery, profile."""

        EMAIL_RELEASED = "account:email:released"
        EMAIL_CONFIRMED = "account:email:confirmed"
        FACTOR_ADDED = "account:factor:added"
        FACTOR_REMOVED = "account:factor:removed"
        FACTOR_RENAMED = "account:factor:renamed"
        FACTOR_REFUSED = "account:factor:refused"
        FACTORS_RESET = "account:factor:reset"
        RECOVERY_CODES_NEW = "account:factor:recovery_codes"
        LOGIN_CODE_FAILURE = "account:login:code_failure"
        LOGIN_CODE_LOCKED = "account:login:code_locked"
        LOGIN_CODE_SUCCESS = "account:login:code_success"
        LOGIN_EMAIL_CODE_SENT = "account:login:email_code_sent"
        LOGIN_FAILURE = "account:login:failure"
        LOGIN_PASSWORD_OK = "account:login:password_ok"
        LOGIN_LOCKED = "account:login:locked"
        LOGIN_NOT_ELIGIBLE = "account:login:not_eligible"
        LOGIN_REFUSED = "account:login:refused"
        LOGIN_SUCCESS = "account:login:success"
        LOGOUT = "account:logout"
        PROFILE_APP_ID_CHANGED = "account:profile:app_id_changed"
        PROFILE_EMAIL_CHANGED = "account:profile:email_changed"
        PROFILE_LANGUAGE_CHANGED = "account:profile:language_changed"
        PROFILE_TIME_ZONE_CHANGED = "account:profile:time_zone_changed"
        PROFILE_PASSWORD_CHANGED = "account:profile:password_changed"
        PROFILE_PASSWORD_FAILURE = "account:profile:password_failure"
        PROFILE_QUESTIONS_CHANGED = "account:profile:questions_changed"
        PROFILE_REFUSED = "account:profile:refused"
        PROFILE_SESSIONS_ENDED = "account:profile:sessions_ended"
        RECOVER_ANSWERS_OK = "account:recover:answers_ok"
        RECOVER_CODE_ASKED = "account:recover:code_asked"
        RECOVER_CODE_FAILURE = "account:recover:code_failure"
        RECOVER_CODE_OK = "account:recover:code_ok"
        RECOVER_FACTOR_OK = "account:recover:factor_ok"
        RECOVER_FAILURE = "account:recover:failure"
        RECOVER_LOCKED = "account:recover:locked"
        RECOVER_NOT_ELIGIBLE = "account:recover:not_eligible"
        RECOVER_REFUSED = "account:recover:refused"
        RECOVER_RESET = "account:recover:reset"
        REGISTER_COMPLETE = "account:register:complete"
        REGISTER_DECLINED = "account:register:declined"
        REGISTER_START = "account:register:start"
        REGISTRATION_RESET = "account:registration:reset"
        SESSION_END = "account:session:end"
        UNLOCK = "account:unlock"

    class Helpdesk(enum.StrEnum):
        """The help desk's own events: agents signing in and acting on tickets."""

        AGENT_CREATED = "helpdesk:agent:created"
        LOGIN_DENIED = "helpdesk:login:denied"
        LOGIN_FAILURE = "helpdesk:login:failure"
        LOGIN_REFUSED = "helpdesk:login:refused"
        LOGIN_SUCCESS = "helpdesk:login:success"
        LOGOUT = "helpdesk:logout"
        SESSION_END = "helpdesk:session:end"
        TICKET_CLOSED = "helpdesk:ticket:closed"
        TICKET_FACTORS = "helpdesk:ticket:factors"
        TICKET_REPLY = "helpdesk:ticket:reply"
        TICKET_RESET = "helpdesk:ticket:reset"
        TICKET_UNLOCK = "helpdesk:ticket:unlock"

    class Admin(enum.StrEnum):
        """Operators' changes through the admin site, named ``admin:object:<what>``."""

        ADDED = "admin:object:added"
        CHANGED = "admin:object:changed"
        DELETED = "admin:object:deleted"
        PASSWORD_CHECK_FAILED = "admin:password:check_failed"

    class Help(enum.StrEnum):
        """The public Technical Help Form."""

        TICKET_CREATED = "help:ticket:created"
        TICKET_RATE_LIMITED = "help:ticket:rate_limited"

    class Sso(enum.StrEnum):
        """Single sign-on: people opening apps, apps' tokens, operators' app registry."""

        APP_ADDED = "sso:app:added"
        APP_REMOVED = "sso:app:removed"
        AUTHORIZED = "sso:authorize:granted"
        BACKCHANNEL_DELIVERED = "sso:backchannel:delivered"
        BACKCHANNEL_FAILED = "sso:backchannel:failed"
        CLIENT_AUTH_FAILURE = "sso:client:auth_failure"
        CODE_REPLAYED = "sso:code:replayed"
        CONSENT_DENIED = "sso:consent:denied"
        NOT_ELIGIBLE = "sso:not_eligible"
        REFRESH_REUSED = "sso:refresh:reused"
        TOKENS_REVOKED = "sso:tokens:revoked"

    class Roster(enum.StrEnum):
        """HR roster imports."""

        IMPORT = "roster:import"
        PERSON_REMOVED = "roster:person:removed"

    class Security(enum.StrEnum):
        """Defences of the portal as a whole."""

        # The first refusal of an address in a throttling window (later ones are only counted).
        THROTTLED = "security:throttle:refused"
