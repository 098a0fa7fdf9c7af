"""User IDs are Employee IDs, trimmed, case-insensitive, leading zeros kept."""

import pytest

from staffgate.roster.ids import MAX_LENGTH, is_well_formed, normalise_user_id


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("0112233", "0112233"),
        ("  0112233  ", "0112233"),
        ("\t0112233\n", "0112233"),
        ("ov000123456", "OV000123456"),
        ("Ov000123456", "OV000123456"),
        ("OV000123456", "OV000123456"),
        (" mc12345 ", "MC12345"),
        ("000000", "000000"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise_user_id(raw, normalised):
    assert normalise_user_id(raw) == normalised


def test_none_normalises_to_empty():
    assert normalise_user_id(None) == ""


def test_ids_differing_only_in_case_and_spaces_are_the_same_user():
    assert normalise_user_id(" mc12345") == normalise_user_id("MC12345 ")


def test_leading_zeros_make_a_different_id():
    assert normalise_user_id("0112233") != normalise_user_id("112233")


@pytest.mark.parametrize(
    "user_id",
    ["0112233", "OV000123456", "MC12345", "1", "A", "9" * MAX_LENGTH],
)
def test_well_formed(user_id):
    assert is_well_formed(user_id)


@pytest.mark.parametrize(
    "user_id",
    [
        "",
        "9" * (MAX_LENGTH + 1),
        "011 2233",
        "0112-233",
        "0112233\n",
        " 0112233",
        "mc12345",  # not normalised
        "É12345",
        "０１２３",  # full-width digits
        "123;DROP",
    ],
)
def test_not_well_formed(user_id):
    assert not is_well_formed(user_id)


@pytest.mark.parametrize("raw", [" ov000123456 ", "mc12345", "0112233"])
def test_normalised_ids_from_the_spec_are_well_formed(raw):
    assert is_well_formed(normalise_user_id(raw))
