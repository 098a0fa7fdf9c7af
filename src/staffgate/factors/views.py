"""The pages of second factors: the login step, enrolment, and managing factors."""

from __future__ import annotations

import functools
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from staffgate.accounts.pages import outcome_message
from staffgate.accounts.policy import current_policy
from staffgate.accounts.profile import service as profile
from staffgate.core.outcomes import Outcome
from staffgate.core.views import FORM_INVALID_MESSAGE, posted, render_form
from staffgate.factors import login as second_step
from staffgate.factors import methods, recovery_codes, service, totp
from staffgate.factors.enrolment import REGISTERING_KEY
from staffgate.factors.forms import (
    ConfirmWithFactorForm,
    LoginCodeForm,
    RenameForm,
    TotpConfirmForm,
)
from staffgate.factors.models import TotpFactor
from staffgate.factors.policy import current_mode, employees_may_enrol

ENROLLING_KEY = "staffgate.factors.enrolling"
CODES_FILE_NAME = "staffgate-recovery-codes.txt"


def tries_left_message(count: int) -> str:
    minutes = max(1, current_policy().lock_seconds // 60)
    return ngettext(
        "%(count)s try left before sign-in is locked for %(minutes)s minutes.",
        "%(count)s tries left before sign-in is locked for %(minutes)s minutes.",
        count,
    ) % {"count": count, "minutes": minutes}


# --- The login step -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_verify(request):
    state, account = second_step.pending_login(request)
    if state is None:
        messages.info(request, outcome_message(Outcome.SESSION_ENDED))
        return redirect("login")
    policy = current_policy()
    outcome = message = None
    form = LoginCodeForm(posted(request))
    if request.method == "POST":
        if form.is_valid():
            result = service.check_code(
                account, form.cleaned_data["code"], policy, request=request, purpose="login"
            )
            if result.outcome is service.CodeOutcome.RIGHT:
                return second_step.finish(request, state, account, result.method)
            outcome = result.outcome.page
            if result.outcome is service.CodeOutcome.WRONG:
                message = _("That code is not right, or was already used.")
                message = f"{message} {tries_left_message(result.tries_left)}"
                form = LoginCodeForm()
            else:
                second_step.abandon(request)
                message = outcome_message(outcome)
                form = None
        else:
            outcome, message = Outcome.FORM_INVALID, FORM_INVALID_MESSAGE
    return render(
        request,
        "factors/verify.html",
        {
            "form": form,
            "outcome": outcome,
            "message": message,
            "tries_left": tries_left_message(service.tries_left(account, policy))
            if form is not None and outcome is None
            else "",
        },
    )


# --- Managing factors -----------------------------------------------------------------------


def signed_in_required(view):
    """Any signed-in account (employee or staff); employees only while factors are not off."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            if request.method == "GET":
                return redirect_to_login(request.get_full_path(), reverse("login"))
            return redirect("login")
        if user.is_employee and not employees_may_enrol(current_mode()):
            messages.info(request, _("Second factors are not offered on this portal."))
            return redirect("profile")
        return view(request, *args, **kwargs)

    return wrapper


def factor_page(view, methods_allowed=("GET", "POST")):
    return require_http_methods(list(methods_allowed))(signed_in_required(view))


def _locked(request, result):
    profile.end_session_for_lock(request, request.user, result)
    return render(
        request,
        "accounts/profile_locked.html",
        {"outcome": result.outcome, "message": outcome_message(result.outcome)},
    )


def _current_password_ok(request, form, form_name: str):
    """Check the current password (charged like a login); a lock ends the session."""
    result = profile.verify_current_password(
        request.user,
        form.cleaned_data["current_password"],
        current_policy(),
        form=form_name,
        request=request,
    )
    if result.locks:
        return False, _locked(request, result)
    if result is not profile.CurrentPassword.RIGHT:
        form.add_error(
            "current_password",
            ValidationError(_("The password is not correct."), code="password.incorrect"),
        )
        return False, None
    return True, None


def _overview(request):
    account = request.user
    return render(
        request,
        "factors/overview.html",
        {
            "factors": service.factors_of(account),
            "codes_left": recovery_codes.remaining(account),
            "rename_form": RenameForm(),
        },
    )


factors_overview = factor_page(_overview, ("GET", "HEAD"))


def _enrol(request, *, wizard: bool):
    account = request.user
    ask_password = not wizard
    factor = service.pending_totp(account, request.session.get(ENROLLING_KEY))
    if factor is None or request.method == "GET":
        factor = service.start_totp(account)
        request.session[ENROLLING_KEY] = factor.pk
    form = TotpConfirmForm(posted(request), ask_password=ask_password)
    if request.method == "POST" and form.is_valid():
        if ask_password:
            ok, response = _current_password_ok(request, form, "factor")
            if response is not None:
                return response
        if (not ask_password or ok) and factor.verify_token(form.cleaned_data["code"]):
            return _confirmed(request, factor, form.cleaned_data["name"], wizard=wizard)
        if not ask_password or ok:
            form.add_error(
                "code",
                ValidationError(
                    _("That code is not right. Check the clock of your phone and try again."),
                    code="code.invalid",
                ),
            )
    key = totp.base32_key(factor.bin_key)
    uri = totp.provisioning_uri(factor.bin_key, account.get_username())
    outcome = message = None
    if form.is_bound and form.errors:
        code_wrong = any(c == "code.invalid" for c, _t in form["code"].coded_errors)
        outcome = Outcome.CODE_INVALID if code_wrong else Outcome.FORM_INVALID
        message = FORM_INVALID_MESSAGE
    return render(
        request,
        "factors/enrol_totp.html",
        {
            "form": form,
            "outcome": outcome,
            "message": message,
            "wizard": wizard,
            "key": key,
            "grouped_key": totp.grouped(key),
            "qr_svg": mark_safe(totp.qr_svg(uri, _("QR code for your authenticator app"))),  # noqa: S308 - drawn by segno from our own data
            "action": reverse("register-factor" if wizard else "profile-factors-totp"),
        },
    )


def _confirmed(request, factor: TotpFactor, name: str, *, wizard: bool):
    enrolment = service.confirm_totp(request, request.user, factor, name)
    request.session.pop(ENROLLING_KEY, None)
    request.session.pop(REGISTERING_KEY, None)
    # The person has just shown the factor: this session counts as signed in with it.
    current = request.session.get(methods.METHODS_KEY) or [methods.PASSWORD]
    methods.record_methods(request.session, [*current, methods.ONE_TIME_CODE])
    return _added(request, enrolment.codes, wizard=wizard)


def _added(request, codes: list[str], *, wizard: bool):
    return render(
        request,
        "factors/added.html",
        {
            "outcome": Outcome.FACTOR_ADDED,
            "message": _("Your authenticator app was added. Every login will ask for a code."),
            "codes": codes,
            "codes_file": _codes_file_url(codes),
            "codes_file_name": CODES_FILE_NAME,
            "wizard": wizard,
        },
    )


def _codes_file_url(codes: list[str]) -> str:
    """A data: address, so the codes download from this page and are never stored in clear."""
    if not codes:
        return ""
    lines = [
        _("%(brand)s recovery codes: each works once.") % {"brand": settings.STAFFGATE_BRAND_NAME},
        "",
        *codes,
        "",
    ]
    return "data:text/plain;charset=utf-8," + quote("\n".join(lines))


enrol_totp = factor_page(functools.partial(_enrol, wizard=False))


@require_http_methods(["GET", "POST"])
def register_factor(request):
    """The registration wizard's last step when second factors are required."""
    user = request.user
    if not (user.is_authenticated and user.is_employee and request.session.get(REGISTERING_KEY)):
        return redirect("login" if not user.is_authenticated else "profile-factors-totp")
    return _enrol(request, wizard=True)


def _own_factor(request, pk) -> TotpFactor:
    return get_object_or_404(TotpFactor, pk=pk, user=request.user, confirmed=True)


def _rename(request, pk):
    factor = _own_factor(request, pk)
    form = RenameForm(request.POST)
    if form.is_valid():
        service.rename_factor(request, request.user, factor, form.cleaned_data["name"])
        messages.success(request, _("The name was changed."))
    else:
        messages.error(request, _("Type a name of at most 64 characters."))
    return redirect("profile-factors")


rename_factor = factor_page(_rename, ("POST",))


def _check_factor_form(request, form, purpose: str):
    """Password then a code, each charged; (True, None) when both were right."""
    ok, response = _current_password_ok(request, form, purpose)
    if not ok:
        return False, response
    result = service.check_code(
        request.user, form.cleaned_data["code"], current_policy(), request=request, purpose=purpose
    )
    if result.outcome in (service.CodeOutcome.LOCKED, service.CodeOutcome.ACCOUNT_LOCKED):
        return False, _locked(request, profile.CurrentPassword.LOCKED_NOW)
    if result.outcome is not service.CodeOutcome.RIGHT:
        form.add_error(
            "code",
            ValidationError(_("That code is not right, or was already used."), code="code.invalid"),
        )
        return False, None
    return True, None


def _remove(request, pk):
    factor = _own_factor(request, pk)
    form = ConfirmWithFactorForm(posted(request))
    if request.method == "POST" and form.is_valid():
        ok, response = _check_factor_form(request, form, "remove_factor")
        if response is not None:
            return response
        if ok:
            service.remove_factor(request, request.user, factor)
            messages.success(request, _("The authenticator app was removed."))
            return redirect("profile-factors")
    return render_form(request, "factors/remove.html", form, factor=factor)


remove_factor = factor_page(_remove)


def _regenerate(request):
    if not service.factors_of(request.user).exists():
        return redirect("profile-factors")
    form = ConfirmWithFactorForm(posted(request))
    if request.method == "POST" and form.is_valid():
        ok, response = _check_factor_form(request, form, "recovery_codes")
        if response is not None:
            return response
        if ok:
            codes = service.regenerate_codes(request, request.user)
            return render(
                request,
                "factors/codes.html",
                {
                    "codes": codes,
                    "codes_file": _codes_file_url(codes),
                    "codes_file_name": CODES_FILE_NAME,
                },
            )
    return render_form(request, "factors/regenerate.html", form)


regenerate_codes = factor_page(_regenerate)
