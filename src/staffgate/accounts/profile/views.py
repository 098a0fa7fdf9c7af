"""Edit My Profile: parse the form, call one profile service, render or redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from staffgate.accounts.pages import employee_required, lock_page, login_tries_left_message
from staffgate.accounts.policy import current_policy
from staffgate.accounts.profile import service as profile
from staffgate.accounts.profile.forms import (
    LanguageForm,
    LanguagePageForm,
    ProfileEmailForm,
    ProfilePasswordForm,
    ProfileQuestionsForm,
)
from staffgate.accounts.registration import service as registration
from staffgate.audit.services import client_ip
from staffgate.audit.tags import EventTag
from staffgate.core.outcomes import Outcome
from staffgate.core.views import posted, render_form, safe_next, throttled_response
from staffgate.factors import email_codes
from staffgate.factors.email_pages import expired_message, handle_code_page, verified_message
from staffgate.factors.policy import current_mode, employees_may_enrol
from staffgate.roster.pin import pin_of

# The code mailed to a new address, until it is typed back.
EMAIL_CHANGE_KEY = "staffgate.profile.email_change"
# The code mailed, at login, to an address kept from before e-mail codes.
EMAIL_CONFIRM_KEY = "staffgate.profile.email_confirm"

ACTIVITY_WORDS = {
    EventTag.Account.EMAIL_RELEASED: gettext_lazy(
        "E-mail address removed: another account confirmed it with a code"
    ),
    EventTag.Account.LOGIN_SUCCESS: gettext_lazy("Signed in"),
    EventTag.Account.LOGIN_FAILURE: gettext_lazy("Wrong password"),
    EventTag.Account.LOGIN_LOCKED: gettext_lazy("Wrong password; sign-in locked"),
    EventTag.Account.LOGIN_REFUSED: gettext_lazy("Refused: sign-in was locked"),
    EventTag.Account.LOGIN_NOT_ELIGIBLE: gettext_lazy("Right password, but no access at that time"),
    profile.PASSWORD_FAILURE_TAG: gettext_lazy("Wrong current password on Edit My Profile"),
    EventTag.Account.LOGIN_PASSWORD_OK: gettext_lazy("Right password; a code was asked"),
    EventTag.Account.LOGIN_CODE_SUCCESS: gettext_lazy("Signed in with a second-factor code"),
    EventTag.Account.LOGIN_CODE_FAILURE: gettext_lazy("Wrong second-factor code"),
    EventTag.Account.LOGIN_CODE_LOCKED: gettext_lazy("Wrong second-factor code; sign-in locked"),
}


def profile_page(view, methods=("GET", "POST")):
    """Every profile page: signed-in employees only."""
    return require_http_methods(list(methods))(employee_required(view))


def _bound(request):
    return posted(request)


def _check_current(request, form_name: str) -> dict:
    """The form's current-password check (charged like a login) and its "tries left"."""
    account, policy = request.user, current_policy()
    return {
        "check_current": lambda raw: profile.verify_current_password(
            account, raw, policy, form=form_name, request=request
        ),
        "tries_left": lambda: login_tries_left_message(
            profile.current_password_tries_left(account, policy)
        ),
    }


def profile_lock_page(request, result=None):
    """A lock refuses current-password checks: shown instead of the form; the session goes on.

    ``result``: the check that met or set the lock; ``None`` to look the lock up (GET).
    """
    found = profile.current_password_lock(request.user)
    if found is None and result is None:
        return None
    outcome = (result or found[0]).outcome
    locked_until = found[1] if found else None
    return lock_page(
        request, outcome, user_id=request.user.user_id, locked_until=locked_until, where="profile"
    )


def _locked(request, form):
    return profile_lock_page(request, form.current_result)


