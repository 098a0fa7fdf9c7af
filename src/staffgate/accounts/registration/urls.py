from django.urls import path

from staffgate.accounts.registration import views

urlpatterns = [
    path("register/terms/", views.register_terms, name="register-terms"),
    path("register/contact/", views.register_contact, name="register-contact"),
    path("register/verify-email/", views.register_verify_email, name="register-verify-email"),
    path("register/questions/", views.register_questions, name="register-questions"),
    path("register/password/", views.register_password, name="register-password"),
]
