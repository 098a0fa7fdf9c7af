from django.urls import path

from staffgate.factors import views

urlpatterns = [
    path("login/verify/", views.login_verify, name="login-verify"),
    path("register/factor/", views.register_factor, name="register-factor"),
    path("profile/factors/", views.factors_overview, name="profile-factors"),
    path("profile/factors/totp/", views.enrol_totp, name="profile-factors-totp"),
    path(
        "profile/factors/recovery-codes/",
        views.regenerate_codes,
        name="profile-factors-recovery-codes",
    ),
    path("profile/factors/<int:pk>/rename/", views.rename_factor, name="profile-factors-rename"),
    path("profile/factors/<int:pk>/remove/", views.remove_factor, name="profile-factors-remove"),
]
