"""The portal's URLs plus one page that fails, to see the server error page."""

from django.urls import path

from staffgate.config.urls import urlpatterns as portal


def failing_view(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("fails/", failing_view), *portal]
