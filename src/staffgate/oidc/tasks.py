"""Background work of single sign-on, run by ``staffgate worker``."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from django_tasks import task
from oauth2_provider.models import get_application_model

from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.core import queue
from staffgate.oidc import backchannel

DELIVERY_TIMEOUT = 10


def post_logout_token(uri: str, token: str) -> int | None:
    """POST the token as the spec says; the HTTP status, or None when the app did not answer."""
    body = urllib.parse.urlencode({"logout_token": token}).encode()
    request = urllib.request.Request(  # noqa: S310 - the operator registered this https URI
        uri,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError, ValueError):
        return None


@task()
def deliver_logout_token(
    application_id: int, subject: str, sid: str, issuer: str, attempt: int = 1
):
    """Tell one app that a person's session ended; retried with backoff until it answers 2xx."""
    application = (
        get_application_model().objects.filter(pk=application_id).select_related("profile").first()
    )
    uri = getattr(getattr(application, "profile", None), "backchannel_logout_uri", "")
    if application is None or not uri:
        return "app_removed"
    token = backchannel.logout_token(
        issuer=issuer, client_id=application.client_id, subject=subject, sid=sid
    )
    status = post_logout_token(uri, token)
    if status is not None and 200 <= status < 300:
        record_event(
            EventTag.Sso.BACKCHANNEL_DELIVERED,
            outcome="delivered",
            detail={"app": application.name, "attempt": attempt},
        )
        return "delivered"
    if not queue.retry_later(
        deliver_logout_token, application_id, subject, sid, issuer, attempt=attempt
    ):
        record_event(
            EventTag.Sso.BACKCHANNEL_FAILED,
            outcome="gave_up",
            detail={"app": application.name, "attempt": attempt, "status": status},
        )
        return "gave_up"
    return "retry"
