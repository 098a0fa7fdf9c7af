"""Recovery rules with no database: decoy questions, lock arithmetic, the flow's stages."""

import pytest

from staffgate.accounts.questions import COUNT, QUESTIONS
from staffgate.accounts.recovery.service import (
    ORDER,
    TOTAL_STEPS,
    RecoveryOutcome,
    RecoveryState,
    Stage,
    current_stage,
    decoy_questions,
    failure_outcome,
    lock_key,
)
from staffgate.core.outcomes import Outcome

SECRET = "unit-test-secret-" + "k" * 40


def test_decoys_are_three_different_listed_questions():
    for n in range(200):
        chosen = decoy_questions(f"{n:07d}", SECRET)
        assert len(chosen) == COUNT
        assert len(set(chosen)) == COUNT
        assert set(chosen) <= set(QUESTIONS)


def test_decoys_are_stable_for_an_id_and_follow_its_normal_form():
    first = decoy_questions("OV000123456", SECRET)
    assert decoy_questions("OV000123456", SECRET) == first
    assert decoy_questions("  ov000123456 ", SECRET) == first


def test_decoys_differ_between_ids():
    sets = {tuple(decoy_questions(f"{n:07d}", SECRET)) for n in range(100)}
    assert len(sets) > 60


def test_decoys_use_every_question_and_every_position():
    by_position = [set(), set(), set()]
    for n in range(500):
        for position, key in enumerate(decoy_questions(f"X{n}", SECRET)):
            by_position[position].add(key)
    assert all(seen == set(QUESTIONS) for seen in by_position)


def test_decoys_depend_on_the_secret():
    ids = [f"{n:07d}" for n in range(20)]
    ours = [decoy_questions(i, SECRET) for i in ids]
    theirs = [decoy_questions(i, "another-secret-" + "z" * 40) for i in ids]
    assert ours != theirs


def test_decoys_accept_any_input_without_failing():
    for raw in ["", " ", "\x00", "é" * 500, "9" * 10_000]:
        assert len(set(decoy_questions(raw, SECRET))) == COUNT


@pytest.mark.parametrize(
    "attempt, limit, expected",
    [
        (1, 3, RecoveryOutcome.INVALID),
        (2, 3, RecoveryOutcome.INVALID),
        (3, 3, RecoveryOutcome.ACCOUNT_LOCKED),
        (4, 3, RecoveryOutcome.ACCOUNT_LOCKED),
        (1, 1, RecoveryOutcome.ACCOUNT_LOCKED),
        (4, 5, RecoveryOutcome.INVALID),
        (5, 5, RecoveryOutcome.ACCOUNT_LOCKED),
    ],
)
def test_the_attempt_that_reaches_the_limit_locks(attempt, limit, expected):
    assert failure_outcome(attempt, limit) is expected


def test_outcomes_carry_the_spec_codes():
    assert RecoveryOutcome.INVALID.value == Outcome.RECOVER_INVALID.value == "recover.invalid"
    assert RecoveryOutcome.ACCOUNT_LOCKED.value == Outcome.ACCOUNT_LOCKED.value
    assert RecoveryOutcome.NOT_ELIGIBLE.value == Outcome.LOGIN_NOT_ELIGIBLE.value


def test_lock_key_is_the_normalised_id_or_its_keyed_hash_like_logins(monkeypatch):
    from staffgate.core import identifiers

    monkeypatch.setattr(identifiers, "stored_key", lambda name: "k" * 43)
    assert lock_key("  ov0012 ") == "OV0012"
    assert lock_key("0112233") == "0112233"
    # Not the shape of an ID: only a keyed hash with the length is kept.
    assert lock_key("a" * 500) == identifiers.hashed_identifier("A" * 500, "k" * 43)
    assert lock_key("a" * 500).startswith("hmac:500:")
    assert len(lock_key("a" * 500)) <= 60


def _stage(state, now):
    return current_stage(state, now, questions_seconds=1800, reset_seconds=600)


def test_a_new_flow_is_at_the_questions_until_the_idle_time_passes():
    state = RecoveryState(user_id="0112233", started_at=1000.0)
    assert _stage(state, 1000.0) is Stage.QUESTIONS
    assert _stage(state, 2800.0) is Stage.QUESTIONS
    assert _stage(state, 2800.5) is None


def test_right_answers_open_the_password_page_for_ten_minutes():
    state = RecoveryState(user_id="0112233", started_at=1000.0, answered_at=2500.0)
    assert _stage(state, 2500.0) is Stage.PASSWORD
    assert _stage(state, 3100.0) is Stage.PASSWORD
    assert _stage(state, 3100.5) is None


