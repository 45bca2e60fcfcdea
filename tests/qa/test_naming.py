"""The answer names its entity as the passages name it most fully (words before the name only)."""

from assistant.qa.naming import named_in_full
from assistant.records import Passage


def passage(text: str, title: str = "A Headline In Title Case About Apple Watch Sales") -> Passage:
    return Passage("c1", "a1", title, "Quay Gazette", "", "2025-01-01", 0, len(text), text)


PASSAGES = [passage("Ovechkin has played for the Washington Capitals since 2005. The Capitals won again."),
            passage("Transportation Secretary Sean Duffy will lead NASA for now. Tim Cook's Apple grew. "
                    "Meanwhile Apple said sales rose. Former President Joe Biden's library opened. TikTok-owned Lemon8 grew. "
                    "Though Dimorphos is small, though it moved.")]


def test_a_short_lead_takes_the_words_the_passage_writes_before_the_name():
    assert named_in_full("The Capitals. He plays there [1].", PASSAGES, "name") == \
        "The Washington Capitals. He plays there [1]."
    assert named_in_full("Duffy [2].", PASSAGES, "person") == "Transportation Secretary Sean Duffy [2]."


def test_no_words_after_the_name_no_possessive_owner_and_no_sentence_opener():
    assert named_in_full("Apple [2].", PASSAGES, "name") == "Apple [2]."  # not "Apple Watch", not "Meanwhile Apple"
    assert named_in_full("Biden [2].", PASSAGES, "person") == "Former President Joe Biden [2]."
    assert named_in_full("Lemon8 [2].", PASSAGES, "name") == "Lemon8 [2]."  # "TikTok-owned" describes it
    assert named_in_full("Dimorphos [2].", PASSAGES, "name") == "Dimorphos [2]."  # "though" is a common word


def test_names_of_two_words_or_more_long_leads_and_other_kinds_are_left_as_written():
    assert named_in_full("Sean Duffy [2].", PASSAGES, "person") == "Sean Duffy [2]."
    long_lead = "Duffy was named interim administrator of the space agency by the president today [2]."
    assert named_in_full(long_lead, PASSAGES, "person") == long_lead
    assert named_in_full("Capitals [1].", PASSAGES, "quantity") == "Capitals [1]."
