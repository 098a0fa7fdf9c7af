from django.urls import include, path

from staffgate.helpdesk import views

urlpatterns = [
    path("help/", views.help_view, name="help"),
    path("helpdesk/", views.queue_view, name="helpdesk-queue"),
    path("", include("staffgate.helpdesk.dashboard.urls")),
    path("helpdesk/tickets/<str:reference>/", views.ticket_view, name="helpdesk-ticket"),
    path(
        "helpdesk/tickets/<str:reference>/act/",
        views.ticket_action_view,
        name="helpdesk-ticket-act",
    ),
] + [
    path(
        f"helpdesk/tickets/<str:reference>/{action}/",
        views.ticket_action_view,
        {"action": action},
        name=f"helpdesk-ticket-{action}",
    )
    for action in views.ACTIONS
]
