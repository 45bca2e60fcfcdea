"""The lexicon (in assistant/language.py): month names from the calendar, auxiliary groups inside its table."""

from __future__ import annotations

import re

import pytest

from assistant.language import AUXILIARIES, MONTH_NAME_PATTERN, MONTHS, auxiliary_subset


def test_the_lexicon_spells_months_from_the_calendar_and_keeps_auxiliary_groups_inside_its_table():
    month = re.compile(MONTH_NAME_PATTERN)
    assert all(month.fullmatch(name.capitalize()) for name in MONTHS)
    assert not month.fullmatch("Mayor") and not month.fullmatch("march")  # whole words, capitalised as in text
    assert MONTHS["sept"] == MONTHS["september"] == 9
    assert auxiliary_subset("did was") == ("did", "was") and "should" in AUXILIARIES
    with pytest.raises(ValueError):
        auxiliary_subset("did may")
