from django.conf import settings


def portal(request):
    """What every page needs: the logged-in account (if any) and the language choices."""
    return {
        "account": getattr(request, "account", None),
        "languages": settings.LANGUAGES,
    }
