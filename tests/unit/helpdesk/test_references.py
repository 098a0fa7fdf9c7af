"""Ticket references: short, readable, random."""

from __future__ import annotations

import itertools

from staffgate.helpdesk.references import (
    ALPHABET,
    LENGTH,
    is_reference,
    new_reference,
    normalise_reference,
)


def test_a_reference_has_the_prefix_and_six_readable_characters():
    reference = new_reference()
    assert reference.startswith("HD-")
    assert len(reference) == 3 + LENGTH
    assert set(reference[3:]) <= set(ALPHABET)
    assert is_reference(reference)


def test_the_alphabet_leaves_out_look_alike_characters():
    assert not set("0O1IL") & set(ALPHABET)


def test_each_character_is_drawn_independently():
    letters = itertools.cycle("7K3Q9A")
    assert new_reference(choice=lambda alphabet: next(letters)) == "HD-7K3Q9A"


def test_draws_differ():
    assert len({new_reference() for _ in range(200)}) == 200


def test_normalise_and_shape():
    assert normalise_reference(" hd-7k3q9a ") == "HD-7K3Q9A"
    assert is_reference("HD-7K3Q9A")
    for bad in ("HD-7K3Q9", "HD-7K3Q9AB", "HD-0K3Q9A", "XX-7K3Q9A", "HD-7K3Q9A\n", ""):
        assert not is_reference(bad)
