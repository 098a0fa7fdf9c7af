"""The peer's pages: Django's ``LoginView`` at ``/login/``, a home page behind login."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path


def healthz(request):
    """What ``staffgate serve``'s callers poll before they send load."""
    return HttpResponse(b"ok\n", content_type="text/plain")


@login_required
def home(request):
    return render(request, "peer/home.html")


urlpatterns = [
    path("healthz", healthz),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home, name="home"),
]
