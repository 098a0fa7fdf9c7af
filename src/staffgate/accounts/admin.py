"""Operators manage staff accounts in the admin; employees only register through the portal."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from staffgate.accounts.models import Account


class StaffChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = Account
        fields = "__all__"


class StaffCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = Account
        fields = ("user_id",)


@admin.register(Account)
class AccountAdmin(UserAdmin):
    """Django's user admin, fitted to accounts: staff are edited here, employees are shown."""

    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ("user_id", "email", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("user_id", "email")
    ordering = ("user_id",)
    readonly_fields = ("person", "last_login", "previous_login_at", "registered_at")
    fieldsets = (
        (None, {"fields": ("user_id", "password")}),
        ("Contact", {"fields": ("email", "language")}),
        (
            "Rights",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("History", {"fields": ("person", "registered_at", "last_login", "previous_login_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("user_id", "password1", "password2")}),
    )
