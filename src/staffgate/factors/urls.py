from django.urls import path

from staffgate.factors import views

urlpatterns = [
    path("login/verify/", views.login_verify, name="login-verify"),
    path("register/factor/", views.register_factor, name="register-factor"),
    path(
        "register/factor/passkey/",
        views.register_factor_passkey,
        name="register-factor-passkey",
    ),
    path("profile/factors/", views.factors_overview, name="profile-factors"),
    path("profile/factors/totp/", views.enrol_totp, name="profile-factors-totp"),
    path(
        "profile/factors/recovery-codes/",
        views.regenerate_codes,
        name="profile-factors-recovery-codes",
    ),
    path("profile/factors/passkey/", views.enrol_passkey, name="profile-factors-passkey"),
    path(
        "profile/factors/passkeys/<int:pk>/rename/",
        views.rename_passkey,
        name="profile-factors-passkey-rename",
    ),
    path(
        "profile/factors/passkeys/<int:pk>/remove/",
        views.remove_passkey,
        name="profile-factors-passkey-remove",
    ),
    path("profile/factors/<int:pk>/rename/", views.rename_factor, name="profile-factors-rename"),
    path("profile/factors/<int:pk>/remove/", views.remove_factor, name="profile-factors-remove"),
]
