"""The registration wizard as one serialisable state under one session key.

The stage order is a pure rule; the state keeps only what the last step needs
(answers already hashed, never in clear); :func:`complete_registration` writes
everything in one transaction at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction

from staffgate.accounts import attempts, sessions
from staffgate.accounts.models import Account, ChallengeAnswer
from staffgate.accounts.policy import Policy
from staffgate.accounts.questions import normalise_answer
from staffgate.accounts.services import email_in_use, release_unproved_email
from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.core.flows import FlowStage, SessionState
from staffgate.roster.eligibility import check_eligibility, facts_of
from staffgate.roster.models import Person

STATE_KEY = "staffgate.registration"
NEXT_KEY = "staffgate.registration.next"


class Stage(FlowStage):
    TERMS = "terms"
    CONTACT = "contact"
    VERIFY_EMAIL = "verify-email"  # the code mailed to the address just given
    QUESTIONS = "questions"
    PASSWORD = "password"

    @classmethod
    def _flow(cls) -> tuple[str, int]:
        return "register", 0  # the login page, where the PIN is typed, is not a numbered step

    @property
    def number(self) -> int:
        """Position among the wizard's pages the person sees: the Terms are step 1.

        Confirming the e-mail address is part of the contact step.
        """
        return NUMBERED.index(self.numbered_as) + 1

    @property
    def numbered_as(self) -> Stage:
        return Stage.CONTACT if self is Stage.VERIFY_EMAIL else self

    @property
    def previous(self) -> Stage | None:
        """The step a Back link leads to (``None``: the login page)."""
        if self is Stage.VERIFY_EMAIL:
            return Stage.CONTACT
        index = NUMBERED.index(self)
        return NUMBERED[index - 1] if index else None


ORDER = list(Stage)
NUMBERED = [stage for stage in ORDER if stage is not Stage.VERIFY_EMAIL]
TOTAL_STEPS = len(NUMBERED)


def total_steps(*, factor_step: bool) -> int:
    """How many numbered steps the person goes through (one more when a factor is required)."""
    return TOTAL_STEPS + (1 if factor_step else 0)


def current_stage(done: list[str]) -> Stage:
    """The first stage not yet completed; stages are done strictly in ``ORDER``."""
    for stage in ORDER:
        if stage.value not in done:
            return stage
    return ORDER[-1]


@dataclass
class RegistrationState(SessionState):
    """Everything the wizard has collected so far for one person."""

    session_key: ClassVar[str] = STATE_KEY

    user_id: str
    person_pk: int
    started_at: float
    done: list[str] = field(default_factory=list)
    terms_version: str = ""
    email: str = ""
    app_id: str = ""
    email_code: int | None = None  # the code mailed to ``email``, until it is typed back
    verified_email: str = ""  # the address whose code came back, kept if the person goes back
    answers: list[list[str]] = field(default_factory=list)  # [question_key, answer_hash]

    @property
    def stage(self) -> Stage:
        return current_stage(self.done)

    def complete(self, stage: Stage) -> None:
        if stage is not self.stage:
            raise ValueError(f"stage {stage.value} is not the current one")
        self.done.append(stage.value)

    def go_back_to(self, stage: Stage) -> None:
        """Reopen a completed ``stage``: it and every later one must be done again, in order."""
        if stage.value not in self.done:
            raise ValueError(f"stage {stage.value} was not completed")
        self.done = [s.value for s in ORDER[: ORDER.index(stage)]]


def begin_registration(
    request, person: Person, *, next_url: str | None = None
) -> RegistrationState:
    """After a correct PIN: a fresh session key and an empty wizard.

    ``next_url`` (an address on this site, such as an app's sign-in request) is where
    the person goes once registered.
    """
    if request.user.is_authenticated:
        # One person per browser session: whoever was signed in here is signed out first.
        sessions.end_current_session(request)
    language = request.session.get("staffgate.language")
    request.session.cycle_key()
    request.session.pop(STATE_KEY, None)
    state = RegistrationState(
        user_id=person.employee_id, person_pk=person.pk, started_at=timeutil.now().timestamp()
    )
    state.save(request.session)
    if language:
        request.session["staffgate.language"] = language
    if next_url:
        request.session[NEXT_KEY] = next_url
    return state


def abandon_registration(session) -> None:
    RegistrationState.clear(session)


def next_url(session) -> str | None:
    """Where the person goes once registered, if they came from somewhere."""
    return session.get(NEXT_KEY)


def pop_next_url(session) -> str | None:
    """Where to go after registering, given at its start (once)."""
    return session.pop(NEXT_KEY, None)


def hash_answers(pairs: list[tuple[str, str]]) -> list[list[str]]:
    """Argon2id hashes of the trimmed answers, kept with their question keys."""
    return [[key, make_password(normalise_answer(answer))] for key, answer in pairs]


class RegistrationError(Exception):
    """The last step could not be written; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def complete_registration(
    state: RegistrationState, password: str, language: str, policy: Policy, *, request=None
) -> Account:
    """Write the account and its answers in one transaction, or nothing at all."""
    now = timeutil.now()
    # Hashed before the transaction: no other write waits on it.
    password_hash = make_password(password)
    try:
        with transaction.atomic():
            person = Person.objects.select_for_update().get(pk=state.person_pk)
            if Account.objects.filter(person=person).exists():
                raise RegistrationError("registration.already_done")
            if check_eligibility(facts_of(person), timeutil.local_today()) is not None:
                raise RegistrationError("login.not_eligible")
            # The code proved the address is the registrant's: an account that proved it
            # first keeps it (the registrant is sent back), one that never did gives it up.
            if email_in_use(state.email):
                raise RegistrationError("email.taken")
            release_unproved_email(state.email, request=request)
            account = Account.objects.create(
                person=person,
                user_id=person.employee_id,
                password=password_hash,
                email=state.email,
                email_verified_at=now,
                app_id=state.app_id,
                language=language,
                terms_version=state.terms_version,
                terms_accepted_at=now,
                registered_at=now,
                password_changed_at=now,
            )
            ChallengeAnswer.objects.bulk_create(
                ChallengeAnswer(account=account, position=i + 1, question_key=k, answer_hash=h)
                for i, (k, h) in enumerate(state.answers)
            )
            attempts.unlock(person.employee_id)
            record_event(
                EventTag.Account.REGISTER_COMPLETE,
                request=request,
                user_id=person.employee_id,
                outcome="registered",
                detail={"terms_version": state.terms_version, "language": language},
            )
    except Person.DoesNotExist:
        raise RegistrationError("login.not_eligible") from None
    except IntegrityError:
        raise RegistrationError("email.taken") from None
    return account
