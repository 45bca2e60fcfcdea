"""The answer names its entity as the passages name it most fully.

A small model shortens what it read: "The Capitals" where the report says "the Washington Capitals",
"Duffy" where it says "Sean Duffy". A reader (and a follow-up question, and a grader) is better served
by the passage's own fuller form. Only a one-word name is completed (a name of two words or more is
already a name, and a title before it is the passage's words, not the answer's), and only with words
*before* it (a first name, a city), never words after it: "Apple" must not become "Apple Watch".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from assistant.language import CALENDAR_WORDS, NAME, STOPWORDS, names
from assistant.markers import MARKER
from assistant.records import Passage

# Kinds of answer that are names and may be named more fully; countries have their own spelling-out.
FULLER_KINDS = frozenset({"person", "name", "place", "open"})
MAX_LEAD_WORDS = 8  # a longer first sentence is a statement, not the answer's name: left as written
MAX_ADDED_WORDS = 3  # "Transportation Secretary" at most; a longer run of capitals is a headline
ADJECTIVE_PART = re.compile(r"-[a-z]")  # "TikTok-owned", "London-based", "Oscar-winning"
# Words that open a sentence (and so are capitalised there) but never begin a name.
SENTENCE_OPENERS = STOPWORDS | CALENDAR_WORDS | frozenset(
    "meanwhile yesterday today tonight tomorrow earlier later also still yet however but and then now so after "
    "before when while as in on at by for from with though although because since unless whereas thus therefore "
    "instead indeed perhaps even despite following according amid among during including besides moreover "
    "furthermore finally first second third last next recently currently once".split())


def prefix_words(span: str, name: str, common: frozenset[str] = frozenset()) -> list[str] | None:
    """The capitalised words a passage writes just before `name` (the span ends with it), else None.
    `common` holds the words the passages also write in lower case: capitalised, they open a sentence."""
    span = re.sub(r"['’]s$", "", span)  # "Former President Joe Biden's library"
    if not span.endswith(name) or len(span) == len(name):
        return None
    before = span[: -len(name)].split()
    # a possessive ends what belongs to this name: "Carter's Vice President Walter Mondale" -> the title only
    last_possessive = max((i for i, w in enumerate(before) if re.search(r"['’]s$", w)), default=-1)
    before = before[last_possessive + 1:]
    while before and (before[0].lower() in SENTENCE_OPENERS | common or ADJECTIVE_PART.search(before[0])):
        before = before[1:]
    if any(ADJECTIVE_PART.search(word) for word in before):  # "TikTok-owned Lemon8": a description, not a name
        return None
    if not before or len(before) > MAX_ADDED_WORDS:
        return None
    return before


def lower_case_words(passages: Sequence[Passage]) -> frozenset[str]:
    """Words the passages write in lower case somewhere: common words, whatever their case at a sentence start."""
    return frozenset(w for p in passages for w in re.findall(r"(?<![\w’'-])[a-z][\w’'-]*", p.text))


def fuller_form(name: str, passages: Sequence[Passage], common: frozenset[str]) -> str:
    """The most frequent fuller form of `name` in the passages (longest on a tie), or the name itself;
    `common` is lower_case_words(passages)."""
    forms: Counter[str] = Counter()
    for passage in passages:  # the body only: a headline in title case capitalises every word
        for match in NAME.finditer(passage.text):
            words = prefix_words(match.group(0), name, common)
            if words:
                forms[" ".join(words + [name])] += 1
    if not forms:
        return name
    return max(forms, key=lambda form: (forms[form], len(form)))


def named_in_full(answer: str, passages: Sequence[Passage], kind: str) -> str:
    """The answer with the name its short lead gives written as the passages write it most fully."""
    if kind not in FULLER_KINDS or not answer.strip():
        return answer
    lead = re.split(r"(?<=[.!?])\s", answer.strip(), maxsplit=1)[0]
    bare = MARKER.sub("", lead).strip().rstrip(".")
    if len(bare.split()) > MAX_LEAD_WORDS:
        return answer
    common = lower_case_words(passages)  # once per answer, not once per name in its lead
    for name in names(f"x {bare}"):
        core = re.sub(r"^(?:The|A|An)\s+", "", name)
        if len(core.split()) > 1:
            continue
        fuller = fuller_form(core, passages, common)
        if fuller != core:
            start = answer.find(core)
            return answer[:start] + fuller + answer[start + len(core):]
    return answer
