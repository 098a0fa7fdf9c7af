"""The portal's URLs plus the bench's reference pages, served by the same server.

* ``/bench/bare``: the cheapest page Django can serve (every middleware, no work);
* ``/bench/session``: the bare page plus loading a database-backed Django session,
  the least any logged-in page does (``?start=1`` creates the session);
* ``/bench/login`` and ``/bench/home``: the login journey's floor — the same form
  round trip with its CSRF check and exactly one verify with the production hasher,
  but no portal work (no query, no template, no session);
* ``/bench/totp/login`` and ``/bench/totp/code``: the floor of a login with an
  authenticator-app code — that floor login, sending on to a code step: a form with its
  CSRF check whose POST checks the code once against the bench's shared key (no query,
  so no record of the steps already used), then ``/bench/home``.

The floors tell what a target allows on the machine at hand: R measured against
``/bench/login`` is the most any login page can reach there.
"""

import functools
import html

import pyotp
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import path

from bench.common import (
    BARE_PATH,
    FLOOR_CODE_PATH,
    FLOOR_HOME_PATH,
    FLOOR_LOGIN_PATH,
    FLOOR_TOTP_LOGIN_PATH,
    ID_PREFIX,
    PASSWORD,
    SESSION_PATH,
    TOTP_KEY,
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


def floor_login_view(request, then: str = FLOOR_HOME_PATH):
    """A login form and its POST with one verify and nothing else; right sends to ``then``."""
    if request.method == "POST":
        correct = check_password(request.POST.get("password", ""), _bench_hash())
        if correct and request.POST.get("user_id", "").startswith(ID_PREFIX):
            return HttpResponseRedirect(then)
        return HttpResponse(b'<p data-code="login.invalid">Invalid</p>')
    token = html.escape(get_token(request))
    return HttpResponse(
        '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" '
        f'value="{token}"><input name="user_id"><input name="password" type="password">'
        "<button>Log in</button></form>"
    )


@functools.cache
def _bench_app() -> pyotp.TOTP:
    return pyotp.TOTP(TOTP_KEY)


def floor_code_view(request):
    """A code form and its POST checking the code once (one step of drift either way)."""
    if request.method == "POST":
        if _bench_app().verify(request.POST.get("code", ""), valid_window=1):
            return HttpResponseRedirect(FLOOR_HOME_PATH)
        return HttpResponse(b'<p data-code="code.invalid">Invalid</p>')
    token = html.escape(get_token(request))
    return HttpResponse(
        '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" '
        f'value="{token}"><input name="code" inputmode="numeric"><button>Log in</button></form>'
    )


def floor_home_view(request):
    return HttpResponse(b'<ul class="apps"><li>Home</li></ul>')


urlpatterns = [
    path(BARE_PATH.lstrip("/"), bare_view),
    path(SESSION_PATH.lstrip("/"), session_view),
    path(FLOOR_LOGIN_PATH.lstrip("/"), floor_login_view),
    path(FLOOR_HOME_PATH.lstrip("/"), floor_home_view),
    path(FLOOR_TOTP_LOGIN_PATH.lstrip("/"), floor_login_view, {"then": FLOOR_CODE_PATH}),
    path(FLOOR_CODE_PATH.lstrip("/"), floor_code_view),
    *portal_urlpatterns,
]
