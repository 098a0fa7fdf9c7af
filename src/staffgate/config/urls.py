from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from staffgate.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("staffgate.ops.urls")),
    # Staff sign in through the help-desk login, which has its own lockout and audit.
    path("admin/login/", RedirectView.as_view(pattern_name="helpdesk-login", query_string=True)),
    path("admin/", admin.site.urls),
    path("", include("staffgate.factors.urls")),
    path("", include("staffgate.accounts.login.urls")),
    path("", include("staffgate.accounts.registration.urls")),
    path("", include("staffgate.accounts.recovery.urls")),
    path("", include("staffgate.accounts.profile.urls")),
    path("", include("staffgate.helpdesk.urls")),
    path("", include("staffgate.oidc.urls")),
]

# A request too broken to parse gets the plain 400 page (see core.middleware).
handler400 = "staffgate.core.views.bad_request"
