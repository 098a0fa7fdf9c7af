"""Forgot password pages: parse, call one service in ``recovery``, render."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from staffgate.accounts import sessions
from staffgate.accounts.forms import NewPasswordForm
from staffgate.accounts.pages import lock_page, outcome_message, recovery_tries_left_message
from staffgate.accounts.policy import Policy, RecoveryMethod, current_policy
from staffgate.accounts.recovery import mailed_codes
from staffgate.accounts.recovery import service as recovery
from staffgate.accounts.recovery.forms import (
    RecoverStartForm,
    RecoveryAnswersForm,
    RecoveryCodeForm,
)
from staffgate.accounts.recovery.service import (
    MailedCode,
    RecoveryOutcome,
    RecoveryState,
    Stage,
)
from staffgate.audit.services import client_ip
from staffgate.core import timeutil
from staffgate.core.outcomes import Outcome
from staffgate.core.throttle import Throttle
from staffgate.core.views import FORM_INVALID_MESSAGE, posted, render_form, throttled_response
from staffgate.factors import email_codes, passkeys
from staffgate.factors import service as factor_service
from staffgate.factors.enrolment import factor_follows
from staffgate.factors.forms import LoginCodeForm, PasskeyAnswerForm
from staffgate.factors.views import no_passkey_message
from staffgate.roster.pin import pin_of


def _charge_address(request):
    """The address's recovery attempt, counted before any check: (throttle, address, the
    page to answer instead when the address has tried too often, else None)."""
    throttle = recovery_throttle()
    address = client_ip(request) or "unknown"
    retry_after = throttle.charge(address)
    refused = throttled_response(request, retry_after) if retry_after is not None else None
    return throttle, address, refused


def recovery_message(outcome: Outcome) -> str:
    """The sentence shown for an outcome of this flow, in the active language."""
    if outcome is Outcome.RECOVER_INVALID:
        return _(
            "At least one answer is not correct. Answers are case-sensitive. After "
            "%(max)s failed attempts in a row, your account is locked until the help desk "
            "unlocks it."
        ) % {"max": current_policy().max_recovery_failures}
    if outcome is Outcome.CODE_INVALID:
        return _(
            "That code is not right. After %(max)s failed attempts in a row, your account is "
            "locked until the help desk unlocks it."
        ) % {"max": current_policy().max_recovery_failures}
    if outcome is Outcome.CODE_EXPIRED:
        return _(
            "This code can no longer be used: it is more than %(minutes)s minutes old, was "
            "already used, or a newer one was sent. Ask for a new code."
        ) % {"minutes": mailed_codes.lifetime_minutes()}
    return outcome_message(outcome)


def recovery_throttle() -> Throttle:
    """Wrong answers per address, across all IDs: locking many accounts from one place is slow."""
    return Throttle(
        "recover", settings.STAFFGATE_IP_MAX_FAILURES, settings.STAFFGATE_IP_WINDOW_SECONDS
    )


def _render(request, template: str, form, outcome: Outcome | None = None, **extra):
    return render_form(
        request,
        template,
        form,
        outcome=outcome,
        message=recovery_message(outcome) if outcome else "",
        total_steps=recovery.TOTAL_STEPS,
        **extra,
    )


def _methods(policy: Policy) -> dict:
    """What the pages say about the ways of step 2 the operator offers."""
    return {
        "questions_offered": policy.offers(RecoveryMethod.QUESTIONS),
        "email_offered": policy.offers(RecoveryMethod.EMAIL),
        "code_minutes": mailed_codes.lifetime_minutes(),
    }


def _proof_url_name(policy: Policy) -> str:
    """Where step 2 begins: the questions, or the mailed code when they are not offered."""
    if policy.offers(RecoveryMethod.QUESTIONS):
        return Stage.QUESTIONS.url_name
    return "recover-email"


def _start_page(request, form=None, outcome: Outcome | None = None):
    return _render(
        request,
        "accounts/recover_start.html",
        form or RecoverStartForm(),
        outcome,
        step_number=1,
        **_methods(current_policy()),
    )


def _ended_page(request, outcome: RecoveryOutcome, user_id: str):
    """The flow was refused at its last step: the lock page, or the start page saying why."""
    if outcome is RecoveryOutcome.ACCOUNT_LOCKED:
        return lock_page(request, Outcome.ACCOUNT_LOCKED, user_id=user_id)
    return _start_page(request, outcome=outcome.page)


def recovery_step(stage: Stage):
    """Open a page of the flow only when it is the current one; expired flows start again."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request):
            state = RecoveryState.load(request.session)
            if state is None:
                return redirect("recover")
            policy = current_policy()
            current = recovery.current_stage(
                state,
                timeutil.now().timestamp(),
                questions_seconds=policy.session_idle_seconds,
                reset_seconds=policy.recovery_reset_seconds,
            )
            if current is None:
                RecoveryState.clear(request.session)
                messages.info(request, _("This page has expired. Please start again."))
                return redirect("recover")
            if current is not stage:
                if current is Stage.QUESTIONS:
                    return redirect(_proof_url_name(policy))
                return redirect(current.url_name)
            return view(request, state)

        return require_http_methods(["GET", "POST"])(wrapper)

    return decorate


