"""The provider's pages: django-oauth-toolkit's endpoints with the portal's rules on top."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import views as dot
from oauth2_provider.exceptions import FatalClientError, InvalidOIDCClientError, OAuthToolkitError
from oauth2_provider.models import get_access_token_model, get_application_model
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2.rfc6749.errors import InvalidClientIdError

from staffgate.accounts import sessions
from staffgate.accounts.models import AccountSession
from staffgate.accounts.pages import signed_in_employee
from staffgate.audit.services import client_ip, record_event
from staffgate.audit.tags import EventTag
from staffgate.core import language
from staffgate.core.middleware import public_for
from staffgate.core.outcomes import Outcome
from staffgate.core.throttle import Throttle
from staffgate.factors.enrolment import factor_follows
from staffgate.factors.methods import amr_for
from staffgate.factors.middleware import must_confirm_email, must_enrol
from staffgate.oidc import access, claims
from staffgate.oidc.logout import sid_of_session
from staffgate.oidc.validators import auth_time_of

DISCOVERY_MAX_AGE = 3600
# Set when an app asked for a fresh login: the login page then asks a signed-in person too.
REAUTHENTICATE_KEY = "staffgate.oidc.reauthenticate"


def scope_descriptions() -> dict[str, str]:
    """What each scope lets an app see, in the active language."""
    return {
        "openid": _("Know that it is you, with an identifier of its own"),
        "profile": _("Your name and your language"),
        "email": _("Your e-mail address"),
        "employee": _("Your Employee ID, status, country and the date your access ends"),
    }


def not_eligible_response(request, account=None, *, app_name: str = ""):
    """The page for a person the roster does not let into apps now, in their language."""
    chosen = account.language if account is not None else None
    if language.supported(chosen):
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
    record_event(
        EventTag.Sso.NOT_ELIGIBLE,
        request=request,
        user_id=account.user_id if account is not None else "",
        outcome="authorize_refused",
        detail={"app": app_name} if app_name else None,
    )
    return render(
        request,
        "oidc/not_eligible.html",
        {
            "outcome": Outcome.SSO_NOT_ELIGIBLE,
            "message": _(
                "You do not have access to the employer's applications at this time. "
                "If you think this is a mistake, please contact Human Resources."
            ),
        },
        status=403,
    )


def allow_form_to_lead_to(response, uri: str | None):
    """Let this page's form redirect to ``uri``, an address the app registered: browsers
    apply the policy's form-action to where a form's answer redirects, too."""
    if uri:
        parts = urlsplit(uri)
        if parts.scheme in ("https", "http") and parts.netloc:
            response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
    return response


def prompts_of(request) -> set[str]:
    return set(request.GET.get("prompt", "").split())


def login_is_too_old(request) -> bool:
    """True when the app's ``max_age`` is shorter than the time since the person logged in."""
    try:
        max_age = int(request.GET.get("max_age", ""))
    except ValueError:
        return False
    started = request.session.get(sessions.STARTED_KEY) or 0
    return max_age >= 0 and time.time() - started > max_age


def needs_second_factor(request) -> bool:
    """True when the app prefers a multi-factor sign-in (its first ``acr_values``), this
    session was signed in with a password alone, and the person has a factor to show."""
    wanted = request.GET.get("acr_values", "").split()[:1]
    return (
        wanted == [claims.ACR_MULTI_FACTOR]
        and claims.MULTI_FACTOR not in amr_for(request.session)
        and factor_follows(request.user)
    )


def fresh_login_next(full_path: str) -> str:
    """Where a fresh login goes on to: the same request without what asked for it."""
    parts = urlsplit(full_path)
    kept = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name == "prompt":
            value = " ".join(p for p in value.split() if p != "login")
        if name != "max_age" and not (name == "prompt" and not value):
            kept.append((name, value))
    return parts._replace(query=urlencode(kept)).geturl()


def with_issuer(url: str, issuer: str) -> str:
    """An authorization response to an app, its error responses too, with ``iss``
    (RFC 9207); django-oauth-toolkit adds it to successful ones only."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if "iss" in query or not {"code", "error"} & query.keys():
        return url
    joined = f"{parts.query}&" if parts.query else ""
    return parts._replace(query=joined + urlencode({"iss": issuer})).geturl()


def reauthentication_asked(request) -> bool:
    """True (once) when an app's request sent this signed-in person to log in again."""
    return bool(request.session.pop(REAUTHENTICATE_KEY, False))


