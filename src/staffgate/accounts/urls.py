from django.urls import path

from staffgate.accounts import views

urlpatterns = [
    path("", views.home_view, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/terms/", views.register_terms, name="register-terms"),
    path("register/contact/", views.register_contact, name="register-contact"),
    path("register/questions/", views.register_questions, name="register-questions"),
    path("register/password/", views.register_password, name="register-password"),
]
