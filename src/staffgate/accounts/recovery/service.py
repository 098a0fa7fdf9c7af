"""Forgot password: the person's own three questions, then a new password.

The flow is one small state kept under one session key and moves through an
ordered list of stages. Nothing in it reveals whether an ID exists or is
registered: IDs without an account are shown three decoy questions chosen
stably per ID, every checked set of answers costs the same three hashes, and
every ID fails and locks the same way, because each attempt is charged to the
ID's counters (:mod:`staffgate.accounts.attempts`) *before* any hash. The lock
that the last allowed failure sets blocks login too and never ends by itself.

Where the operator offers it (``STAFFGATE_RECOVERY_METHODS``), a code mailed to the
account's verified address may stand for the answers: every ID may ask for one and gets
the same pages, each typed code is charged like a set of answers, and only an account
with a verified address can ever pass (the mail itself: :mod:`.mailed_codes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils.crypto import salted_hmac

from staffgate.accounts import attempts, sessions
from staffgate.accounts.access import refused_access
from staffgate.accounts.login.service import spend_one_hash
from staffgate.accounts.models import Account, ChallengeAnswer
from staffgate.accounts.policy import Policy, RecoveryMethod
from staffgate.accounts.questions import COUNT, QUESTIONS, decoy_key, normalise_answer
from staffgate.audit.services import record_event
from staffgate.audit.tags import EventTag
from staffgate.core import timeutil
from staffgate.core.flows import FlowStage, SessionState
from staffgate.core.identifiers import recorded_identifier
from staffgate.core.mail import mail_account, mail_account_or_decoy
from staffgate.core.outcomes import Outcome, ServiceOutcome
from staffgate.factors import email_codes
from staffgate.factors.models import EmailCode
from staffgate.roster.ids import MAX_LENGTH, normalise_user_id

STATE_KEY = "staffgate.recovery"
MAILED_CODE_KEY = "staffgate.recovery.mailed_code"
DECOY_SALT = "staffgate.recovery.decoy-questions"


# --- Pure rules ----------------------------------------------------------------------------


class Stage(FlowStage):
    """The pages after ``/recover/``, in order."""

    QUESTIONS = "questions"
    # Only for accounts whose login asks for a second factor; shown as part of step 2.
    FACTOR = "factor"
    PASSWORD = "password"
    DONE = "done"

    @classmethod
    def _flow(cls) -> tuple[str, int]:
        return "recover", 1  # the User ID is step 1

    @property
    def number(self) -> int:
        shown = [s for s in type(self) if s is not Stage.FACTOR]
        return shown.index(Stage.QUESTIONS if self is Stage.FACTOR else self) + 2

    @classmethod
    def total_steps(cls) -> int:
        return len(cls) - 1 + cls._flow()[1]


ORDER = list(Stage)
TOTAL_STEPS = Stage.total_steps()


class RecoveryOutcome(ServiceOutcome):
    """What a set of answers (or a new password) led to, and the page outcome it shows."""

    ANSWERS_OK = "answers_ok"
    CODE_OK = "code_ok"
    RESET = "reset"
    INVALID = Outcome.RECOVER_INVALID
    CODE_INVALID = Outcome.CODE_INVALID
    CODE_EXPIRED = Outcome.CODE_EXPIRED
    ACCOUNT_LOCKED = Outcome.ACCOUNT_LOCKED
    NOT_ELIGIBLE = Outcome.LOGIN_NOT_ELIGIBLE
    GONE = "gone"


@dataclass
class RecoveryState(SessionState):
    """One person's way through the flow; never holds an answer, a hash or "registered"."""

    session_key: ClassVar[str] = STATE_KEY

    user_id: str
    started_at: float
    answered_at: float | None = None
    done: bool = False
    # Set with the right answers when the account has a second factor, which comes next.
    factor_needed: bool = False
    factor_at: float | None = None

    @classmethod
    def clear(cls, session) -> None:
        super().clear(session)
        MailedCode.clear(session)


