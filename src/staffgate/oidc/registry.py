"""The operators' register of apps: add, list, remove. Secrets are shown once, kept hashed."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.oidc.models import AppProfile

LAUNCHABLE_CACHE_KEY = "staffgate.oidc.launchable"
LAUNCHABLE_CACHE_SECONDS = 60
KNOWN_SCOPES = ("openid", "profile", "email", "employee")
DEFAULT_SCOPES = "openid profile email"


class AppError(Exception):
    """An app cannot be registered as asked; the message says why."""


@dataclass(frozen=True)
class NewApp:
    name: str
    client_id: str
    client_secret: str | None  # shown once; None for a public app


def parse_scopes(text: str) -> list[str]:
    """The scopes of ``--scopes``, checked: known ones only, ``openid`` always among them."""
    scopes = list(dict.fromkeys(text.replace(",", " ").split()))
    unknown = [scope for scope in scopes if scope not in KNOWN_SCOPES]
    if unknown:
        raise AppError(f"unknown scope {unknown[0]!r}; choose among: {', '.join(KNOWN_SCOPES)}.")
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    return scopes


@transaction.atomic
def add_app(
    name: str,
    *,
    redirect_uris: list[str],
    public: bool = False,
    first_party: bool = False,
    scopes: str = DEFAULT_SCOPES,
    backchannel_logout_uri: str = "",
    post_logout_redirect_uris: list[str] = (),
    launch_url: str = "",
) -> NewApp:
    """Register an app; its client secret (confidential apps) is returned once, stored hashed."""
    application_model = get_application_model()
    name = name.strip()
    if not name:
        raise AppError("the app needs a name.")
    if application_model.objects.filter(name=name).exists():
        raise AppError(f"an app named {name!r} is already registered.")
    if not redirect_uris:
        raise AppError("give at least one --redirect-uri.")
    allowed = parse_scopes(scopes)
    secret = None if public else generate_client_secret()
    application = application_model(
        name=name,
        client_type=(
            application_model.CLIENT_PUBLIC if public else application_model.CLIENT_CONFIDENTIAL
        ),
        authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        post_logout_redirect_uris=" ".join(post_logout_redirect_uris),
        algorithm=application_model.RS256_ALGORITHM,
        skip_authorization=first_party,
        client_secret=secret or "",
        hash_client_secret=True,
    )
    profile = AppProfile(
        allowed_scopes=" ".join(allowed),
        first_party=first_party,
        backchannel_logout_uri=backchannel_logout_uri,
        launch_url=launch_url,
    )
    try:
        application.full_clean(exclude=["client_secret", "user"])
        profile.full_clean(exclude=["application"])
    except ValidationError as error:
        raise AppError(_first_message(error)) from None
    if any(" " in uri or "#" in uri for uri in redirect_uris):
        raise AppError("a redirect URI may hold neither spaces nor a fragment (#).")
    application.save()
    profile.application = application
    profile.save()
    _forget_launchable()
    record_event(
        EventTag.Sso.APP_ADDED,
        actor="cli",
        outcome="added",
        detail={
            "app": name,
            "client_id": application.client_id,
            "public": public,
            "first_party": first_party,
            "scopes": allowed,
        },
    )
    return NewApp(name=name, client_id=application.client_id, client_secret=secret)


def _first_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        field, messages = next(iter(error.message_dict.items()))
        return f"{field.replace('_', ' ')}: {messages[0]}"
    return error.messages[0]


def find_app(name_or_client_id: str):
    """The app registered under this name or client ID, or None."""
    application_model = get_application_model()
    return (
        application_model.objects.filter(client_id=name_or_client_id).first()
        or application_model.objects.filter(name=name_or_client_id).first()
    )


@transaction.atomic
def remove_app(name_or_client_id: str) -> str:
    """Remove an app and every token it holds; return its name."""
    application = find_app(name_or_client_id)
    if application is None:
        raise AppError(f"no app is registered as {name_or_client_id!r}.")
    name = application.name
    record_event(
        EventTag.Sso.APP_REMOVED,
        actor="cli",
        outcome="removed",
        detail={"app": name, "client_id": application.client_id},
    )
    application.delete()
    _forget_launchable()
    return name


def _forget_launchable() -> None:
    cache.delete(LAUNCHABLE_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(LAUNCHABLE_CACHE_KEY))


def launchable_apps() -> list[tuple[str, str]]:
    """(name, launch address) of every app with one, by name; kept a minute per process,
    so the busy home page costs no query for it (add-app and remove-app clear it here)."""
    apps = cache.get(LAUNCHABLE_CACHE_KEY)
    if apps is None:
        apps = list(
            AppProfile.objects.exclude(launch_url="")
            .order_by("application__name")
            .values_list("application__name", "launch_url")
        )
        cache.set(LAUNCHABLE_CACHE_KEY, apps, LAUNCHABLE_CACHE_SECONDS)
    return apps


def apps_for(account) -> list[tuple[str, str]]:
    """The apps a person may open from the home page: none while the roster keeps them out."""
    from staffgate.oidc.access import may_sign_in

    return launchable_apps() if may_sign_in(account) else []
