"""Benefits: a small separate web app that signs people in through staffgate.

It uses authlib's OAuth 2.0 client (authorization code with PKCE) and joserfc to
check every token against staffgate's published keys. It shows "Hello NAME —
status", honours OpenID Connect Back-Channel Logout, and logs out through
staffgate's end-session endpoint. Standard library web server, sessions in memory.

    BENEFITS_ISSUER=http://127.0.0.1:8000 BENEFITS_CLIENT_ID=… BENEFITS_CLIENT_SECRET=… \\
        python app.py            # serves http://127.0.0.1:8001
"""

from __future__ import annotations

import html
import http.cookies
import os
import secrets
import threading
import time
import urllib.parse
from wsgiref.simple_server import WSGIRequestHandler, make_server

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

ISSUER = os.environ.get("BENEFITS_ISSUER", "http://127.0.0.1:8000").rstrip("/")
CLIENT_ID = os.environ["BENEFITS_CLIENT_ID"]
CLIENT_SECRET = os.environ.get("BENEFITS_CLIENT_SECRET") or None
HOST = os.environ.get("BENEFITS_HOST", "127.0.0.1")
PORT = int(os.environ.get("BENEFITS_PORT", "8001"))
BASE = f"http://{HOST}:{PORT}"
REDIRECT_URI = BASE + "/oidc/callback"
SCOPES = "openid profile email employee"
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
COOKIE = "benefits_session"

# session id -> {"user": claims, "sid": staffgate's sid, "id_token": …} or a pending login
SESSIONS: dict[str, dict] = {}
LOCK = threading.Lock()


def metadata() -> dict:
    return requests.get(ISSUER + "/.well-known/openid-configuration", timeout=10).json()


def keys() -> KeySet:
    return KeySet.import_key_set(requests.get(metadata()["jwks_uri"], timeout=10).json())


def client() -> OAuth2Session:
    return OAuth2Session(
        CLIENT_ID,
        CLIENT_SECRET,
        scope=SCOPES,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )


def page(start_response, body: str, status="200 OK", headers=()):
    document = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Benefits</title>"
        f"</head><body><main>{body}</main></body></html>"
    )
    start_response(
        status,
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Cache-Control", "no-store"),
            *headers,
        ],
    )
    return [document.encode()]


def redirect(start_response, location: str, headers=()):
    start_response("302 Found", [("Location", location), ("Cache-Control", "no-store"), *headers])
    return [b""]


def session_of(environ) -> tuple[str | None, dict | None]:
    cookies = http.cookies.SimpleCookie(environ.get("HTTP_COOKIE", ""))
    key = cookies[COOKIE].value if COOKIE in cookies else None
    with LOCK:
        return key, SESSIONS.get(key) if key else None


def new_session(data: dict) -> tuple[str, tuple[str, str]]:
    key = secrets.token_urlsafe(32)
    with LOCK:
        SESSIONS[key] = data
    return key, ("Set-Cookie", f"{COOKIE}={key}; HttpOnly; SameSite=Lax; Path=/")


def home(environ, start_response):
    _key, session = session_of(environ)
    if not session or "user" not in session:
        return page(
            start_response, "<h1>Benefits</h1><p><a href='/login'>Sign in with staffgate</a></p>"
        )
    user = session["user"]
    name = html.escape(user.get("name", ""))
    status = html.escape(user.get("status", ""))
    return page(
        start_response,
        f"<h1 id='hello'>Hello {name} — {status}</h1>"
        "<form method='post' action='/logout'><button>Log out</button></form>",
    )


def login(environ, start_response):
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, state = client().create_authorization_url(
        metadata()["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    _key, cookie = new_session({"state": state, "verifier": verifier, "nonce": nonce})
    return redirect(start_response, url, [cookie])


def callback(environ, start_response):
    key, pending = session_of(environ)
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    if not pending or "state" not in pending or query.get("state") != [pending["state"]]:
        return page(start_response, "<p>That sign-in was not started here.</p>", "400 Bad Request")
    if query.get("iss") != [ISSUER]:  # RFC 9207: the answer comes from our provider
        return page(start_response, "<p>Unexpected issuer.</p>", "400 Bad Request")
    if "error" in query:
        return page(start_response, "<p>Sign-in was cancelled.</p>", "403 Forbidden")
    session = client()
    url = REDIRECT_URI + "?" + environ.get("QUERY_STRING", "")
    token = session.fetch_token(
        metadata()["token_endpoint"],
        authorization_response=url,
        code_verifier=pending["verifier"],
        state=pending["state"],
    )
    id_token = jwt.decode(token["id_token"], keys(), algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": CLIENT_ID},
        nonce={"essential": True, "value": pending["nonce"]},
        exp={"essential": True},
    ).validate(id_token.claims)
    user = session.get(metadata()["userinfo_endpoint"]).json()
    with LOCK:
        SESSIONS[key] = {
            "user": user,
            "sub": id_token.claims["sub"],
            "sid": id_token.claims.get("sid"),
            "id_token": token["id_token"],
            "refresh_token": token.get("refresh_token"),
        }
    return redirect(start_response, "/")


def logout(environ, start_response):
    key, session = session_of(environ)
    with LOCK:
        SESSIONS.pop(key, None)
    if not session or "id_token" not in session:
        return redirect(start_response, "/")
    query = urllib.parse.urlencode(
        {
            "id_token_hint": session["id_token"],
            "client_id": CLIENT_ID,
            "post_logout_redirect_uri": BASE + "/",
        }
    )
    return redirect(start_response, metadata()["end_session_endpoint"] + "?" + query)


def backchannel_logout(environ, start_response):
    """OpenID Connect Back-Channel Logout 1.0: end the sessions the logout token names."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    form = urllib.parse.parse_qs(environ["wsgi.input"].read(length).decode())
    try:
        token = jwt.decode(form["logout_token"][0], keys(), algorithms=["RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": ISSUER},
            aud={"essential": True, "value": CLIENT_ID},
            iat={"essential": True},
            jti={"essential": True},
        ).validate(token.claims)
        if LOGOUT_EVENT not in token.claims.get("events", {}) or "nonce" in token.claims:
            raise ValueError("not a logout token")
        if token.header.get("typ") != "logout+jwt" or token.claims["iat"] > time.time() + 60:
            raise ValueError("not a logout token")
    except Exception:  # noqa: BLE001 - any bad token is answered 400, as the spec asks
        start_response("400 Bad Request", [("Cache-Control", "no-store")])
        return [b""]
    sub, sid = token.claims.get("sub"), token.claims.get("sid")
    with LOCK:
        for key, session in list(SESSIONS.items()):
            if session.get("sub") == sub and (sid is None or session.get("sid") == sid):
                del SESSIONS[key]
    start_response("200 OK", [("Cache-Control", "no-store")])
    return [b""]


ROUTES = {
    ("GET", "/"): home,
    ("GET", "/login"): login,
    ("GET", "/oidc/callback"): callback,
    ("POST", "/logout"): logout,
    ("POST", "/oidc/backchannel-logout"): backchannel_logout,
}


def application(environ, start_response):
    view = ROUTES.get((environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")))
    if view is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    return view(environ, start_response)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


if __name__ == "__main__":
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIServer

    class ThreadingServer(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    with make_server(HOST, PORT, application, ThreadingServer, QuietHandler) as server:
        print(f"Benefits is at {BASE}/", flush=True)
        server.serve_forever()