@dataclass
class MailedCode(SessionState):
    """The code mailed in one recovery flow: its record's number, never the code.

    Kept beside the flow's state and tied to it by the ID and the flow's start, so that a
    code asked for in one flow is never taken for another's.
    """

    session_key: ClassVar[str] = MAILED_CODE_KEY

    user_id: str
    started_at: float  # the flow's, not the code's
    code_id: int
    proved: bool = False  # the right code was typed: it, not the answers, showed who it is

    @classmethod
    def of_flow(cls, session, state: RecoveryState) -> MailedCode | None:
        """The code mailed in the flow ``state``, if one was."""
        mailed = cls.load(session)
        if mailed is None or (mailed.user_id, mailed.started_at) != (
            state.user_id,
            state.started_at,
        ):
            return None
        return mailed


def current_stage(
    state: RecoveryState, now: float, *, questions_seconds: int, reset_seconds: int
) -> Stage | None:
    """The page ``state`` is at on ``now`` (epoch seconds), or ``None`` once it has expired.

    Answers must come within ``questions_seconds`` of entering the ID; the second factor
    (when the account has one) and the new password within ``reset_seconds`` of the
    right answers.
    """
    if state.done:
        return Stage.DONE
    if state.answered_at is not None:
        if now - state.answered_at > reset_seconds:
            return None
        if state.factor_needed and state.factor_at is None:
            return Stage.FACTOR
        return Stage.PASSWORD
    return Stage.QUESTIONS if now - state.started_at <= questions_seconds else None


def decoy_questions(user_id: str, secret: str | bytes) -> list[str]:
    """Three different question keys for an ID without an account, the same on every visit.

    Picked from a keyed hash (HMAC-SHA256 with ``secret``) of the normalised ID,
    so they look like anyone's choice, cannot be predicted without the secret,
    and do not change between visits.
    """
    digest = salted_hmac(
        DECOY_SALT, normalise_user_id(user_id), secret=secret, algorithm="sha256"
    ).digest()
    pool = sorted(QUESTIONS)
    chosen = []
    for n in range(COUNT):
        index = int.from_bytes(digest[4 * n : 4 * n + 4], "big") % len(pool)
        chosen.append(pool.pop(index))
    return chosen


def failure_outcome(attempt: int, max_failures: int) -> RecoveryOutcome:
    """A wrong set of answers: the attempt that reaches ``max_failures`` locks the account."""
    return RecoveryOutcome.ACCOUNT_LOCKED if attempt >= max_failures else RecoveryOutcome.INVALID


def lock_key(user_id: str) -> str:
    """The key of the ID's counters, shared with login so that the recovery lock blocks it."""
    return recorded_identifier(normalise_user_id(user_id))


# --- Services ------------------------------------------------------------------------------


@dataclass
class Challenge:
    """The questions shown for an ID and, for a real account, the hashes to check against."""

    questions: list[str]
    hashes: list[str | None] = field(default_factory=list)
    account: Account | None = None


@dataclass
class RecoveryResult:
    outcome: RecoveryOutcome
    account: Account | None = None
    tries_left: int | None = None  # after wrong answers: wrong sets allowed before the lock


def _account_of(user_id: str) -> Account | None:
    user_id = normalise_user_id(user_id)
    if len(user_id) > MAX_LENGTH:
        return None
    return (
        Account.objects.select_related("person")
        .filter(user_id=user_id, person__isnull=False)
        .first()
    )


def load_challenge(user_id: str) -> Challenge:
    """The account's own three questions, or stable decoys when there is no account."""
    account = _account_of(user_id)
    # The answers are read for every ID, one without an account too, and the decoys worked
    # out for every ID, so that the page costs the same queries and work either way.
    answers = list(
        ChallengeAnswer.objects.filter(account_id=account.pk if account else None).order_by(
            "position"
        )
    )
    decoys = decoy_questions(user_id, decoy_key())
    if account is not None:
        if len(answers) == COUNT:
            return Challenge(
                questions=[a.question_key for a in answers],
                hashes=[a.answer_hash for a in answers],
                account=account,
            )
    return Challenge(questions=decoys, hashes=[None] * COUNT)