class AuthorizeView(dot.AuthorizationView):
    """The authorization endpoint: employees signed in at the portal, and eligible, only."""

    template_name = "oidc/consent.html"

    def dispatch(self, request, *args, **kwargs):
        if not oauth2_settings.OIDC_ENABLED:
            raise Http404
        if not signed_in_employee(request):
            if "none" in prompts_of(request):
                return self.handle_no_permission()  # login_required, to the app
            if request.method == "GET":
                # A request no app could have made is refused now, not after a login.
                try:
                    self.validate_authorization_request(request)
                except OAuthToolkitError as error:
                    return self.error_response(error, application=None)
            # The login to come is fresh: prompt=login and max_age are met by it.
            return redirect_to_login(fresh_login_next(request.get_full_path()), reverse("login"))
        if not access.may_sign_in(request.user):
            return not_eligible_response(request, request.user)
        if "none" in prompts_of(request) and (must_enrol(request) or must_confirm_email(request)):
            # The portal must show a page first (factor enrolment, the address's code).
            return self.answer_the_app("interaction_required")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # prompt=login is django-oauth-toolkit's; an old login or a missing second factor
        # call for the same fresh login, once the request is known to be an app's.
        if "login" not in prompts_of(request) and (
            login_is_too_old(request) or needs_second_factor(request)
        ):
            try:
                self.validate_authorization_request(request)
            except OAuthToolkitError as error:
                return self.error_response(error, application=None)
            if "none" in prompts_of(request):
                return self.handle_no_permission()
            return self.handle_prompt_login()
        return super().get(request, *args, **kwargs)

    def answer_the_app(self, error: str):
        """An OpenID Connect error sent back to the app (``prompt=none``), once the request
        is known to be that app's: an unregistered redirect address gets a page instead."""
        try:
            _scopes, credentials = self.validate_authorization_request(self.request)
        except OAuthToolkitError as refused:
            return self.error_response(refused, application=None)
        application = get_application_model().objects.get(client_id=credentials["client_id"])
        answer = {"error": error}
        if credentials.get("state"):
            answer["state"] = credentials["state"]
        redirect_uri = credentials["redirect_uri"]
        separator = "&" if "?" in redirect_uri else "?"
        return self.redirect(f"{redirect_uri}{separator}{urlencode(answer)}", application)

    def redirect(self, redirect_to, application):
        issuer = oauth2_settings.oidc_issuer(self.request)
        return super().redirect(with_issuer(redirect_to, issuer), application)

    def handle_prompt_login(self):
        """Ask for the password (and the factor) again, then carry on with the request."""
        self.request.session[REAUTHENTICATE_KEY] = True
        return redirect_to_login(fresh_login_next(self.request.get_full_path()), reverse("login"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        descriptions = scope_descriptions()
        context["scope_list"] = [
            descriptions[scope] for scope in context.get("scopes", []) if scope in descriptions
        ]
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        return allow_form_to_lead_to(response, context.get("redirect_uri"))

    def form_valid(self, form):
        client_id = form.cleaned_data.get("client_id", "")
        if not get_application_model().objects.filter(client_id=client_id).exists():
            # A consent form naming no registered app: refused on a page, never redirected.
            return self.error_response(FatalClientError(error=InvalidClientIdError()), None)
        if not form.cleaned_data.get("allow"):
            record_event(
                EventTag.Sso.CONSENT_DENIED,
                request=self.request,
                user_id=self.request.user.user_id,
                outcome="denied",
                detail={"client_id": form.cleaned_data.get("client_id", "")[:100]},
            )
        return super().form_valid(form)

    def create_authorization_response(self, request, scopes, credentials, allow):
        credentials = {
            **credentials,
            "portal_sid": sid_of_session(request.session.session_key),
            "portal_auth_time": auth_time_of(request.session.get(sessions.STARTED_KEY)),
            "portal_amr": amr_for(request.session) or [claims.PASSWORD],
        }
        result = super().create_authorization_response(request, scopes, credentials, allow)
        record_event(
            EventTag.Sso.AUTHORIZED,
            request=request,
            user_id=request.user.user_id,
            outcome="code_issued",
            detail={"client_id": credentials.get("client_id", "")[:100], "scopes": scopes},
        )
        return result


class DiscoveryView(dot.ConnectDiscoveryInfoView):
    """The provider's metadata, saying only what it really supports; cacheable."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data.update(
            {
                "id_token_signing_alg_values_supported": ["RS256"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "response_modes_supported": ["query"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                    "none",
                ],
                "revocation_endpoint": self._get_endpoint_url(request, "revoke-token"),
                "backchannel_logout_supported": True,
                "backchannel_logout_session_supported": True,
                "frontchannel_logout_supported": False,
                "request_parameter_supported": False,
                "request_uri_parameter_supported": False,
                "claims_parameter_supported": False,
                "ui_locales_supported": [code for code, _name in settings.LANGUAGES],
                "acr_values_supported": list(claims.ACR_VALUES),
            }
        )
        data["claims_supported"] = sorted(data["claims_supported"])
        response.content = json.dumps(data).encode()
        return public_for(response, DISCOVERY_MAX_AGE)


class JwksView(dot.JwksInfoView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        return public_for(response, oauth2_settings.OIDC_JWKS_MAX_AGE_SECONDS)


def client_auth_throttle() -> Throttle:
    """Failed client authentications one address may make at the token endpoint."""
    return Throttle(
        "oidc-client", settings.STAFFGATE_IP_MAX_FAILURES, settings.STAFFGATE_IP_WINDOW_SECONDS
    )


@method_decorator(csrf_exempt, name="dispatch")
class TokenView(dot.TokenView):
    """The token endpoint; an address that keeps failing client authentication gets 429."""

    def post(self, request, *args, **kwargs):
        throttle = client_auth_throttle()
        address = client_ip(request) or "unknown"
        retry_after = throttle.retry_after(address)
        if retry_after is not None:
            response = JsonResponse(
                {"error": "slow_down", "error_description": "Too many failed attempts."},
                status=429,
            )
            response["Retry-After"] = str(retry_after)
            return response
        response = super().post(request, *args, **kwargs)
        if response.status_code == 401:
            throttle.hit(address)
        return response

    def authorization_flow_token_response(self, request, *args, **kwargs):
        try:
            return super().authorization_flow_token_response(request, *args, **kwargs)
        except get_access_token_model().DoesNotExist:
            # The tokens just made were revoked before this answer: the same refresh token
            # came again at that moment, which is reuse and revokes the whole family.
            response = JsonResponse(
                {"error": "invalid_grant", "error_description": "The token was revoked."},
                status=400,
            )
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
            return response


@method_decorator(csrf_exempt, name="dispatch")
class UserInfoView(dot.UserInfoView):
    """Userinfo, with the access token in the Authorization header only, never in a URL."""

    def dispatch(self, request, *args, **kwargs):
        if "access_token" in request.GET:
            response = JsonResponse(
                {
                    "error": "invalid_request",
                    "error_description": "Send the access token in the Authorization header.",
                },
                status=400,
            )
            response["WWW-Authenticate"] = 'Bearer error="invalid_request"'
            return response
        return super().dispatch(request, *args, **kwargs)


class LogoutView(dot.RPInitiatedLogoutView):
    """RP-initiated logout: ends the portal session, which signs the person out of every app."""

    template_name = "oidc/logout_confirm.html"

    def get_request_application(self, id_token, client_id):
        try:
            return super().get_request_application(id_token, client_id)
        except get_application_model().DoesNotExist:
            raise InvalidOIDCClientError() from None  # an unknown client_id: a 400 page

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        return allow_form_to_lead_to(response, self.oidc_data.get("post_logout_redirect_uri"))

    def do_logout(
        self, application=None, post_logout_redirect_uri=None, state=None, token_user=None
    ):
        key = self.request.session.session_key
        if signed_in_employee(self.request):
            record_event(
                EventTag.Account.LOGOUT,
                request=self.request,
                user_id=self.request.user.user_id,
                outcome="logged_out",
                detail={"app": application.name} if application else None,
            )
        response = super().do_logout(application, post_logout_redirect_uri, state, token_user)
        if key:
            AccountSession.objects.filter(session_key=key).delete()
        return response


def opens_app(next_url: str | None) -> bool:
    """True when a login page's ``next`` is an app's sign-in request."""
    return bool(next_url) and next_url.startswith(reverse("oauth2_provider:authorize"))


def app_redirect_uri(next_url: str | None) -> str | None:
    """The app address a sign-in request in ``next`` ends at, when the app registered it."""
    if not opens_app(next_url):
        return None
    query = parse_qs(urlsplit(next_url).query)
    client_id = query.get("client_id", [""])[0]
    uri = query.get("redirect_uri", [""])[0]
    application = get_application_model().objects.filter(client_id=client_id).first()
    if application is None or not uri or not application.redirect_uri_allowed(uri):
        return None
    return uri


def let_form_continue_to_app(response, next_url: str | None):
    """A login or registration form whose answer goes on to an app's sign-in: browsers
    apply the page's form-action policy to the whole redirect chain, up to the app."""
    return allow_form_to_lead_to(response, app_redirect_uri(next_url))