@require_http_methods(["GET", "POST"])
def recover_start(request):
    if request.method == "POST":
        form = RecoverStartForm(request.POST)
        if form.is_valid():
            state = recovery.begin_recovery(request, form.cleaned_data["user_id"])
            policy = current_policy()
            if not policy.offers(RecoveryMethod.QUESTIONS):
                # The mailed code is the only way: it is sent at once.
                return _send_code(request, state)
            return redirect(Stage.QUESTIONS.url_name)
        return _start_page(request, form)
    return _start_page(request)


def _proved(request, state: RecoveryState, account, *, by_code: bool = False):
    """Step 2 passed: on to the second factor when the account has one, else the password."""
    mailed = MailedCode.of_flow(request.session, state) if by_code else None
    request.session.cycle_key()
    state.answered_at = timeutil.now().timestamp()
    # An account with a second factor shows it too before choosing a password.
    state.factor_needed = factor_follows(account)
    state.save(request.session)
    if mailed is not None:
        mailed.proved = True
        mailed.save(request.session)
    return redirect(Stage.FACTOR.url_name if state.factor_needed else Stage.PASSWORD.url_name)


def _proved_by_code(request, state: RecoveryState) -> bool:
    mailed = MailedCode.of_flow(request.session, state)
    return mailed is not None and mailed.proved


@recovery_step(Stage.QUESTIONS)
def recover_questions(request, state: RecoveryState):
    policy = current_policy()
    if not policy.offers(RecoveryMethod.QUESTIONS):
        return redirect("recover-email")
    if request.method == "GET" and recovery.is_recovery_locked(state.user_id):
        return lock_page(request, Outcome.ACCOUNT_LOCKED, user_id=state.user_id)
    questions = recovery.load_challenge(state.user_id).questions
    form = RecoveryAnswersForm(posted(request), questions=questions)
    outcome, tries_left = None, ""
    if request.method == "POST" and form.is_valid():
        # Charged before anything is checked, like the ID's lock; given back unless it fails.
        throttle, address, refused = _charge_address(request)
        if refused is not None:
            return refused
        result = recovery.check_recovery_answers(
            state.user_id, form.answers(), policy, request=request
        )
        if result.outcome not in (RecoveryOutcome.INVALID, RecoveryOutcome.ACCOUNT_LOCKED):
            throttle.refund(address)
        if result.outcome is RecoveryOutcome.ANSWERS_OK:
            return _proved(request, state, result.account)
        if result.outcome is RecoveryOutcome.NOT_ELIGIBLE:
            RecoveryState.clear(request.session)
            return _start_page(request, outcome=Outcome.LOGIN_NOT_ELIGIBLE)
        if result.outcome is RecoveryOutcome.ACCOUNT_LOCKED:
            # No step and no questions any more: only what the person can do now.
            return lock_page(request, Outcome.ACCOUNT_LOCKED, user_id=state.user_id)
        outcome = result.outcome.page
        if result.tries_left:
            tries_left = recovery_tries_left_message(result.tries_left)
        # Answers are never sent back to the page.
        form = RecoveryAnswersForm(questions=questions)
    return _render(
        request,
        "accounts/recover_questions.html",
        form,
        outcome,
        step_number=Stage.QUESTIONS.number,
        tries_left=tries_left,
        **_methods(policy),
    )