def test_an_account_with_a_factor_passes_it_before_the_password_page():
    state = RecoveryState(
        user_id="0112233", started_at=1000.0, answered_at=2500.0, factor_needed=True
    )
    assert _stage(state, 2500.0) is Stage.FACTOR
    assert _stage(state, 3100.0) is Stage.FACTOR
    assert _stage(state, 3100.5) is None
    state.factor_at = 2600.0
    assert _stage(state, 2600.0) is Stage.PASSWORD
    # The window still counts from the right answers.
    assert _stage(state, 3100.5) is None


def test_a_finished_flow_is_done():
    state = RecoveryState(user_id="0112233", started_at=1000.0, answered_at=1100.0, done=True)
    assert _stage(state, 99999.0) is Stage.DONE


def test_stages_come_in_order_with_their_urls():
    assert ORDER == [Stage.QUESTIONS, Stage.FACTOR, Stage.PASSWORD, Stage.DONE]
    assert [s.url_name for s in ORDER] == [
        "recover-questions",
        "recover-factor",
        "recover-password",
        "recover-done",
    ]
    # The second factor is part of step 2 (checking who you are): four steps either way.
    assert [s.number for s in ORDER] == [2, 2, 3, 4]
    assert TOTAL_STEPS == 4


def test_state_round_trips_through_a_session_and_holds_no_secret():
    session = {}
    RecoveryState(user_id="0112233", started_at=5.0).save(session)
    assert set(session["staffgate.recovery"]) == {
        "user_id",
        "started_at",
        "answered_at",
        "done",
        "factor_needed",
        "factor_at",
    }
    assert RecoveryState.load(session) == RecoveryState(user_id="0112233", started_at=5.0)
    RecoveryState.clear(session)
    assert RecoveryState.load(session) is None


@pytest.mark.parametrize("stored", [None, "text", 3, {"user_id": "1"}, {"bogus": 1}])
def test_a_damaged_state_is_no_state(stored):
    assert RecoveryState.load({"staffgate.recovery": stored}) is None


# --- The mailed code (STAFFGATE_RECOVERY_METHODS=email) -------------------------------------


def test_the_policy_offers_the_questions_alone_unless_told_otherwise():
    from staffgate.accounts.policy import Policy, RecoveryMethod

    assert Policy().offers(RecoveryMethod.QUESTIONS)
    assert not Policy().offers(RecoveryMethod.EMAIL)
    both = Policy(recovery_methods=(RecoveryMethod.QUESTIONS, RecoveryMethod.EMAIL))
    assert both.offers(RecoveryMethod.EMAIL) and both.offers(RecoveryMethod.QUESTIONS)
    assert not Policy(recovery_methods=(RecoveryMethod.EMAIL,)).offers(RecoveryMethod.QUESTIONS)


def test_a_mailed_code_belongs_to_the_flow_it_was_asked_in():
    from staffgate.accounts.recovery.service import MailedCode

    session = {}
    flow = RecoveryState(user_id="0112233", started_at=5.0)
    MailedCode(user_id="0112233", started_at=5.0, code_id=42).save(session)
    assert MailedCode.of_flow(session, flow).code_id == 42
    assert set(session["staffgate.recovery.mailed_code"]) == {
        "user_id",
        "started_at",
        "code_id",
        "proved",
    }
    # Another ID, or a later flow of the same ID, does not see it.
    assert MailedCode.of_flow(session, RecoveryState(user_id="0112234", started_at=5.0)) is None
    assert MailedCode.of_flow(session, RecoveryState(user_id="0112233", started_at=6.0)) is None


def test_clearing_the_flow_forgets_its_mailed_code():
    from staffgate.accounts.recovery.service import MailedCode

    session = {}
    flow = RecoveryState(user_id="0112233", started_at=5.0)
    flow.save(session)
    MailedCode(user_id="0112233", started_at=5.0, code_id=42).save(session)
    RecoveryState.clear(session)
    assert session == {}


def _account(**fields):
    import datetime as dt

    from staffgate.accounts.models import Account

    defaults = {
        "user_id": "0112233",
        "email": "Pat.Jones@example.com",
        "email_verified_at": dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
    }
    return Account(**(defaults | fields))


@pytest.mark.parametrize(
    "account, address, proves",
    [
        (_account, "pat.jones@example.com", True),
        (lambda: _account(email_verified_at=None), "pat.jones@example.com", False),
        (lambda: _account(email=""), "", False),
        (_account, "", False),  # a code for an ID without a verified address went nowhere
        (_account, "someone.else@example.com", False),
        (lambda: None, "pat.jones@example.com", False),
    ],
)
def test_only_a_code_mailed_to_the_verified_address_proves_who_it_is(account, address, proves):
    from staffgate.accounts.recovery.service import proves_address
    from staffgate.factors.models import EmailCode

    assert proves_address(account(), EmailCode(address=address)) is proves
