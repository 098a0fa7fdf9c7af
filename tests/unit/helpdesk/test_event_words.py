"""Every audit tag has plain words for the help desk, in every language."""

import pytest
from django.utils import translation

from staffgate.audit.tags import EventTag
from staffgate.audit.words import EVENT_WORDS, event_words, outcome_words

FAMILIES = [value for value in vars(EventTag).values() if isinstance(value, type)]
TAGS = [tag for family in FAMILIES for tag in family]


@pytest.mark.parametrize("tag", TAGS, ids=str)
def test_every_tag_has_words(tag):
    assert tag in EVENT_WORDS
    assert event_words(tag) != tag


@pytest.mark.parametrize("language", ["fr", "es"])
def test_words_are_translated(language):
    english = {tag: event_words(tag) for tag in TAGS}
    with translation.override(language):
        assert all(event_words(tag) != english[tag] for tag in TAGS if tag != "roster:import")


def test_unknown_tags_and_outcomes_show_as_stored():
    assert event_words("future:thing") == "future:thing"
    assert outcome_words("try-01") == "try-01"
