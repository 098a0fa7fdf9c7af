"""The visitor's language: ``?language=`` on any page, kept in the session."""

from django.conf import settings

SESSION_KEY = "staffgate.language"


def supported(code: str | None) -> bool:
    return code in {lang for lang, _ in settings.LANGUAGES}
