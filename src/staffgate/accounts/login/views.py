"""The login pages, logout and the home page: parse, call the one backend, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from staffgate.accounts import sessions
from staffgate.accounts.login.forms import AgentLoginForm, LoginForm
from staffgate.accounts.login.service import Entry, LoginOutcome
from staffgate.accounts.pages import (
    employee_required,
    lock_page,
    login_tries_left_message,
    outcome_message,
    signed_in_employee,
)
from staffgate.accounts.policy import current_policy
from staffgate.accounts.registration import service as registration
from staffgate.accounts.registration.service import Stage
from staffgate.audit.services import client_ip, record_event
from staffgate.audit.tags import EventTag
from staffgate.core import language
from staffgate.core.outcomes import Outcome
from staffgate.core.throttle import Throttle
from staffgate.core.views import FORM_INVALID_MESSAGE, safe_next, throttled_response
from staffgate.factors import login as second_step
from staffgate.factors.methods import PASSWORD
from staffgate.helpdesk import services as helpdesk
from staffgate.oidc import registry
from staffgate.oidc import views as sso

# What the per-address throttle counts: everything else is given back.
FAILURES = (LoginOutcome.INVALID, LoginOutcome.LOCKED, LoginOutcome.ACCOUNT_LOCKED)


def login_throttle() -> Throttle:
    return Throttle(
        "login", settings.STAFFGATE_IP_MAX_FAILURES, settings.STAFFGATE_IP_WINDOW_SECONDS
    )


@require_http_methods(["GET", "POST"])
def login_view(request):
    if (
        signed_in_employee(request)
        and request.method == "GET"
        and not sso.reauthentication_asked(request)
    ):
        return redirect("home")
    outcome, tries_left = None, ""
    if request.session_ended:
        outcome = Outcome.SESSION_ENDED
    if request.method == "POST":
        throttle = login_throttle()
        address = client_ip(request) or "unknown"
        form = LoginForm(request.POST)
        if form.is_valid():
            # Charged before the hash, like the ID's lock: parallel failures cannot overshoot.
            retry_after = throttle.charge(address)
            if retry_after is not None:
                return throttled_response(request, retry_after)
            chosen = form.cleaned_data.get("language")
            if language.supported(chosen):
                request.session[language.SESSION_KEY] = chosen
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
            signed_in = []

            def accepted(result) -> None:
                # A right secret: the session starts in the transaction that clears the ID's
                # failures (one commit for the whole login).
                account = result.account
                if result.outcome is LoginOutcome.SIGNED_IN and account.is_employee:
                    next_url = safe_next(request) or reverse("home")
                    signed_in.append(second_step.sign_in(request, account, next_url=next_url))

            authenticate(
                request,
                username=form.cleaned_data["user_id"],
                password=form.cleaned_data["password"],
                entry=Entry.PORTAL,
                then=accepted,
            )
            result = request.login_result
            if result.outcome not in FAILURES:
                # The address's attempt is given back after that commit, not inside it: every
                # login from one address (an office behind one router) updates the same
                # counter, whose row would otherwise stay locked until each login commits.
                throttle.refund(address)
            if signed_in:
                return signed_in[0]
            if result.outcome is LoginOutcome.START_REGISTRATION:
                registration.begin_registration(request, result.person, next_url=safe_next(request))
                return redirect(Stage.TERMS.url_name)
            # A staff account signs in at the help desk: here it has no access.
            outcome = result.outcome.page or Outcome.LOGIN_NOT_ELIGIBLE
            if outcome is Outcome.LOGIN_NOT_ELIGIBLE and sso.opens_app(safe_next(request)):
                return sso.not_eligible_response(request, result.account)
            if outcome in (Outcome.LOGIN_LOCKED, Outcome.ACCOUNT_LOCKED):
                return lock_page(
                    request, outcome, user_id=result.user_id, locked_until=result.locked_until
                )
            if result.tries_left:
                tries_left = login_tries_left_message(result.tries_left)
        else:
            outcome = Outcome.FORM_INVALID
    else:
        form = LoginForm(initial={"language": request.LANGUAGE_CODE})
    response = render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "outcome": outcome,
            "message": outcome_message(outcome) if outcome else "",
            "next": safe_next(request) or "",
            "tries_left": tries_left,
        },
    )
    return sso.let_form_continue_to_app(response, safe_next(request))


@require_http_methods(["GET", "HEAD"])
def pin_help_view(request):
    """How the registration PIN is made: public on the employer's portal, unless turned off."""
    if not settings.STAFFGATE_PIN_HELP:
        raise Http404
    return render(request, "accounts/pin_help.html")


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
            "apps": registry.apps_for(request.user),
        },
    )


