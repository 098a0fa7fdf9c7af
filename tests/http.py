"""Talking to a running portal over real HTTP, and counting password hashes, for tests."""

from __future__ import annotations

import re
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.contrib.auth.hashers import get_hasher

CSRF = secrets.token_hex(16)  # a 32-character secret is accepted as both cookie and field


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_form(base_url: str, path: str, fields: dict, cookies: dict | None = None):
    """POST a form with a valid CSRF pair; return (status, page text, headers)."""
    body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": CSRF}).encode()
    jar = {settings.CSRF_COOKIE_NAME: CSRF, **(cookies or {})}
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    request = urllib.request.Request(
        base_url + path, data=body, headers={"Cookie": cookie}, method="POST"
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, "", error.headers


def outcome_of(page: str) -> str:
    """The page's ``data-code`` outcome, or ``"none"``."""
    found = re.search(r'role="alert" data-code="([^"]+)"', page)
    return found.group(1) if found else "none"


def post_login(base_url: str, user_id: str, password: str) -> str:
    """POST the login form; return its outcome code, or ``"redirect"`` on success."""
    status, page, _ = post_form(base_url, "/login/", {"user_id": user_id, "password": password})
    return "redirect" if status == 302 else outcome_of(page)


def session_cookie(headers) -> dict:
    """The session cookie set by a response, as a cookie jar for :func:`post_form`."""
    name = settings.SESSION_COOKIE_NAME
    match = re.search(rf"{name}=([^;]+)", " ".join(headers.get_all("Set-Cookie") or []))
    return {name: match.group(1)} if match else {}


class CountingVerify:
    """Counts verifications made by the production hasher (in this process)."""

    def __init__(self, monkeypatch):
        self.count = 0
        self._lock = threading.Lock()
        hasher_class = type(get_hasher())
        original = hasher_class.verify

        def verify(hasher, password, encoded):
            with self._lock:
                self.count += 1
            return original(hasher, password, encoded)

        monkeypatch.setattr(hasher_class, "verify", verify)