def email_offered(view):
    """The mailed-code page exists only where the operator offers it."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not current_policy().offers(RecoveryMethod.EMAIL):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _send_code(request, state: RecoveryState):
    """Mail a code for the flow's ID (again, when one was sent), then show the code page.

    The same for every ID: the code goes only to a verified address, and the page says so.
    """
    if recovery.is_recovery_locked(state.user_id):
        return lock_page(request, Outcome.ACCOUNT_LOCKED, user_id=state.user_id)
    retry_after = email_codes.send_throttle().charge(client_ip(request) or "unknown")
    if retry_after is not None:
        return throttled_response(request, retry_after)
    mailed = MailedCode.of_flow(request.session, state)
    record = email_codes.current_code(mailed.code_id) if mailed is not None else None
    language = request.LANGUAGE_CODE
    if record is not None:
        if mailed_codes.send_recovery_code_again(record, language=language, request=request):
            messages.info(
                request,
                _(
                    "If this User ID has a verified e-mail address, a new code is on its way "
                    "to it. Earlier codes no longer work."
                ),
            )
            return redirect("recover-email")
    else:
        record = mailed_codes.send_recovery_code(state.user_id, language=language, request=request)
        if record is not None:
            MailedCode(user_id=state.user_id, started_at=state.started_at, code_id=record.pk).save(
                request.session
            )
            return redirect("recover-email")
    messages.info(
        request,
        _("No new code can be sent right now. Wait a few minutes, or use the last code sent."),
    )
    return redirect("recover-email")


@email_offered
@recovery_step(Stage.QUESTIONS)
def recover_email(request, state: RecoveryState):
    policy = current_policy()
    if request.method == "POST" and "send" in request.POST:
        return _send_code(request, state)
    if request.method == "GET" and recovery.is_recovery_locked(state.user_id):
        return lock_page(request, Outcome.ACCOUNT_LOCKED, user_id=state.user_id)
    mailed = MailedCode.of_flow(request.session, state)
    if mailed is None:
        if request.method == "POST":
            return redirect("recover-email")  # no code was asked for: nothing to check
        return _render(
            request,
            "accounts/recover_email.html",
            None,
            step_number=Stage.QUESTIONS.number,
            **_methods(policy),
        )
    form = RecoveryCodeForm(posted(request))
    outcome, tries_left = None, ""
    if request.method == "POST" and form.is_valid():
        # Charged before anything is checked, like the ID's lock; given back unless it fails.
        throttle, address, refused = _charge_address(request)
        if refused is not None:
            return refused
        result = recovery.check_recovery_code(
            state.user_id, mailed.code_id, form.cleaned_data["code"], policy, request=request
        )
        if result.outcome not in (RecoveryOutcome.CODE_INVALID, RecoveryOutcome.ACCOUNT_LOCKED):
            throttle.refund(address)
        if result.outcome is RecoveryOutcome.CODE_OK:
            return _proved(request, state, result.account, by_code=True)
        if result.outcome is RecoveryOutcome.NOT_ELIGIBLE:
            RecoveryState.clear(request.session)
            return _start_page(request, outcome=Outcome.LOGIN_NOT_ELIGIBLE)
        if result.outcome is RecoveryOutcome.ACCOUNT_LOCKED:
            return lock_page(request, Outcome.ACCOUNT_LOCKED, user_id=state.user_id)
        outcome = result.outcome.page
        if result.outcome is RecoveryOutcome.CODE_INVALID and result.tries_left:
            tries_left = recovery_tries_left_message(result.tries_left)
        form = RecoveryCodeForm()
    return _render(
        request,
        "accounts/recover_email.html",
        form,
        outcome,
        step_number=Stage.QUESTIONS.number,
        tries_left=tries_left,
        code_sent=True,
        **_methods(policy),
    )


@recovery_step(Stage.FACTOR)
def recover_factor(request, state: RecoveryState):
    account = recovery.account_for_reset(state.user_id)
    if account is None:
        RecoveryState.clear(request.session)
        return redirect("recover")
    policy = current_policy()
    outcome = message = None
    with_passkey = request.method == "POST" and "credential" in request.POST
    form = LoginCodeForm(posted(request) if not with_passkey else None)
    verify = None
    if with_passkey:
        answer = PasskeyAnswerForm(request.POST)
        if answer.is_valid():
            credential = answer.cleaned_data["credential"]

            def verify(owner):
                try:
                    passkeys.verify_assertion(request, owner, credential, passkeys.Ceremony.RECOVER)
                except passkeys.Refused:
                    return False
                return True
        else:
            outcome, message = Outcome.FORM_INVALID, no_passkey_message()
    elif request.method == "POST":
        if form.is_valid():
            typed = form.cleaned_data["code"]

            def verify(owner):
                return bool(factor_service.matching_method(owner, typed))
        else:
            outcome, message = Outcome.FORM_INVALID, FORM_INVALID_MESSAGE
    if verify is not None:
        refusal = recovery.check_recovery_factor(state.user_id, verify, policy, request=request)
        if refusal is None:
            state.factor_at = timeutil.now().timestamp()
            state.save(request.session)
            return redirect(Stage.PASSWORD.url_name)
        if refusal is not RecoveryOutcome.INVALID:
            RecoveryState.clear(request.session)
            if refusal is RecoveryOutcome.GONE:
                return redirect("recover")
            return _start_page(request, outcome=refusal.page)
        outcome = Outcome.CODE_INVALID
        message = _(
            "That code or passkey is not right. After %(max)s failed attempts in a row, your "
            "account is locked until the help desk unlocks it."
        ) % {"max": policy.max_recovery_failures}
        form = LoginCodeForm()
    has_passkey = factor_service.passkeys_of(account).exists()
    return render_form(
        request,
        "accounts/recover_factor.html",
        form,
        outcome=outcome,
        message=message or "",
        total_steps=recovery.TOTAL_STEPS,
        step_number=Stage.FACTOR.number,
        by_code=_proved_by_code(request, state),
        has_app=factor_service.factors_of(account).exists(),
        passkey_options=passkeys.authentication_options(request, account, passkeys.Ceremony.RECOVER)
        if has_passkey
        else None,
    )


@recovery_step(Stage.PASSWORD)
def recover_password(request, state: RecoveryState):
    account = recovery.account_for_reset(state.user_id)
    if account is None:
        RecoveryState.clear(request.session)
        return redirect("recover")
    policy = current_policy()
    refusal = []

    def is_current(password: str) -> bool:
        outcome = recovery.check_same_as_current(state.user_id, password, policy, request=request)
        if outcome is not None:
            refusal.append(outcome)
        return outcome is not None

    form = NewPasswordForm(
        posted(request),
        policy=policy.password_policy,
        user_id=account.user_id,
        pin=pin_of(account.person),
        is_current=is_current,
    )
    valid = request.method == "POST" and form.is_valid()
    if refusal and refusal[0] is not RecoveryOutcome.INVALID:
        # Locked by this try or before it: the flow ends as a refused reset does.
        RecoveryState.clear(request.session)
        if refusal[0] is RecoveryOutcome.GONE:
            return redirect("recover")
        return _ended_page(request, refusal[0], state.user_id)
    if valid:
        if request.user.is_authenticated and request.user.pk == account.pk:
            # This browser is one of the sessions about to end: leave it cleanly first.
            sessions.end_current_session(request)
        result = recovery.reset_password(
            state.user_id,
            form.cleaned_data["new_password"],
            request=request,
            method=RecoveryMethod.EMAIL
            if _proved_by_code(request, state)
            else RecoveryMethod.QUESTIONS,
        )
        if result.outcome is RecoveryOutcome.RESET:
            state.done = True
            state.save(request.session)
            return redirect(Stage.DONE.url_name)
        RecoveryState.clear(request.session)
        if result.outcome is RecoveryOutcome.GONE:
            return redirect("recover")
        return _ended_page(request, result.outcome, state.user_id)
    return _render(
        request,
        "accounts/recover_password.html",
        form,
        step_number=Stage.PASSWORD.number,
        reset_minutes=max(1, current_policy().recovery_reset_seconds // 60),
        username=account.user_id,
        by_code=_proved_by_code(request, state),
    )


@recovery_step(Stage.DONE)
def recover_done(request, state: RecoveryState):
    RecoveryState.clear(request.session)
    return _render(request, "accounts/recover_done.html", None, step_number=Stage.DONE.number)
