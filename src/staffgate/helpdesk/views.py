"""The Technical Help Form and the help desk: parse, call one service, render.

Agents are staff accounts holding ``helpdesk.act_on_tickets``; they sign in at
``/helpdesk/login/`` through the same backend and lock as employees.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from staffgate.audit.services import client_ip, record_event
from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.core.outcomes import Outcome
from staffgate.core.throttle import Throttle
from staffgate.core.views import FORM_INVALID_MESSAGE, throttled_response
from staffgate.helpdesk import services
from staffgate.helpdesk.casefile import load_case_file
from staffgate.helpdesk.forms import HelpForm, ReasonForm
from staffgate.helpdesk.models import Ticket, TicketStatus, Topic
from staffgate.helpdesk.references import normalise_reference
from staffgate.roster.eligibility import Ineligibility
from staffgate.roster.ids import is_well_formed, normalise_user_id

TICKETS_PER_PAGE = 25
ACTIONS = {
    "unlock": services.unlock_for_ticket,
    "reset": services.reset_for_ticket,
    "factors": services.reset_factors_for_ticket,
    "close": services.close_ticket,
}


INELIGIBILITY_TEXT = {
    Ineligibility.NOT_IN_ROSTER: gettext_lazy("not in the roster"),
    Ineligibility.COUNTRY_NOT_COVERED: gettext_lazy("country not covered"),
    Ineligibility.NO_RETIREMENT_PLAN: gettext_lazy("retired without the retirement plan"),
    Ineligibility.SEPARATION_WINDOW_CLOSED: gettext_lazy("separated, and access has ended"),
    Ineligibility.SEPARATION_DATE_MISSING: gettext_lazy("separated, with no separation date"),
    Ineligibility.STATUS_NOT_COVERED: gettext_lazy("status not covered"),
    Ineligibility.REMOVED_FROM_ROSTER: gettext_lazy("removed from the roster by HR"),
}


def help_throttle() -> Throttle:
    """Help tickets per address: 5 an hour unless settings say otherwise."""
    return Throttle(
        "help",
        settings.STAFFGATE_HELP_MAX_TICKETS,
        settings.STAFFGATE_HELP_WINDOW_SECONDS,
    )


def help_form_initial(query) -> dict:
    """What a link to the form fills in: the topic, and the User ID of a lock page."""
    initial = {}
    if query.get("topic") in Topic.values:
        initial["topic"] = query["topic"]
    user_id = normalise_user_id(query.get("user_id") or "")
    if user_id and is_well_formed(user_id):
        initial["user_id"] = user_id
    return initial


def _form_invalid() -> dict:
    return {"outcome": Outcome.FORM_INVALID, "message": FORM_INVALID_MESSAGE}


# --- Technical Help Form ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def help_view(request):
    """Anyone, locked out or not, may ask for help; the answer never depends on the User ID."""
    context = {}
    if request.method == "POST":
        throttle = help_throttle()
        address = client_ip(request) or "unknown"
        retry_after = throttle.retry_after(address)
        if retry_after is not None:
            # Counting refusals too means the first one in a window is audited, a flood is not.
            if throttle.hit(address) == throttle.limit + 1:
                record_event(
                    EventTag.Help.TICKET_RATE_LIMITED, request=request, outcome="rate_limited"
                )
            return throttled_response(request, retry_after)
        form = HelpForm(request.POST)
        if form.is_valid():
            if throttle.hit(address) > throttle.limit:
                return throttled_response(request, throttle.retry_after(address) or 1)
            data = form.cleaned_data
            ticket = services.file_ticket(
                user_id=data["user_id"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                topic=data["topic"],
                message=data["message"],
                language=request.LANGUAGE_CODE,
                request=request,
            )
            return render(
                request,
                "helpdesk/help_submitted.html",
                {
                    "reference": ticket.reference,
                    "outcome": Outcome.HELP_SUBMITTED,
                    "message": _(
                        "Your request was sent to the help desk. Its reference is %(reference)s."
                    )
                    % {"reference": ticket.reference},
                },
            )
        context = _form_invalid()
    else:
        form = HelpForm(initial=help_form_initial(request.GET))
    return render(request, "helpdesk/help.html", {"form": form, **context})


# --- Agent login -----------------------------------------------------------------------------


def agent_required(view):
    """Agents only: others go to the help-desk login; signed-in non-agents get 403."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not user.is_employee:
            if not services.is_agent(user):
                return render(request, "helpdesk/forbidden.html", status=403)
            return view(request, *args, **kwargs)
        if request.session_ended:
            messages.info(request, _("Your session has ended. Please log in again."))
        if request.method == "GET":
            return redirect_to_login(request.get_full_path(), reverse("helpdesk-login"))
        return redirect("helpdesk-login")

    return wrapper