def _verify_answers(challenge: Challenge, given: list[str]) -> bool:
    """Check all three answers, always three hashes, whatever the first results are."""
    results = []
    for position, (stored, raw) in enumerate(zip(challenge.hashes, given, strict=True), start=1):
        answer = normalise_answer(raw)
        if stored is None:
            spend_one_hash(answer)
            results.append(False)
            continue

        def upgrade(value, position=position):
            ChallengeAnswer.objects.filter(account=challenge.account, position=position).update(
                answer_hash=make_password(value)
            )

        results.append(check_password(answer, stored, setter=upgrade))
    return challenge.account is not None and all(results)


def begin_recovery(request, user_id: str) -> RecoveryState:
    """Start the flow for ``user_id`` on a fresh session key; nothing is looked up yet."""
    request.session.cycle_key()
    RecoveryState.clear(request.session)
    state = RecoveryState(user_id=lock_key(user_id), started_at=timeutil.now().timestamp())
    state.save(request.session)
    return state


def _auditor(
    request,
    key: str,
    policy: Policy,
    account_of,
    *,
    failure,
    refused=None,
    failure_tag: EventTag.Account = EventTag.Account.RECOVER_FAILURE,
    wrong: RecoveryOutcome = RecoveryOutcome.INVALID,
    lock_mail: dict | None = None,
):
    """The audit of a charged recovery check: a refusal, or a failure that may set the lock.

    ``account_of()`` is the account checked (``None`` for decoys), known once verified; the
    lock mail (with ``lock_mail`` in its context) is sent once, since later attempts are
    refused before reaching this point. A failure that does not lock is ``failure_tag``
    with the outcome ``wrong``.
    """

    def audit(check: attempts.Check) -> None:
        if check.refused:
            record_event(
                EventTag.Account.RECOVER_REFUSED,
                request=request,
                user_id=key,
                outcome=RecoveryOutcome.ACCOUNT_LOCKED.value,
                detail=refused,
            )
            return
        record_event(
            EventTag.Account.RECOVER_LOCKED if check.locks else failure_tag,
            request=request,
            user_id=key,
            outcome=RecoveryOutcome.ACCOUNT_LOCKED.value if check.locks else wrong.value,
            detail={"attempt": check.attempt, **failure()},
        )
        if check.locks:
            # An ID without an address to tell queues a decoy: the lock costs the same.
            mail_account_or_decoy(account_of(), "account_locked", **(lock_mail or {}))

    return audit


def check_recovery_answers(
    user_id: str, given: list[str], policy: Policy, *, request=None
) -> RecoveryResult:
    """Charge one attempt, then check the three answers of ``user_id``.

    A refused attempt (already locked) costs no hash; any other costs three.
    """
    key = lock_key(user_id)
    challenge = Challenge(questions=[])

    def verify() -> bool:
        nonlocal challenge
        challenge = load_challenge(key)
        return _verify_answers(challenge, given)

    audit = _auditor(
        request,
        key,
        policy,
        lambda: challenge.account,
        failure=lambda: {"questions": "own" if challenge.account else "decoy"},
    )

    check = attempts.charged_check(
        attempts.Series.RECOVERY, key, policy, verify, now=timeutil.now(), audit=audit
    )
    if check.refused:
        return RecoveryResult(RecoveryOutcome.ACCOUNT_LOCKED)
    if not check.correct:
        return RecoveryResult(
            failure_outcome(check.attempt, policy.max_recovery_failures),
            tries_left=attempts.tries_left(check.attempt, policy.max_recovery_failures),
        )

    account = challenge.account
    record_event(
        EventTag.Account.RECOVER_ANSWERS_OK, request=request, user_id=key, outcome="answers_ok"
    )
    if _refused(account, request, key):
        return RecoveryResult(RecoveryOutcome.NOT_ELIGIBLE, account)
    return RecoveryResult(RecoveryOutcome.ANSWERS_OK, account)


