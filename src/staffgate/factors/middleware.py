"""Accounts that must have a second factor reach nothing but its enrolment until they do."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from staffgate.factors import methods
from staffgate.factors.enrolment import ENROLMENT_NEXT_KEY, REGISTERING_KEY, enrolment_required

# Pages open to someone who must enrol first: enrolment itself and the ways out.
OPEN_URL_NAMES = frozenset(
    {
        "profile-factors-totp",
        "profile-factors-passkey",
        "register-factor",
        "register-factor-passkey",
        "logout",
        "helpdesk-logout",
        "login",
        "healthz",
        "help",
    }
)


def must_enrol(request) -> bool:
    """True when the signed-in account must enrol a second factor before anything else."""
    user = request.user
    return (
        user.is_authenticated
        and not methods.used_second_factor(request.session)
        and enrolment_required(user)
    )


def must_confirm_email(request) -> bool:
    """True when the signed-in employee must first prove the address kept from before."""
    from staffgate.accounts.profile.service import needs_email_confirmed

    return request.user.is_authenticated and needs_email_confirmed(request.user)


def app_asks_for_no_interaction(request) -> bool:
    """An app's authorization request with ``prompt=none``: it answers the app itself
    (``interaction_required``) instead of being sent to a page."""
    match = request.resolver_match
    return (
        match is not None
        and match.url_name == "authorize"
        and "none" in request.GET.get("prompt", "").split()
    )


class FactorEnrolmentMiddleware:
    """After the session limits: a signed-in account without a required factor enrols first.

    Help-desk agents and superusers always need one; employees when ``STAFFGATE_MFA`` is
    ``required``. A session whose login passed a factor needs no look-up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_URL_NAMES:
            return None
        if app_asks_for_no_interaction(request) or not must_enrol(request):
            return None
        if request.user.is_employee and request.session.get(REGISTERING_KEY):
            return redirect("register-factor")
        remember_page_asked_for(request)
        return redirect("profile-factors-totp")


def remember_page_asked_for(request) -> None:
    """Keep the page a GET asked for, for the way on once the factor is added."""
    target = request.get_full_path()
    if request.method in ("GET", "HEAD") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[ENROLMENT_NEXT_KEY] = target


# Pages open to someone who must first confirm the address kept from before e-mail codes:
# the step itself, the way to give another address instead, and the ways out.
EMAIL_OPEN_URL_NAMES = OPEN_URL_NAMES | {
    "login-verify-email",
    "profile-email",
    "profile-email-verify",
    "readyz",
    "rp-initiated-logout",
}


class EmailConfirmationMiddleware:
    """After factor enrolment: an employee whose address was never proved with a code is
    asked for one before anything else, then continues to the page they asked for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not must_confirm_email(request):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in EMAIL_OPEN_URL_NAMES:
            return None
        if app_asks_for_no_interaction(request):
            return None
        target = reverse("login-verify-email")
        if request.method in ("GET", "HEAD"):
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return redirect(target)