# --- Queue and tickets -----------------------------------------------------------------------


@agent_required
@require_GET
def queue_view(request):
    status = request.GET.get("status", "")
    tickets = Ticket.objects.only(
        "reference", "user_id", "full_name", "topic", "status", "created_at"
    )
    if status in TicketStatus.values:
        tickets = tickets.filter(status=status)
    else:
        status = ""
    page = Paginator(tickets.order_by("-created_at", "-id"), TICKETS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "helpdesk/queue.html",
        {"page": page, "status": status, "statuses": TicketStatus.choices},
    )


def _ticket_or_404(reference: str) -> Ticket:
    return get_object_or_404(Ticket, reference=normalise_reference(reference))


def _render_ticket(request, ticket: Ticket, *, failed: str | None = None, form=None, status=200):
    forms = {name: ReasonForm(auto_id=f"id_{name}_%s") for name in ACTIONS}
    context = {}
    if failed:
        forms[failed] = form
        context = {"form": form, **_form_invalid()}
    case = load_case_file(ticket.user_id, now=timeutil.now(), today=timeutil.local_today())
    other_tickets = (
        Ticket.objects.filter(user_id=ticket.user_id)
        .exclude(pk=ticket.pk)
        .only("reference", "status", "created_at")[:10]
    )
    return render(
        request,
        "helpdesk/ticket.html",
        {
            "ticket": ticket,
            "case": case,
            "notes": ticket.notes.all(),
            "other_tickets": other_tickets,
            "forms": forms,
            "failed": failed,
            "ineligibility_text": INELIGIBILITY_TEXT.get(
                case.roster.ineligibility if case.roster else None, ""
            ),
            "email_matches": bool(
                case.account and case.account.email.casefold() == ticket.email.casefold()
            ),
            **context,
        },
        status=status,
    )


@agent_required
@require_GET
def ticket_view(request, reference):
    return _render_ticket(request, _ticket_or_404(reference))


ACTION_MESSAGES = {
    ("unlock", services.ActionResult.DONE): gettext_lazy(
        "The account was unlocked and the person was told by e-mail."
    ),
    ("unlock", services.ActionResult.NOTHING_TO_DO): gettext_lazy(
        "Nothing was locked; the failure counts are clear."
    ),
    ("reset", services.ActionResult.DONE): gettext_lazy(
        "The registration was reset: the person can register again with the PIN."
    ),
    ("reset", services.ActionResult.NOTHING_TO_DO): gettext_lazy(
        "This User ID has no registration to reset; its counts were cleared."
    ),
    ("factors", services.ActionResult.DONE): gettext_lazy(
        "The second factors were removed and the person was told by e-mail."
    ),
    ("factors", services.ActionResult.NOTHING_TO_DO): gettext_lazy(
        "This User ID has no second factor to remove."
    ),
    ("close", services.ActionResult.DONE): gettext_lazy("The ticket was closed."),
}


@agent_required
@require_POST
def ticket_action_view(request, reference, action):
    ticket = _ticket_or_404(reference)
    form = ReasonForm(request.POST, auto_id=f"id_{action}_%s")
    if not form.is_valid():
        return _render_ticket(request, ticket, failed=action, form=form)
    result = ACTIONS[action](
        ticket.reference, agent=request.user, reason=form.cleaned_data["reason"], request=request
    )
    if result is services.ActionResult.TICKET_CLOSED:
        messages.error(request, _("This ticket is closed; nothing was changed."))
    else:
        messages.success(request, ACTION_MESSAGES[(action, result)])
    return redirect("helpdesk-ticket", reference=ticket.reference)
