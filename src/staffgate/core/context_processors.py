from django.conf import settings

from staffgate.core.brand import page_context


def portal(request):
    """What every page needs: the signed-in employee (if any), the language choices, the brand."""
    user = getattr(request, "user", None)
    employee = user if user is not None and user.is_authenticated and user.is_employee else None
    return {"account": employee, "languages": settings.LANGUAGES, **page_context()}
