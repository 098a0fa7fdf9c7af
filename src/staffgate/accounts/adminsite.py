"""The operators' admin site: Django's, with every change audited and the password check counted.

Installed as the admin app's default site, so every model registered anywhere
(Django's groups included) gets its changes written to the audit log with the
operator's name, beside Django's own history. The admin's password change checks
the current password through the same charged, audited check as every other.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from staffgate.accounts import attempts
from staffgate.accounts.login.service import Entry, lock_key
from staffgate.accounts.models import Account
from staffgate.accounts.policy import current_policy
from staffgate.audit.services import clean_text, record_event
from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.roster.ids import normalise_user_id


def operator_of(request) -> str:
    """How an operator is named in the audit log."""
    return f"admin:{request.user.get_username()}"


class AuditedAdmin:
    """Mixed into every ``ModelAdmin`` of the site: Django's history calls, each also audited."""

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        record_admin_change(request, EventTag.Admin.ADDED, obj, message)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        record_admin_change(request, EventTag.Admin.CHANGED, obj, message)
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            record_admin_change(request, EventTag.Admin.DELETED, obj, None)
        return entries


def record_admin_change(request, tag: EventTag.Admin, obj, message) -> None:
    """One audit event for one object the admin added, changed or is about to delete."""
    detail = {
        "model": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object": clean_text(str(obj), 150),
    }
    if message:
        # Django's change message names the changed fields, never their values.
        detail["changes"] = message if isinstance(message, list) else clean_text(message, 300)
    user_id = ""
    if isinstance(obj, Account):
        if obj.is_employee:
            user_id = obj.user_id
        else:
            detail["account"] = clean_text(obj.user_id, 150)
    record_event(
        tag,
        request=request,
        user_id=user_id,
        actor=operator_of(request),
        outcome=tag.rsplit(":", 1)[-1],
        detail=detail,
    )


class CountedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password change: the current password is a charged, audited check.

    Charged to the lock of the operator's help-desk sign-in from this network, so a
    session cannot guess the password uncounted, and a wrong guess counts as a failed
    sign-in would.
    """

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        raw = self.cleaned_data["old_password"]
        key = lock_key(normalise_user_id(self.user.get_username()), Entry.HELPDESK, self.request)

        def audit(check: attempts.Check) -> None:
            record_event(
                EventTag.Admin.PASSWORD_CHECK_FAILED,
                request=self.request,
                actor=operator_of(self.request),
                outcome="refused" if check.refused else "locked" if check.locks else "invalid",
                detail={"attempt": check.attempt},
            )

        check = attempts.charged_check(
            attempts.Series.LOGIN,
            key,
            current_policy(),
            lambda: self.user.check_password(raw),
            now=timeutil.now(),
            audit=audit,
        )
        if check.refused or check.locks:
            raise ValidationError(
                _("Too many failed attempts. Try again later."), code="password_locked"
            )
        if not check.correct:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return raw


class CountedPasswordChangeView(PasswordChangeView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PortalAdminSite(admin.AdminSite):
    """Every registered model audited; the password change counted."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(f"Audited{admin_class.__name__}", (AuditedAdmin, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)

    def password_change(self, request, extra_context=None):
        request.current_app = self.name
        return CountedPasswordChangeView.as_view(
            form_class=CountedPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )(request)
