"""The registration wizard's pages: parse, call one service, render."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from staffgate.accounts import sessions
from staffgate.accounts.forms import ContactForm, NewPasswordForm, QuestionsForm
from staffgate.accounts.pages import outcome_message
from staffgate.accounts.policy import current_policy
from staffgate.accounts.registration import service as registration
from staffgate.accounts.registration.forms import TermsForm
from staffgate.accounts.registration.service import RegistrationError, RegistrationState, Stage
from staffgate.audit.services import client_ip, record_event
from staffgate.audit.tags import EventTag
from staffgate.core import language, timeutil
from staffgate.core.mail import mail_account
from staffgate.core.outcomes import Outcome
from staffgate.core.views import posted, render_form, throttled_response
from staffgate.factors import email_codes
from staffgate.factors.email_pages import expired_message, handle_code_page, verified_message
from staffgate.factors.enrolment import (
    REGISTERING_KEY,
    REGISTERING_NEXT_KEY,
    enrolment_required,
)
from staffgate.factors.policy import Mode, current_mode
from staffgate.oidc import views as sso
from staffgate.roster.models import Person
from staffgate.roster.pin import pin_of


def wizard_step(stage: Stage):
    """Open a wizard step only when it is the current one; otherwise go where the person is."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request):
            state = RegistrationState.load(request.session)
            policy = current_policy()
            if state is not None and (
                timeutil.now().timestamp() - state.started_at > policy.session_idle_seconds
            ):
                registration.abandon_registration(request.session)
                state = None
                request.session_ended = True
            if state is None:
                return redirect("login")
            if state.stage is not stage and request.method == "GET" and stage.value in state.done:
                # A Back link: the step opens again, and the later ones are to be done again.
                state.go_back_to(stage)
                state.save(request.session)
            if state.stage is not stage:
                return redirect(state.stage.url_name)
            return view(request, state)

        return require_http_methods(["GET", "POST"])(wrapper)

    return decorate


def step_context(state: RegistrationState) -> dict:
    """The step's number among the visible ones, and where its Back link leads."""
    previous = state.stage.previous
    return {
        "stage": state.stage,
        "step_number": state.stage.number,
        "total_steps": registration.total_steps(factor_step=current_mode() is Mode.REQUIRED),
        "back_link": reverse(previous.url_name if previous else "login"),
    }


def _render_step(request, state: RegistrationState, template: str, form, **extra):
    response = render_form(request, template, form, **step_context(state), **extra)
    # The last step's answer may go on to the app the person came from.
    return sso.let_form_continue_to_app(response, registration.next_url(request.session))


@wizard_step(Stage.TERMS)
def register_terms(request, state: RegistrationState):
    form = TermsForm(posted(request))
    if request.method == "POST":
        decision = form.decision()
        if decision == "decline":
            record_event(
                EventTag.Account.REGISTER_DECLINED,
                request=request,
                user_id=state.user_id,
                outcome="declined",
            )
            language_code = request.session.get(language.SESSION_KEY)
            request.session.flush()
            if language_code:
                request.session[language.SESSION_KEY] = language_code
            messages.info(request, outcome_message(Outcome.REGISTRATION_DECLINED))
            return redirect("login")
        if decision == "agree":
            state.terms_version = current_policy().terms_version
            state.complete(Stage.TERMS)
            state.save(request.session)
            return redirect(state.stage.url_name)
    return _render_step(
        request,
        state,
        "accounts/register_terms.html",
        form,
        terms_version=current_policy().terms_version,
    )