def _overview(request):
    account = request.user
    this_key = request.session.session_key
    live = [
        {"row": row, "is_current": row.session_key == this_key}
        for row in profile.active_sessions(account, current_policy())
    ]
    activity = [
        {"event": event, "words": ACTIVITY_WORDS.get(event.tag, event.tag)}
        for event in profile.recent_activity(account)
    ]
    return render(
        request,
        "accounts/profile.html",
        {
            "person": account.person,
            "language_name": dict(settings.LANGUAGES).get(account.language, account.language),
            "sessions": live,
            "other_sessions": sum(1 for s in live if not s["is_current"]),
            "activity": activity,
            "language_form": LanguageForm(initial={"language": account.language}),
            "factors_offered": employees_may_enrol(current_mode()),
        },
    )


profile_view = profile_page(_overview, methods=("GET", "HEAD"))


def _email(request):
    account = request.user
    if request.method == "POST":
        # Whether the address is another account's is not said here: the code goes to the
        # address, or, when another account has proved it, its owner is told instead.
        form = ProfileEmailForm(
            request.POST,
            email_taken=None,
            **_check_current(request, "email"),
        )
        valid = form.is_valid()
        if form.locked:
            return _locked(request, form)
        if valid and form.cleaned_data["email"].casefold() != account.email.casefold():
            # The new address counts once the code mailed to it comes back; the application
            # ID is saved now.
            retry_after = email_codes.send_throttle().charge(client_ip(request) or "unknown")
            if retry_after is not None:
                return throttled_response(request, retry_after)
            new_email = form.cleaned_data["email"]
            profile.change_contact(request, account, account.email, form.cleaned_data["app_id"])
            record = email_codes.send_code(
                account.user_id, new_email, email_codes.Purpose.CHANGE, language=account.language
            )
            request.session[EMAIL_CHANGE_KEY] = record.pk
            return redirect("profile-email-verify")
        if valid:
            try:
                change = profile.change_contact(
                    request, account, form.cleaned_data["email"], form.cleaned_data["app_id"]
                )
            except profile.EmailTaken:
                form.add_error(
                    "email",
                    ValidationError(
                        _("This e-mail address is already used by another account."),
                        code="email.taken",
                    ),
                )
            else:
                if change.anything:
                    messages.success(request, _("Your contact details were saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("profile")
    else:
        if locked := profile_lock_page(request):
            return locked
        form = ProfileEmailForm(
            initial={"email": account.email, "app_id": account.app_id},
            email_taken=None,
            check_current=None,
        )
    return render_form(request, "accounts/profile_email.html", form)


profile_email = profile_page(_email)


def _email_verify(request):
    account = request.user
    record = email_codes.current_code(request.session.get(EMAIL_CHANGE_KEY))
    if record is not None and record.subject != account.user_id:
        record = None
    if record is None and request.method == "GET":
        return redirect("profile-email")
    context = {"action": reverse("profile-email-verify")}
    result = handle_code_page(
        request, record, template="accounts/profile_email_verify.html", context=context
    )
    if result.response is not None:
        return result.response
    request.session.pop(EMAIL_CHANGE_KEY, None)
    if result.expired:
        outcome, message = Outcome.CODE_EXPIRED, expired_message()
        context["back_url"] = reverse("profile-email")
    else:
        try:
            profile.change_contact(request, account, record.address, account.app_id, proved=True)
        except profile.EmailTaken:
            messages.error(request, _("This e-mail address is already used by another account."))
            return redirect("profile-email")
        outcome, message = Outcome.EMAIL_VERIFIED, verified_message()
    return render(
        request,
        "accounts/profile_email_verify.html",
        {"outcome": outcome, "message": message, "form": None, **context},
    )


profile_email_verify = profile_page(_email_verify)


def _email_confirm(request):
    """Asked once after login: prove the address kept from before e-mail codes, then go on."""
    account = request.user
    next_url = safe_next(request) or reverse("home")
    if not profile.needs_email_confirmed(account):
        request.session.pop(EMAIL_CONFIRM_KEY, None)
        return redirect(next_url)
    action = reverse("login-verify-email")
    if safe_next(request):
        action = f"{action}?{urlencode({'next': next_url})}"
    context = {
        "action": action,
        "next": safe_next(request) or "",
        "email": account.email,
        "change_url": reverse("profile-email"),
    }
    record = email_codes.current_code(request.session.get(EMAIL_CONFIRM_KEY))
    if record is not None and (
        record.subject != account.user_id or record.address.casefold() != account.email.casefold()
    ):
        record = None
    if record is None:
        if request.method == "POST" and "send" in request.POST:
            retry_after = email_codes.send_throttle().charge(client_ip(request) or "unknown")
            if retry_after is not None:
                return throttled_response(request, retry_after)
            record = email_codes.send_code(
                account.user_id,
                account.email,
                email_codes.Purpose.CONFIRM,
                language=request.LANGUAGE_CODE,
            )
            request.session[EMAIL_CONFIRM_KEY] = record.pk
            return redirect(action)
        return render(request, "accounts/email_confirm.html", {"form": None, **context})
    result = handle_code_page(
        request, record, template="accounts/email_confirm.html", context=context
    )
    if result.response is not None:
        return result.response
    request.session.pop(EMAIL_CONFIRM_KEY, None)
    if result.expired:
        return render(
            request,
            "accounts/email_confirm.html",
            {
                "outcome": Outcome.CODE_EXPIRED,
                "message": expired_message(),
                "form": None,
                **context,
            },
        )
    if not profile.confirm_email(request, account, record.address):
        messages.error(request, _("This e-mail address is already used by another account."))
        return redirect("profile-email")
    messages.success(request, verified_message())
    return redirect(next_url)


profile_email_confirm = profile_page(_email_confirm)


def _password(request):
    account = request.user
    policy = current_policy()
    form = ProfilePasswordForm(
        _bound(request),
        policy=policy.password_policy,
        user_id=account.user_id,
        pin=pin_of(account.person),
        is_current=lambda raw: check_password(raw, account.password),
        **_check_current(request, "password"),
    )
    if request.method != "POST" and (locked := profile_lock_page(request)):
        return locked
    if request.method == "POST":
        valid = form.is_valid()
        if form.locked:
            return _locked(request, form)
        if valid:
            profile.change_password(request, account, form.cleaned_data["new_password"])
            messages.success(
                request,
                _("Your password was changed. Any other session of yours has been ended."),
            )
            return redirect("profile")
    return render_form(request, "accounts/profile_password.html", form, username=account.user_id)


profile_password = profile_page(_password)


def _questions(request):
    account = request.user
    if request.method == "POST":
        form = ProfileQuestionsForm(request.POST, **_check_current(request, "questions"))
        valid = form.is_valid()
        if form.locked:
            return _locked(request, form)
        if valid:
            profile.change_questions(request, account, registration.hash_answers(form.pairs()))
            messages.success(request, _("Your challenge questions were changed."))
            return redirect("profile")
    else:
        if locked := profile_lock_page(request):
            return locked
        keys = {a.position: a.question_key for a in account.answers.all()}
        form = ProfileQuestionsForm(
            initial={f"question_{n}": keys.get(n, "") for n in (1, 2, 3)}, check_current=None
        )
    return render_form(request, "accounts/profile_questions.html", form)


profile_questions = profile_page(_questions)


def _language(request):
    account = request.user
    form = LanguagePageForm(
        _bound(request), initial={"language": account.language, "time_zone": account.time_zone}
    )
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["language"]
        profile.change_language(request, account, code)
        # The profile's own language form sends no zone: the zone stays as it was.
        if "time_zone" in request.POST:
            profile.change_time_zone(request, account, form.cleaned_data["time_zone"])
        translation.activate(code)
        request.LANGUAGE_CODE = code
        messages.success(request, _("Your language was changed."))
        return redirect("profile")
    return render_form(request, "accounts/profile_language.html", form)


profile_language = profile_page(_language)


def _end_other_sessions(request):
    ended = profile.end_other_sessions(request, request.user)
    if ended:
        messages.success(
            request,
            ngettext(
                "%(count)s other session was ended.", "%(count)s other sessions were ended.", ended
            )
            % {"count": ended},
        )
    else:
        messages.info(request, _("You had no other session."))
    return redirect("profile")


profile_end_other_sessions = profile_page(_end_other_sessions, methods=("POST",))
