"""Filing help tickets and the help desk's actions on them, each audited.

Views stay thin: they parse a form and call one function here. Every agent
action names the agent (``agent:<username>``) and the reason in the audit log
and leaves a note on the ticket.
"""

from __future__ import annotations

import enum
import re

from django.db import IntegrityError, transaction

from staffgate.accounts import attempts
from staffgate.accounts import services as account_services
from staffgate.accounts.models import Account
from staffgate.audit.services import client_ip, record_event
from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.core.mail import mail_account, send_security_mail
from staffgate.helpdesk.matching import fold
from staffgate.helpdesk.models import (
    AGENT_PERMISSION,
    Action,
    Ticket,
    TicketNote,
    TicketStatus,
)
from staffgate.helpdesk.references import new_reference

# A clash among ~730 million references is rare; a few fresh draws make it vanish.
REFERENCE_ATTEMPTS = 5


def is_agent(user) -> bool:
    """A help-desk agent: an active staff user holding the permission (or a superuser)."""
    return bool(
        user and user.is_authenticated and user.is_active and user.has_perm(AGENT_PERMISSION)
    )


def actor_of(user) -> str:
    """How an agent is named in the audit log."""
    return f"agent:{user.get_username()}"


def file_ticket(
    *,
    user_id: str,
    full_name: str,
    email: str,
    phone: str,
    topic: str,
    message: str,
    language: str,
    request=None,
) -> Ticket:
    """Store a ticket under a fresh random reference, audit it and acknowledge it by mail.

    Whether ``user_id`` exists changes nothing here, so the answer reveals nothing.
    """
    for attempt in range(REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic():
                ticket = Ticket.objects.create(
                    reference=new_reference(),
                    user_id=user_id,
                    full_name=full_name,
                    name_folded=fold(full_name)[:150],
                    email=email,
                    phone=phone,
                    topic=topic,
                    message=message,
                    language=language,
                    ip=client_ip(request),
                    created_at=timeutil.now(),
                )
            break
        except IntegrityError:
            if attempt == REFERENCE_ATTEMPTS - 1:
                raise
    record_event(
        EventTag.Help.TICKET_CREATED,
        request=request,
        user_id=user_id,
        outcome="submitted",
        detail={"reference": ticket.reference, "topic": topic},
    )
    # Fixed text, and the name only when it reads as a name: nothing else the visitor typed
    # goes into a mail we send to an address they typed.
    send_security_mail(
        "help_ticket",
        email,
        language=language,
        context={"reference": ticket.reference, "greeting_name": greeting_name(full_name)},
    )
    return ticket


# Letters, with spaces, apostrophes, hyphens or dots between words: no link, no digit.
NAME_SHAPE = re.compile(r"[^\W\d_]+(?:[ '’.-]{1,2}[^\W\d_]+)*\.?")
GREETING_NAME_MAX = 60


def greeting_name(full_name: str) -> str:
    """The name a mail to a typed address may greet, or "" when it does not read as a name."""
    name = " ".join(full_name.split())
    if len(name) <= GREETING_NAME_MAX and NAME_SHAPE.fullmatch(name):
        return name
    return ""


class ActionResult(enum.Enum):
    DONE = "done"
    NOTHING_TO_DO = "nothing_to_do"
    TICKET_CLOSED = "ticket_closed"


def _note(ticket: Ticket, agent, action: Action, reason: str, outcome: str, **reply) -> TicketNote:
    return TicketNote.objects.create(
        ticket=ticket,
        author=agent,
        author_name=agent.get_username(),
        action=action,
        outcome=outcome,
        reason=reason,
        created_at=timeutil.now(),
        **reply,
    )


def _open_ticket(reference: str, *, lock: bool = False) -> Ticket | None:
    """The ticket while it is open (row-locked when ``lock``), else None."""
    rows = Ticket.objects.select_for_update() if lock else Ticket.objects
    ticket = rows.get(reference=reference)
    return ticket if ticket.is_open else None


def _record_action(
    tag: str, ticket: Ticket, agent, action: Action, reason: str, outcome: str, request
) -> None:
    with transaction.atomic():
        _note(ticket, agent, action, reason, outcome)
        record_event(
            tag,
            request=request,
            user_id=ticket.user_id,
            actor=actor_of(agent),
            outcome=outcome,
            detail={"reference": ticket.reference, "reason": reason},
        )


def unlock_for_ticket(reference: str, *, agent, reason: str, request=None) -> ActionResult:
    """Clear both locks and every count of the ticket's User ID, and tell the person by mail."""
    ticket = _open_ticket(reference)
    if ticket is None:
        return ActionResult.TICKET_CLOSED
    state = attempts.lock_state(ticket.user_id)
    # Someone who just failed their questions must not be sent back to them.
    after_recovery = bool(state and (state.recovery_locked_at or state.recovery_failures))
    was_locked = account_services.unlock_account(
        ticket.user_id, actor=actor_of(agent), reason=reason, request=request
    )
    outcome = "unlocked" if was_locked else "nothing_to_unlock"
    _record_action(
        EventTag.Helpdesk.TICKET_UNLOCK, ticket, agent, Action.UNLOCK, reason, outcome, request
    )
    # To the address on file, never the one typed on the form: only the owner hears of it.
    account = Account.objects.select_related("person").filter(user_id=ticket.user_id).first()
    if account is not None:
        mail_account(
            account,
            "account_unlocked",
            reference=ticket.reference,
            after_recovery=after_recovery,
        )
    return ActionResult.DONE if was_locked else ActionResult.NOTHING_TO_DO


def reset_for_ticket(reference: str, *, agent, reason: str, request=None) -> ActionResult:
    """Delete the person's registration so their PIN works again (they are told by mail)."""
    ticket = _open_ticket(reference)
    if ticket is None:
        return ActionResult.TICKET_CLOSED
    was_registered = account_services.reset_registration(
        ticket.user_id, actor=actor_of(agent), reason=reason, request=request
    )
    outcome = "reset" if was_registered else "not_registered"
    _record_action(
        EventTag.Helpdesk.TICKET_RESET,
        ticket,
        agent,
        Action.RESET_REGISTRATION,
        reason,
        outcome,
        request,
    )
    return ActionResult.DONE if was_registered else ActionResult.NOTHING_TO_DO


def reset_factors_for_ticket(reference: str, *, agent, reason: str, request=None) -> ActionResult:
    """Remove the person's second factors (they are told by mail); the agent sees no secret."""
    from staffgate.factors.service import reset_factors

    ticket = _open_ticket(reference)
    if ticket is None:
        return ActionResult.TICKET_CLOSED
    account = Account.objects.select_related("person").filter(user_id=ticket.user_id).first()
    had = account is not None and reset_factors(
        account, actor=actor_of(agent), reason=reason, request=request
    )
    _record_action(
        EventTag.Helpdesk.TICKET_FACTORS,
        ticket,
        agent,
        Action.RESET_FACTORS,
        reason,
        "reset" if had else "nothing_to_reset",
        request,
    )
    return ActionResult.DONE if had else ActionResult.NOTHING_TO_DO


def reply_to_ticket(reference: str, *, agent, message: str, request=None) -> ActionResult:
    """Mail ``message`` to the address the person gave, in the language they wrote in, and
    keep it on the ticket; the audit log records that a reply went, not its text."""
    ticket = _open_ticket(reference)
    if ticket is None:
        return ActionResult.TICKET_CLOSED
    sent = send_security_mail(
        "helpdesk_reply",
        ticket.email,
        language=ticket.language,
        context={
            "reference": ticket.reference,
            "reply": message,
            "reply_reference": ticket.reference,
            "greeting_name": greeting_name(ticket.full_name),
        },
    )
    outcome = "sent" if sent else "not_sent"
    with transaction.atomic():
        _note(
            ticket,
            agent,
            Action.REPLY,
            "",
            outcome,
            message=message,
            mailed_to=ticket.email,
            language=ticket.language,
        )
        record_event(
            EventTag.Helpdesk.TICKET_REPLY,
            request=request,
            user_id=ticket.user_id,
            actor=actor_of(agent),
            outcome=outcome,
            detail={"reference": ticket.reference, "characters": len(message)},
        )
    return ActionResult.DONE if sent else ActionResult.NOTHING_TO_DO


def close_ticket(reference: str, *, agent, reason: str, request=None) -> ActionResult:
    """Mark the ticket closed by ``agent`` for ``reason``."""
    with transaction.atomic():
        # Locked, so two agents closing at once leave one closing note, not two.
        ticket = _open_ticket(reference, lock=True)
        if ticket is None:
            return ActionResult.TICKET_CLOSED
        ticket.status = TicketStatus.CLOSED
        ticket.closed_at = timeutil.now()
        ticket.closed_by = agent
        ticket.close_reason = reason
        ticket.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
        _record_action(
            EventTag.Helpdesk.TICKET_CLOSED, ticket, agent, Action.CLOSE, reason, "closed", request
        )
    return ActionResult.DONE
