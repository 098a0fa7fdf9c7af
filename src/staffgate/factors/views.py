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
from staffgate.accounts.profile.views import profile_lock_page
from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.core.outcomes import Outcome
from staffgate.core.views import FORM_INVALID_MESSAGE, posted, render_form
from staffgate.factors import email_codes, methods, passkeys, recovery_codes, service, totp
from staffgate.factors import login as second_step
from staffgate.factors.enrolment import (
    ENROLMENT_NEXT_KEY,
    REGISTERING_KEY,
    REGISTERING_NEXT_KEY,
)
from staffgate.factors.forms import (
    ConfirmWithFactorForm,
    LoginCodeForm,
    PasskeyAnswerForm,
    PasskeyEnrolForm,
    RenameForm,
    TotpConfirmForm,
)
from staffgate.factors.models import PasskeyFactor, TotpFactor
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
    outcome = message = result = None
    if request.method == "POST" and "send_email_code" in request.POST:
        _mail_login_code(request, state, account)
        return redirect("login-verify")
    with_passkey = request.method == "POST" and "credential" in request.POST
    form = LoginCodeForm(posted(request) if not with_passkey else None)
    if with_passkey:
        answer = PasskeyAnswerForm(request.POST)
        if answer.is_valid():
            result = service.check_passkey(
                account, answer.cleaned_data["credential"], policy, request=request, purpose="login"
            )
        else:
            outcome, message = Outcome.FORM_INVALID, no_passkey_message()
    elif request.method == "POST":
        if form.is_valid():
            result = service.check_code(
                account,
                form.cleaned_data["code"],
                policy,
                request=request,
                purpose="login",
                email_code=email_codes.current_code(state.email_code)
                if email_fallback_offered(account)
                else None,
            )
        else:
            outcome, message = Outcome.FORM_INVALID, FORM_INVALID_MESSAGE
    if result is not None:
        if result.outcome is service.CodeOutcome.RIGHT:
            return second_step.finish(request, state, account, result.method)
        outcome = result.outcome.page
        if result.outcome is service.CodeOutcome.WRONG:
            message = (
                _("The passkey was not accepted.")
                if with_passkey
                else _("That code is not right, or was already used.")
            )
            message = f"{message} {tries_left_message(result.tries_left)}"
            form = LoginCodeForm()
        else:
            second_step.abandon(request)
            passkeys.forget_challenge(request.session)
            message = outcome_message(outcome)
            form = None
    has_passkey = form is not None and service.passkeys_of(account).exists()
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
            "has_app": service.factors_of(account).exists(),
            "email_fallback": form is not None and email_fallback_offered(account),
            "email_code_sent": state.email_code is not None,
            "passkey_options": passkeys.authentication_options(
                request, account, passkeys.Ceremony.LOGIN
            )
            if has_passkey
            else None,
        },
    )


def email_fallback_offered(account) -> bool:
    """The operator allows a mailed code at the factor step, and the account has an address."""
    return settings.STAFFGATE_MFA_EMAIL and bool(account.email)


def _mail_login_code(request, state, account) -> None:
    """Mail a code to the account's address (again at most a few times, a minute apart)."""
    if not email_fallback_offered(account):
        return
    language = account.language or request.LANGUAGE_CODE
    record = email_codes.current_code(state.email_code)
    if record is not None and record.subject == account.get_username():
        if not email_codes.resend_code(record, language=language):
            messages.info(request, _("A code was sent a moment ago. Wait a minute for it."))
            return
    else:
        record = email_codes.send_code(
            account.get_username(), account.email, email_codes.Purpose.LOGIN, language=language
        )
        state.email_code = record.pk
        state.save(request.session)
    record_event(
        EventTag.Account.LOGIN_EMAIL_CODE_SENT,
        request=request,
        user_id=account.user_id,
        outcome="sent",
    )
    messages.info(request, _("A code was sent to your e-mail address. It works for 10 minutes."))


def no_passkey_message() -> str:
    return _(
        "Your browser sent no passkey. Try again, or type a code from your authenticator app "
        "or a recovery code."
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
    """A lock refuses the change: the lock page instead of the form; the session goes on."""
    return profile_lock_page(request, result)


def _current_password_ok(request, form, form_name: str):
    """Check the current password (charged like a login); a lock shows the lock page."""
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
            "passkeys": service.passkeys_of(account),
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
            "passkey_url": reverse(
                "register-factor-passkey" if wizard else "profile-factors-passkey"
            ),
        },
    )


def _confirmed(request, factor: TotpFactor, name: str, *, wizard: bool):
    enrolment = service.confirm_totp(request, request.user, factor, name)
    request.session.pop(ENROLLING_KEY, None)
    return _added(
        request,
        enrolment.codes,
        method=methods.ONE_TIME_CODE,
        wizard=wizard,
        message=_("Your authenticator app was added. Every login will ask for a code."),
        title=_("Authenticator app added"),
    )


