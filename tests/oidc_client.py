"""An app talking to the provider through Django's test client, for the OIDC tests."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from staffgate.oidc.registry import NewApp, add_app

CALLBACK = "https://app.example.com/oidc/callback"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def jwt_part(token: str, index: int) -> dict:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@dataclass
class AppClient:
    """One registered app and the requests it makes."""

    client: object  # the person's browser (a django.test.Client signed in at the portal)
    app: NewApp
    redirect_uri: str = CALLBACK
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    @classmethod
    def register(cls, browser, *, public=False, scopes="openid profile email", **options):
        options.setdefault("first_party", True)
        app = add_app(
            options.pop("name", "Test app"),
            redirect_uris=options.pop("redirect_uris", [CALLBACK]),
            public=public,
            scopes=scopes,
            **options,
        )
        return cls(browser, app)

    def authorize_url(self, **params) -> str:
        query = {
            "response_type": "code",
            "client_id": self.app.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": "openid profile email",
            "state": "state-" + secrets.token_urlsafe(8),
            "nonce": "nonce-" + secrets.token_urlsafe(8),
            "code_challenge": s256(self.verifier),
            "code_challenge_method": "S256",
        }
        query.update(params)
        return "/o/authorize/?" + urlencode({k: v for k, v in query.items() if v is not None})

    def authorize(self, **params):
        return self.client.get(self.authorize_url(**params))

    def code(self, **params) -> str:
        response = self.authorize(**params)
        assert response.status_code == 302, response.content[:300]
        return query_of(response["Location"])["code"]

    def auth_headers(self) -> dict:
        if not self.app.client_secret:
            return {}
        pair = f"{self.app.client_id}:{self.app.client_secret}".encode()
        return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(pair).decode()}

    def token(self, browserless, code: str, **overrides):
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": self.verifier,
        }
        if not self.app.client_secret:
            data["client_id"] = self.app.client_id
        data.update(overrides)
        data = {k: v for k, v in data.items() if v is not None}
        return browserless.post("/o/token/", data, **self.auth_headers())

    def refresh(self, browserless, refresh_token: str):
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        if not self.app.client_secret:
            data["client_id"] = self.app.client_id
        return browserless.post("/o/token/", data, **self.auth_headers())

    @staticmethod
    def userinfo(browserless, access_token: str):
        return browserless.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access_token}")
