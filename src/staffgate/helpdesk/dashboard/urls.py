from django.urls import path

from staffgate.helpdesk.dashboard import views

urlpatterns = [path("helpdesk/dashboard/", views.dashboard_view, name="helpdesk-dashboard")]
