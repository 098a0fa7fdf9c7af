"""Operational endpoints."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def throttled_response(request, retry_after: int):
    """HTTP 429 with a readable page and ``Retry-After``."""
    from django.shortcuts import render

    response = render(
        request,
        "core/throttled.html",
        {"minutes": max(1, -(-retry_after // 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def csrf_failure(request, reason=""):
    """A readable page when a form is stale or was not sent by the portal."""
    from django.shortcuts import render

    return render(request, "403_csrf.html", status=403)


def safe_next(request, *, within: str = "/") -> str | None:
    """The ``next`` address of a request, when it stays on this site under ``within``."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next")
    if (
        target
        and target.startswith(within)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return None
