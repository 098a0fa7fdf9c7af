from django.conf import settings

from staffgate.core.brand import page_context


def language_links(request) -> list[tuple[str, str, str]]:
    """(code, name, address) of each language: this page again, its other parameters kept.

    The login page's ``next`` (an app's sign-in, say) must survive a change of language.
    """
    query = request.GET.copy() if request is not None else None
    links = []
    for code, name in settings.LANGUAGES:
        if query is None:
            links.append((code, name, f"?language={code}"))
            continue
        query["language"] = code
        links.append((code, name, f"?{query.urlencode()}"))
    return links


def portal(request):
    """What every page needs: the signed-in employee (if any), the language choices, the brand."""
    user = getattr(request, "user", None)
    employee = user if user is not None and user.is_authenticated and user.is_employee else None
    return {
        "account": employee,
        "languages": settings.LANGUAGES,
        "language_links": language_links(request),
        "pin_help": settings.STAFFGATE_PIN_HELP,
        **page_context(),
    }
