from django.urls import path

from staffgate.accounts.profile import views as profile_views

urlpatterns = [
    path("profile/", profile_views.profile_view, name="profile"),
    path("profile/email/", profile_views.profile_email, name="profile-email"),
    path("profile/email/verify/", profile_views.profile_email_verify, name="profile-email-verify"),
    path(
        "login/verify-email/",
        profile_views.profile_email_confirm,
        name="login-verify-email",
    ),
    path("profile/password/", profile_views.profile_password, name="profile-password"),
    path("profile/questions/", profile_views.profile_questions, name="profile-questions"),
    path("profile/language/", profile_views.profile_language, name="profile-language"),
    path(
        "profile/sessions/end-others/",
        profile_views.profile_end_other_sessions,
        name="profile-end-other-sessions",
    ),
]