def proves_address(account: Account | None, record: EmailCode) -> bool:
    """Whether ``record``'s code was mailed to ``account``'s address, and that is verified."""
    return (
        account is not None
        and account.email_verified_at is not None
        and bool(account.email)
        and bool(record.address)
        and record.address.casefold() == account.email.casefold()
    )


def check_recovery_code(
    user_id: str, code_id: int, typed: str, policy: Policy, *, request=None
) -> RecoveryResult:
    """Charge one attempt, then check the code typed for the one mailed in this flow.

    A code that can no longer be accepted (too late, used, or tried too often) is
    ``CODE_EXPIRED`` and costs no attempt, as nothing is compared; any other is charged
    like a set of answers, and right only when it was mailed to the account's verified
    address: every ID has a code record, but nobody receives the code of an ID without one.
    """
    key = lock_key(user_id)
    record = EmailCode.objects.filter(
        pk=code_id, subject=key, purpose=email_codes.Purpose.RECOVER
    ).first()
    if record is None or not email_codes.is_open(record):
        if is_recovery_locked(key):
            return RecoveryResult(RecoveryOutcome.ACCOUNT_LOCKED)
        return RecoveryResult(RecoveryOutcome.CODE_EXPIRED)
    account = None
    verdict = None

    def verify() -> bool:
        nonlocal account, verdict
        account = _account_of(key)  # looked up for every ID: the same queries either way
        verdict = email_codes.check_code(record, typed).verdict
        return verdict is email_codes.Verdict.RIGHT and proves_address(account, record)

    audit = _auditor(
        request,
        key,
        policy,
        lambda: account,
        refused={"stage": "email_code"},
        failure=lambda: {"stage": "email_code"},
        failure_tag=EventTag.Account.RECOVER_CODE_FAILURE,
        wrong=RecoveryOutcome.CODE_INVALID,
        lock_mail={"locked_by": "email_code"},
    )
    check = attempts.charged_check(
        attempts.Series.RECOVERY, key, policy, verify, now=timeutil.now(), audit=audit
    )
    if check.refused:
        return RecoveryResult(RecoveryOutcome.ACCOUNT_LOCKED)
    if not check.correct:
        if check.locks:
            return RecoveryResult(RecoveryOutcome.ACCOUNT_LOCKED)
        # Used up meanwhile (its last try, or another tab): a new code is needed.
        expired = verdict is email_codes.Verdict.EXPIRED
        return RecoveryResult(
            RecoveryOutcome.CODE_EXPIRED if expired else RecoveryOutcome.CODE_INVALID,
            tries_left=attempts.tries_left(check.attempt, policy.max_recovery_failures),
        )
    record_event(EventTag.Account.RECOVER_CODE_OK, request=request, user_id=key, outcome="code_ok")
    if _refused(account, request, key):
        return RecoveryResult(RecoveryOutcome.NOT_ELIGIBLE, account)
    return RecoveryResult(RecoveryOutcome.CODE_OK, account)


def _refused(account: Account, request, key: str, **stage) -> bool:
    """The person stopped being eligible: recovery is refused, audited."""
    return bool(
        refused_access(
            account.person,
            EventTag.Account.RECOVER_NOT_ELIGIBLE,
            request=request,
            user_id=key,
            outcome=RecoveryOutcome.NOT_ELIGIBLE.value,
            **stage,
        )
    )


def check_recovery_factor(user_id: str, verify_factor, policy: Policy, *, request=None):
    """Charge one recovery attempt, then check the second factor with ``verify_factor()``.

    A wrong code or passkey counts toward the recovery lock like wrong answers do.
    Returns ``None`` when right, else ``INVALID`` or ``ACCOUNT_LOCKED``.
    """
    key = lock_key(user_id)
    account = _account_of(key)
    if account is None:
        return RecoveryOutcome.GONE
    audit = _auditor(
        request,
        key,
        policy,
        lambda: account,
        refused={"stage": "factor"},
        failure=lambda: {"stage": "factor"},
    )
    check = attempts.charged_check(
        attempts.Series.RECOVERY,
        key,
        policy,
        lambda: verify_factor(account),
        now=timeutil.now(),
        audit=audit,
    )
    if check.correct:
        record_event(
            EventTag.Account.RECOVER_FACTOR_OK, request=request, user_id=key, outcome="factor_ok"
        )
        return None
    if check.refused or check.locks:
        return RecoveryOutcome.ACCOUNT_LOCKED
    return RecoveryOutcome.INVALID


