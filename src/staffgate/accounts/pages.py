"""What every employee page shares: the sentence for each outcome, and who may open it."""

from __future__ import annotations

import functools

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from staffgate.accounts.policy import current_policy
from staffgate.core.outcomes import Outcome
from staffgate.core.views import FORM_INVALID_MESSAGE


def outcome_message(outcome: Outcome) -> str:
    """The sentence shown for an outcome, in the active language."""
    policy = current_policy()
    minutes = max(1, policy.lock_seconds // 60)
    return {
        Outcome.LOGIN_INVALID: _("The User ID or password is not correct. Please try again."),
        Outcome.LOGIN_LOCKED: _(
            "Too many failed attempts. For your security, sign-in is locked for %(minutes)s "
            "minutes. Please try again later."
        )
        % {"minutes": minutes},
        Outcome.ACCOUNT_LOCKED: _(
            "Your account is locked. Please use the Technical Help Form to ask the help desk "
            "to unlock it."
        ),
        Outcome.LOGIN_NOT_ELIGIBLE: _(
            "Your details are correct, but you do not have access to this portal at this time. "
            "If you think this is a mistake, please contact Human Resources."
        ),
        Outcome.FORM_INVALID: str(FORM_INVALID_MESSAGE),
        Outcome.SESSION_ENDED: _("Your session has ended. Please log in again."),
        Outcome.REGISTRATION_DECLINED: _(
            "You declined the Terms and Conditions, so registration has stopped. You can start "
            "again at any time with your PIN."
        ),
        Outcome.LOGGED_OUT: _("You have logged out."),
    }[outcome]


def signed_in_employee(request) -> bool:
    """True when ``request.user`` is a signed-in employee (not a staff account)."""
    return request.user.is_authenticated and request.user.is_employee


def employee_required(view):
    """Send visitors who are not signed in as an employee to the login page, with ``next``."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not signed_in_employee(request):
            if request.method == "GET":
                return redirect_to_login(request.get_full_path(), reverse("login"))
            return redirect("login")
        return view(request, *args, **kwargs)

    return wrapper
