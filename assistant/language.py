"""Words, stems and the one stopword list, shared by BM25, the passage window, the verifier and the evals."""

from __future__ import annotations

import re
import string
from functools import lru_cache

import Stemmer

_stemmer = Stemmer.Stemmer("english")

# Function words that carry no fact: left out of BM25 queries and of every overlap measure.
STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being it its this that "
    "these those there their they them he she his her him we our you your i me my not no yes do does did has have "
    "had will would can could should may might also than then so such which who whom whose what when where why how "
    "about into over after before during while said says say according".split()
)
NEGATIONS = frozenset("not no never none nobody nothing neither nor without cannot n't denied denies deny".split())

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.-]*")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word.lower())


def words(text: str) -> list[str]:
    """Lower-case words; thousands separators dropped so "1,000" and "1000" agree (strip citation markers first)."""
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    return [w.lower().strip(".'’-") for w in WORD.findall(text)]


def content_words(text: str) -> set[str]:
    """Stems of the words that carry content (stopwords and one-letter tokens left out)."""
    return {stem(w) for w in words(text) if len(w) > 1 and w not in STOPWORDS}


def normalize_answer(text: str) -> str:
    """Lower-case, no punctuation, no articles, single spaces (SQuAD-style)."""
    text = text.lower().replace("’", "'")
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


NAME = re.compile(r"(?<![\w’'])(?:[A-Z][a-z][\w’'-]*|[A-Z]{2,}[\w-]*)(?:\s+(?:of\s+|de\s+|van\s+)?(?:[A-Z][a-z][\w’'-]*|[A-Z]{2,}[\w-]*|[A-Z]\b\.?))*")
CALENDAR_WORDS = frozenset("monday tuesday wednesday thursday friday saturday sunday january february march april may june "
                           "july august september october november december".split())


def names(sentence: str) -> list[str]:
    """Capitalised names in a sentence (not its first word, which is capitalised whatever it is), possessives cut."""
    found = []
    for match in NAME.finditer(sentence):
        parts = match.group(0).split()
        if match.start() == 0 or sentence[:match.start()].strip() in ("“", '"', "‘", "'", "("):
            parts = parts[1:]
        name = re.sub(r"['’]s$", "", " ".join(parts)).strip()
        if len(name) >= 2 and not all(p.lower() in CALENDAR_WORDS | STOPWORDS for p in name.split()):
            found.append(name)
    return list(dict.fromkeys(found))
