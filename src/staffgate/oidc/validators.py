"""The portal's answers to django-oauth-toolkit: claims, sign-in context, eligibility."""

from __future__ import annotations

import datetime as dt
import hashlib

from oauth2_provider.models import get_refresh_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.core.keys import stored_key
from staffgate.oidc import access, claims
from staffgate.oidc.models import SignIn

SUBJECT_KEY = "oidc-pairwise-subject"
EMPLOYEE_CLAIMS = ("employee_id", "status", "country", "eligible_until")
RELEASED_CLAIMS = (
    "name",
    "given_name",
    "family_name",
    "locale",
    "email",
    "email_verified",
    *EMPLOYEE_CLAIMS,
)
ID_TOKEN_ONLY_CLAIMS = ("auth_time", "amr", "acr", "sid")


class RefreshTokenReused(Exception):
    """A refresh token already rotated by a request running at the same moment."""

    def __init__(self, family):
        super().__init__(family)
        self.family = family


def subject_of(client_id: str, account) -> str:
    """The pairwise ``sub`` of ``account`` at the app ``client_id``."""
    return claims.pairwise_subject(stored_key(SUBJECT_KEY), client_id, account.pk)


class PortalValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        **dict.fromkeys(EMPLOYEE_CLAIMS, "employee"),
    }

    # --- Claims -------------------------------------------------------------------------

    def get_additional_claims(self, request):
        account = request.user
        person = account.person
        return claims.person_claims(
            first_name=person.first_name,
            last_name=person.last_name,
            language=account.language,
            email=account.email,
            email_verified=bool(account.email) and account.email_verified_at is not None,
            employee_id=person.employee_id,
            status=person.status,
            country=person.country,
            eligible_until=access.eligible_until(person),
        )

    def get_claim_dict(self, request):
        data = super().get_claim_dict(request)
        data["sub"] = subject_of(request.client.client_id, request.user)
        return data

    def get_discovery_claims(self, request):
        return ["sub", *RELEASED_CLAIMS, *ID_TOKEN_ONLY_CLAIMS]

    def get_id_token_dictionary(self, token, token_handler, request):
        data, expires = super().get_id_token_dictionary(token, token_handler, request)
        sign_in = self._sign_in_of(request)
        if sign_in is not None:
            data["auth_time"] = int(sign_in.auth_time.timestamp())
            data["sid"] = sign_in.sid
            data["amr"] = sign_in.amr.split()
            data["acr"] = sign_in.acr
        else:  # only a sign-in made before methods were recorded: a password
            data["amr"] = [claims.PASSWORD]
            data["acr"] = claims.ACR_PASSWORD
        return data, expires

    @staticmethod
    def _sign_in_of(request) -> SignIn | None:
        refresh = getattr(request, "refresh_token_instance", None)
        if request.grant_type == "refresh_token" and refresh is not None:
            return SignIn.objects.filter(token_family=refresh.token_family).first()
        if getattr(request, "code", None):
            return SignIn.objects.filter(code_digest=claims.code_digest(request.code)).first()
        return None

    # --- prompt=none ---------------------------------------------------------------------

    def validate_silent_login(self, request):
        # The authorization view lets in only people signed in at the portal; anyone else
        # asking with prompt=none is answered login_required before this.
        return True

    def validate_silent_authorization(self, request):
        # Without a page, only a first-party app can be allowed; another gets
        # consent_required, and its next request without prompt=none asks (or remembers).
        return bool(getattr(request.client, "skip_authorization", False))

    # --- Authorization codes ------------------------------------------------------------

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
        SignIn.objects.create(
            code_digest=claims.code_digest(code["code"]),
            application=request.client,
            account=request.user,
            sid=request.portal_sid,
            issuer=self.get_oidc_issuer_endpoint(request),
            auth_time=request.portal_auth_time,
            amr=" ".join(request.portal_amr),
            acr=claims.acr_of(request.portal_amr),
        )

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        if super().validate_code(client_id, code, client, request, *args, **kwargs):
            return True
        # A code presented again after its exchange: whoever holds it is not the app, so
        # what it issued is taken back (RFC 6749 section 4.1.2).
        replayed = SignIn.objects.filter(
            code_digest=claims.code_digest(code), application=client, redeemed_at__isnull=False
        ).first()
        if replayed is not None and replayed.token_family:
            get_refresh_token_model().revoke_family(replayed.token_family)
            record_event(
                EventTag.Sso.CODE_REPLAYED,
                user_id=replayed.account.user_id,
                outcome="tokens_revoked",
                detail={"app": client.name},
            )
        return False

    def save_bearer_token(self, token, request, *args, **kwargs):
        try:
            return super().save_bearer_token(token, request, *args, **kwargs)
        except RefreshTokenReused as reused:
            # After the rotation's transaction is undone, so that the revocation stays.
            get_refresh_token_model().revoke_family(reused.family)
            self._audit_reuse(request.client, getattr(request.user, "user_id", ""))
            raise errors.InvalidGrantError(request=request) from None

    def _save_bearer_token(self, token, request, *args, **kwargs):
        if request.grant_type == "refresh_token":
            self._claim_refresh_token(request)
        super()._save_bearer_token(token, request, *args, **kwargs)
        if request.grant_type == "authorization_code" and token.get("refresh_token"):
            checksum = hashlib.sha256(token["refresh_token"].encode()).hexdigest()
            family = (
                get_refresh_token_model()
                .objects.filter(token_checksum=checksum)
                .values_list("token_family", flat=True)
                .first()
            )
            SignIn.objects.filter(code_digest=claims.code_digest(request.code)).update(
                redeemed_at=timeutil.now(), token_family=family
            )

    @staticmethod
    def _claim_refresh_token(request) -> None:
        """Make the presented refresh token this request's alone before rotating it.

        The check that it is live ran before, outside this transaction: two requests with
        the same token (the app and a thief) could both pass it. A conditional UPDATE is
        exact on both databases (a row lock on PostgreSQL, the write lock on SQLite): the
        second request finds the token rotated, which is reuse."""
        instance = getattr(request, "refresh_token_instance", None)
        if instance is None:
            return
        claimed = (
            get_refresh_token_model()
            .objects.filter(pk=instance.pk, revoked__isnull=True)
            .update(updated=timeutil.now())
        )
        if not claimed:
            raise RefreshTokenReused(instance.token_family)

    @staticmethod
    def _audit_reuse(client, user_id: str | None) -> None:
        record_event(
            EventTag.Sso.REFRESH_REUSED,
            user_id=user_id or "",
            outcome="family_revoked",
            detail={"app": client.name},
        )

    # --- Eligibility, at every use of a token -------------------------------------------

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            checksum = hashlib.sha256(refresh_token.encode()).hexdigest()
            reused = (
                get_refresh_token_model()
                .objects.filter(token_checksum=checksum, application=client)
                .exclude(revoked=None)
                .values_list("user__user_id", flat=True)
                .first()
            )
            if reused is not None:  # a rotated or revoked token presented again
                self._audit_reuse(client, reused)
            return False
        if access.may_sign_in(request.user):
            return True
        get_refresh_token_model().revoke_family(request.refresh_token_instance.token_family)
        record_event(
            EventTag.Sso.NOT_ELIGIBLE,
            user_id=request.user.user_id,
            outcome="refresh_refused",
            detail={"app": client.name},
        )
        return False

    def validate_bearer_token(self, token, scopes, request):
        if not super().validate_bearer_token(token, scopes, request):
            return False
        return access.may_sign_in(request.user)

    # --- Client authentication ----------------------------------------------------------

    def authenticate_client(self, request, *args, **kwargs):
        if super().authenticate_client(request, *args, **kwargs):
            return True
        record_event(
            EventTag.Sso.CLIENT_AUTH_FAILURE,
            outcome="invalid_client",
            detail={"client_id": (request.client_id or "")[:100]},
        )
        return False


def auth_time_of(started: float | None) -> dt.datetime:
    """The login time of a portal session from its start stamp (now when unknown)."""
    if not started:
        return timeutil.now()
    return dt.datetime.fromtimestamp(started, tz=dt.UTC)