def is_recovery_locked(user_id: str) -> bool:
    """True while the ID is locked until the help desk unlocks it (any ID, known or not)."""
    state = attempts.lock_state(lock_key(user_id))
    return state is not None and state.recovery_locked_at is not None


def account_for_reset(user_id: str) -> Account | None:
    """The account whose password is about to be chosen."""
    return _account_of(user_id)


def check_same_as_current(
    user_id: str, candidate: str, policy: Policy, *, request=None
) -> RecoveryOutcome | None:
    """Whether ``candidate`` is the current password, charged to the recovery series.

    Asked only for a new password that passes every other rule, with a matching
    confirmation. Each "same as current" is a failed try, audited, and the one that
    reaches the maximum locks the account, so this page cannot be used to test
    guesses of the current password. ``None`` when the candidate differs;
    ``INVALID`` when it is the current one; ``ACCOUNT_LOCKED`` when locked.
    """
    key = lock_key(user_id)
    account = _account_of(key)
    if account is None:
        return RecoveryOutcome.GONE

    def differs() -> bool:
        return not check_password(candidate, account.password)

    audit = _auditor(
        request,
        key,
        policy,
        lambda: account,
        refused={"stage": "password"},
        failure=lambda: {"stage": "password", "reason": "same_as_current"},
    )

    check = attempts.charged_check(
        attempts.Series.RECOVERY, key, policy, differs, now=timeutil.now(), audit=audit
    )
    if check.correct:
        return None
    if check.refused or check.locks:
        return RecoveryOutcome.ACCOUNT_LOCKED
    return RecoveryOutcome.INVALID


def reset_password(
    user_id: str,
    new_password: str,
    *,
    request=None,
    method: RecoveryMethod = RecoveryMethod.QUESTIONS,
) -> RecoveryResult:
    """Set the new password, clear every count, end every session and tell the person.

    Refused when the account was locked (or stopped being eligible) after the
    answers (or the mailed code, as ``method`` says) were checked.
    """
    key = lock_key(user_id)
    now = timeutil.now()
    # Hashed before the transaction: no other write waits on it.
    password_hash = make_password(new_password)
    with transaction.atomic():
        account = (
            Account.objects.select_for_update(of=("self",))
            .select_related("person")
            .filter(user_id=key, person__isnull=False)
            .first()
        )
        if account is None:
            return RecoveryResult(RecoveryOutcome.GONE)
        lock = attempts.lock_state(key)
        if lock is not None and lock.recovery_locked_at is not None:
            record_event(
                EventTag.Account.RECOVER_REFUSED,
                request=request,
                user_id=key,
                outcome=RecoveryOutcome.ACCOUNT_LOCKED.value,
                detail={"stage": "password"},
            )
            return RecoveryResult(RecoveryOutcome.ACCOUNT_LOCKED, account)
        if _refused(account, request, key, stage="password"):
            return RecoveryResult(RecoveryOutcome.NOT_ELIGIBLE, account)
        account.password = password_hash
        account.password_changed_at = now
        account.save(update_fields=["password", "password_changed_at"])
        attempts.unlock(key)
    ended = sessions.end_sessions(account)
    record_event(
        EventTag.Account.RECOVER_RESET,
        request=request,
        user_id=key,
        outcome=RecoveryOutcome.RESET.value,
        detail={"sessions_ended": ended}
        | ({"proof": "email_code"} if method is RecoveryMethod.EMAIL else {}),
    )
    mail_account(
        account,
        "password_reset",
        changed_at=now,
        proof="email_code" if method is RecoveryMethod.EMAIL else "answers",
    )
    return RecoveryResult(RecoveryOutcome.RESET, account)
