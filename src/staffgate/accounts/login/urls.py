from django.urls import path

from staffgate.accounts.login import views

urlpatterns = [
    path("", views.home_view, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/pin/", views.pin_help_view, name="pin-help"),
    path("logout/", views.logout_view, name="logout"),
    path("helpdesk/login/", views.agent_login_view, name="helpdesk-login"),
    path("helpdesk/logout/", views.agent_logout_view, name="helpdesk-logout"),
]
