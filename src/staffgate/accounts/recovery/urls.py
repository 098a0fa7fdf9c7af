from django.urls import path

from staffgate.accounts.recovery import views as recovery_views

urlpatterns = [
    path("recover/", recovery_views.recover_start, name="recover"),
    path("recover/questions/", recovery_views.recover_questions, name="recover-questions"),
    path("recover/email/", recovery_views.recover_email, name="recover-email"),
    path("recover/factor/", recovery_views.recover_factor, name="recover-factor"),
    path("recover/password/", recovery_views.recover_password, name="recover-password"),
    path("recover/done/", recovery_views.recover_done, name="recover-done"),
]
