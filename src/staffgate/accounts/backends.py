"""The one authentication backend: every sign-in, employee or staff, goes through the lock."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from staffgate.accounts.login.service import Entry, LoginOutcome, attempt_login
from staffgate.accounts.models import Account
from staffgate.accounts.policy import current_policy
from staffgate.core.prepared import PreparedQuery

# Every signed-in request loads its user, and employees' pages need the roster person.
_USER_WITH_PERSON = PreparedQuery(
    lambda pk: Account.objects.select_related("person").filter(pk=pk)[:1], int
)


class PortalBackend(ModelBackend):
    """Django's model backend (permissions, ``get_user``) with the portal's exact lock.

    ``authenticate()`` charges the attempt before the single hash it computes, so
    neither the portal, the help desk nor anything else that calls Django's
    ``authenticate()`` can verify more passwords than the lock allows. The full
    result (locked, PIN accepted, not eligible…) is left on ``request.login_result``
    for the page to explain. A page may pass ``then``: what it does after a right secret
    (start the session), committed with the clearing of the lock (see ``attempt_login``).
    """

    def authenticate(
        self, request, username=None, password=None, *, entry=Entry.PORTAL, then=None, **kw
    ):
        username = username if username is not None else kw.get(Account.USERNAME_FIELD)
        if username is None or password is None:
            return None

        def accepted(result):
            if result.outcome is LoginOutcome.SIGNED_IN:
                # What Django's authenticate() notes once this returns; login() reads it.
                result.account.backend = f"{type(self).__module__}.{type(self).__qualname__}"
            then(result)

        result = attempt_login(
            username,
            password,
            current_policy(),
            request=request,
            entry=entry,
            then=accepted if then is not None else None,
        )
        if request is not None:
            request.login_result = result
        return result.account if result.outcome is LoginOutcome.SIGNED_IN else None

    def get_user(self, user_id):
        try:
            found = _USER_WITH_PERSON(int(user_id))
        except (TypeError, ValueError):
            return None
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
