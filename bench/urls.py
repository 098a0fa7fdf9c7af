"""The portal's URLs plus the bench's reference pages, served by the same server.

* ``/bench/bare``: the cheapest page Django can serve (every middleware, no work);
* ``/bench/session``: the bare page plus loading a database-backed Django session,
  the least any logged-in page does (``?start=1`` creates the session);
* ``/bench/login`` and ``/bench/home``: the login journey's floor — the same form
  round trip with its CSRF check and exactly one verify with the production hasher,
  but no portal work (no query, no template, no session).

The floors tell what a target allows on the machine at hand: R measured against
``/bench/login`` is the most any login page can reach there.
"""

import functools
import html

from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import path

from bench.common import (
    BARE_PATH,
    FLOOR_HOME_PATH,
    FLOOR_LOGIN_PATH,
    ID_PREFIX,
    PASSWORD,
    SESSION_PATH,
)
from staffgate.config.urls import urlpatterns as portal_urlpatterns


def bare_view(request):
    """What any Django page costs at least: the request goes through every middleware."""
    return HttpResponse(b"ok\n", content_type="text/plain")


def session_view(request):
    """The bare page reading (or, with ``?start=1``, creating) a database session."""
    if request.GET.get("start"):
        request.session["bench.visits"] = 1
    else:
        request.session.get("bench.visits")
    return HttpResponse(b"ok\n", content_type="text/plain")


@functools.cache
def _bench_hash() -> str:
    return make_password(PASSWORD)


def floor_login_view(request):
    """A login form and its POST with one verify and nothing else."""
    if request.method == "POST":
        correct = check_password(request.POST.get("password", ""), _bench_hash())
        if correct and request.POST.get("user_id", "").startswith(ID_PREFIX):
            return HttpResponseRedirect(FLOOR_HOME_PATH)
        return HttpResponse(b'<p data-code="login.invalid">Invalid</p>')
    token = html.escape(get_token(request))
    return HttpResponse(
        '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" '
        f'value="{token}"><input name="user_id"><input name="password" type="password">'
        "<button>Log in</button></form>"
    )


def floor_home_view(request):
    return HttpResponse(b'<ul class="apps"><li>Home</li></ul>')


urlpatterns = [
    path(BARE_PATH.lstrip("/"), bare_view),
    path(SESSION_PATH.lstrip("/"), session_view),
    path(FLOOR_LOGIN_PATH.lstrip("/"), floor_login_view),
    path(FLOOR_HOME_PATH.lstrip("/"), floor_home_view),
    *portal_urlpatterns,
]
