"""Login, logout, home and the registration wizard: parse, call one service, render."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from staffgate.accounts import registration, sessions
from staffgate.accounts.forms import (
    ContactForm,
    LoginForm,
    NewPasswordForm,
    QuestionsForm,
    TermsForm,
)
from staffgate.accounts.login import Entry, LoginOutcome
from staffgate.accounts.policy import current_policy
from staffgate.accounts.registration import RegistrationError, RegistrationState, Stage
from staffgate.accounts.services import email_in_use
from staffgate.audit.services import client_ip, record_event
from staffgate.audit.tags import EventTag
from staffgate.core import language, timeutil
from staffgate.core.mail import mail_account
from staffgate.core.outcomes import Outcome
from staffgate.core.throttle import Throttle
from staffgate.core.views import (
    FORM_INVALID_MESSAGE,
    posted,
    render_form,
    safe_next,
    throttled_response,
)
from staffgate.roster.models import Person
from staffgate.roster.pin import pin_of


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


def login_throttle() -> Throttle:
    return Throttle(
        "login", settings.STAFFGATE_IP_MAX_FAILURES, settings.STAFFGATE_IP_WINDOW_SECONDS
    )


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


@require_http_methods(["GET", "POST"])
def login_view(request):
    if signed_in_employee(request) and request.method == "GET":
        return redirect("home")
    outcome = None
    if request.session_ended:
        outcome = Outcome.SESSION_ENDED
    if request.method == "POST":
        throttle = login_throttle()
        address = client_ip(request) or "unknown"
        retry_after = throttle.retry_after(address)
        if retry_after is not None:
            return throttled_response(request, retry_after)
        form = LoginForm(request.POST)
        if form.is_valid():
            chosen = form.cleaned_data.get("language")
            if language.supported(chosen):
                request.session[language.SESSION_KEY] = chosen
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
            account = authenticate(
                request,
                username=form.cleaned_data["user_id"],
                password=form.cleaned_data["password"],
                entry=Entry.PORTAL,
            )
            result = request.login_result
            if account is not None and account.is_employee:
                sessions.log_in(request, account)
                return HttpResponseRedirect(safe_next(request) or reverse("home"))
            if result.outcome is LoginOutcome.START_REGISTRATION:
                registration.begin_registration(request, result.person)
                return redirect(Stage.TERMS.url_name)
            # A staff account signs in at the help desk: here it has no access.
            outcome = result.outcome.page or Outcome.LOGIN_NOT_ELIGIBLE
            if outcome in (Outcome.LOGIN_INVALID, Outcome.LOGIN_LOCKED, Outcome.ACCOUNT_LOCKED):
                throttle.hit(address)
        else:
            outcome = Outcome.FORM_INVALID
    else:
        form = LoginForm(initial={"language": request.LANGUAGE_CODE})
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "outcome": outcome,
            "message": outcome_message(outcome) if outcome else "",
            "next": safe_next(request) or "",
        },
    )


@require_POST
def logout_view(request):
    if signed_in_employee(request):
        record_event(
            EventTag.Account.LOGOUT,
            request=request,
            user_id=request.user.user_id,
            outcome="logged_out",
        )
    sessions.end_current_session(request)
    messages.info(request, outcome_message(Outcome.LOGGED_OUT))
    return redirect("login")


@employee_required
def home_view(request):
    return render(
        request,
        "accounts/home.html",
        {
            "person": request.user.person,
            "last_login": request.user.previous_login_at,
            "links": settings.STAFFGATE_APP_LINKS,
        },
    )


# --- Registration wizard -------------------------------------------------------------------


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
            if state.stage is not stage:
                return redirect(state.stage.url_name)
            return view(request, state)

        return require_http_methods(["GET", "POST"])(wrapper)

    return decorate


def _render_step(request, state: RegistrationState, template: str, form, **extra):
    return render_form(
        request,
        template,
        form,
        stage=state.stage,
        step_number=state.stage.number,
        total_steps=registration.TOTAL_STEPS,
        **extra,
    )


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
        form = ContactForm(request.POST, email_taken=email_in_use)
        if form.is_valid():
            state.email = form.cleaned_data["email"]
            state.app_id = form.cleaned_data["app_id"]
            state.complete(Stage.CONTACT)
            state.save(request.session)
            return redirect(state.stage.url_name)
    else:
        person = Person.objects.filter(pk=state.person_pk).only("email").first()
        initial = {"email": person.email} if person and person.email else {}
        form = ContactForm(initial=initial)
    return _render_step(request, state, "accounts/register_contact.html", form)


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
        sessions.log_in(request, account)
        mail_account(account, "registration_completed")
        messages.success(request, _("Welcome! Your registration is complete."))
        return redirect("home")
    return _render_step(request, state, "accounts/register_password.html", form)
