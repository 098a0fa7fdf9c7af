"""The Technical Help Form and the help desk: parse, call one service, render.

Agents are staff accounts holding ``helpdesk.act_on_tickets``; they sign in at
``/helpdesk/login/`` through the same backend and lock as employees.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from staffgate.accounts.models import AccessLock
from staffgate.audit import words
from staffgate.audit.services import client_ip, record_event
from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.core.outcomes import Outcome
from staffgate.core.throttle import Throttle
from staffgate.core.views import FORM_INVALID_MESSAGE, throttled_response
from staffgate.helpdesk import services
from staffgate.helpdesk.casefile import describe_lock, load_case_file
from staffgate.helpdesk.forms import CONFIRMED_ACTIONS, HelpForm, TicketActionForm
from staffgate.helpdesk.matching import Match, fold, match_email, match_name, match_phone
from staffgate.helpdesk.models import Ticket, Topic
from staffgate.helpdesk.references import normalise_reference
from staffgate.roster.eligibility import Ineligibility
from staffgate.roster.ids import is_well_formed, normalise_user_id

TICKETS_PER_PAGE = 25
ACTIONS = {
    "unlock": services.unlock_for_ticket,
    "reset": services.reset_for_ticket,
    "factors": services.reset_factors_for_ticket,
    "reply": services.reply_to_ticket,
    "close": services.close_ticket,
}
# The queue: open tickets, oldest first, unless the agent asks otherwise.
QUEUE_STATUSES = ("open", "closed", "all")
QUEUE_SORTS = {"oldest": ("created_at", "id"), "newest": ("-created_at", "-id")}


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


def _search(tickets, query: str):
    """Tickets whose reference or User ID is ``query``, or whose name given contains it."""
    folded = fold(query)
    condition = Q(name_folded__contains=folded) if folded else Q(pk__in=[])
    reference = normalise_reference(query)
    if reference:
        condition |= Q(reference=reference)
    user_id = normalise_user_id(query)
    if user_id:
        condition |= Q(user_id=user_id)
    return tickets.filter(condition)


def _lock_words(lock) -> str:
    if lock.kind.value == "recovery":
        return _("Locked after recovery")
    if lock.kind.value == "temporary":
        return _("Locked until %(time)s") % {"time": date_format(localtime(lock.until), "H:i")}
    return _("Not locked")


@agent_required
@require_GET
def queue_view(request):
    query = " ".join(request.GET.get("q", "").split())[:150]
    # A search looks through every ticket unless a status is asked for.
    status = request.GET.get("status", "")
    if status not in QUEUE_STATUSES:
        status = "all" if query else "open"

    sort = request.GET.get("sort", "")
    if sort not in QUEUE_SORTS:
        sort = "oldest"
    tickets = Ticket.objects.only(
        "reference", "user_id", "full_name", "topic", "status", "created_at"
    )
    if status != "all":
        tickets = tickets.filter(status=status)
    if query:
        tickets = _search(tickets, query)
    page = Paginator(tickets.order_by(*QUEUE_SORTS[sort]), TICKETS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    now = timeutil.now()
    locks = {
        row.user_id: row
        for row in AccessLock.objects.filter(user_id__in={t.user_id for t in page.object_list})
    }
    rows = []
    for ticket in page.object_list:
        state = locks.get(ticket.user_id)
        lock = describe_lock(
            login_failures=state.login_failures if state else 0,
            locked_until=state.locked_until if state else None,
            recovery_failures=state.recovery_failures if state else 0,
            recovery_locked_at=state.recovery_locked_at if state else None,
            now=now,
        )
        rows.append({"ticket": ticket, "lock": lock, "lock_words": _lock_words(lock)})
    # Only what differs from the defaults, so the plain queue's links stay "?page=2".
    kept = {
        "q": query,
        "status": status if status != ("all" if query else "open") else "",
        "sort": sort if sort != "oldest" else "",
    }
    base = urlencode({k: v for k, v in kept.items() if v})
    return render(
        request,
        "helpdesk/queue.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "sort": sort,
            "query": query,
            "base_query": base + "&" if base else "",
            "statuses": [
                ("open", _("Open")),
                ("closed", _("Closed")),
                ("all", _("All")),
            ],
        },
    )


def _ticket_or_404(reference: str) -> Ticket:
    return get_object_or_404(Ticket, reference=normalise_reference(reference))


def _summary(ticket: Ticket, case) -> dict:
    """The checks at the top of a ticket: does what was typed match what is on file?"""
    roster_name = case.roster.full_name if case.roster else None
    on_file = case.account.email if case.account else (case.roster.email if case.roster else "")
    return {
        "name": match_name(ticket.full_name, roster_name),
        "email": match_email(ticket.email, on_file),
        "email_on_file": on_file,
        "phone": match_phone(ticket.phone, None),
    }


def _render_ticket(request, ticket: Ticket, *, form=None, status=200):
    context = {}
    if form is not None and form.errors:
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
            "summary": _summary(ticket, case),
            "lock_since": case.lock.until
            - dt.timedelta(seconds=settings.STAFFGATE_LOGIN_LOCK_SECONDS)
            if case.lock.kind.value == "temporary"
            else None,
            "Match": {m.name: m for m in Match},
            "notes": ticket.notes.all(),
            "other_tickets": other_tickets,
            "panel": form if form is not None else TicketActionForm(auto_id="id_%s"),
            "events": [
                {
                    "event": event,
                    "words": words.event_words(event.tag),
                    "outcome": words.outcome_words(event.outcome),
                }
                for event in case.events
            ],
            "ticket_language": words.language_words(ticket.language),
            "account_language": words.language_words(case.account.language) if case.account else "",
            "roster_status": words.status_words(case.roster.status) if case.roster else "",
            "roster_country": words.country_words(case.roster.country) if case.roster else "",
            "ineligibility_text": INELIGIBILITY_TEXT.get(
                case.roster.ineligibility if case.roster else None, ""
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
    ("reply", services.ActionResult.DONE): gettext_lazy(
        "Your reply was sent to the person and kept on the ticket."
    ),
    ("reply", services.ActionResult.NOTHING_TO_DO): gettext_lazy(
        "Your reply was kept on the ticket, but it could not be sent: try again later."
    ),
    ("close", services.ActionResult.DONE): gettext_lazy("The ticket was closed."),
}

CONFIRM_TEXT = {
    "reset": (
        gettext_lazy("Reset the registration of User ID %(user_id)s?"),
        gettext_lazy(
            "Their password, challenge answers and second factors are deleted and every "
            "session ends. They register again with their PIN. This cannot be undone."
        ),
        gettext_lazy("Yes, reset the registration"),
    ),
    "factors": (
        gettext_lazy("Remove the second factors of User ID %(user_id)s?"),
        gettext_lazy(
            "Their authenticator apps and recovery codes are deleted and every session ends. "
            "They log in with their password alone, then add an app again. This cannot be "
            "undone."
        ),
        gettext_lazy("Yes, remove the second factors"),
    ),
}


def _confirm_page(request, ticket: Ticket, form: TicketActionForm, action: str):
    """Nothing changes yet: the agent reads what will happen and confirms, or goes back."""
    title, warning, button = CONFIRM_TEXT[action]
    return render(
        request,
        "helpdesk/confirm.html",
        {
            "ticket": ticket,
            "action": action,
            "title": title % {"user_id": ticket.user_id},
            "warning": warning,
            "button": button,
            "reason": form.cleaned_data["reason"],
            "close_ticket": form.cleaned_data["close_ticket"],
        },
    )


@agent_required
@require_POST
def ticket_action_view(request, reference, action=None):
    """One route per action, and the panel's own (``act``), which says the action in a field."""
    ticket = _ticket_or_404(reference)
    data = request.POST.copy()
    if action is not None:
        data["action"] = action
    form = TicketActionForm(data, auto_id="id_%s")
    if not form.is_valid():
        return _render_ticket(request, ticket, form=form)
    action = form.cleaned_data["action"]
    if not ticket.is_open:
        messages.error(request, _("This ticket is closed; nothing was changed."))
        return redirect("helpdesk-ticket", reference=ticket.reference)
    if action in CONFIRMED_ACTIONS and not form.confirmed:
        return _confirm_page(request, ticket, form, action)
    reason = form.cleaned_data["reason"]
    if action == "reply":
        result = services.reply_to_ticket(
            ticket.reference,
            agent=request.user,
            message=form.cleaned_data["reply"].strip(),
            request=request,
        )
    else:
        result = ACTIONS[action](
            ticket.reference, agent=request.user, reason=reason, request=request
        )
    if result is services.ActionResult.TICKET_CLOSED:
        messages.error(request, _("This ticket is closed; nothing was changed."))
        return redirect("helpdesk-ticket", reference=ticket.reference)
    messages.success(request, ACTION_MESSAGES[(action, result)])
    if form.cleaned_data["close_ticket"] and action != "close":
        closed = services.close_ticket(
            ticket.reference, agent=request.user, reason=reason, request=request
        )
        if closed is services.ActionResult.DONE:
            messages.success(request, ACTION_MESSAGES[("close", closed)])
    return redirect("helpdesk-ticket", reference=ticket.reference)
