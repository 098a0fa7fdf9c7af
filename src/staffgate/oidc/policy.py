"""Rules of the provider that django-oauth-toolkit asks about by name."""

from __future__ import annotations


def pkce_required(client_id: str) -> bool:
    """PKCE (S256) is required of public apps; confidential ones may send it and are checked."""
    from oauth2_provider.models import get_application_model

    application = get_application_model()
    return not application.objects.filter(
        client_id=client_id, client_type=application.CLIENT_CONFIDENTIAL
    ).exists()
