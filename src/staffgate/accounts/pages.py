"""What every employee page shares: the sentence for each outcome, and who may open it."""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from staffgate.accounts.policy import RecoveryMethod, current_policy
from staffgate.core import timeutil
from staffgate.core.outcomes import Outcome
from staffgate.core.views import FORM_INVALID_MESSAGE
from staffgate.core.zones import moment_text, zone_for
from staffgate.roster.ids import is_well_formed, normalise_user_id


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


def login_tries_left_message(tries_left: int) -> str:
    """ "1 more try before …": said after each wrong password that has not locked yet."""
    minutes = max(1, current_policy().lock_seconds // 60)
    return ngettext(
        "You have %(count)s more try before sign-in is locked for %(minutes)s minutes.",
        "You have %(count)s more tries before sign-in is locked for %(minutes)s minutes.",
        tries_left,
    ) % {"count": tries_left, "minutes": minutes}


def recovery_tries_left_message(tries_left: int) -> str:
    """Said after each wrong set of answers that has not locked the account yet."""
    return ngettext(
        "You have %(count)s more try before your account is locked. Only the help desk can "
        "unlock it.",
        "You have %(count)s more tries before your account is locked. Only the help desk can "
        "unlock it.",
        tries_left,
    ) % {"count": tries_left}


def help_form_url(user_id: str = "") -> str:
    """The Technical Help Form about a lock, with the User ID filled in when it is one."""
    query = {"topic": "unlock"}
    user_id = normalise_user_id(user_id or "")
    if user_id and is_well_formed(user_id):
        query["user_id"] = user_id
    return f"{reverse('help')}?{urlencode(query)}"


def lock_page(
    request,
    outcome: Outcome,
    *,
    user_id: str = "",
    locked_until: dt.datetime | None = None,
    where: str = "login",
    status: int = 200,
):
    """The page of a lock: what happened, when it ends, what the person can do; no form.

    ``where``: ``login`` (the login page), ``recovery`` (forgot password) or ``profile``
    (a current-password check of a signed-in person, whose session goes on). The end time
    is shown in the signed-in person's zone; before sign-in nothing is known about who is
    asking, so the portal's zone, as for any ID.
    """
    account = request.user if where == "profile" and request.user.is_authenticated else None
    ends = moment_text(locked_until, zone_for(account), now=timeutil.now()) if locked_until else ""
    if outcome is Outcome.LOGIN_LOCKED:
        heading = _("Sign-in is locked")
        if where == "profile":
            message = _(
                "You typed a wrong current password too many times. For your security, "
                "changes that need your password, and signing in anywhere else, are locked "
                "until %(time)s."
            )
        else:
            message = _(
                "Too many failed attempts. For your security, sign-in is locked until %(time)s."
            )
        message = message % {"time": ends} if ends else outcome_message(outcome)
    else:
        heading = _("Your account is locked")
        if current_policy().offers(RecoveryMethod.EMAIL):
            message = _(
                "Your account is locked after too many failed attempts to recover the "
                "password. Only the help desk can unlock it."
            )
        else:
            message = _(
                "Your account is locked after too many wrong answers to the challenge "
                "questions. Only the help desk can unlock it."
            )
    context = {
        "outcome": outcome,
        "message": message,
        "heading": heading,
        "where": where,
        "ends": ends,
        "help_url": help_form_url(user_id),
    }
    return render(request, "accounts/locked.html", context, status=status)


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