# --- The help desk's login: the same backend and lock, its own page and audit tags ----------


@require_http_methods(["GET", "POST"])
def agent_login_view(request):
    if request.method == "GET" and helpdesk.is_agent(request.user):
        return redirect("helpdesk-queue")
    outcome = message = None
    if request.method == "POST":
        form = AgentLoginForm(request.POST)
        if form.is_valid():
            # The same per-address throttle as the portal's login, charged before the hash.
            throttle, address = login_throttle(), client_ip(request) or "unknown"
            retry_after = throttle.charge(address)
            if retry_after is not None:
                return throttled_response(request, retry_after)
            outcome, message = _log_agent_in(request, form.cleaned_data)
            if request.login_result.outcome not in FAILURES:
                throttle.refund(address)
            if outcome is None and second_step.PendingLogin.load(request.session):
                return redirect("login-verify")
            if outcome is None:
                return HttpResponseRedirect(
                    safe_next(request, within="/helpdesk/") or reverse("helpdesk-queue")
                )
        else:
            outcome, message = Outcome.FORM_INVALID, FORM_INVALID_MESSAGE
    else:
        form = AgentLoginForm()
    return render(
        request,
        "helpdesk/login.html",
        {
            "form": form,
            "outcome": outcome,
            "message": message,
            "next": safe_next(request, within="/helpdesk/") or "",
        },
    )


def _log_agent_in(request, data) -> tuple[Outcome | None, str | None]:
    """Log the agent in, or say why not; (None, None) on success."""
    policy = current_policy()
    user = authenticate(
        request, username=data["username"], password=data["password"], entry=Entry.HELPDESK
    )
    result = request.login_result
    if result.outcome in (LoginOutcome.LOCKED, LoginOutcome.ACCOUNT_LOCKED):
        return Outcome.LOGIN_LOCKED, _(
            "Too many failed attempts. Sign-in is locked for %(minutes)s minutes; try again later."
        ) % {"minutes": max(1, policy.lock_seconds // 60)}
    if result.outcome is LoginOutcome.INVALID:
        return Outcome.LOGIN_INVALID, _("The username or password is not correct.")
    if user is None or not helpdesk.is_agent(user):
        record_event(
            EventTag.Helpdesk.LOGIN_DENIED,
            request=request,
            actor=helpdesk.actor_of(user) if user is not None and not user.is_employee else "",
            user_id=result.user_id if user is None or user.is_employee else "",
            outcome="not_agent",
        )
        return Outcome.LOGIN_NOT_ELIGIBLE, _("This account may not use the help desk.")
    next_url = safe_next(request, within="/helpdesk/") or reverse("helpdesk-queue")
    if second_step.begin_if_needed(request, user, next_url=next_url, entry=second_step.HELPDESK):
        return None, None
    sessions.log_in(request, user, methods=[PASSWORD])  # rotates the session key
    record_event(
        EventTag.Helpdesk.LOGIN_SUCCESS,
        request=request,
        actor=helpdesk.actor_of(user),
        outcome="signed_in",
    )
    return None, None


@require_POST
def agent_logout_view(request):
    # Only a staff session is ended here; an employee's is left alone.
    if request.user.is_authenticated and not request.user.is_employee:
        record_event(
            EventTag.Helpdesk.LOGOUT,
            request=request,
            actor=helpdesk.actor_of(request.user),
            outcome="logged_out",
        )
        sessions.end_current_session(request)
    messages.info(request, _("You have logged out."))
    return redirect("helpdesk-login")
