from django.contrib import admin
from django.urls import include, path

from staffgate.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("staffgate.accounts.urls")),
    path("", include("staffgate.accounts.recovery_urls")),
    path("", include("staffgate.accounts.profile_urls")),
    path("", include("staffgate.helpdesk.urls")),
]
