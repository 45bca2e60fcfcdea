"""When to say "the articles do not contain the answer" instead of answering."""

from __future__ import annotations

import re

from assistant.language import AUXILIARIES, stem

REFUSAL_PATTERNS = re.compile(
    r"(do(es)? not contain|don't contain|does not (say|mention|state|provide)|not (mentioned|stated|provided) in|"
    r"no information|insufficient information|not enough information|cannot (answer|determine|be determined)|"
    r"can't (answer|determine)|unable to (answer|determine)|passages do not|articles do not)",
    re.I,
)
QUESTION_WORDS = frozenset("which what who whom whose when where why how "
                           "according in on at of for and or the a an if after before between".split()) | frozenset(AUXILIARIES)
KEY_TERM = re.compile(r"\b(?:[A-Z][\w&.-]*[\w&]|\d[\d,.]*\d)")
DEMONYM_ENDINGS = ("ish", "ian", "ese", "an", "i")


def key_terms(question: str) -> list[str]:
    """Names and numbers a question is about: capitalised words (not the opening word) and multi-digit numbers."""
    terms = []
    for match in KEY_TERM.finditer(question):
        word = re.sub(r"['’]s$", "", match.group(0))
        if match.start() == 0 or word.lower() in QUESTION_WORDS or len(word) < 3 and not word.isdigit():
            continue
        terms.append(word)
    return list(dict.fromkeys(terms))


def known_word(word: str, vocabulary: set[str], stems: set[str]) -> bool:
    """In the corpus as written, as the same stem, or as the place a demonym names ("Iranian" -> "iran")."""
    if word in vocabulary or stem(word) in stems:
        return True
    return any(word.endswith(ending) and len(word) - len(ending) >= 4
               and any(word[: len(word) - len(ending)] + tail in vocabulary for tail in ("", "a", "ia", "ain", "an", "e", "y"))
               for ending in DEMONYM_ENDINGS)


def unknown_terms(question: str, vocabulary: set[str], stems: set[str] | None = None) -> list[str]:
    """Key terms of the question that appear nowhere in the indexed articles (titles, outlets, text)."""
    stems = stems if stems is not None else {stem(w) for w in vocabulary}
    unknown = []
    for term in key_terms(question):
        words = re.findall(r"\w+", term.lower().replace(",", ""))
        if words and not all(known_word(w, vocabulary, stems) for w in words):
            unknown.append(term)
    return unknown


def looks_like_refusal(text: str, refusal_text: str) -> bool:
    head = text.strip()[:200]
    return refusal_text.lower().rstrip(".") in head.lower() or bool(REFUSAL_PATTERNS.search(head))
