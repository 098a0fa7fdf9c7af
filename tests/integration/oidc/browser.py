"""A person's browser, as far as the portal's forms need one: cookies, CSRF and redirects."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import requests

from tests.conftest import mailed_code

REGISTRATION_QUESTIONS = {
    "question_1": "first_pet",
    "answer_1": "Rex the dog",
    "question_2": "birth_city",
    "answer_2": "Montréal",
    "question_3": "first_school",
    "answer_3": "Saint-Jean",
}
NEW_PASSWORD = "Maple2026x"


class Browser:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()
        self.last = None

    def get(self, url: str):
        self.last = self.session.get(urljoin(self.base_url, url), allow_redirects=False, timeout=30)
        return self.last

    def post(self, url: str, fields: dict, *, from_page: str | None = None):
        """Submit a form of ``from_page`` (default: the page at ``url``) to ``url``."""
        page = self.session.get(
            urljoin(self.base_url, from_page or url), allow_redirects=False, timeout=30
        )
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        data = {**fields, "csrfmiddlewaretoken": token.group(1) if token else ""}
        self.last = self.session.post(
            urljoin(self.base_url, url), data=data, allow_redirects=False, timeout=30
        )
        return self.last

    def follow(self, stop_at: str = "") -> requests.Response:
        """Follow redirects on this site; stop at one leaving for ``stop_at`` (an app)."""
        while self.last.status_code in (301, 302, 303):
            target = urljoin(self.last.url, self.last.headers["Location"])
            if stop_at and target.startswith(stop_at):
                return self.last
            self.get(target)
        return self.last

    def location(self) -> str:
        return urljoin(self.last.url, self.last.headers["Location"])

    def register_with_pin(
        self, user_id: str, pin: str, email: str, next_url: str, code_of=mailed_code
    ):
        """Log in with the PIN from an app's sign-in request and go through the wizard;
        ``code_of(address)`` reads the e-mail code sent there."""
        self.post(
            f"/login/?next={requests.utils.quote(next_url, safe='')}",
            {"user_id": user_id, "password": pin, "next": next_url},
        )
        assert self.location().endswith("/register/terms/"), self.last.text[:500]
        self.post("/register/terms/", {"agree": "1"})
        self.post("/register/contact/", {"email": email, "email_confirm": email})
        # The address counts once the code mailed to it is typed back.
        self.post("/register/verify-email/", {"code": code_of(email)})
        self.post("/register/questions/", REGISTRATION_QUESTIONS)
        return self.post(
            "/register/password/",
            {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        )

    def log_in(self, user_id: str, password: str, next_url: str = ""):
        url = "/login/" + (f"?next={requests.utils.quote(next_url, safe='')}" if next_url else "")
        fields = {"user_id": user_id, "password": password}
        if next_url:
            fields["next"] = next_url
        return self.post(url, fields)