def _added(request, codes: list[str], *, method: str, wizard: bool, message: str, title: str):
    """The page after a new factor: the recovery codes (the first time), and the way on."""
    request.session.pop(REGISTERING_KEY, None)
    # Registration's last step, or an enrolment the login led to, goes on where the person
    # was heading (an app, through SSO, or the page they asked for).
    next_url = request.session.pop(REGISTERING_NEXT_KEY if wizard else ENROLMENT_NEXT_KEY, None)
    # The person has just shown the factor: this session counts as signed in with it.
    current = request.session.get(methods.METHODS_KEY) or [methods.PASSWORD]
    methods.record_methods(request.session, [*current, method])
    return render(
        request,
        "factors/added.html",
        {
            "outcome": Outcome.FACTOR_ADDED,
            "message": message,
            "title": title,
            "codes": codes,
            "codes_file": _codes_file_url(codes),
            "codes_file_name": CODES_FILE_NAME,
            "wizard": wizard,
            "next_url": next_url or reverse("home"),
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


def _own_factor(request, pk, model=TotpFactor):
    return get_object_or_404(model, pk=pk, user=request.user, confirmed=True)


def _rename(request, pk, model=TotpFactor):
    factor = _own_factor(request, pk, model)
    form = RenameForm(request.POST)
    if form.is_valid():
        service.rename_factor(request, request.user, factor, form.cleaned_data["name"])
        messages.success(request, _("The name was changed."))
    else:
        messages.error(request, _("Type a name of at most 64 characters."))
    return redirect("profile-factors")


rename_factor = factor_page(_rename, ("POST",))
rename_passkey = factor_page(functools.partial(_rename, model=PasskeyFactor), ("POST",))


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


def _remove(request, pk, model=TotpFactor):
    factor = _own_factor(request, pk, model)
    form = ConfirmWithFactorForm(posted(request))
    if request.method == "POST" and form.is_valid():
        ok, response = _check_factor_form(request, form, "remove_factor")
        if response is not None:
            return response
        if ok:
            service.remove_factor(request, request.user, factor)
            if model is PasskeyFactor:
                messages.success(request, _("The passkey was removed."))
            else:
                messages.success(request, _("The authenticator app was removed."))
            return redirect("profile-factors")
    is_passkey = model is PasskeyFactor
    return render_form(
        request,
        "factors/remove.html",
        form,
        factor=factor,
        is_passkey=is_passkey,
        action=reverse(
            "profile-factors-passkey-remove" if is_passkey else "profile-factors-remove",
            args=[factor.pk],
        ),
    )


remove_factor = factor_page(_remove)
remove_passkey = factor_page(functools.partial(_remove, model=PasskeyFactor))


def _regenerate(request):
    if not service.has_any_factor(request.user):
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


# --- Passkeys (WebAuthn): the browser's ceremony needs JavaScript, nothing else does --------


def _enrol_passkey(request, *, wizard: bool):
    account = request.user
    ask_password = not wizard
    form = PasskeyEnrolForm(posted(request), ask_password=ask_password)
    outcome = message = None
    if request.method == "POST" and form.is_valid():
        ok = True
        if ask_password:
            ok, response = _current_password_ok(request, form, "factor")
            if response is not None:
                return response
        credential = form.cleaned_data["credential"]
        if ok and not credential:
            passkeys.forget_challenge(request.session)
            outcome, message = (
                Outcome.FORM_INVALID,
                _(
                    "No passkey was created: your browser did not answer. Try again, or add an "
                    "authenticator app instead."
                ),
            )
        elif ok:
            try:
                enrolment = service.add_passkey(
                    request, account, credential, form.cleaned_data["name"]
                )
            except passkeys.Refused:
                outcome, message = (
                    Outcome.PASSKEY_REFUSED,
                    _(
                        "This passkey could not be added. Try again, or use another passkey or "
                        "security key."
                    ),
                )
            else:
                return _added(
                    request,
                    enrolment.codes,
                    method=methods.HARDWARE_KEY,
                    wizard=wizard,
                    message=_(
                        "Your passkey was added. Every login will ask for it after your password."
                    ),
                    title=_("Passkey added"),
                )
    if outcome is None and form.is_bound and form.errors:
        outcome, message = Outcome.FORM_INVALID, FORM_INVALID_MESSAGE
    return render(
        request,
        "factors/enrol_passkey.html",
        {
            "form": form,
            "outcome": outcome,
            "message": message,
            "wizard": wizard,
            "passkey_options": passkeys.registration_options(request, account),
            "action": reverse("register-factor-passkey" if wizard else "profile-factors-passkey"),
            "app_url": reverse("register-factor" if wizard else "profile-factors-totp"),
        },
    )


enrol_passkey = factor_page(functools.partial(_enrol_passkey, wizard=False))


@require_http_methods(["GET", "POST"])
def register_factor_passkey(request):
    """The registration wizard's factor step, with a passkey instead of an app."""
    user = request.user
    if not (user.is_authenticated and user.is_employee and request.session.get(REGISTERING_KEY)):
        return redirect("login" if not user.is_authenticated else "profile-factors-passkey")
    return _enrol_passkey(request, wizard=True)
