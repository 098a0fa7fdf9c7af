"""The portal's URLs plus ``/bench/bare``: the cheapest page Django can serve."""

from django.http import HttpResponse
from django.urls import path

from staffgate.config.urls import urlpatterns as portal_urlpatterns

BARE_PATH = "/bench/bare"


def bare_view(request):
    """What any Django page costs at least: the request goes through every middleware."""
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [path(BARE_PATH.lstrip("/"), bare_view), *portal_urlpatterns]
