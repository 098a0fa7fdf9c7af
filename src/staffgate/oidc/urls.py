"""The provider's endpoints, under django-oauth-toolkit's URL names; discovery at the root."""

from django.urls import path
from oauth2_provider import views as dot

from staffgate.oidc import views

app_name = "oauth2_provider"

urlpatterns = [
    path(
        ".well-known/openid-configuration",
        views.DiscoveryView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path("o/jwks/", views.JwksView.as_view(), name="jwks-info"),
    path("o/authorize/", views.AuthorizeView.as_view(), name="authorize"),
    path("o/token/", views.TokenView.as_view(), name="token"),
    path("o/revoke/", dot.RevokeTokenView.as_view(), name="revoke-token"),
    path("o/userinfo/", views.UserInfoView.as_view(), name="user-info"),
    path("o/logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
]
