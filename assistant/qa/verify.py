"""Does a passage support a sentence? The scores behind every citation check.

A sentence is supported by a passage when it shares its content words (lexical coverage) and
its meaning (embedding cosine against the passage's best-matching sentence), and when no figure
in the sentence is missing from the passage.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from assistant.language import content_words
from assistant.markers import MARKER
from assistant.records import Passage
from assistant.sentences import sentence_spans

Encoder = Callable[[list[str]], np.ndarray]
NUMBER_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?")


def lexical_support(sentence: str, passages: Sequence[str]) -> float:
    """Share of the sentence's content words that the passages contain."""
    words = content_words(sentence)
    if not words:
        return 1.0
    available = set().union(*(content_words(p) for p in passages)) if passages else set()
    return len(words & available) / len(words)


def unmatched_numbers(sentence: str, passages: Sequence[str]) -> list[str]:
    """Numbers in the sentence that none of the passages contains (thousands separators ignored)."""
    available = {n.replace(",", "") for p in passages for n in NUMBER_TOKEN.findall(p)}
    return [n for n in NUMBER_TOKEN.findall(MARKER.sub(" ", sentence)) if n.replace(",", "").rstrip(".") not in available]


def passage_sentences(passage: Passage) -> list[tuple[int, int, str]]:
    """(start, end, text) of each sentence in the passage, as spans of the article body."""
    spans = [(passage.start + s, passage.start + e, passage.text[s:e]) for s, e in sentence_spans(passage.text)
             if e - s > 3]
    return spans or [(passage.start, passage.end, passage.text)]


def passage_words(passage: Passage) -> str:
    return passage.text + " " + passage.title


def support_score(sentence: str, passages: Sequence[Passage], best_similarity: float) -> float:
    """Half lexical coverage, half embedding similarity; zero when a figure is missing from the passages."""
    texts = [passage_words(p) for p in passages]
    if unmatched_numbers(sentence, texts):
        return 0.0
    return 0.5 * lexical_support(sentence, texts) + 0.5 * best_similarity
