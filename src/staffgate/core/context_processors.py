from django.conf import settings


def portal(request):
    """What every page needs: the signed-in employee (if any) and the language choices."""
    user = getattr(request, "user", None)
    employee = user if user is not None and user.is_authenticated and user.is_employee else None
    return {
        "account": employee,
        "languages": settings.LANGUAGES,
        "pin_help": settings.STAFFGATE_PIN_HELP,
    }
