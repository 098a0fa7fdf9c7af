"""The Technical Help Form and the help desk: parse, call one service, render.

Agents are Django users holding ``helpdesk.act_on_tickets``; their login lives
under ``/helpdesk/`` and never mixes with an employee's session.
"""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from staffgate.accounts import attempts, sessions
from staffgate.accounts.policy import current_policy
from staffgate.audit.services import clean_text, client_ip, record_event
from staffgate.core import timeutil
from staffgate.core.outcomes import Outcome
from staffgate.core.throttle import Throttle
from staffgate.core.views import FORM_INVALID_MESSAGE, safe_next, throttled_response
from staffgate.helpdesk import services
from staffgate.helpdesk.casefile import load_case_file
from staffgate.helpdesk.forms import AgentLoginForm, HelpForm, ReasonForm
from staffgate.helpdesk.models import Ticket, TicketStatus, Topic
from staffgate.helpdesk.references import normalise_reference
from staffgate.roster.eligibility import Ineligibility

TICKETS_PER_PAGE = 25
STARTED_KEY = "staffgate.helpdesk.started"
SEEN_KEY = "staffgate.helpdesk.seen"
ACTIONS = {
    "unlock": services.unlock_for_ticket,
    "reset": services.reset_for_ticket,
    "close": services.close_ticket,
}


INELIGIBILITY_TEXT = {
    Ineligibility.NOT_IN_ROSTER: gettext_lazy("not in the roster"),
    Ineligibility.COUNTRY_NOT_COVERED: gettext_lazy("country not covered"),
    Ineligibility.NO_RETIREMENT_PLAN: gettext_lazy("retired without the retirement plan"),
    Ineligibility.SEPARATION_WINDOW_CLOSED: gettext_lazy("separated, and access has ended"),
    Ineligibility.SEPARATION_DATE_MISSING: gettext_lazy("separated, with no separation date"),
    Ineligibility.STATUS_NOT_COVERED: gettext_lazy("status not covered"),
}


def help_throttle() -> Throttle:
    """Help tickets per address: 5 an hour unless settings say otherwise."""
    return Throttle(
        "help",
        settings.STAFFGATE_HELP_MAX_TICKETS,
        settings.STAFFGATE_HELP_WINDOW_SECONDS,
    )


def _form_invalid() -> dict:
    return {"outcome": Outcome.FORM_INVALID, "message": FORM_INVALID_MESSAGE}


# --- Technical Help Form ---------------------------------------------------------------------


@never_cache
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
                record_event("help:ticket:rate_limited", request=request, outcome="rate_limited")
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
        topic = request.GET.get("topic")
        form = HelpForm(initial={"topic": topic} if topic in Topic.values else {})
    return render(request, "helpdesk/help.html", {"form": form, **context})


# --- Agent login -----------------------------------------------------------------------------


def _lock_key(username: str) -> str:
    # Agents share the exact per-ID counters of employees under their own prefix,
    # which no Employee ID can have (IDs are letters and digits).
    return f"helpdesk:{username.casefold()}"[:64]


def _agent_session_expired(request, now: float) -> bool:
    policy = current_policy()
    if STARTED_KEY not in request.session:
        # Logged in elsewhere (the admin site): the help desk's clock starts now.
        request.session[STARTED_KEY] = request.session[SEEN_KEY] = now
    started = request.session[STARTED_KEY]
    seen = request.session.get(SEEN_KEY, 0)
    return now - started > policy.session_max_seconds or now - seen > policy.session_idle_seconds


def agent_required(view):
    """Agents only: others go to the help-desk login; logged-in staff without the right get 403."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and request.account is None:
            now = time.time()
            if _agent_session_expired(request, now):
                record_event(
                    "helpdesk:session:end",
                    request=request,
                    actor=services.actor_of(user),
                    outcome="expired",
                )
                auth_logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
            else:
                if not services.is_agent(user):
                    return render(request, "helpdesk/forbidden.html", status=403)
                request.session[SEEN_KEY] = now
                return view(request, *args, **kwargs)
        url = reverse("helpdesk-login")
        if request.method == "GET":
            url += "?" + f"next={request.get_full_path()}"
        return redirect(url)

    return wrapper


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.method == "GET" and request.account is None and services.is_agent(request.user):
        return redirect("helpdesk-queue")
    outcome = message = None
    if request.method == "POST":
        form = AgentLoginForm(request.POST)
        if form.is_valid():
            outcome, message = _log_agent_in(request, form.cleaned_data)
            if outcome is None:
                return HttpResponseRedirect(
                    safe_next(request, within="/helpdesk/") or reverse("helpdesk-queue")
                )
        else:
            outcome, message = Outcome.FORM_INVALID, FORM_INVALID_MESSAGE
    else:
        form = AgentLoginForm()
    return render(
        request,
        "helpdesk/login.html",
        {
            "form": form,
            "outcome": outcome,
            "message": message,
            "next": safe_next(request, within="/helpdesk/") or "",
        },
    )


def _log_agent_in(request, data) -> tuple[Outcome | None, str | None]:
    """Log the agent in, or say why not; (None, None) on success."""
    username, policy = data["username"], current_policy()
    named = clean_text(username, 150)
    key = _lock_key(username)
    charge = attempts.charge_login_attempt(key, timeutil.now(), policy)
    locked_message = _(
        "Too many failed attempts. Sign-in is locked for %(minutes)s minutes; try again later."
    ) % {"minutes": max(1, policy.lock_seconds // 60)}
    if isinstance(charge, attempts.Refusal):
        record_event("helpdesk:login:refused", request=request, detail={"username": named})
        return Outcome.LOGIN_LOCKED, locked_message
    # Django's backend costs one hash for unknown usernames too, so timing tells nothing.
    user = authenticate(request, username=username, password=data["password"])
    if user is None:
        locked = charge >= policy.max_login_failures
        record_event(
            "helpdesk:login:failure",
            request=request,
            outcome="locked" if locked else "invalid",
            detail={"username": named, "attempt": charge},
        )
        if locked:
            return Outcome.LOGIN_LOCKED, locked_message
        return Outcome.LOGIN_INVALID, _("The username or password is not correct.")
    attempts.clear_login_failures(key)
    if not services.is_agent(user):
        record_event(
            "helpdesk:login:denied",
            request=request,
            actor=services.actor_of(user),
            outcome="not_agent",
        )
        return Outcome.LOGIN_NOT_ELIGIBLE, _("This account may not use the help desk.")
    if request.account is not None:
        # One person per browser session: an employee's session ends before an agent's starts.
        sessions.end_current_session(request)
    auth_login(request, user)  # rotates the session key
    now = time.time()
    request.session[STARTED_KEY] = now
    request.session[SEEN_KEY] = now
    record_event(
        "helpdesk:login:success",
        request=request,
        actor=services.actor_of(user),
        outcome="signed_in",
    )
    return None, None


@require_POST
def logout_view(request):
    # Only an agent's session is ended here; an employee's is left alone.
    if request.user.is_authenticated:
        record_event(
            "helpdesk:logout",
            request=request,
            actor=services.actor_of(request.user),
            outcome="logged_out",
        )
        auth_logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("helpdesk-login")


# --- Queue and tickets -----------------------------------------------------------------------


@never_cache
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


@never_cache
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
    ("close", services.ActionResult.DONE): gettext_lazy("The ticket was closed."),
}


@never_cache
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