@wizard_step(Stage.CONTACT)
def register_contact(request, state: RegistrationState):
    if request.method == "POST":
        # Whether the address is another account's is not said here: the code goes to the
        # address, or, when another account has proved it, its owner is told instead.
        form = ContactForm(request.POST)
        if form.is_valid():
            retry_after = email_codes.send_throttle().charge(client_ip(request) or "unknown")
            if retry_after is not None:
                return throttled_response(request, retry_after)
            state.email = form.cleaned_data["email"]
            state.app_id = form.cleaned_data["app_id"]
            if state.verified_email and state.email.casefold() == state.verified_email.casefold():
                # Back to this step and on again with the address already confirmed.
                state.complete(Stage.CONTACT)
                state.complete(Stage.VERIFY_EMAIL)
                state.save(request.session)
                return redirect(state.stage.url_name)
            state.email_code = email_codes.send_code(
                state.user_id,
                state.email,
                email_codes.Purpose.REGISTER,
                language=request.LANGUAGE_CODE,
            ).pk
            state.complete(Stage.CONTACT)
            state.save(request.session)
            return redirect(state.stage.url_name)
    elif state.email:
        form = ContactForm(
            initial={"email": state.email, "email_confirm": state.email, "app_id": state.app_id}
        )
    else:
        person = Person.objects.filter(pk=state.person_pk).only("email").first()
        initial = {"email": person.email} if person and person.email else {}
        form = ContactForm(initial=initial)
    return _render_step(request, state, "accounts/register_contact.html", form)


@wizard_step(Stage.VERIFY_EMAIL)
def register_verify_email(request, state: RegistrationState):
    record = email_codes.current_code(state.email_code)
    if record is not None and record.subject != state.user_id:
        record = None
    extra = {**step_context(state), "action": reverse(Stage.VERIFY_EMAIL.url_name)}
    result = handle_code_page(
        request, record, template="accounts/register_verify_email.html", context=extra
    )
    if result.response is not None:
        return result.response
    state.email_code = None
    if result.expired:
        # A new code means the contact step again.
        state.done = [Stage.TERMS.value]
        state.save(request.session)
        outcome, message = Outcome.CODE_EXPIRED, expired_message()
        extra["back_url"] = reverse(Stage.CONTACT.url_name)
    else:
        state.verified_email = record.address
        state.complete(Stage.VERIFY_EMAIL)
        state.save(request.session)
        outcome, message = Outcome.EMAIL_VERIFIED, verified_message()
        extra["next_url"] = reverse(state.stage.url_name)
    return render(
        request,
        "accounts/register_verify_email.html",
        {"outcome": outcome, "message": message, "form": None, **extra},
    )


@wizard_step(Stage.QUESTIONS)
def register_questions(request, state: RegistrationState):
    form = QuestionsForm(posted(request))
    if request.method == "POST" and form.is_valid():
        state.answers = registration.hash_answers(form.pairs())
        state.complete(Stage.QUESTIONS)
        state.save(request.session)
        return redirect(state.stage.url_name)
    return _render_step(request, state, "accounts/register_questions.html", form)


@wizard_step(Stage.PASSWORD)
def register_password(request, state: RegistrationState):
    policy = current_policy()
    person = Person.objects.filter(pk=state.person_pk).first()
    if person is None:
        registration.abandon_registration(request.session)
        return redirect("login")
    form = NewPasswordForm(
        posted(request),
        policy=policy.password_policy,
        user_id=state.user_id,
        pin=pin_of(person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            account = registration.complete_registration(
                state,
                form.cleaned_data["new_password"],
                request.LANGUAGE_CODE,
                policy,
                request=request,
            )
        except RegistrationError as error:
            if error.code == "email.taken":
                # Someone took the address meanwhile: back to the contact step.
                state.done = [Stage.TERMS.value]
                state.save(request.session)
                return redirect(Stage.CONTACT.url_name)
            registration.abandon_registration(request.session)
            return redirect("login")
        registration.abandon_registration(request.session)
        next_url = registration.pop_next_url(request.session)
        sessions.log_in(request, account)
        mail_account(account, "registration_completed")
        if enrolment_required(account):
            # Second factors are required: the wizard's last step adds one.
            request.session[REGISTERING_KEY] = True
            if next_url:
                request.session[REGISTERING_NEXT_KEY] = next_url
            return redirect("register-factor")
        messages.success(request, _("Welcome! Your registration is complete."))
        return redirect(next_url or "home")
    # The ID beside the new password, for password managers to save them together.
    return _render_step(
        request, state, "accounts/register_password.html", form, username=state.user_id
    )
