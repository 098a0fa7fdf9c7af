"""Who must have a second factor: a pure rule over the operator's mode and the account kind."""

from __future__ import annotations

import enum

from django.conf import settings


class Mode(enum.StrEnum):
    """``STAFFGATE_MFA``: second factors for employees."""

    OFF = "off"  # employees neither enrol nor are asked; staff still are
    OPTIONAL = "optional"  # employees may enrol; once enrolled, every login asks
    REQUIRED = "required"  # employees must enrol (at registration or their next login)


def current_mode() -> Mode:
    return Mode(settings.STAFFGATE_MFA)


def employees_may_enrol(mode: Mode) -> bool:
    return mode is not Mode.OFF


def factor_required(mode: Mode, *, is_employee: bool, privileged: bool) -> bool:
    """True when the account may not use the portal without a second factor.

    Privileged accounts (help-desk agents and superusers) always need one.
    """
    return privileged or (is_employee and mode is Mode.REQUIRED)


def factor_asked(mode: Mode, *, is_employee: bool, enrolled: bool) -> bool:
    """True when a login must pass a second factor after the password (staff: always)."""
    return enrolled and (not is_employee or mode is not Mode.OFF)
