"""Operational endpoints and the page plumbing every flow shares."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from staffgate.core.outcomes import Outcome

FORM_INVALID_MESSAGE = _("Please correct the errors shown below.")


def posted(request):
    """The submitted data on POST (even when empty, so that it is validated), else ``None``."""
    return request.POST if request.method == "POST" else None


def render_form(request, template: str, form, *, outcome=None, message="", status=200, **extra):
    """Render a page around ``form``; a submitted form with errors reports ``form.invalid``."""
    if outcome is None and form is not None and form.is_bound and form.errors:
        outcome, message = Outcome.FORM_INVALID, FORM_INVALID_MESSAGE
    context = {"form": form, "outcome": outcome, "message": message, **extra}
    return render(request, template, context, status=status)


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


def bad_request(request, exception=None):
    """Django's 400 handler: the plain page, without the CSRF check Django's own would rerun."""
    from staffgate.core.middleware import bad_request_page

    return bad_request_page()
