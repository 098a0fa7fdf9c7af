"""``/helpdesk/dashboard/``: what happened across the portal this week, for supervisors."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from staffgate.helpdesk.dashboard.charts import Series, bar_chart
from staffgate.helpdesk.dashboard.figures import build_dashboard
from staffgate.helpdesk.models import SUPERVISOR_PERMISSION
from staffgate.helpdesk.views import agent_required

HOURLY_TITLES = {
    "logins": gettext_lazy("Logins per hour"),
    "failures": gettext_lazy("Failed logins per hour"),
    "locks": gettext_lazy("Login locks per hour"),
    "recovery_locks": gettext_lazy("Recovery locks per hour"),
}
HOURLY_LABELS = {
    "logins": gettext_lazy("Logins"),
    "failures": gettext_lazy("Failed logins"),
    "locks": gettext_lazy("Login locks"),
    "recovery_locks": gettext_lazy("Recovery locks"),
}


def _summary(values: list[int], labels: list[str]) -> str:
    total = sum(values)
    if not total:
        return _("None in the last seven days.")
    peak = max(range(len(values)), key=values.__getitem__)
    return _("%(total)s in the last seven days; the most, %(peak)s, at %(when)s.") % {
        "total": total,
        "peak": values[peak],
        "when": labels[peak],
    }


@require_GET
@agent_required
def dashboard_view(request):
    """Seven days of the audit log as charts, each followed by its numbers in a table."""
    if not request.user.has_perm(SUPERVISOR_PERMISSION):
        return render(request, "helpdesk/forbidden.html", status=403)
    figures = build_dashboard()
    hour_labels = [dateformat.format(hour, "D j, H:i") for hour in figures.hours]
    midnights = [
        (index, dateformat.format(hour, "D j"))
        for index, hour in enumerate(figures.hours)
        if hour.hour == 0
    ]
    hourly = []
    for name, values in figures.hourly.items():
        hourly.append(
            {
                "id": f"chart-{name.replace('_', '-')}",
                "title": HOURLY_TITLES[name],
                "label": HOURLY_LABELS[name],
                "chart": bar_chart(
                    f"chart-{name.replace('_', '-')}",
                    str(HOURLY_TITLES[name]),
                    _summary(values, hour_labels),
                    [Series(str(HOURLY_LABELS[name]), values)],
                    midnights,
                ),
                "rows": list(zip(hour_labels, values, strict=True)),
                "total": sum(values),
            }
        )
    day_labels = [dateformat.format(day, "D j M") for day in figures.days]
    opened, closed = figures.daily["opened"], figures.daily["closed"]
    tickets_chart = bar_chart(
        "chart-tickets",
        _("Help tickets opened and closed per day"),
        _("%(opened)s opened and %(closed)s closed in the last seven days.")
        % {"opened": sum(opened), "closed": sum(closed)},
        [Series(_("Tickets opened"), opened), Series(_("Tickets closed"), closed)],
        list(enumerate(day_labels)),
    )
    return render(
        request,
        "helpdesk/dashboard.html",
        {
            "hourly": hourly,
            "tickets_chart": tickets_chart,
            "ticket_rows": list(zip(day_labels, opened, closed, strict=True)),
            "opened_total": sum(opened),
            "closed_total": sum(closed),
            "unlock_minutes": figures.unlock_minutes,
            "unlocked": figures.unlocked,
            "still_locked": figures.still_locked,
            "networks": figures.networks,
        },
    )
